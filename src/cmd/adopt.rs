//! `retrobook adopt`: print (or insert) the front matter retrobook read from adopted files.
//!
//! Everything printed comes from the loaded [`Retro`], so what `adopt` shows is what the site
//! shows. Writing is verified: the new text is loaded again in memory and must give the same id,
//! title, date and moments without a new error before a byte is written.

use super::{EXIT_ERRORS, EXIT_OK, Outcome, exit, usage};
use anyhow::anyhow;
use retrobook::config::Config;
use retrobook::diagnostic::{Level, printable};
use retrobook::model::{FrontMatterKind, Moment, Retro};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Options of `adopt`.
pub(crate) struct AdoptArgs {
    pub paths: Vec<PathBuf>,
    pub write: bool,
    pub split: bool,
}

/// Runs `adopt` and returns the exit code.
pub(crate) fn run(root: &Path, args: &AdoptArgs) -> Outcome {
    let loaded = super::load_or_report(root)?;
    let book = &loaded.book;
    let wanted = resolve_paths(root, &args.paths).map_err(|msg| usage(anyhow!(msg)))?;
    // One file may hold several retros (an incident log): group by path, in path order.
    let mut files: BTreeMap<&str, Vec<&Retro>> = BTreeMap::new();
    for r in &book.retros {
        if wanted.is_empty()
            || wanted.iter().any(|w| w.is_empty() || r.path == *w || r.path.starts_with(&format!("{w}/")))
        {
            files.entry(r.path.as_str()).or_default().push(r);
        }
    }
    if files.is_empty() && !args.paths.is_empty() {
        return Err(usage(anyhow!(
            "no retro found under the given paths; give files or folders inside the retros folder"
        )));
    }
    let mut failed = 0usize;
    let (mut adopted, mut native, mut written) = (0usize, 0usize, 0usize);
    for (path, retros) in &files {
        let shown = printable(path);
        if retros.len() == 1 && retros[0].front_matter == FrontMatterKind::Native {
            native += 1;
            continue;
        }
        adopted += 1;
        let bytes = match std::fs::read(root.join(path)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {shown}: {e}");
                failed += 1;
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!("error: {shown} is not valid UTF-8; left alone");
            failed += 1;
            continue;
        };
        if retros.len() > 1 {
            match log(root, book, path, &text, retros, args) {
                Ok(n) => written += n,
                Err(n) => {
                    failed += n.max(1);
                }
            }
            continue;
        }
        let r = retros[0];
        let plan = match Plan::new(&text, r, &book.config) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("error: {shown}: {why}; left alone");
                failed += 1;
                continue;
            }
        };
        println!("# {shown}");
        print!("{}", plan.preview());
        println!();
        if args.write && r.date.is_none() {
            // Front matter with an `id` requires a date, and nothing is invented.
            eprintln!(
                "error: {shown}: no date found in the file name, the text or its timeline; add a line `date: \
                 YYYY-MM-DD` (or a date in the file name) and run again; left alone"
            );
            failed += 1;
        } else if args.write {
            match write_verified(root, book, path, r, &plan.apply(&text)) {
                Ok(()) => {
                    written += 1;
                    eprintln!("wrote front matter into {shown}");
                }
                Err(why) => {
                    eprintln!("error: {shown} not written: {why}");
                    failed += 1;
                }
            }
        }
    }
    let plural = |n: usize, w: &str| retrobook::text::plural(n, w, &format!("{w}s"));
    eprintln!(
        "{} adopted, {} already with retrobook front matter (left alone){}",
        plural(adopted, "file"),
        native,
        if args.write { format!(", {} written", plural(written, "file")) } else { String::new() }
    );
    if !args.write && adopted > 0 {
        eprintln!("nothing was written; run `retrobook adopt --write` to insert this front matter");
    }
    exit(if failed > 0 { EXIT_ERRORS } else { EXIT_OK })
}

/// Resolves PATHS (relative to the current folder, else to the book) to book-relative paths.
fn resolve_paths(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, String> {
    let root_abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    paths
        .iter()
        .map(|p| {
            let cwd = std::env::current_dir().unwrap_or_default().join(p);
            let abs = if p.is_absolute() || cwd.exists() { cwd } else { root.join(p) };
            let abs = abs.canonicalize().map_err(|_| format!("{} does not exist", printable(&p.to_string_lossy())))?;
            if !abs.starts_with(&root_abs) {
                return Err(format!("{} is outside the book", printable(&p.to_string_lossy())));
            }
            Ok(retrobook::text::relative(&root_abs, &abs))
        })
        .collect()
}

/// Loads `new_text` in memory as `path` and checks that it is the same retro, without a new
/// error; writes it only then. A file it would replace must still be the one that was read.
fn write_verified(
    root: &Path,
    book: &retrobook::model::Book,
    path: &str,
    before: &Retro,
    new_text: &str,
) -> Result<(), String> {
    let abs = root.join(path);
    let (after, diags) = retrobook::load::load_retro(new_text.as_bytes(), path, &abs, &book.config);
    let Some(after) = after.into_iter().next() else { return Err("the new text does not load".into()) };
    same_retro(before, &after)?;
    // Write only the retro's own file: never through a link to a file elsewhere.
    if std::fs::symlink_metadata(&abs).map_err(|e| e.to_string())?.file_type().is_symlink() {
        return Err("it is a symbolic link; adopt writes only regular files inside the book".into());
    }
    if let Some(d) = diags.iter().find(|d| d.level == Level::Error) {
        return Err(format!(
            "with retrobook front matter it would give an error at line {}: {}; fix that line and run again",
            d.line, d.message
        ));
    }
    std::fs::write(&abs, new_text).map_err(|e| e.to_string())
}

/// What must not change when front matter is added.
fn same_retro(a: &Retro, b: &Retro) -> Result<(), String> {
    let differs = |what: &str, x: String, y: String| {
        if x == y { Ok(()) } else { Err(format!("{what} would change from {x} to {y}")) }
    };
    differs("the id", a.id.clone(), b.id.clone())?;
    differs("the title", a.title.clone(), b.title.clone())?;
    differs("the date", format!("{:?}", a.date), format!("{:?}", b.date))?;
    for m in Moment::ALL {
        differs(
            &format!("impact.{}", m.as_str()),
            format!("{:?}", a.impact.moment(m).map(|v| v.at)),
            format!("{:?}", b.impact.moment(m).map(|v| v.at)),
        )?;
    }
    differs("the summary", format!("{:?}", a.summary), format!("{:?}", b.summary))?;
    differs("the number of timeline entries", a.timeline.len().to_string(), b.timeline.len().to_string())?;
    differs("the factors", format!("{:?}", ids(&a.factors)), format!("{:?}", ids(&b.factors)))?;
    let actions = |r: &Retro| r.actions.iter().map(|x| (x.id.clone(), x.status)).collect::<Vec<_>>();
    differs("the actions", format!("{:?}", actions(a)), format!("{:?}", actions(b)))
}

fn ids(f: &[retrobook::model::Factor]) -> Vec<&str> {
    f.iter().map(|f| f.id.as_str()).collect()
}

/// An incident log (one file, several retros): print each incident's front matter; with
/// `--write --split`, write one file per incident beside the log. The log itself is never
/// changed or removed. Returns the number of files written, or the number of failures.
fn log(
    root: &Path,
    book: &retrobook::model::Book,
    path: &str,
    text: &str,
    retros: &[&Retro],
    args: &AdoptArgs,
) -> Result<usize, usize> {
    let shown = printable(path);
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let parts = retrobook::load::log::split(text, path, &book.config).unwrap_or_default();
    let mut planned = Vec::new();
    for (i, r) in retros.iter().enumerate() {
        let safe_id = !r.id.is_empty()
            && !r.id.starts_with('.')
            && r.id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        let target = if dir.is_empty() { format!("{}.md", r.id) } else { format!("{dir}/{}.md", r.id) };
        let target = if safe_id { target } else { String::new() };
        let body = parts.iter().find(|p| p.id == r.id).map(incident_file_body);
        let fm = Plan::fresh(r, &book.config).preview();
        println!("# {shown} → {} (incident {} of {})", printable(&target), i + 1, retros.len());
        print!("{fm}");
        println!();
        planned.push((r, target, fm, body));
    }
    if !args.write {
        return Ok(0);
    }
    if !args.split {
        eprintln!(
            "note: {shown} is an incident log holding {} incidents; it was left alone. Run `retrobook adopt --write \
             --split {shown}` to write one file per incident",
            retros.len()
        );
        return Ok(0);
    }
    let (mut written, mut failed) = (0, 0);
    for (r, target, fm, body) in planned {
        if target.is_empty() {
            eprintln!("error: the id `{}` cannot be a file name; {shown} not split for it", printable(&r.id));
            failed += 1;
            continue;
        }
        let Some(body) = body else {
            eprintln!(
                "error: the heading of `{}` was not found in {shown}; {} not written",
                printable(&r.title),
                target
            );
            failed += 1;
            continue;
        };
        let abs = root.join(&target);
        if abs.exists() {
            eprintln!("note: {} exists; not overwritten", printable(&target));
            continue;
        }
        let new_text = format!("{fm}\n{body}");
        let result = write_new(&abs, &target, r, &new_text, book);
        match result {
            Ok(()) => {
                written += 1;
                eprintln!("wrote {}", printable(&target));
            }
            Err(why) => {
                eprintln!("error: {} not written: {why}", printable(&target));
                failed += 1;
            }
        }
    }
    if written > 0 {
        eprintln!(
            "note: {shown} is unchanged and still splits into the same incidents, so `check` reports their ids twice \
             until you remove it (retrobook never deletes your files): `git rm {shown}`"
        );
    }
    if failed > 0 { Err(failed) } else { Ok(written) }
}

/// Writes a new file for one incident of a log, after checking it loads as the same incident.
fn write_new(abs: &Path, rel: &str, r: &Retro, new_text: &str, book: &retrobook::model::Book) -> Result<(), String> {
    let (after, diags) = retrobook::load::load_retro(new_text.as_bytes(), rel, abs, &book.config);
    let Some(after) = after.into_iter().next() else { return Err("the new text does not load".into()) };
    if after.id != r.id || after.title != r.title || after.date != r.date {
        return Err("the new file would not load as the same incident".into());
    }
    if let Some(d) = diags.iter().find(|d| d.level == Level::Error) {
        return Err(format!("it would give an error at line {}: {}", d.line, d.message));
    }
    use std::io::Write as _;
    // create_new: never replace a file that appeared meanwhile.
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(abs).map_err(|e| e.to_string())?;
    f.write_all(new_text.as_bytes()).map_err(|e| e.to_string())
}

/// The text of one incident of a log as a file of its own: its heading becomes the `#` title and
/// its sub-headings move up as many levels, so `#### Timeline` under `### Incident on …` is a
/// section again. Headings are found by the Markdown parser, so a `#` line in a code block stays.
fn incident_file_body(part: &retrobook::load::log::Part) -> String {
    let hashes = |line: &str| line.trim_start().bytes().take_while(|b| *b == b'#').count();
    let shift = hashes(part.heading).saturating_sub(1);
    let drop_hashes = |line: &str| {
        let indent = line.len() - line.trim_start().len();
        format!("{}{}", &line[..indent], &line[indent + shift..])
    };
    let mut out = drop_hashes(part.heading);
    let mut at = 0;
    let body = part.body;
    for (ev, range) in pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::all()).into_offset_iter() {
        if let pulldown_cmark::Event::Start(pulldown_cmark::Tag::Heading { .. }) = ev
            && body[range.start..].trim_start().starts_with('#')
            && hashes(&body[range.start..]) > shift
        {
            out.push_str(&body[at..range.start]);
            let end = body[range.start..].find('\n').map_or(body.len(), |e| range.start + e);
            out.push_str(&drop_hashes(&body[range.start..end]));
            at = end;
        }
    }
    out.push_str(&body[at..]);
    out
}

/// A front-matter value, built from the model.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    /// A value we formatted ourselves (a date, a bool): safe unquoted in YAML.
    Plain(String),
    List(Vec<Val>),
    Map(Vec<Field>),
}

/// One key of the front matter to write.
#[derive(Debug, Clone)]
enum Field {
    Set(String, Val),
    /// Written with an empty value, so `check` knows it was looked for: `severity: ~  # why`.
    Unset(String, String),
    /// A commented-out line: `# key: example   # why`.
    Hint(String, Val, String),
}

impl Field {
    fn key(&self) -> &str {
        match self {
            Field::Set(k, _) | Field::Unset(k, _) | Field::Hint(k, _, _) => k,
        }
    }
}

fn s(v: &str) -> Val {
    Val::Str(v.to_string())
}

fn strs(v: &[String]) -> Option<Val> {
    (!v.is_empty()).then(|| Val::List(v.iter().map(|x| s(x)).collect()))
}

/// The front matter retrobook would write for `r`: every field the loader filled in, and hints
/// for what the file does not state.
fn fields(r: &Retro, config: &Config) -> Vec<Field> {
    let mut out = vec![Field::Set("id".into(), s(&r.id)), Field::Set("title".into(), s(&r.title))];
    match r.date {
        Some(d) => out.push(Field::Set("date".into(), Val::Plain(d.to_string()))),
        None => out.push(Field::Hint(
            "date".into(),
            Val::Plain("YYYY-MM-DD".into()),
            "no date found in the file; required".into(),
        )),
    }
    match &r.severity {
        Some(sev) => out.push(Field::Set("severity".into(), s(sev))),
        None => out.push(Field::Unset(
            "severity".into(),
            format!("not stated in the file; one of {}", config.retros.severities.join(", ")),
        )),
    }
    if r.front_matter != FrontMatterKind::Native {
        out.push(Field::Hint(
            "status".into(),
            Val::Plain("published".into()),
            "draft until you confirm what was read (draft, in-review, published)".into(),
        ));
    } else {
        out.push(Field::Set("status".into(), Val::Plain(r.status.as_str().into())));
    }
    let lists: [(&str, &[String]); 5] = [
        ("services", &r.services),
        ("teams", &r.teams),
        ("tags", &r.tags),
        ("authors", &r.authors),
        ("reviewers", &r.reviewers),
    ];
    for (key, v) in lists {
        match strs(v) {
            Some(v) => out.push(Field::Set(key.into(), v)),
            None if key == "services" => {
                out.push(Field::Hint(key.into(), Val::List(Vec::new()), "which services were affected".into()))
            }
            None => {}
        }
    }
    if !r.roles.is_empty() {
        out.push(Field::Set(
            "roles".into(),
            Val::Map(r.roles.iter().map(|(k, v)| Field::Set(k.clone(), s(v))).collect()),
        ));
    }
    if r.external {
        out.push(Field::Set("external".into(), Val::Plain("true".into())));
    }
    if !r.related.is_empty() {
        out.push(Field::Set("related".into(), Val::List(r.related.iter().map(|x| s(&x.value)).collect())));
    }
    out.push(impact_field(r));
    out.push(factors_field(r));
    out.push(actions_field(r));
    out
}

/// `impact`: the four moments (a hint for each one the file does not state), users, data loss.
fn impact_field(r: &Retro) -> Field {
    let mut impact = Vec::new();
    for m in Moment::ALL {
        match r.impact.moment(m) {
            Some(v) => impact.push(Field::Set(m.as_str().into(), s(&v.at.to_string()))),
            None => impact.push(Field::Hint(m.as_str().into(), s("YYYY-MM-DD HH:MM"), "not stated in the file".into())),
        }
    }
    if let Some(u) = &r.impact.users {
        impact.push(Field::Set("users".into(), s(u)));
    }
    if let Some(dl) = r.impact.data_loss {
        impact.push(Field::Set("data-loss".into(), Val::Plain(dl.to_string())));
    }
    Field::Set("impact".into(), Val::Map(impact))
}

/// `factors`, as written (before the book's aliases), or a hint that none was found.
fn factors_field(r: &Retro) -> Field {
    if r.factors.is_empty() {
        return Field::Hint(
            "factors".into(),
            Val::List(Vec::new()),
            "no contributing factors found in the file".into(),
        );
    }
    let items = r
        .factors
        .iter()
        .map(|f| {
            let mut m = vec![Field::Set("id".into(), s(&f.written_id))];
            if let Some(c) = &f.category {
                m.push(Field::Set("category".into(), s(c)));
            }
            if let Some(x) = &f.summary {
                m.push(Field::Set("summary".into(), s(x)));
            }
            if let Some(w) = strs(&f.whys) {
                m.push(Field::Set("whys".into(), w));
            }
            Val::Map(m)
        })
        .collect();
    Field::Set("factors".into(), Val::List(items))
}

/// `actions`, or a hint that none was found.
fn actions_field(r: &Retro) -> Field {
    if r.actions.is_empty() {
        return Field::Hint("actions".into(), Val::List(Vec::new()), "no follow-up actions found in the file".into());
    }
    Field::Set("actions".into(), Val::List(r.actions.iter().map(action_value).collect()))
}

fn action_value(a: &retrobook::model::Action) -> Val {
    let mut m = vec![Field::Set("id".into(), s(&a.id)), Field::Set("title".into(), s(&a.title))];
    if let Some(o) = &a.owner {
        m.push(Field::Set("owner".into(), s(o)));
    }
    m.push(Field::Set("status".into(), Val::Plain(a.status.as_str().into())));
    if let Some(p) = a.priority {
        m.push(Field::Set("priority".into(), Val::Plain(p.as_str().into())));
    }
    if let Some(d) = a.due {
        m.push(Field::Set("due".into(), Val::Plain(d.to_string())));
    }
    if let Some(l) = &a.link {
        m.push(Field::Set("link".into(), s(&l.value)));
    }
    if !a.addresses.is_empty() {
        m.push(Field::Set("addresses".into(), Val::List(a.addresses.iter().map(|x| s(&x.value)).collect())));
    }
    if let Some(w) = &a.why {
        m.push(Field::Set("why".into(), s(w)));
    }
    Val::Map(m)
}

/// A key as written: bare when it is a plain word, else quoted.
fn yaml_key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        k.to_string()
    } else {
        json(k)
    }
}

/// A JSON string is a YAML double-quoted scalar: every character that needs it is escaped.
fn json(v: &str) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into())
}

fn toml_str(v: &str) -> String {
    toml::Value::String(v.to_string()).to_string()
}

fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        k.to_string()
    } else {
        toml_str(k)
    }
}

fn yaml_scalar(v: &Val) -> String {
    match v {
        Val::Str(x) => json(x),
        Val::Plain(x) => x.clone(),
        Val::List(_) | Val::Map(_) => "[]".into(),
    }
}

/// Writes fields as block YAML at `indent` spaces. `first_prefix` replaces the indent of the
/// first line (`- ` of a list item).
fn yaml(fields: &[Field], indent: usize, out: &mut String, first_prefix: Option<&str>) {
    for (i, f) in fields.iter().enumerate() {
        let pad = match (i, first_prefix) {
            (0, Some(p)) => format!("{}{p}", " ".repeat(indent.saturating_sub(p.len()))),
            _ => " ".repeat(indent),
        };
        match f {
            Field::Hint(k, ex, why) => {
                let _ = writeln!(out, "{pad}# {k}: {}   # {why}", yaml_scalar(ex));
            }
            Field::Unset(k, why) => {
                let _ = writeln!(out, "{pad}{}: ~   # {why}", yaml_key(k));
            }
            Field::Set(k, Val::Map(m)) => {
                let _ = writeln!(out, "{pad}{}:", yaml_key(k));
                yaml(m, indent + 2, out, None);
            }
            Field::Set(k, Val::List(items)) => {
                let _ = writeln!(out, "{pad}{}:", yaml_key(k));
                for item in items {
                    match item {
                        Val::Map(m) => yaml(m, indent + 4, out, Some("- ")),
                        v => {
                            let _ = writeln!(out, "{}  - {}", " ".repeat(indent), yaml_scalar(v));
                        }
                    }
                }
            }
            Field::Set(k, v) => {
                let _ = writeln!(out, "{pad}{}: {}", yaml_key(k), yaml_scalar(v));
            }
        }
    }
}

fn toml_inline(v: &Val) -> String {
    match v {
        Val::Str(x) => toml_str(x),
        // Dates are quoted: a bare TOML date is a different type from the YAML one.
        Val::Plain(x) if x.parse::<jiff::civil::Date>().is_ok() || x == "YYYY-MM-DD" => toml_str(x),
        Val::Plain(x) if matches!(x.as_str(), "true" | "false") => x.clone(),
        Val::Plain(x) => toml_str(x),
        Val::List(items) => format!("[{}]", items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")),
        Val::Map(m) => format!(
            "{{ {} }}",
            m.iter()
                .filter_map(|f| match f {
                    Field::Set(k, v) => Some(format!("{} = {}", toml_key(k), toml_inline(v))),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// TOML in two parts: top-level keys (which must come before any table), and tables.
fn toml(fields: &[Field]) -> (String, String) {
    let (mut top, mut tables) = (String::new(), String::new());
    let line = |f: &Field, out: &mut String| match f {
        Field::Hint(k, ex, why) => {
            let _ = writeln!(out, "# {k} = {}   # {why}", toml_inline(ex));
        }
        Field::Unset(k, why) => {
            let _ = writeln!(out, "{} = \"\"   # {why}", toml_key(k));
        }
        Field::Set(k, v) => {
            let _ = writeln!(out, "{} = {}", toml_key(k), toml_inline(v));
        }
    };
    for f in fields {
        match f {
            Field::Set(k, Val::Map(m)) => {
                let _ = writeln!(tables, "[{}]", toml_key(k));
                for x in m {
                    line(x, &mut tables);
                }
            }
            Field::Set(k, Val::List(items)) if items.iter().any(|i| matches!(i, Val::Map(_))) => {
                for item in items {
                    let _ = writeln!(tables, "[[{}]]", toml_key(k));
                    if let Val::Map(m) = item {
                        for x in m {
                            line(x, &mut tables);
                        }
                    }
                }
            }
            f => line(f, &mut top),
        }
    }
    (top, tables)
}

/// What `adopt` does to one file: which fields to add, and where.
struct Plan {
    fields: Vec<Field>,
    /// An existing (foreign) block: its style and the byte ranges to insert at.
    existing: Option<Existing>,
    bom: bool,
    crlf: bool,
}

struct Existing {
    toml: bool,
    /// Byte offset just after the opening delimiter line.
    after_open: usize,
    /// Byte offset of the closing delimiter line.
    close: usize,
}

impl Plan {
    /// Front matter for a new file (no existing block).
    fn fresh(r: &Retro, config: &Config) -> Plan {
        Plan { fields: fields(r, config), existing: None, bom: false, crlf: false }
    }

    /// Front matter for `text`, the file `r` was read from: merged with a foreign block when
    /// there is one (its keys kept, ours not repeated).
    fn new(text: &str, r: &Retro, config: &Config) -> Result<Plan, String> {
        let bom = text.starts_with('\u{feff}');
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let crlf = body.contains("\r\n");
        let mut fields = fields(r, config);
        let existing = match find_block(body) {
            None => None,
            Some((toml, after_open, close)) => {
                let inner = &body[after_open..close];
                let norm = inner.replace("\r\n", "\n");
                let tree = if toml {
                    retrobook::load::value::parse_toml(&norm, 2)
                } else {
                    retrobook::load::value::parse_yaml(&norm, 2)
                }
                .map_err(|e| format!("its front matter does not parse (line {}): {}", e.pos.line, e.message))?;
                let have: Vec<String> = tree.entries().iter().map(|(k, _)| k.name.clone()).collect();
                if have.iter().any(|k| k == "id") {
                    return Err("it already has an `id`".into());
                }
                fields.retain(|f| !have.iter().any(|h| h == f.key()));
                // Another tool's `description` stands in for our summary, but only while the
                // block is foreign: carry it over, or the page's summary would change.
                if have.iter().any(|k| k == "description")
                    && !have.iter().any(|k| k == "summary")
                    && let Some(summary) = &r.summary
                {
                    fields.insert(2, Field::Set("summary".into(), s(summary)));
                }
                let off = if bom { '\u{feff}'.len_utf8() } else { 0 };
                Some(Existing { toml, after_open: after_open + off, close: close + off })
            }
        };
        Ok(Plan { fields, existing, bom, crlf })
    }

    /// The front matter as it would be written (for a foreign block: only the added lines,
    /// between its delimiters).
    fn preview(&self) -> String {
        match &self.existing {
            Some(e) if e.toml => {
                let (top, tables) = toml(&self.fields);
                format!("+++\n{top}# … the keys already in the file …\n{tables}+++\n")
            }
            Some(_) => {
                let mut y = String::new();
                yaml(&self.fields, 0, &mut y, None);
                format!("---\n{y}# … the keys already in the file …\n---\n")
            }
            None => {
                let mut y = String::new();
                yaml(&self.fields, 0, &mut y, None);
                format!("---\n{y}---\n")
            }
        }
    }

    /// The new text of the file: every original byte kept, the front matter inserted.
    fn apply(&self, text: &str) -> String {
        let eol = |s: String| if self.crlf { s.replace('\n', "\r\n") } else { s };
        match &self.existing {
            None => {
                let body = text.strip_prefix('\u{feff}').unwrap_or(text);
                let mut y = String::new();
                yaml(&self.fields, 0, &mut y, None);
                let fm = eol(format!("---\n{y}---\n"));
                format!("{}{fm}{body}", if self.bom { "\u{feff}" } else { "" })
            }
            Some(e) => {
                let (top, tables) = if e.toml {
                    toml(&self.fields)
                } else {
                    let mut y = String::new();
                    yaml(&self.fields, 0, &mut y, None);
                    (y, String::new())
                };
                let close_part = &text[e.after_open..e.close];
                format!("{}{}{close_part}{}{}", &text[..e.after_open], eol(top), eol(tables), &text[e.close..])
            }
        }
    }
}

/// The front-matter block at the start of `body` (after a BOM): whether it is TOML, the byte
/// offset after the opening line and the offset of the closing line.
fn find_block(body: &str) -> Option<(bool, usize, usize)> {
    let first = body.split_inclusive('\n').next()?;
    let toml = match first.trim_end() {
        "---" => false,
        "+++" => true,
        _ => return None,
    };
    let delim = if toml { "+++" } else { "---" };
    let mut at = first.len();
    for line in body[first.len()..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == delim || (!toml && t == "...") {
            return Some((toml, first.len(), at));
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_are_escaped() {
        let mut out = String::new();
        yaml(&[Field::Set("title".into(), s("a: \"b\" # c\n\u{1b}[2J"))], 0, &mut out, None);
        assert_eq!(out, "title: \"a: \\\"b\\\" # c\\n\\u001b[2J\"\n");
    }

    #[test]
    fn toml_strings_are_escaped() {
        let (top, _) = toml(&[Field::Set("title".into(), s("a \"b\"\n\u{7f}"))]);
        let parsed: toml::Table = toml::from_str(&top).unwrap();
        assert_eq!(parsed["title"].as_str(), Some("a \"b\"\n\u{7f}"));
    }

    /// The writer alone, on stand-in retros that share one path (as the loader gives a log's);
    /// tests/suite/incident_log.rs runs the whole command on a real log.
    #[test]
    fn split_writes_one_file_per_incident_and_keeps_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("retros")).unwrap();
        let log_text = "# Incident log\n\n## 2024 Q3\n\n### Incident on 2024-09-20 - Subnet routes destroyed\n\n\
                        - Detected 2024-09-20 11:02\n\nA plan removed the routes.\n\n````\n```\n# not a heading\n````\n\n\
                        ### Incident on 2024-09-27 - Disk filled\n\nLogs filled the disk.\n\n## 2024 Q4\n";
        std::fs::write(root.join("retros/log.md"), log_text).unwrap();
        let config = Config::default();
        let mut retros = Vec::new();
        for (id, title, date) in [
            ("log-2024-09-20-subnet-routes-destroyed", "Subnet routes destroyed", "2024-09-20"),
            ("log-2024-09-27-disk-filled", "Disk filled", "2024-09-27"),
        ] {
            let text = format!("---\nid: {id}\ntitle: {title}\ndate: {date}\n---\nbody\n");
            let (r, _) =
                retrobook::load::load_retro(text.as_bytes(), "retros/log.md", &root.join("retros/log.md"), &config);
            let mut r = r.into_iter().next().unwrap();
            r.front_matter = FrontMatterKind::None;
            retros.push(r);
        }
        let book = retrobook::model::Book {
            root: root.into(),
            config,
            retros: retros.clone(),
            history: Default::default(),
            trackers: Default::default(),
        };
        let refs: Vec<&Retro> = retros.iter().collect();
        let args = |write, split| AdoptArgs { paths: vec![], write, split };
        assert_eq!(log(root, &book, "retros/log.md", log_text, &refs, &args(true, false)), Ok(0));
        assert!(!root.join("retros/log-2024-09-27-disk-filled.md").exists(), "no split without --split");
        assert_eq!(log(root, &book, "retros/log.md", log_text, &refs, &args(true, true)), Ok(2));
        let first = std::fs::read_to_string(root.join("retros/log-2024-09-20-subnet-routes-destroyed.md")).unwrap();
        assert!(first.starts_with("---\nid: \"log-2024-09-20-subnet-routes-destroyed\"\n"), "{first}");
        assert!(
            first.ends_with(
                "---\n\n# Incident on 2024-09-20 - Subnet routes destroyed\n\n- Detected 2024-09-20 11:02\n\n\
                             A plan removed the routes.\n\n````\n```\n# not a heading\n````\n\n"
            ),
            "{first}"
        );
        let second = std::fs::read_to_string(root.join("retros/log-2024-09-27-disk-filled.md")).unwrap();
        // The incident's heading becomes the new file's title.
        assert!(second.ends_with("\n# Incident on 2024-09-27 - Disk filled\n\nLogs filled the disk.\n\n"), "{second}");
        assert_eq!(std::fs::read_to_string(root.join("retros/log.md")).unwrap(), log_text, "the log is kept");
        // Again: existing files are never overwritten.
        std::fs::write(root.join("retros/log-2024-09-27-disk-filled.md"), "edited").unwrap();
        assert_eq!(log(root, &book, "retros/log.md", log_text, &refs, &args(true, true)), Ok(0));
        assert_eq!(std::fs::read_to_string(root.join("retros/log-2024-09-27-disk-filled.md")).unwrap(), "edited");
    }

    #[test]
    fn block_is_found_with_crlf() {
        let text = "---\r\nlayout: post\r\n---\r\nbody\r\n";
        let (toml, open, close) = find_block(text).unwrap();
        assert!(!toml);
        assert_eq!(&text[open..close], "layout: post\r\n");
    }
}
