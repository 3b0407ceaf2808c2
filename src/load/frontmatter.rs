//! Front matter: splitting it from the body, and turning its [`Node`] tree into typed values,
//! with a diagnostic (at the value's position) for everything that is not what it should be.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level, Pos, rules};
use crate::load::value::{Key, Node, NodeKind};
use crate::load::{DateError, parse_date, parse_timestamp};
use crate::model::*;
use crate::suggest::nearest;
use crate::text::normalize_factor_id;

/// The delimiter style of a front-matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Yaml,
    Toml,
}

/// Front matter cut from a file: its text and where it and the body start.
#[derive(Debug)]
pub(crate) struct Cut<'a> {
    pub style: Style,
    pub matter: &'a str,
    /// File line of the first line of `matter`.
    pub matter_line: u32,
    pub body: &'a str,
    pub body_line: u32,
}

/// Splits front matter from the body. `Err` carries the line of an unclosed opening delimiter.
pub(crate) fn cut(text: &str) -> Result<Option<Cut<'_>>, u32> {
    let first = text.lines().next().unwrap_or("");
    let (style, delim) = match first.trim_end() {
        "---" => (Style::Yaml, "---"),
        "+++" => (Style::Toml, "+++"),
        _ => return Ok(None),
    };
    let matter_start = first.len() + 1;
    if matter_start > text.len() {
        return Err(1);
    }
    let rest = &text[matter_start..];
    // Line starts, found with memchr: only lines that begin like a delimiter are looked at.
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', rest.as_bytes()).map(|i| i + 1));
    for (i, ls) in starts.enumerate() {
        let line = &rest[ls..];
        if !line.starts_with(['-', '+', '.']) {
            continue;
        }
        let len = line.find('\n').map_or(line.len(), |n| n + 1);
        let t = line[..len].trim_end();
        if t == delim || (style == Style::Yaml && t == "...") {
            return Ok(Some(Cut {
                style,
                matter: &rest[..ls],
                matter_line: 2,
                body: &rest[ls + len..],
                body_line: i as u32 + 3,
            }));
        }
    }
    Err(1)
}

/// Every key retrobook reads from front matter.
pub(crate) const KEYS: &[&str] = &[
    "id",
    "title",
    "date",
    "severity",
    "status",
    "summary",
    "services",
    "teams",
    "tags",
    "authors",
    "reviewers",
    "roles",
    "external",
    "related",
    "impact",
    "factors",
    "actions",
    "monitoring",
];
const IMPACT_KEYS: &[&str] = &["started", "detected", "mitigated", "resolved", "users", "data-loss", "slo"];
const SLO_KEYS: &[&str] = &["name", "budget-burned"];
const FACTOR_KEYS: &[&str] = &["id", "category", "summary", "whys"];
const ACTION_KEYS: &[&str] = &["id", "title", "owner", "status", "priority", "due", "link", "addresses", "why"];
const SERIES_KEYS: &[&str] = &["metric", "unit", "data", "baseline", "source", "query", "threshold", "gap"];

/// Every map of front matter and the keys the [`Reader`] reads from it: the top level (`""`),
/// then each nested map by its path (`[]` for the items of a list). The JSON Schema (schema.rs)
/// and docs/format.md list the same keys; tests in both places hold them to this table.
///
/// A new key: add it here and to the reader's `match` (or `node.get`), to the model, to the
/// shape in schema.rs and to docs/format.md's table; the tests name whatever is left out.
#[cfg(test)]
pub(crate) const SHAPES: &[(&str, &[&str])] = &[
    ("", KEYS),
    ("impact", IMPACT_KEYS),
    ("impact.slo", SLO_KEYS),
    ("factors[]", FACTOR_KEYS),
    ("actions[]", ACTION_KEYS),
    ("monitoring[]", SERIES_KEYS),
];
/// Keys of other tools' front matter that we read as a stand-in for one of ours.
const FOREIGN_STAND_INS: &[&str] = &["description", "author"];

/// What front matter supplied. The keys the model takes as they are go straight into `retro`
/// (a [`Retro`] with nothing else filled in); the rest need the body or the file name before they
/// become the retro's, and are `None` where a key was absent or unusable.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    /// `severity`, `status`, `summary`, the lists, `roles`, `external`, `related`, `impact`,
    /// `factors`, `actions` and `monitoring`, as read.
    pub retro: Retro,
    pub id: Option<(String, Pos)>,
    pub title: Option<String>,
    pub date: Option<jiff::civil::Date>,
    pub date_text: Option<String>,
    /// Strings of foreign keys that may hold a date (`path = "2023/07/21/…"`).
    pub foreign_strings: Vec<String>,
    /// Positions of required keys, for "missing key" diagnostics.
    pub present: Vec<&'static str>,
}

/// Reads typed values out of a front-matter tree.
pub(crate) struct Reader<'a> {
    pub file: &'a str,
    pub config: &'a Config,
    /// Error for native front matter; warning for other tools' front matter.
    pub level: Level,
    pub diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn report(&mut self, pos: Pos, rule: &'static str, msg: String) {
        self.diags.push(Diagnostic::new(self.file, pos, rule, self.level, msg));
    }

    fn wrong_type(&mut self, key: &str, expected: &str, node: &Node) {
        self.report(node.pos, rules::FM_TYPE, format!("`{key}` should be {expected}, found {}", node.type_name()));
    }

    fn unknown_keys(&mut self, entries: &[(Key, Node)], known: &[&str], context: &str) {
        for (k, _) in entries {
            if known.contains(&k.name.as_str()) {
                continue;
            }
            let near = nearest(&k.name, known.iter().copied());
            let msg = match near {
                Some(n) => format!("unknown key `{}`{context}, ignored; did you mean `{n}`?", k.name),
                None => format!("unknown key `{}`{context}, ignored; retrobook reads {}", k.name, known.join(", ")),
            };
            let d = Diagnostic::warning(self.file, k.pos, rules::FM_UNKNOWN_KEY, msg);
            self.diags.push(d.with_suggestion(near.map(str::to_string)));
        }
    }

    fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.kind {
            NodeKind::Null => None,
            NodeKind::Seq(_) | NodeKind::Map(_) => {
                self.wrong_type(key, "a string", node);
                None
            }
            _ => node.scalar_text().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        }
    }

    fn string_list(&mut self, key: &str, node: &Node) -> Vec<String> {
        match &node.kind {
            NodeKind::Null => Vec::new(),
            // A single string where a list is expected is read as a list of one (common in Hugo).
            NodeKind::Str(_) | NodeKind::Int(_) | NodeKind::Float(_) => {
                node.scalar_text().into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
            }
            NodeKind::Seq(items) => items.iter().filter_map(|i| self.string(key, i)).collect(),
            _ => {
                self.wrong_type(key, "a list of strings", node);
                Vec::new()
            }
        }
    }

    fn spanned_list(&mut self, key: &str, node: &Node) -> Vec<Spanned<String>> {
        match &node.kind {
            NodeKind::Seq(items) => {
                items.iter().filter_map(|i| self.string(key, i).map(|s| Spanned::new(s, i.pos))).collect()
            }
            NodeKind::Null => Vec::new(),
            _ => match self.string(key, node) {
                Some(s) => vec![Spanned::new(s, node.pos)],
                None => Vec::new(),
            },
        }
    }

    fn bool(&mut self, key: &str, node: &Node) -> Option<bool> {
        match &node.kind {
            NodeKind::Bool(b) => Some(*b),
            NodeKind::Null => None,
            _ => {
                self.wrong_type(key, "true or false", node);
                None
            }
        }
    }

    fn date(&mut self, key: &str, node: &Node) -> Option<jiff::civil::Date> {
        let text = self.string(key, node)?;
        match parse_date(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                let rule = if key == "due" { rules::ACTION_DUE } else { rules::FM_DATE };
                self.report(node.pos, rule, date_message(key, &text, e));
                None
            }
        }
    }

    fn moment(&mut self, key: &str, node: &Node) -> Option<MomentValue> {
        let text = self.string(key, node)?;
        match parse_timestamp(&text, &self.config.timezone()) {
            Ok(at) => Some(MomentValue { at, source: MomentSource::FrontMatter, pos: node.pos }),
            Err(e) => {
                self.report(node.pos, rules::FM_DATE, date_message(key, &text, e));
                None
            }
        }
    }

    fn one_of<T>(&mut self, key: &str, node: &Node, parse: impl Fn(&str) -> Option<T>, allowed: &[&str]) -> Option<T> {
        let text = self.string(key, node)?;
        match parse(&text) {
            Some(v) => Some(v),
            None => {
                let near = nearest(&text, allowed.iter().copied());
                let hint = near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default();
                let msg = format!("unknown {key} `{text}`; expected one of {}{hint}", allowed.join(", "));
                let d = Diagnostic::new(self.file, node.pos, rules::FM_ENUM, self.level, msg);
                self.diags.push(d.with_suggestion(near.map(str::to_string)));
                None
            }
        }
    }

    /// Reads the whole front-matter tree.
    pub(crate) fn read(&mut self, root: &Node, native: bool) -> Meta {
        let mut meta = Meta::default();
        let NodeKind::Map(entries) = &root.kind else {
            self.report(
                root.pos,
                rules::FM_TYPE,
                format!("front matter should be a map of keys, found {}", root.type_name()),
            );
            return meta;
        };
        let known: Vec<&str> =
            if native { KEYS.to_vec() } else { KEYS.iter().chain(FOREIGN_STAND_INS).copied().collect() };
        if native {
            self.unknown_keys(entries, &known, "");
        } else {
            let ignored: Vec<&str> =
                entries.iter().map(|(k, _)| k.name.as_str()).filter(|k| !known.contains(k)).collect();
            if !ignored.is_empty() {
                let first = entries
                    .iter()
                    .find(|(k, _)| !known.contains(&k.name.as_str()))
                    .map(|(k, _)| k.pos)
                    .unwrap_or(root.pos);
                self.diags.push(Diagnostic::warning(
                    self.file,
                    first,
                    rules::FM_FOREIGN,
                    format!(
                        "front matter written for another tool: ignored {}; add an `id` to make this a retrobook retro",
                        ignored.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        for (key, node) in entries {
            let k = key.name.as_str();
            if let Some(p) = KEYS.iter().find(|x| **x == k) {
                meta.present.push(p);
            }
            match k {
                "id" => meta.id = self.string(k, node).map(|s| (s, node.pos)),
                "title" => meta.title = self.string(k, node),
                "date" => {
                    meta.date_text = node.scalar_text();
                    meta.date = self.date(k, node)
                }
                "severity" => {
                    let sevs: Vec<&str> = self.config.retros.severities.iter().map(String::as_str).collect();
                    meta.retro.severity = self.one_of(k, node, |s| sevs.contains(&s).then(|| s.to_string()), &sevs);
                }
                "status" => {
                    let all = DocStatus::ALL.map(DocStatus::as_str);
                    meta.retro.status = self.one_of(k, node, DocStatus::parse, &all).unwrap_or_default();
                }
                "summary" => meta.retro.summary = self.string(k, node),
                "description" if !native => {
                    if meta.retro.summary.is_none() {
                        meta.retro.summary = self.string(k, node).map(|s| crate::load::sections::collapse(&s));
                    }
                }
                "services" => meta.retro.services = self.string_list(k, node),
                "teams" => meta.retro.teams = self.string_list(k, node),
                "tags" => meta.retro.tags = self.string_list(k, node),
                "authors" => meta.retro.authors = self.string_list(k, node),
                "author" if !native => meta.retro.authors.extend(self.string_list(k, node)),
                "reviewers" => meta.retro.reviewers = self.string_list(k, node),
                "roles" => meta.retro.roles = self.roles(node),
                "external" => meta.retro.external = self.bool(k, node).unwrap_or(false),
                "related" => meta.retro.related = self.spanned_list(k, node),
                "impact" => meta.retro.impact = self.impact(node),
                "factors" => meta.retro.factors = self.list(k, node, Self::factor),
                "actions" => meta.retro.actions = self.list(k, node, Self::action),
                "monitoring" => meta.retro.monitoring = self.list(k, node, Self::series),
                _ => collect_strings(node, &mut meta.foreign_strings),
            }
        }
        meta
    }

    fn roles(&mut self, node: &Node) -> Roles {
        let mut roles = Roles::default();
        match &node.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    if let Some(person) = self.string(&format!("roles.{}", k.name), v) {
                        roles.insert(k.name.clone(), person);
                    }
                }
            }
            NodeKind::Null => {}
            _ => self.wrong_type("roles", "a map of role to person, e.g. `incident-commander: Ana`", node),
        }
        roles
    }

    fn list<T>(&mut self, key: &str, node: &Node, item: fn(&mut Self, &Node, usize) -> Option<T>) -> Vec<T> {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().enumerate().filter_map(|(i, n)| item(self, n, i)).collect(),
            NodeKind::Null => Vec::new(),
            _ => {
                self.wrong_type(key, "a list", node);
                Vec::new()
            }
        }
    }

    fn impact(&mut self, node: &Node) -> Impact {
        let mut impact = Impact::default();
        let NodeKind::Map(entries) = &node.kind else {
            if node.kind != NodeKind::Null {
                self.wrong_type("impact", "a map with started, detected, mitigated, resolved, users, data-loss", node);
            }
            return impact;
        };
        self.unknown_keys(entries, IMPACT_KEYS, " in `impact`");
        for (k, v) in entries {
            match k.name.as_str() {
                "started" => impact.started = self.moment("impact.started", v),
                "detected" => impact.detected = self.moment("impact.detected", v),
                "mitigated" => impact.mitigated = self.moment("impact.mitigated", v),
                "resolved" => impact.resolved = self.moment("impact.resolved", v),
                "users" => impact.users = self.string("impact.users", v),
                "data-loss" => impact.data_loss = self.bool("impact.data-loss", v),
                "slo" => impact.slo = self.slo(v),
                _ => {}
            }
        }
        impact
    }

    fn slo(&mut self, node: &Node) -> Option<Slo> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type("impact.slo", "a map with name and budget-burned", node);
            return None;
        };
        self.unknown_keys(entries, SLO_KEYS, " in `impact.slo`");
        let name = node.get("name").and_then(|n| self.string("impact.slo.name", n));
        let budget_burned = node.get("budget-burned").and_then(|n| {
            let v = match &n.kind {
                NodeKind::Int(i) => Some(*i as f64),
                NodeKind::Float(f) => Some(*f),
                NodeKind::Str(s) => {
                    s.trim().strip_suffix('%').and_then(|p| p.trim().parse::<f64>().ok()).map(|p| p / 100.0)
                }
                _ => None,
            };
            // Whole numbers above 1 are read as percentages.
            let v = v.map(|x| if x > 1.0 && x <= 100.0 && matches!(n.kind, NodeKind::Int(_)) { x / 100.0 } else { x });
            match v {
                Some(x) if (0.0..=1.0).contains(&x) => Some(x),
                _ => {
                    self.report(
                        n.pos,
                        rules::FM_TYPE,
                        "`impact.slo.budget-burned` should be a fraction 0..1 or a percentage like \"35%\"".into(),
                    );
                    None
                }
            }
        });
        Some(Slo { name, budget_burned })
    }

    fn factor(&mut self, node: &Node, i: usize) -> Option<Factor> {
        let NodeKind::Map(entries) = &node.kind else {
            // `factors: [config-drift]` — a bare id is accepted.
            return self.string("factors[]", node).map(|id| {
                let written = normalize_factor_id(&id);
                Factor {
                    id: self.config.canonical_factor(&written).to_string(),
                    written_id: written,
                    category: None,
                    summary: None,
                    whys: Vec::new(),
                    pos: node.pos,
                }
            });
        };
        self.unknown_keys(entries, FACTOR_KEYS, &format!(" in factor {}", i + 1));
        let Some(raw_id) = node.get("id").and_then(|n| self.string("factor id", n)) else {
            self.report(
                node.pos,
                rules::FM_REQUIRED,
                format!("factor {} has no `id`; give it a slug such as `config-drift`", i + 1),
            );
            return None;
        };
        let written = normalize_factor_id(&raw_id);
        let id = self.config.canonical_factor(&written).to_string();
        let category = node.get("category").and_then(|n| {
            let cats: Vec<&str> = self.config.retros.factor_categories.iter().map(String::as_str).collect();
            self.one_of("factor category", n, |s| cats.contains(&s).then(|| s.to_string()), &cats)
        });
        let category = category.or_else(|| self.config.factors.get(&id).and_then(|d| d.category.clone()));
        let summary = node.get("summary").and_then(|n| self.string("factor summary", n));
        let whys = node.get("whys").map(|n| self.string_list("whys", n)).unwrap_or_default();
        let pos = node.get("id").map_or(node.pos, |n| n.pos);
        Some(Factor { id, written_id: written, category, summary, whys, pos })
    }

    fn action(&mut self, node: &Node, i: usize) -> Option<Action> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type("actions[]", "a map with id, title, owner, status, due…", node);
            return None;
        };
        self.unknown_keys(entries, ACTION_KEYS, &format!(" in action {}", i + 1));
        let id = node.get("id").and_then(|n| self.string("action id", n)).unwrap_or_else(|| format!("A{}", i + 1));
        let title = match node.get("title").and_then(|n| self.string("action title", n)) {
            Some(t) => t,
            None => {
                self.report(
                    node.pos,
                    rules::FM_REQUIRED,
                    format!("action `{id}` has no `title`; say what will be done"),
                );
                id.clone()
            }
        };
        let all = ActionStatus::ALL.map(ActionStatus::as_str);
        let status = node.get("status").and_then(|n| self.one_of("action status", n, ActionStatus::parse, &all));
        let prio = Priority::ALL.map(Priority::as_str);
        Some(Action {
            title,
            owner: node.get("owner").and_then(|n| self.string("owner", n)),
            status: status.unwrap_or(ActionStatus::Open),
            priority: node.get("priority").and_then(|n| self.one_of("priority", n, Priority::parse, &prio)),
            due: node.get("due").and_then(|n| self.date("due", n)),
            link: node.get("link").and_then(|n| self.string("link", n).map(|s| Spanned::new(s, n.pos))),
            addresses: node
                .get("addresses")
                .map(|n| {
                    self.spanned_list("addresses", n)
                        .into_iter()
                        .map(|s| {
                            let id = normalize_factor_id(&s.value);
                            Spanned::new(self.config.canonical_factor(&id).to_string(), s.pos)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            why: node.get("why").and_then(|n| self.string("why", n)),
            pos: node.get("id").map_or(node.pos, |n| n.pos),
            id,
        })
    }

    fn series(&mut self, node: &Node, i: usize) -> Option<Monitoring> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type("monitoring[]", "a map with metric, unit, data, baseline — or gap", node);
            return None;
        };
        self.unknown_keys(entries, SERIES_KEYS, &format!(" in monitoring entry {}", i + 1));
        if let Some(gap) = node.get("gap").and_then(|n| self.string("gap", n)) {
            return Some(Monitoring::Gap { text: gap });
        }
        let Some(metric) = node.get("metric").and_then(|n| self.string("metric", n)) else {
            self.report(
                node.pos,
                rules::FM_REQUIRED,
                format!("monitoring entry {} has neither `metric` nor `gap`", i + 1),
            );
            return None;
        };
        let mut path = |key: &str| {
            let n = node.get(key)?;
            self.string(key, n).map(|s| Spanned::new(s, n.pos))
        };
        let (data, baseline, source, query) = (path("data"), path("baseline"), path("source"), path("query"));
        let threshold = node.get("threshold").and_then(|n| match &n.kind {
            NodeKind::Int(i) => Some(*i as f64),
            NodeKind::Float(f) if f.is_finite() => Some(*f),
            NodeKind::Null => None,
            _ => {
                self.wrong_type("monitoring[].threshold", "a number such as `5` or `0.25`", n);
                None
            }
        });
        Some(Monitoring::Series {
            data,
            baseline,
            source,
            query,
            threshold,
            metric,
            unit: node.get("unit").and_then(|n| self.string("unit", n)),
            points: Vec::new(),
            more: Vec::new(),
            label: String::new(),
            baseline_points: Vec::new(),
        })
    }
}

fn collect_strings(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Str(s) | NodeKind::Datetime(s) => out.push(s.clone()),
        NodeKind::Seq(items) => items.iter().for_each(|i| collect_strings(i, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|(_, v)| collect_strings(v, out)),
        _ => {}
    }
}

fn date_message(key: &str, text: &str, e: DateError) -> String {
    match e {
        DateError::Impossible(why) => format!("impossible date `{text}` in `{key}`: {why}"),
        DateError::Format => {
            if key.starts_with("impact.") {
                format!(
                    "`{key}` is `{text}`; expected an RFC 3339 timestamp (2024-03-14T09:14:00Z) or `YYYY-MM-DD HH:MM` in the book's time zone"
                )
            } else {
                format!("`{key}` is `{text}`; expected a date `YYYY-MM-DD`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::value::parse_yaml;

    fn read(yaml: &str) -> Vec<Diagnostic> {
        let config = Config::default();
        let mut reader = Reader { file: "a.md", config: &config, level: Level::Error, diags: Vec::new() };
        match parse_yaml(yaml, 1) {
            Ok(root) => {
                reader.read(&root, true);
                reader.diags
            }
            Err(e) => panic!("{yaml}: {}", e.message),
        }
    }

    /// Front matter whose map at `path` holds `key: value` beside what that map needs anyway.
    fn with_key(path: &str, key: &str, value: &str) -> String {
        let base: &[(&str, &str)] = match path {
            "factors[]" => &[("id", "f")],
            "actions[]" => &[("id", "a"), ("title", "t")],
            "monitoring[]" => &[("metric", "m")],
            _ => &[],
        };
        let mut map: Vec<String> = base.iter().filter(|(k, _)| *k != key).map(|(k, v)| format!("{k}: {v}")).collect();
        map.push(format!("{key}: {value}"));
        let map = format!("{{{}}}", map.join(", "));
        match path {
            "" => format!("{key}: {value}\n"),
            "impact" => format!("impact: {map}\n"),
            "impact.slo" => format!("impact: {{slo: {map}}}\n"),
            list => format!("{}: [{map}]\n", list.trim_end_matches("[]")),
        }
    }

    /// Each key in [`SHAPES`] is one the reader acts on: given a value it cannot use, it says so
    /// (a key in the table that the reader forgot would be dropped in silence), and it never
    /// calls the key unknown. A key that is not in the table is reported as unknown.
    #[test]
    fn the_reader_reads_every_key_in_the_table() {
        let wrong = "{zz: [1]}";
        for (path, keys) in SHAPES {
            let unknown = read(&with_key(path, "zz-not-a-key", "1"));
            assert!(
                unknown.iter().any(|d| d.rule == rules::FM_UNKNOWN_KEY || d.rule == rules::FM_FOREIGN),
                "{path}: an unknown key is reported: {unknown:?}"
            );
            for key in *keys {
                let yaml = with_key(path, key, wrong);
                let diags = read(&yaml);
                assert!(!diags.is_empty(), "`{key}` in `{path}` is not read: {yaml}");
                let named = format!("unknown key `{key}`");
                assert!(!diags.iter().any(|d| d.message.starts_with(&named)), "{yaml}: {diags:?}");
            }
        }
    }

    /// docs/format.md's front-matter table names every key the reader reads.
    #[test]
    fn the_format_doc_names_every_key() {
        let docs = include_str!("../../docs/format.md");
        let table = docs.split("\n## Front matter\n").nth(1).and_then(|s| s.split("\n## ").next()).unwrap_or("");
        for (path, keys) in SHAPES {
            for key in *keys {
                let named = [format!("`{key}`"), format!("`{key}."), format!(".{key}`")];
                assert!(named.iter().any(|n| table.contains(n)), "`{key}` ({path}) is not in docs/format.md's table");
            }
        }
    }
}
