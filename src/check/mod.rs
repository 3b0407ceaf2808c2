//! `check` rules over a loaded book. Each rule is a small function that pushes diagnostics with a
//! rule id, a level, a position and a message that says what would be right.

mod blameless;
mod conversation;
mod prose;
mod stakeholder;
mod trackers;

use crate::diagnostic::{Diagnostic, Pos, rules};
use crate::model::{Book, Moment, Monitoring, ProseReadings, Retro};
use crate::suggest::nearest;
use crate::text::similar;
use std::collections::{BTreeMap, HashMap};

/// All the book-level rules. Load-time problems (syntax, types, values) come from `load`.
pub fn check_book(book: &Book) -> Vec<Diagnostic> {
    check_book_remembering(book, &Forgetful)
}

/// What the rules that read one retro and the configuration only ([`own_rules`]) found in an
/// earlier run, by retro: a warm build keeps them beside the site (`build::findings`).
pub(crate) trait Remembered: Sync {
    /// The findings for `r` when its file, its place and the configuration are as they were; the
    /// completeness check's readings of its sections are kept on `r` again
    /// ([`Retro::restore_prose_readings`]).
    fn recall(&self, r: &Retro) -> Option<Vec<Diagnostic>>;
    /// Notes the findings of `r`, just made, and the readings its sections now hold.
    fn keep(&self, r: &Retro, found: &[Diagnostic]);
}

/// Remembers nothing.
struct Forgetful;

impl Remembered for Forgetful {
    fn recall(&self, _: &Retro) -> Option<Vec<Diagnostic>> {
        None
    }
    fn keep(&self, _: &Retro, _: &[Diagnostic]) {}
}

/// Findings kept in memory from one check of a book to the next in the same process (`serve`),
/// by retro: its file's hash, its path and its id. The configuration is not part of the key:
/// whoever holds it starts afresh with [`Default`] when the configuration changes.
#[derive(Default)]
pub(crate) struct InMemory {
    known: KeptByRetro,
    now: std::sync::Mutex<KeptByRetro>,
}

/// Findings and the checklist's readings, by the retro's file hash, path and id.
type KeptByRetro = HashMap<(blake3::Hash, String, String), (Vec<Diagnostic>, ProseReadings)>;

impl InMemory {
    fn key(r: &Retro) -> (blake3::Hash, String, String) {
        (blake3::Hash::from_bytes(r.hash), r.path.clone(), r.id.clone())
    }

    /// What the next check recalls: the findings of the retros of the last check only.
    pub(crate) fn next(self) -> InMemory {
        InMemory { known: self.now.into_inner().unwrap_or_else(|e| e.into_inner()), now: Default::default() }
    }
}

impl Remembered for InMemory {
    fn recall(&self, r: &Retro) -> Option<Vec<Diagnostic>> {
        let key = Self::key(r);
        let (found, readings) = self.known.get(&key)?;
        r.restore_prose_readings(readings);
        self.now.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (found.clone(), readings.clone()));
        Some(found.clone())
    }
    fn keep(&self, r: &Retro, found: &[Diagnostic]) {
        let kept = (found.to_vec(), r.prose_readings());
        self.now.lock().unwrap_or_else(|e| e.into_inner()).insert(Self::key(r), kept);
    }
}

/// [`check_book`], taking the findings of [`own_rules`] from `memory` where it has them.
pub(crate) fn check_book_remembering(book: &Book, memory: &dyn Remembered) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let ids = IdIndex::new(book);
    let factor_use = factor_usage(book);
    // Each retro's rules are independent (the writing rules read every section): in parallel,
    // concatenated in book order so the output does not depend on scheduling.
    let per_retro = book.retros.par_iter().map(|r| {
        let mut out = Vec::new();
        id_charset(r, &mut out);
        duplicate_id(r, &ids, &mut out);
        id_as_path(r, &mut out);
        factor_ids_as_paths(r, &mut out);
        moments_order(r, &mut out);
        timeline_agrees(r, &mut out);
        date_started(r, book, &mut out);
        related_resolve(r, &ids, &mut out);
        actions(r, &mut out);
        trackers::check(r, book, &mut out);
        stated_durations(r, &mut out);
        addresses(r, &mut out);
        factor_twins(r, book, &factor_use, &mut out);
        monitoring_paths(r, book, &mut out);
        match memory.recall(r) {
            Some(found) => out.extend(found),
            None => {
                let at = out.len();
                own_rules(r, book, &mut out);
                memory.keep(r, &out[at..]);
            }
        }
        out
    });
    per_retro.collect::<Vec<_>>().concat()
}

/// The rules whose findings depend on one retro (its file and its path) and the configuration
/// only, never on the rest of the book: the writing rules and the checklist, most of the
/// checking time. Their findings can be remembered from one build to the next.
fn own_rules(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    stakeholder::check(r, book, out);
    blameless::check(r, book, out);
    completeness(r, book, out);
    conversation::check(r, out);
}

/// Applies the levels set in `[lint]` (by rule id, and per path glob) to diagnostics about
/// retros: a rule set to `off` is dropped, any other gets the level given. Problems in book.toml
/// are left as they are. Runs before `--strict`.
pub fn apply_levels(config: &crate::config::Config, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use crate::config::RuleLevel;
    use crate::diagnostic::Level;
    let lint = &config.lint;
    if lint.rules.is_empty() && lint.paths.is_empty() {
        return diags;
    }
    let globs = lint.path_globs();
    diags
        .into_iter()
        .filter_map(|mut d| {
            if d.file == crate::config::FILE {
                return Some(d);
            }
            d.level = match lint.level_for(d.rule, &d.file, &globs) {
                None => d.level,
                Some(RuleLevel::Off) => return None,
                Some(RuleLevel::Note) => Level::Note,
                Some(RuleLevel::Warn) => Level::Warning,
                Some(RuleLevel::Error) => Level::Error,
            };
            Some(d)
        })
        .collect()
}

/// The seven elements as suggestions (notes), or errors where `[retros.required]` makes an
/// element mandatory for the retro's severity — for retros in review or published; a draft
/// only gets the suggestions.
fn completeness(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    let c = crate::analyze::completeness::completeness(r, &book.config);
    for item in c.items.iter().filter(|i| !i.ok) {
        let enforced = item.required_by.is_some() && r.status != crate::model::DocStatus::Draft;
        if !enforced && !book.config.lint.completeness {
            continue;
        }
        let message = if enforced {
            format!(
                "{} is required for {} retros ([retros.required] {}) but incomplete: {}",
                item.label,
                r.severity.as_deref().unwrap_or(""),
                item.required_by.unwrap_or(item.key),
                item.missing.join("; ")
            )
        } else {
            format!("{} is incomplete: {}", item.label, item.missing.join("; "))
        };
        let level = if enforced { crate::diagnostic::Level::Error } else { crate::diagnostic::Level::Note };
        out.push(Diagnostic::new(&r.path, item.pos, rules::COMPLETENESS, level, message));
    }
}

struct IdIndex<'a> {
    by_id: HashMap<&'a str, Vec<&'a Retro>>,
    /// By lower-cased id: macOS and Windows file systems do not tell `Outage/` from `outage/`.
    by_folded: HashMap<String, Vec<&'a Retro>>,
}

impl<'a> IdIndex<'a> {
    fn new(book: &'a Book) -> Self {
        let mut by_id: HashMap<&str, Vec<&Retro>> = HashMap::new();
        let mut by_folded: HashMap<String, Vec<&Retro>> = HashMap::new();
        for r in &book.retros {
            by_id.entry(r.id.as_str()).or_default().push(r);
            by_folded.entry(r.id.to_lowercase()).or_default().push(r);
        }
        IdIndex { by_id, by_folded }
    }
}

/// The longest id (or factor id) `check` accepts: ids become folder names and URLs, and file
/// systems stop at 255 bytes per name.
pub(crate) const MAX_ID_CHARS: usize = 100;

/// Why an id cannot be a folder of the site everywhere, or `None`. `site_files` are the names
/// the site itself uses beside the id's folder.
fn path_problem(id: &str, site_files: &[&str]) -> Option<String> {
    let chars = id.chars().count();
    if chars > MAX_ID_CHARS {
        let short: String = crate::text::slugify(id).chars().take(60).collect();
        return Some(format!(
            "is {chars} characters long; ids become folder names and URLs and may have at most {MAX_ID_CHARS} characters (e.g. `{}`)",
            short.trim_end_matches(['-', '.'])
        ));
    }
    // Windows reserves these device names, whatever the extension (`con.md`, `LPT1.txt`).
    let stem = id.split('.').next().unwrap_or(id).to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    if reserved {
        return Some(format!(
            "is a reserved file name on Windows (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9, with any extension), so the site could not be copied there; add a word (e.g. `{}-incident`)",
            id.to_ascii_lowercase().replace('.', "-")
        ));
    }
    if id.ends_with('.') {
        return Some("ends with a dot, which Windows drops from file names; remove it".to_string());
    }
    if let Some(f) = site_files.iter().find(|f| id.eq_ignore_ascii_case(f)) {
        return Some(format!("is the name of a file the site needs there (`{f}`); choose another id"));
    }
    None
}

/// A retro's id is the folder of its page (`retros/<id>/`): it must work as a folder name on
/// every system the site may be copied to.
fn id_as_path(r: &Retro, out: &mut Vec<Diagnostic>) {
    if let Some(why) = path_problem(&r.id, &["index.html"]) {
        let rule = if r.id.chars().count() > MAX_ID_CHARS { rules::ID_LENGTH } else { rules::ID_RESERVED };
        let shown = if r.id.chars().count() > 40 {
            format!("{}…", r.id.chars().take(40).collect::<String>())
        } else {
            r.id.clone()
        };
        out.push(Diagnostic::error(&r.path, r.id_pos, rule, format!("id `{shown}` {why}")));
    }
}

/// A factor id becomes the folder of its page (`factors/<slug>/`), with the same constraints.
fn factor_ids_as_paths(r: &Retro, out: &mut Vec<Diagnostic>) {
    for f in &r.factors {
        let slug = crate::text::slugify(&f.id);
        if let Some(why) = path_problem(&slug, &["index.html"]) {
            let shown = if f.id.chars().count() > 40 {
                format!("{}…", f.id.chars().take(40).collect::<String>())
            } else {
                f.id.clone()
            };
            out.push(Diagnostic::error(&r.path, f.pos, rules::FACTOR_ID, format!("factor id `{shown}` {why}")));
        }
    }
}

fn id_charset(r: &Retro, out: &mut Vec<Diagnostic>) {
    let bad: Vec<char> =
        r.id.chars().filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))).collect();
    if r.id.starts_with('.') || !bad.is_empty() || r.id.is_empty() {
        let what = if r.id.starts_with('.') {
            "starts with a dot".to_string()
        } else if r.id.is_empty() {
            "is empty".to_string()
        } else {
            format!("contains {}", bad.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))
        };
        out.push(Diagnostic::error(
            &r.path,
            r.id_pos,
            rules::ID_CHARSET,
            format!("id `{}` {what}; an id is a URL slug of letters, digits, `.`, `_`, `-` and does not start with `.` (e.g. `{}`)", r.id, crate::text::slugify(&r.id)),
        ));
    }
}

fn duplicate_id(r: &Retro, ids: &IdIndex, out: &mut Vec<Diagnostic>) {
    let Some(same) = ids.by_folded.get(&r.id.to_lowercase()) else { return };
    if same.len() < 2 {
        return;
    }
    let others = |exact: bool| -> Vec<String> {
        same.iter()
            .filter(|o| o.path != r.path && (o.id == r.id) == exact)
            .map(|o| if exact { o.path.clone() } else { format!("`{}` in {}", o.id, o.path) })
            .collect()
    };
    let (exact, case) = (others(true), others(false));
    let message = if !exact.is_empty() {
        format!("id `{}` is also used by {}; ids must be unique across the book", r.id, exact.join(", "))
    } else {
        format!(
            "id `{}` differs only in case from {}; on macOS and Windows both pages would be one folder, so ids must be unique ignoring case",
            r.id,
            case.join(", ")
        )
    };
    out.push(Diagnostic::error(&r.path, r.id_pos, rules::ID_DUPLICATE, message));
}

fn moments_order(r: &Retro, out: &mut Vec<Diagnostic>) {
    let mut prev: Option<(Moment, &crate::model::MomentValue)> = None;
    for m in Moment::ALL {
        let Some(v) = r.impact.moment(m) else { continue };
        if let Some((pm, pv)) = prev
            && v.at < pv.at
        {
            out.push(Diagnostic::error(
                &r.path,
                v.pos,
                rules::MOMENTS_ORDER,
                format!(
                    "`{}` ({}) is before `{}` ({}); the moments must be in the order started ≤ detected ≤ mitigated ≤ resolved",
                    m.as_str(),
                    v.at,
                    pm.as_str(),
                    pv.at
                ),
            ));
        }
        prev = Some((m, v));
    }
}

fn timeline_agrees(r: &Retro, out: &mut Vec<Diagnostic>) {
    for m in Moment::ALL {
        let Some(v) = r.impact.moment(m) else { continue };
        if v.source != crate::model::MomentSource::FrontMatter {
            continue;
        }
        if let Some(e) = r.timeline.iter().find(|e| e.kind == Some(m.entry_kind()))
            && e.at != v.at
        {
            out.push(Diagnostic::warning(
                &r.path,
                Pos::new(e.line, 1),
                rules::TIMELINE_MOMENT,
                format!(
                    "the timeline's [{}] entry is at {} but front matter says `impact.{}: {}`; make them agree",
                    m.as_str(),
                    e.at,
                    m.as_str(),
                    v.at
                ),
            ));
        }
    }
}

/// `date` is the day the incident started: it anchors every `HH:MM` of the timeline. A stated
/// `impact.started` on another day (in the book's time zone) means one of them is wrong — most
/// often `date` was left at the day the retro was written.
fn date_started(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    let (Some(date), Some(started)) = (r.date, r.impact.started.as_ref()) else { return };
    if r.front_matter != crate::model::FrontMatterKind::Native
        || started.source != crate::model::MomentSource::FrontMatter
    {
        return;
    }
    let tz = book.config.timezone();
    let day = started.at.to_zoned_datetime(tz.clone()).date();
    if day == date {
        return;
    }
    let zone = tz.iana_name().unwrap_or("the book's time zone");
    out.push(Diagnostic::warning(
        &r.path,
        started.pos,
        rules::DATE_STARTED,
        format!(
            "`impact.started` is on {day} ({zone}) but `date` is {date}; `date` is the day the incident started \
             and anchors every HH:MM of the timeline — set `date: {day}`, or correct `impact.started`"
        ),
    ));
}

fn related_resolve(r: &Retro, ids: &IdIndex, out: &mut Vec<Diagnostic>) {
    for rel in &r.related {
        if ids.by_id.contains_key(rel.value.as_str()) {
            continue;
        }
        let near = nearest(&rel.value, ids.by_id.keys().copied());
        let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
        out.push(
            Diagnostic::error(
                &r.path,
                rel.pos,
                rules::RELATED_UNRESOLVED,
                format!("related id `{}` is not a retro in this book{hint}", rel.value),
            )
            .with_suggestion(near.map(str::to_string)),
        );
    }
}

fn actions(r: &Retro, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, Pos> = BTreeMap::new();
    for a in &r.actions {
        if let Some(first) = seen.insert(a.id.as_str(), a.pos) {
            out.push(Diagnostic::error(
                &r.path,
                a.pos,
                rules::ACTION_DUPLICATE_ID,
                format!(
                    "action id `{}` is already used on line {}; action ids are unique within a retro",
                    a.id, first.line
                ),
            ));
        }
        // Actions read from an adopted file's list have no owner field to fill in yet.
        if a.status.is_open() && a.owner.is_none() && !r.adoption.actions {
            out.push(Diagnostic::error(
                &r.path,
                a.pos,
                rules::ACTION_OWNER,
                format!(
                    "action `{}` is {} but has no owner; add `owner:` with a team or person who will drive it",
                    a.id,
                    a.status.as_str()
                ),
            ));
        }
    }
}

/// Durations an adopted file states (`Time to repair: 0h 07m`) that disagree by more than a
/// minute with those computed from its moments (docs/format.md, "Stated durations"): a note,
/// since statistics use the computed ones. Measured from `started`, or from `detected` when the
/// file gives no start (files that state "time to repair" beside "first detected" measure from
/// detection).
fn stated_durations(r: &Retro, out: &mut Vec<Diagnostic>) {
    use crate::model::StatedKind;
    let at = |m: Moment| r.impact.moment(m).map(|v| v.at.as_second());
    for d in &r.stated_durations {
        let (from, from_name) = match (d.kind, at(Moment::Started)) {
            (_, Some(s)) => (s, "started"),
            (StatedKind::Detect, None) => continue,
            (_, None) => match at(Moment::Detected) {
                Some(s) => (s, "detected"),
                None => continue,
            },
        };
        let (to, to_name) = match d.kind {
            StatedKind::Detect => (at(Moment::Detected), "detected"),
            StatedKind::Repair => (at(Moment::Mitigated), "mitigated"),
            StatedKind::Resolve | StatedKind::Duration => (at(Moment::Resolved), "resolved"),
        };
        let Some(to) = to else { continue };
        let computed = to - from;
        if (computed - d.seconds).abs() > 60 {
            out.push(Diagnostic::note(
                &r.path,
                Pos::new(d.line, 1),
                rules::DURATION_STATED,
                format!(
                    "the file states {} {} but {to_name} − {from_name} is {}; statistics use the computed figure, so correct whichever is wrong",
                    d.kind.as_str(),
                    human(d.seconds),
                    human(computed)
                ),
            ));
        }
    }
}

fn human(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.abs();
    format!("{sign}{}h {:02}m", s / 3600, (s % 3600) / 60)
}

fn addresses(r: &Retro, out: &mut Vec<Diagnostic>) {
    let ids: Vec<&str> = r.factors.iter().map(|f| f.id.as_str()).collect();
    for a in &r.actions {
        for x in &a.addresses {
            if !ids.contains(&x.value.as_str()) {
                let near = nearest(&x.value, ids.iter().copied());
                let hint = match near {
                    Some(n) => format!("did you mean `{n}`?"),
                    None if ids.is_empty() => "this retro lists no factors".to_string(),
                    None => format!("its factors are {}", ids.join(", ")),
                };
                out.push(
                    Diagnostic::error(
                        &r.path,
                        x.pos,
                        rules::ADDRESSES_UNKNOWN,
                        format!(
                            "action `{}` addresses `{}`, which is not a factor of this retro; {hint}",
                            a.id, x.value
                        ),
                    )
                    .with_suggestion(near.map(str::to_string)),
                );
            }
        }
    }
}

/// Factor id → number of retros citing it.
fn factor_usage(book: &Book) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for r in &book.retros {
        let mut ids: Vec<&str> = r.factors.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            *m.entry(id).or_insert(0) += 1;
        }
    }
    m
}

fn factor_twins(r: &Retro, book: &Book, usage: &BTreeMap<&str, usize>, out: &mut Vec<Diagnostic>) {
    for f in &r.factors {
        let new = usage.get(f.id.as_str()).copied().unwrap_or(0) <= 1 && !book.config.factors.contains_key(&f.id);
        if !new {
            continue;
        }
        let known = usage
            .iter()
            .filter(|(id, _)| **id != f.id)
            .map(|(id, n)| (*id, *n))
            .chain(book.config.factors.keys().filter(|k| !usage.contains_key(k.as_str())).map(|k| (k.as_str(), 0)));
        let best = known.filter(|(id, _)| similar(&f.id, id)).max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id)));
        if let Some((twin, n)) = best {
            let used = match n {
                0 => "defined in book.toml".to_string(),
                1 => "used in 1 retro".to_string(),
                n => format!("used in {n} retros"),
            };
            out.push(Diagnostic::warning(
                &r.path,
                f.pos,
                rules::FACTOR_TWIN,
                format!(
                    "factor `{}` is new to the book but close to `{twin}` ({used}); if they are the same, use `{twin}` or add `aliases = [\"{}\"]` under [factors.{twin}] in book.toml",
                    f.id, f.id
                ),
            ));
        }
    }
}

fn monitoring_paths(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    use crate::load::monitoring::{AssetProblem, baseline_file, locate};
    let max = book.config.retros.max_data_size;
    for m in &r.monitoring {
        let Monitoring::Series { metric, data, baseline, query, .. } = m else { continue };
        monitoring_pulled(r, book, m, out);
        // A duration baseline is read from the file `monitoring pull` writes beside `data`.
        let baseline = baseline.as_ref().and_then(|b| {
            let (file, shift) = baseline_file(data.as_ref().map(|d| d.value.as_str()), &b.value)?;
            Some(crate::model::Spanned::new(file, b.pos)).filter(|_| shift == 0 || query.is_some())
        });
        for (key, p) in [("data", data.as_ref()), ("baseline", baseline.as_ref())] {
            let Some(p) = p else { continue };
            let what = format!("`{key}` of series `{metric}`");
            let message = match locate(&book.root, &r.path, &p.value, max) {
                Ok(_) | Err(AssetProblem::Unreadable(_)) => continue, // unreadable: `load` warns
                Err(AssetProblem::Missing) if query.is_some() => {
                    out.push(Diagnostic::warning(
                        &r.path,
                        p.pos,
                        rules::MONITORING_NOT_PULLED,
                        format!(
                            "series `{metric}` has a `query`, but `{}` does not exist yet; run `retrobook monitoring pull {}` to pull it",
                            r.asset_path(&p.value),
                            r.path
                        ),
                    ));
                    continue;
                }
                Err(AssetProblem::Outside) => {
                    format!("{what} points outside the book (`{}`); keep the CSV beside the retro", p.value)
                }
                Err(AssetProblem::LinksOutside) => format!(
                    "{what} names `{}`, a symlink that leads outside the book; copy the CSV into the book instead",
                    p.value
                ),
                Err(AssetProblem::Missing) => format!(
                    "{what} names `{}`, but `{}` does not exist; paths are relative to the retro's folder",
                    p.value,
                    r.asset_path(&p.value)
                ),
                Err(AssetProblem::NotAFile) => format!(
                    "{what} names `{}`, which is not a regular file (a folder, pipe or device); name a CSV file",
                    p.value
                ),
                Err(AssetProblem::TooLarge(n)) => format!(
                    "{what} names `{}`, which is {n} bytes, more than `[retros] max-data-size` ({max}); thin the series out or raise the limit in book.toml",
                    p.value
                ),
            };
            out.push(Diagnostic::error(&r.path, p.pos, rules::MONITORING_DATA, message));
        }
    }
}

/// A pulled series (one with a `query`): its source is defined in book.toml, and its data covers
/// the incident window. A duration `baseline` without a `query` has nothing to pull.
fn monitoring_pulled(r: &Retro, book: &Book, m: &Monitoring, out: &mut Vec<Diagnostic>) {
    use crate::load::monitoring::baseline_shift;
    let Monitoring::Series { metric, data, baseline, source, query, points, more, .. } = m else { return };
    let sources = &book.config.monitoring.sources;
    let names = || sources.keys().cloned().collect::<Vec<_>>().join(", ");
    let Some(query) = query else {
        if let Some(b) = baseline.as_ref().filter(|b| baseline_shift(&b.value).is_some()) {
            out.push(Diagnostic::error(
                &r.path,
                b.pos,
                rules::MONITORING_DATA,
                format!(
                    "`baseline` of series `{metric}` is the duration `{}`, which only a pulled series (one with a `query`) can use; give a CSV path, or add `source` and `query`",
                    b.value
                ),
            ));
        }
        return;
    };
    match source {
        Some(s) if !sources.contains_key(&s.value) => out.push(Diagnostic::warning(
            &r.path,
            s.pos,
            rules::MONITORING_SOURCE,
            if sources.is_empty() {
                format!("series `{metric}` names the source `{}`, but book.toml has no [monitoring.sources.{}] table; add one with `kind = \"prometheus\"` and `url`", s.value, s.value)
            } else {
                format!("series `{metric}` names the source `{}`, which book.toml does not define; defined: {}", s.value, names())
            },
        )),
        None if sources.len() != 1 => out.push(Diagnostic::warning(
            &r.path,
            query.pos,
            rules::MONITORING_SOURCE,
            format!(
                "series `{metric}` has a `query` but no `source`; add `source:` naming one of [monitoring.sources] in book.toml{}",
                if sources.is_empty() { " (there are none yet)".to_string() } else { format!(" ({})", names()) }
            ),
        )),
        _ => {}
    }
    let (Some(data), Some(started), Some(resolved)) = (data, &r.impact.started, &r.impact.resolved) else { return };
    let times = points.iter().chain(more.iter().flat_map(|c| c.1.iter())).map(|p| p.0);
    let Some((first, last)) =
        times.fold(None, |a: Option<(i64, i64)>, t| Some(a.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t)))))
    else {
        return;
    };
    let (start, end) = (started.at.as_second(), resolved.at.as_second());
    if first > start || last < end {
        let at = |t: i64| jiff::Timestamp::from_second(t).map(|t| t.to_string()).unwrap_or_default();
        out.push(Diagnostic::warning(
            &r.path,
            data.pos,
            rules::MONITORING_COVERAGE,
            format!(
                "the data of series `{metric}` runs from {} to {}, but the incident runs from {} to {}; run `retrobook monitoring pull --refresh {}` to pull the whole window",
                at(first),
                at(last),
                at(start),
                at(end),
                r.path
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules' findings taken from memory are those of the same file: an unchanged retro's come
    /// from the last check, a changed retro is checked again.
    #[test]
    fn remembered_findings_follow_the_file() {
        let retro = |id: &str, narrative: &str| {
            format!("---\nid: {id}\ntitle: T {id}\ndate: 2024-01-02\n---\n\n## Narrative\n\n{narrative}\n")
        };
        let book = |b: &str| {
            let files = vec![
                ("retros/a.md".to_string(), retro("a", "It was human error.").into_bytes()),
                ("retros/b.md".to_string(), retro("b", b).into_bytes()),
            ];
            crate::load::load_from_bytes(std::path::Path::new("/book"), Default::default(), files).book
        };
        let blameless = |d: &[Diagnostic]| -> Vec<(String, u32)> {
            d.iter().filter(|d| d.rule.starts_with("blameless")).map(|d| (d.file.clone(), d.line)).collect()
        };
        let first = book("The deploy went out.");
        let memory = InMemory::default();
        let cold = check_book_remembering(&first, &memory);
        assert_eq!(blameless(&cold), [("retros/a.md".to_string(), 9)]);
        let mut memory = memory.next();
        assert_eq!(check_book_remembering(&first, &memory), cold, "unchanged: the same findings");

        // Proof that they come from memory: a message changed there is what the check returns.
        for found in memory.known.values_mut().flat_map(|(found, _)| found.iter_mut()) {
            found.message = "from memory".into();
        }
        let recalled = check_book_remembering(&first, &memory);
        assert!(recalled.iter().filter(|d| d.rule.starts_with("blameless")).all(|d| d.message == "from memory"));

        let memory = memory.next();
        let second = book("Someone said it was human error.");
        let warm = check_book_remembering(&second, &memory);
        assert_eq!(blameless(&warm), [("retros/a.md".to_string(), 9), ("retros/b.md".to_string(), 9)]);
        let messages: Vec<&str> =
            warm.iter().filter(|d| d.rule.starts_with("blameless")).map(|d| &*d.message).collect();
        assert_eq!(messages[0], "from memory", "the unchanged retro is recalled");
        assert!(messages[1].contains("ends the inquiry"), "the changed retro is checked again");
    }

    #[test]
    fn recalled_findings_bring_back_the_checklist_readings() {
        use crate::model::SectionProse;
        let text = "---\nid: a\ntitle: T\ndate: 2024-01-02\n---\n\n## Narrative\n\n\
            The deploy went out at noon and the queue stalled soon after it.\n\n## Technical analysis\n\nShort.\n";
        let book = || {
            let files = vec![("retros/a.md".to_string(), text.as_bytes().to_vec())];
            crate::load::load_from_bytes(std::path::Path::new("/book"), Default::default(), files).book
        };
        let first = book();
        let memory = InMemory::default();
        check_book_remembering(&first, &memory);
        let read = first.retros[0].prose_readings();
        let kinds: Vec<SectionProse> = read.iter().map(|r| r.2).collect();
        assert_eq!(kinds, [SectionProse::Written, SectionProse::Short], "{read:?}");

        // A fresh load holds no readings until the check recalls them.
        let mut memory = memory.next();
        let second = book();
        assert!(second.retros[0].prose_readings().is_empty());
        check_book_remembering(&second, &memory);
        assert_eq!(second.retros[0].prose_readings(), read);

        // Proof that the checklist uses them: a reading changed in memory is what it reports.
        for (_, readings) in memory.known.values_mut() {
            readings[0].2 = SectionProse::Template;
        }
        let third = book();
        check_book_remembering(&third, &memory);
        let checklist = crate::analyze::completeness::completeness(&third.retros[0], &third.config);
        let missing: Vec<String> = checklist.items.iter().flat_map(|i| i.missing.clone()).collect();
        assert!(missing.iter().any(|m| m.contains("Narrative section still holds only the template")), "{missing:?}");
    }

    #[test]
    fn similar_factor_ids() {
        use super::similar;
        assert!(similar("config-drift", "configuration-drift"));
        assert!(similar("missing-alert", "missing-alerts"));
        assert!(similar("dependency-timeout", "upstream-dependency-timeout"));
        assert!(!similar("config-drift", "schema-drift"));
        assert!(!similar("capacity-headroom", "manual-failover"));
    }
}
