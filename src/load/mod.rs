//! Loading a book: walk the retros folder, read files in parallel, parse front matter, sections and
//! timelines, adopt existing postmortems. Produces a [`Book`] and the diagnostics found on the way.

pub(crate) mod adopt;
pub mod find;
pub(crate) mod frontmatter;
pub mod log;
pub mod monitoring;
pub(crate) mod sections;
pub(crate) mod shrink;
pub(crate) mod timeline;

/// The position-keeping value tree, re-exported from [`crate::value`] for the readers here.
pub use crate::value::{self, fastyaml};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level, Pos, rules};
use crate::model::*;
use crate::text::{normalize_text, relative, slugify};
use frontmatter::{Meta, Reader, Style};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The result of loading: the book and everything noticed while reading it.
pub struct Loaded {
    /// Everything that could be read.
    pub book: Book,
    /// Problems found while reading (before the book-level rules of `check`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the book at `root`. Fails only when book.toml itself is broken.
pub fn load_book(root: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let config = Config::load(root)?;
    Ok(load_with_config(root, config))
}

/// Loads a book with an already parsed configuration.
pub(crate) fn load_with_config(root: &Path, config: Config) -> Loaded {
    let dir = root.join(&config.retros.dir);
    let (files, unreadable) = discover_reporting(&dir);
    let results: Vec<(Vec<Retro>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|path| {
            let rel = relative(root, path);
            match std::fs::read(path) {
                Ok(bytes) => load_retro(&bytes, &rel, path, &config),
                Err(e) => (
                    vec![],
                    vec![Diagnostic::error(&rel, Pos::START, rules::FILE_READ, format!("cannot read file: {e}"))],
                ),
            }
        })
        .collect();
    let mut retros = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    if !dir.is_dir() {
        diagnostics.push(missing_dir(&config));
    }
    for (path, e) in unreadable {
        diagnostics.push(Diagnostic::warning(
            &relative(root, &path),
            Pos::START,
            rules::FILE_READ,
            format!("cannot read this folder: {e}; the retros in it are skipped (check its permissions)"),
        ));
    }
    for (r, d) in results {
        retros.extend(r);
        diagnostics.extend(d);
    }
    retros.sort_by(|a, b| (a.date, &a.id, &a.path).cmp(&(b.date, &b.id, &b.path)));
    let (trackers, problem) = crate::tracking::store::read(root);
    diagnostics.extend(problem);
    let book = Book { root: root.to_path_buf(), config, retros, history: Default::default(), trackers };
    Loaded { book, diagnostics }
}

/// Loads a book from files already in memory (path relative to the book, bytes), e.g. read from a
/// git tree. Assets (monitoring CSVs) are still read from disk under `root`.
pub(crate) fn load_from_bytes(root: &Path, config: Config, files: Vec<(String, Vec<u8>)>) -> Loaded {
    let results: Vec<(Vec<Retro>, Vec<Diagnostic>)> =
        files.par_iter().map(|(rel, bytes)| load_retro(bytes, rel, &root.join(rel), &config)).collect();
    let mut retros = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    for (r, d) in results {
        retros.extend(r);
        diagnostics.extend(d);
    }
    retros.sort_by(|a, b| (a.date, &a.id, &a.path).cmp(&(b.date, &b.id, &b.path)));
    let book =
        Book { root: root.to_path_buf(), config, retros, history: Default::default(), trackers: Default::default() };
    Loaded { book, diagnostics }
}

/// Folders under the retros folder that never hold retros or their assets: built sites, the
/// theme, build output. `discover`, the history walk, `serve`'s watcher and asset publishing
/// all skip them.
pub(crate) const NOT_RETROS: [&str; 5] = ["site", "site-external", "theme", "target", "node_modules"];

/// The files under `dir` that are retros: Markdown files, and files without an extension (some
/// teams keep postmortems that way). Hidden entries and build output are skipped. Sorted.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    discover_reporting(dir).0
}

/// [`discover`], and the folders (or files) under `dir` that could not be read, with the error.
pub(crate) fn discover_reporting(dir: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut unreadable = Vec::new();
    // Sorted once at the end rather than per directory while walking.
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || (e.file_type().is_dir() && NOT_RETROS.contains(&name.as_ref()))
                    || (e.depth() == 1 && e.file_type().is_file() && is_folder_doc(&name)))
        })
        .filter_map(|e| {
            e.map_err(|e| {
                // A missing retros folder has a diagnostic of its own (`config-dir`).
                if e.depth() > 0 || dir.is_dir() {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    let why = e.io_error().map_or_else(|| e.to_string(), |io| io.to_string());
                    unreadable.push((path, why));
                }
            })
            .ok()
        })
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| is_retro_file(p))
        .collect();
    files.sort();
    unreadable.sort();
    (files, unreadable)
}

/// Whether a file name is a folder's own documentation — `README` or `CONTRIBUTING`, any case,
/// `.md`, `.markdown` or no extension. At the top of the retros folder such a file describes the
/// book, not an incident, and is never read as a retro (one inside an incident's own folder is).
pub fn is_folder_doc(name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "md"));
    ["readme", "contributing"].contains(&stem.to_ascii_lowercase().as_str())
        && ["md", "markdown"].contains(&ext.to_ascii_lowercase().as_str())
}

/// Whether a path names a retro file (rather than an asset beside it).
pub fn is_retro_file(p: &Path) -> bool {
    match p.extension().and_then(|e| e.to_str()) {
        Some(ext) => {
            let ext = ext.to_ascii_lowercase();
            // "PM2022-009 - Bad AWS EKS AMI" has no extension but a dot-free name; a name like
            // "v1.2 notes" has a fake extension with spaces in it.
            ext == "md" || ext == "markdown" || ext.contains(' ')
        }
        None => true,
    }
}

/// Loads the retro of a file from its bytes — or the retros of an incident log, one per incident
/// (see [`log`]). `rel` is the path relative to the book root.
pub fn load_retro(bytes: &[u8], rel: &str, abs: &Path, config: &Config) -> (Vec<Retro>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        diags.push(Diagnostic::error(
            rel,
            Pos::START,
            rules::FILE_EMPTY,
            "the file is empty; write a retro here (`retrobook new` makes one) or delete it",
        ));
        return (vec![], diags);
    }
    if bytes.contains(&0) {
        diags.push(Diagnostic::error(
            rel,
            Pos::START,
            rules::FILE_BINARY,
            "the file is binary, not Markdown; move it out of the retros folder or give it a non-Markdown extension",
        ));
        return (vec![], diags);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = &bytes[..e.valid_up_to()];
            let line = upto.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let col = String::from_utf8_lossy(&upto[upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..])
                .chars()
                .count() as u32
                + 1;
            diags.push(Diagnostic::error(
                rel,
                Pos::new(line, col),
                rules::FILE_ENCODING,
                "the file is not valid UTF-8; save it as UTF-8",
            ));
            return (vec![], diags);
        }
    };
    let text = normalize_text(text);
    // The book keeps each retro for the whole run: without the spare room its lists grew.
    if let Some(mut retros) = log::load_log(&text, rel, abs, config, &mut diags) {
        retros.iter_mut().for_each(shrink::retro);
        return (retros, diags);
    }
    let mut retro = parse_retro(&text, rel, abs, config, &mut diags, None);
    retro.hash = *blake3::hash(bytes).as_bytes();
    shrink::retro(&mut retro);
    (vec![retro], diags)
}

/// The diagnostic for a `[retros] dir` that does not exist.
pub(crate) fn missing_dir(config: &Config) -> Diagnostic {
    Diagnostic::error(
        crate::config::FILE,
        Pos::START,
        rules::CONFIG_DIR,
        format!(
            "the retros folder `{}` does not exist; create it or set `[retros] dir` in book.toml",
            config.retros.dir
        ),
    )
}

/// Parses a retro's (UTF-8, LF) text, or one incident of a log (`part`: its section, which starts
/// at file line `part.first_line`; its id, title, date and tags come from its heading).
fn parse_retro(
    text: &str,
    rel: &str,
    abs: &Path,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
    part: Option<&log::Part>,
) -> Retro {
    let Head { body, body_line, kind, meta, broken } = read_head(text, rel, config, part, diags);
    let mut split = sections::split(body, body_line);
    let adopted = kind != FrontMatterKind::Native;
    // Adopted files: sections written as bold labels (docs/format.md, "Bold-label sections"),
    // after the headed ones.
    let label_users = if adopted {
        let (extra, users) = adopt::label_sections(body, body_line, &split.sections);
        split.sections.extend(extra);
        users
    } else {
        None
    };
    let mut missing = Missing { rel, native: kind == FrontMatterKind::Native, diags: Vec::new() };
    let (id, id_pos) = retro_id(&meta, rel, part, &mut missing);
    let title = retro_title(&meta, &split, rel, part, &mut missing);

    let tz = config.timezone();
    let timeline_section = split.sections.iter().find(|s| s.kind == Some(SectionKind::Timeline));
    let stated = part
        .map(|p| p.date)
        .or(meta.date)
        .or_else(|| date_from_path(rel))
        .or_else(|| meta.foreign_strings.iter().find_map(|s| date_in_text(s)));
    let (date, parsed, key_events) =
        date_and_timeline(stated, &split, timeline_section, (body, body_line), adopted, &tz);
    adopt::notes(rel, &key_events, diags);
    if meta.date.is_none() && meta.date_text.is_none() {
        match date {
            Some(d) if !adopted => missing.key("date", &format!("add `date: {d}`")),
            Some(_) => {}
            None => missing.key("date", "no date found in the file name or the text; add `date: YYYY-MM-DD`"),
        }
    }
    if meta.retro.severity.is_none() && !meta.present.contains(&"severity") {
        missing.key("severity", &format!("add `severity:` with one of {}", config.retros.severities.join(", ")));
    }
    if !broken {
        diags.append(&mut missing.diags);
    }
    let (mut timeline, issues) = parsed.unwrap_or_default();
    if adopted {
        adopt::marked_kinds(&mut timeline);
    }
    timeline_problems(rel, timeline_section, &timeline, issues, diags);

    // What front matter gave as the model takes it; the rest is filled in below.
    let Meta { retro: mut from_fm, present, .. } = meta;
    monitoring::read_series(&mut from_fm.monitoring, abs, rel, &tz, config.retros.max_data_size, diags);
    let mut adoption = Adoption::default();
    let stated_impact = std::mem::take(&mut from_fm.impact);
    let (impact, stated_durations) =
        moments(stated_impact, key_events.found, &mut timeline, label_users, &mut adoption);
    let summary = from_fm.summary.take().or_else(|| narrative_summary(&split));
    if adopted && from_fm.factors.is_empty() && !present.contains(&"factors") {
        from_fm.factors = adopt::factors(&split.sections, config);
        adoption.factors = !from_fm.factors.is_empty();
    }
    if adopted && from_fm.actions.is_empty() && !present.contains(&"actions") {
        from_fm.actions = adopt::actions(&split.sections);
        adoption.actions = !from_fm.actions.is_empty();
    }
    if let Some(p) = part {
        from_fm.tags = p.tags.iter().cloned().chain(std::mem::take(&mut from_fm.tags)).collect();
    }

    Retro {
        id,
        id_pos,
        path: rel.to_string(),
        abs_path: abs.to_path_buf(),
        title,
        date,
        summary,
        impact,
        preamble: split.preamble,
        sections: split.sections,
        timeline,
        front_matter: kind,
        adopted,
        adoption,
        stated_durations,
        ..from_fm
    }
}

/// What a file's front matter gave, and where its body starts.
struct Head<'a> {
    body: &'a str,
    body_line: u32,
    kind: FrontMatterKind,
    meta: Meta,
    /// The front matter is there but unreadable: the file is still loaded from its body so that
    /// its other problems show too, but "missing key" reports would only repeat the syntax error.
    broken: bool,
}

/// Cuts and reads the front matter (none for an incident of a log).
fn read_head<'a>(
    text: &'a str,
    rel: &str,
    config: &Config,
    part: Option<&log::Part>,
    diags: &mut Vec<Diagnostic>,
) -> Head<'a> {
    let (cut, unclosed) = match frontmatter::cut(text) {
        _ if part.is_some() => (None, None),
        Ok(c) => (c, None),
        Err(line) => (None, Some(line)),
    };
    if let Some(line) = unclosed {
        diags.push(Diagnostic::error(
            rel,
            Pos::new(line, 1),
            rules::FM_SYNTAX,
            "front matter opened here is never closed; add a closing `---` (or `+++`) line after it",
        ));
    }
    let (body, body_line) = match &cut {
        Some(c) => (c.body, c.body_line),
        None if unclosed.is_some() => ("", 1),
        None => (text, part.map_or(1, |p| p.first_line)),
    };
    let mut head =
        Head { body, body_line, kind: FrontMatterKind::None, meta: Meta::default(), broken: unclosed.is_some() };
    let Some(c) = &cut else { return head };
    let tree = match c.style {
        Style::Yaml => value::parse_yaml(c.matter, c.matter_line),
        Style::Toml => value::parse_toml(c.matter, c.matter_line),
    };
    match tree {
        Ok(tree) => {
            let native = tree.get("id").is_some();
            head.kind = if native { FrontMatterKind::Native } else { FrontMatterKind::Foreign };
            let level = if native { Level::Error } else { Level::Warning };
            let mut reader = Reader { file: rel, config, level, diags: Vec::new() };
            head.meta = reader.read(&tree, native);
            diags.append(&mut reader.diags);
        }
        Err(e) => {
            diags.push(Diagnostic::error(rel, e.pos, rules::FM_SYNTAX, e.message));
            head.kind = FrontMatterKind::Native;
            head.broken = true;
        }
    }
    head
}

/// "Required key is missing" reports, kept until the front matter is known to be readable.
struct Missing<'a> {
    rel: &'a str,
    /// An error in retrobook's own front matter; a warning in another tool's or none.
    native: bool,
    diags: Vec<Diagnostic>,
}

impl Missing<'_> {
    fn key(&mut self, key: &str, what: &str) {
        let (level, msg) = if self.native {
            (Level::Error, format!("required key `{key}` is missing; {what}"))
        } else {
            (Level::Warning, format!("no `{key}` in front matter; {what}"))
        };
        self.diags.push(Diagnostic::new(self.rel, Pos::START, rules::FM_REQUIRED, level, msg));
    }
}

/// The id: the log's heading, front matter, else the file (or folder, for index.md) name.
fn retro_id(meta: &Meta, rel: &str, part: Option<&log::Part>, missing: &mut Missing) -> (String, Pos) {
    match (&meta.id, part) {
        (_, Some(p)) => (p.id.clone(), Pos::new(p.heading_line, 1)),
        (Some((id, pos)), None) => (id.clone(), *pos),
        (None, None) => {
            let derived = slugify(&file_stem_for_id(rel));
            // For adopted files the derived id is the intended behaviour, not a problem.
            if missing.native {
                missing.key("id", &format!("add `id: {derived}`"));
            }
            (derived, Pos::START)
        }
    }
}

/// The title: the log's heading, front matter, the first `#` heading, else the file name.
fn retro_title(
    meta: &Meta,
    split: &sections::Split,
    rel: &str,
    part: Option<&log::Part>,
    missing: &mut Missing,
) -> String {
    match (&meta.title, &split.title) {
        _ if let Some(p) = part => p.title.clone(),
        (Some(t), _) => t.clone(),
        (None, Some(h)) => {
            if missing.native {
                missing.key("title", &format!("add `title: \"{h}\"`"));
            }
            clean_title(h)
        }
        (None, None) => {
            let t = humanize_stem(&file_stem_for_id(rel));
            missing.key("title", &format!("using `{t}` from the file name; add a `title` or a first `#` heading"));
            t
        }
    }
}

type Parsed = (Vec<TimelineEntry>, Vec<timeline::TimelineIssue>);

/// The date, the parsed timeline section and the key events (adopted files). The date helps read
/// the timeline; a file that states none (`stated`: the log's heading, front matter, the path or
/// another tool's keys) is dated by its timeline, its text or a key event.
fn date_and_timeline(
    stated: Option<Date>,
    split: &sections::Split,
    timeline_section: Option<&Section>,
    (body, body_line): (&str, u32),
    adopted: bool,
    tz: &TimeZone,
) -> (Option<Date>, Option<Parsed>, adopt::KeyEvents) {
    let mut date = stated;
    // "All times in PDT (UTC-7)." under the title, before any section, is for the whole document.
    let timeline_tz =
        timeline_section.and_then(|_| timeline::stated_zone(&split.preamble)).unwrap_or_else(|| tz.clone());
    let run_timeline = |date: Option<Date>| {
        timeline_section.map(|s| {
            timeline::parse_timeline(
                &s.markdown,
                s.body_line,
                s.level,
                &timeline::TimelineContext { date, tz: &timeline_tz, heading: Some(&s.heading) },
            )
        })
    };
    let mut parsed = run_timeline(date);
    if date.is_none() {
        let from_timeline = parsed.as_ref().and_then(|(entries, _)| entries.first().map(|e| e.local.date()));
        date = from_timeline.or_else(|| date_in_text(body));
        if date.is_some() && from_timeline.is_none() {
            parsed = run_timeline(date);
        }
    }
    let key_events = if adopted { adopt::key_events(body, body_line, date, tz) } else { Default::default() };
    if date.is_none() {
        date = key_events.found.iter().find_map(|f| match f {
            adopt::Found::Moment { local, .. } | adopt::Found::Declared { local, .. } => Some(local.date()),
            adopt::Found::Stated(_) => None,
        });
    }
    (date, parsed, key_events)
}

/// The timeline parser's issues, and a timeline section with text but no entry (said, rather
/// than shown as an empty timeline).
fn timeline_problems(
    rel: &str,
    section: Option<&Section>,
    timeline: &[TimelineEntry],
    issues: Vec<timeline::TimelineIssue>,
    diags: &mut Vec<Diagnostic>,
) {
    for i in issues {
        diags.push(
            Diagnostic::warning(rel, Pos::new(i.line, i.column), i.rule, i.message).with_suggestion(i.suggestion),
        );
    }
    if let Some(s) = section.filter(|s| timeline.is_empty() && has_prose(&s.markdown)) {
        diags.push(Diagnostic::warning(
            rel,
            Pos::new(s.line, 1),
            rules::TIMELINE_UNREAD,
            "this timeline section has text, but no line of it starts with a time, so no entry was read; start each \
             entry with one, e.g. `- 09:14 The alert fired` or a table row `| 2025-03-14 09:14 | The alert fired |`",
        ));
    }
}

/// The four moments: front matter first, then key events, then `[kind]` timeline entries.
/// Key events also add `escalated` entries and stated durations; an `Impact` label supplies
/// `impact.users` when front matter does not.
fn moments(
    mut impact: Impact,
    found: Vec<adopt::Found>,
    timeline: &mut Vec<TimelineEntry>,
    label_users: Option<(String, u32)>,
    adoption: &mut Adoption,
) -> (Impact, Vec<StatedDuration>) {
    let mut stated_durations = Vec::new();
    for f in found {
        match f {
            adopt::Found::Moment { moment, at, line, .. } => {
                let slot = impact.moment_mut(moment);
                if slot.is_none() {
                    *slot = Some(MomentValue { at, source: MomentSource::KeyEvent, pos: Pos::new(line, 1) });
                }
            }
            adopt::Found::Declared { at, local, line, text } => {
                if !timeline.iter().any(|e| e.at == at && e.kind == Some(EntryKind::Escalated)) {
                    let i = timeline.partition_point(|e| e.at <= at);
                    timeline.insert(
                        i,
                        TimelineEntry { at, local, kind: Some(EntryKind::Escalated), author: None, text, line },
                    );
                }
            }
            adopt::Found::Stated(d) => stated_durations.push(d),
        }
    }
    if impact.users.is_none()
        && let Some((users, line)) = label_users
    {
        impact.users = Some(users);
        adoption.impact_users = Some(line);
    }
    for m in Moment::ALL {
        let slot = impact.moment_mut(m);
        if slot.is_none()
            && let Some(e) = timeline.iter().find(|e| e.kind == Some(m.entry_kind()))
        {
            *slot = Some(MomentValue { at: e.at, source: MomentSource::Timeline, pos: Pos::new(e.line, 1) });
        }
    }
    (impact, stated_durations)
}

/// A summary from the narrative's first paragraph, else the body's.
fn narrative_summary(split: &sections::Split) -> Option<String> {
    let narrative = split.sections.iter().position(|s| s.kind == Some(SectionKind::Narrative));
    narrative
        .and_then(|i| split.section_paragraphs.get(i).cloned().flatten())
        .or(split.first_paragraph.clone())
        .map(|p| truncate_words(&sections::collapse(&p), 300))
}

/// The name a retro's id derives from: the file stem, or the folder name for `index.md`.
fn file_stem_for_id(rel: &str) -> String {
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let stem = match file.rsplit_once('.') {
        Some((s, ext)) if !ext.contains(' ') => s,
        _ => file,
    };
    if stem.eq_ignore_ascii_case("index")
        && let Some(dir) = parts.next()
    {
        return dir.to_string();
    }
    stem.to_string()
}

static DATE_IN_NAME: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(\d{4})[-/](\d{2})[-/](\d{2})").expect("valid regex"));

/// A `YYYY-MM-DD` (or `YYYY/MM/DD`) in the file or folder names.
pub(crate) fn date_from_path(rel: &str) -> Option<Date> {
    DATE_IN_NAME.captures_iter(rel).find_map(|c| ymd(&c[1], &c[2], &c[3]))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

static DATE_IN_TEXT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?ix)
        \b(?P<y1>(?:19|20)\d{2})[-/](?P<m1>\d{1,2})[-/](?P<d1>\d{1,2})\b
      | \b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?P<y2>(?:19|20)\d{2})\b
      | \b(?P<mon3>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>(?:19|20)\d{2})\b",
    )
    .expect("valid regex")
});

/// The first full date written in a text (`2023-01-25`, `29 November 2019`, `Oct 15, 2018`).
pub(crate) fn date_in_text(text: &str) -> Option<Date> {
    DATE_IN_TEXT.captures_iter(text).find_map(|c| date_from_captures(&c))
}

/// The date in captures with the groups of [`DATE_IN_TEXT`]: `y1`-`m1`-`d1` (ISO), `y2` `mon2`
/// `d2` or `mon3` `d3`, `y3` (month names).
pub(crate) fn date_from_captures(c: &regex::Captures) -> Option<Date> {
    let month = |m: &str| {
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            .iter()
            .position(|x| m.to_ascii_lowercase().starts_with(x))
            .map(|i| (i + 1).to_string())
    };
    if let (Some(y), Some(m), Some(d)) = (c.name("y1"), c.name("m1"), c.name("d1")) {
        ymd(y.as_str(), m.as_str(), d.as_str())
    } else if let (Some(y), Some(m), Some(d)) = (c.name("y2"), c.name("mon2"), c.name("d2")) {
        ymd(y.as_str(), &month(m.as_str())?, d.as_str())
    } else if let (Some(y), Some(m), Some(d)) = (c.name("y3"), c.name("mon3"), c.name("d3")) {
        ymd(y.as_str(), &month(m.as_str())?, d.as_str())
    } else {
        None
    }
}

static TITLE_DATE_PREFIX: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"^(?i:[a-z ]{0,20}:\s*)?\d{4}-\d{2}-\d{2}\s*[,:\-–—]?\s*"#).expect("valid regex")
});

/// A title from a heading: a leading date (and "incident date:" label) removed, outer quotes too.
pub(crate) fn clean_title(h: &str) -> String {
    let t = TITLE_DATE_PREFIX.replace(h, "");
    let t = t.trim();
    let t = t.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(t);
    if t.is_empty() { h.trim().to_string() } else { t.to_string() }
}

/// A title from a file name: date prefix removed, dashes to spaces, first letter capitalised.
pub(crate) fn humanize_stem(stem: &str) -> String {
    let t = TITLE_DATE_PREFIX.replace(stem, "");
    let t = t.replace(['-', '_'], " ");
    let t = sections::collapse(&t);
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => stem.to_string(),
    }
}

fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split_whitespace() {
        if out.chars().count() + w.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.push('…');
    out
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum DateError {
    /// Not in a recognised format.
    Format,
    /// A recognised format naming a day that does not exist.
    Impossible(String),
}

/// A date `YYYY-MM-DD`; a time after it (other tools write `2021-10-01 00:00:00`) is ignored.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let b = s.trim().as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        b.get(r)?.iter().try_fold(0i32, |n, c| c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0')))
    };
    let shape_ok = b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && (b.len() == 10 || matches!(b[10], b'T' | b' '));
    let (Some(y), Some(m), Some(d), true) = (digits(0..4), digits(5..7), digits(8..10), shape_ok) else {
        return Err(DateError::Format);
    };
    if !(1..=12).contains(&m) {
        return Err(DateError::Impossible(format!("there is no month {m}")));
    }
    Date::new(y as i16, m as i8, d as i8).map_err(|_| {
        let first = Date::new(y as i16, m as i8, 1).ok();
        let days = first.map(|x| x.days_in_month()).unwrap_or(31);
        let name = first.map(|x| x.strftime("%B %Y").to_string()).unwrap_or_default();
        DateError::Impossible(format!("{name} has {days} days"))
    })
}

/// An RFC 3339 timestamp, or `YYYY-MM-DD HH:MM[:SS]` (or with `T`) read in `tz`.
pub fn parse_timestamp(s: &str, tz: &TimeZone) -> Result<Timestamp, DateError> {
    let s = s.trim();
    if let Some(ts) = utc_timestamp(s) {
        return Ok(ts);
    }
    parse_date(s)?; // for an "impossible date" message on the date part
    // An offset (Z, +02:00, -0500) after the time makes it an instant; otherwise it is civil time.
    let time = s.get(11..).unwrap_or("");
    if (time.contains(['Z', 'z', '+']) || time.contains('-'))
        && let Ok(ts) = s.parse::<Timestamp>()
    {
        return Ok(ts);
    }
    let dt: jiff::civil::DateTime = s.replacen(' ', "T", 1).parse().map_err(|_| DateError::Format)?;
    dt.to_zoned_datetime(tz.clone()).map(|z| z.timestamp()).map_err(|_| DateError::Format)
}

/// Fast path for the commonest form, `YYYY-MM-DDTHH:MM[:SS]Z` (monitoring CSVs hold thousands):
/// plain arithmetic instead of a general parser. Anything else returns `None`.
fn utc_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let n = |r: std::ops::Range<usize>| -> Option<i64> {
        b.get(r)?.iter().try_fold(0i64, |n, c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let secs = match b.len() {
        17 if b[16] == b'Z' => 0,
        20 if b[16] == b':' && b[19] == b'Z' => n(17..19)?,
        _ => return None,
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let date = Date::new(n(0..4)? as i16, n(5..7)? as i8, n(8..10)? as i8).ok()?;
    let (h, m) = (n(11..13)?, n(14..16)?);
    if h > 23 || m > 59 || secs > 59 {
        return None;
    }
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days();
    Timestamp::from_second(i64::from(days) * 86_400 + h * 3600 + m * 60 + secs).ok()
}

/// Whether Markdown holds any text outside HTML comments.
fn has_prose(markdown: &str) -> bool {
    crate::text::strip_html_comments(markdown).chars().any(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_fast_path_agrees_with_the_general_parser() {
        for s in ["2019-01-14T20:13:00Z", "2024-02-29T23:59Z", "1969-12-31T00:00:01Z", "2026-11-28T12:00:59Z"] {
            assert_eq!(utc_timestamp(s), Some(s.parse::<Timestamp>().unwrap()), "{s}");
        }
        for s in ["2025-02-30T10:00Z", "2025-01-01T24:00Z", "2025-01-01 10:00Z", "2025-01-01T10:00:00+01:00"] {
            assert_eq!(utc_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn slugs_and_stems() {
        assert_eq!(
            crate::text::slugify("PM2022-002 -  Logs not shipped to CloudWatch"),
            "pm2022-002-logs-not-shipped-to-cloudwatch"
        );
        assert_eq!(file_stem_for_id("retros/2024-05-02-dns/index.md"), "2024-05-02-dns");
        assert_eq!(
            file_stem_for_id("retros/PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues"),
            "PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues"
        );
        assert_eq!(humanize_stem("2024-03-14-checkout-outage"), "Checkout outage");
        assert_eq!(crate::text::normalize_factor_id("Config Drift_x"), "config-drift-x");
    }

    #[test]
    fn titles_lose_date_prefixes() {
        assert_eq!(clean_title("2017-09-27, Hub 403"), "Hub 403");
        assert_eq!(clean_title("2018-03-26, \"no space left on device\""), "no space left on device");
        assert_eq!(clean_title("incident date: 2019-02-20, kubectl logs unavailable"), "kubectl logs unavailable");
        assert_eq!(clean_title("DNS Outage on 2023-01-25"), "DNS Outage on 2023-01-25");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2021-10-01 00:00:00"), Ok(jiff::civil::date(2021, 10, 1)));
        assert_eq!(parse_date("2025-02-30"), Err(DateError::Impossible("February 2025 has 28 days".into())));
        assert_eq!(parse_date("2025-13-01"), Err(DateError::Impossible("there is no month 13".into())));
        assert_eq!(parse_date("March 3"), Err(DateError::Format));
        assert_eq!(date_in_text("On Friday 29 November 2019, we"), Some(jiff::civil::date(2019, 11, 29)));
        assert_eq!(date_in_text("On Monday, Oct 15, 2018 at"), Some(jiff::civil::date(2018, 10, 15)));
        assert_eq!(date_in_text("On Monday 3. February 2020, a"), Some(jiff::civil::date(2020, 2, 3)));
        assert_eq!(date_from_path("inside-rust/2023/07/21/x"), Some(jiff::civil::date(2023, 7, 21)));
    }

    #[test]
    fn timestamps_in_book_zone() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let t = parse_timestamp("2024-03-14 10:00", &tz).unwrap();
        assert_eq!(t.to_string(), "2024-03-14T09:00:00Z");
        let t = parse_timestamp("2024-03-14T10:00:00+02:00", &tz).unwrap();
        assert_eq!(t.to_string(), "2024-03-14T08:00:00Z");
        assert_eq!(
            parse_timestamp("2024-02-30 10:00", &tz),
            Err(DateError::Impossible("February 2024 has 29 days".into()))
        );
    }
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    /// The fix a message names in words is also on the diagnostic, for code to read.
    #[test]
    fn diagnostics_carry_the_fix_they_suggest() {
        let text = "---\nid: a\ntitle: T\ndate: 2025-01-02\nseverity: SEV2\nstatus: publishd\nservics: [api]\n---\n\n\
                    ## Timeline\n\n- 10:00 [detectd] the alert fired\n- 10:05 [zzzzzzzz] odd\n";
        let (_, diags) = load_retro(text.as_bytes(), "a.md", Path::new("a.md"), &Config::default());
        let found =
            |rule: &str| diags.iter().filter(|d| d.rule == rule).map(|d| d.suggestion.as_deref()).collect::<Vec<_>>();
        assert_eq!(found(rules::FM_ENUM), [Some("published")], "{diags:?}");
        assert_eq!(found(rules::FM_UNKNOWN_KEY), [Some("services")], "{diags:?}");
        assert_eq!(found(rules::TIMELINE_KIND), [Some("[detected]"), None], "{diags:?}");
        let kind = diags.iter().find(|d| d.rule == rules::TIMELINE_KIND).map(|d| d.message.as_str());
        assert!(kind.is_some_and(|m| m.ends_with("; did you mean `[detected]`?")), "{kind:?}");
        // Printed output is unchanged: the suggestion is for code, the message says it already.
        let json = crate::diagnostic::render_json(&diags);
        assert!(!json.contains("suggestion"), "{json}");
    }
}

#[cfg(test)]
mod crlf_tests {
    use super::*;

    #[test]
    fn crlf_and_bom_are_tolerated_with_the_same_positions() {
        let lf = "---\nid: a\ntitle: T\ndate: 2025-01-02\nseverity: SEV9\n---\n\n## Timeline\n\n- 10:00 [started] x\n";
        let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
        let config = Config::default();
        let (a, da) = load_retro(lf.as_bytes(), "a.md", Path::new("a.md"), &config);
        let (b, db) = load_retro(crlf.as_bytes(), "a.md", Path::new("a.md"), &config);
        let (a, b) = (&a[0], &b[0]);
        assert_eq!((a.title.as_str(), a.date, a.timeline.len()), (b.title.as_str(), b.date, b.timeline.len()));
        assert_eq!(da, db, "same diagnostics at the same positions");
        assert_eq!((da[0].line, da[0].column), (5, 11), "{da:?}");
        // Classic Mac OS line ends (CR only) keep the front matter too.
        let cr = lf.replace('\n', "\r");
        let (c, dc) = load_retro(cr.as_bytes(), "a.md", Path::new("a.md"), &config);
        let c = &c[0];
        assert_eq!(
            (a.id.as_str(), a.title.as_str(), a.timeline.len()),
            (c.id.as_str(), c.title.as_str(), c.timeline.len())
        );
        assert_eq!(da, dc, "same diagnostics at the same positions");
    }
}
