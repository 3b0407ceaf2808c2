//! `book.toml` → [`Config`]: defaults for every key; unknown keys are errors naming the nearest valid key.

use crate::diagnostic::{Diagnostic, Pos};
use crate::load::value::{self, Node, NodeKind};
use crate::suggest::nearest;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The file name of a book's configuration.
pub const FILE: &str = "book.toml";

/// The whole configuration, with defaults filled in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub book: BookConfig,
    pub retros: RetrosConfig,
    /// Shared taxonomy of factors: titles, categories, aliases.
    pub factors: BTreeMap<String, FactorDef>,
    pub lint: LintConfig,
    pub output: OutputConfig,
    /// Alias → canonical factor id, derived from `factors`.
    #[serde(skip)]
    pub aliases: HashMap<String, String>,
    /// True when no book.toml was found and defaults are in use.
    #[serde(skip)]
    pub implicit: bool,
    /// `[retros].timezone`, resolved once (looking a zone up costs more than using it).
    #[serde(skip)]
    #[schemars(skip)]
    tz: Option<jiff::tz::TimeZone>,
}

/// `[book]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    pub title: String,
    pub description: String,
    pub language: String,
}

impl Default for BookConfig {
    fn default() -> Self {
        BookConfig { title: "Incident retrospectives".into(), description: String::new(), language: "en".into() }
    }
}

/// `[retros]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetrosConfig {
    pub dir: String,
    /// Most severe first.
    pub severities: Vec<String>,
    pub timezone: String,
    pub factor_categories: Vec<String>,
    /// `[retros.required]`: completeness element → severities for which it is mandatory
    /// (an error in `check` instead of a suggestion), e.g. `five-whys = ["SEV1", "SEV2"]`.
    pub required: BTreeMap<String, Vec<String>>,
    /// Largest monitoring CSV read, in bytes; larger files are an error in `check`.
    pub max_data_size: u64,
}

impl Default for RetrosConfig {
    fn default() -> Self {
        RetrosConfig {
            dir: "retros".into(),
            severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
            timezone: "UTC".into(),
            factor_categories: [
                "people",
                "process",
                "tooling",
                "technology",
                "environment",
                "communication",
                "external",
            ]
            .map(String::from)
            .to_vec(),
            required: BTreeMap::new(),
            max_data_size: 20_000_000,
        }
    }
}

/// `[factors.<id>]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct FactorDef {
    pub title: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub aliases: Vec<String>,
}

/// `[lint]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintConfig {
    pub blameless: LintLevel,
    /// Completeness suggestions (notes) in `check`; `[retros.required]` errors apply regardless.
    pub completeness: bool,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig { blameless: LintLevel::Warn, completeness: true }
    }
}

/// How a lint reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LintLevel {
    Off,
    Warn,
    Error,
}

/// `[output]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputConfig {
    pub html: HtmlConfig,
    pub external: ExternalConfig,
}

/// `[output.external]`: the customer-facing incident history (`build --audience external`).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExternalConfig {
    /// Title of the public site (the book's own title is internal and never used there).
    pub title: String,
    /// Intro shown on the public home page and in its feed.
    pub description: String,
    /// Public wording per severity, e.g. `SEV1 = "Major outage"`; unmapped severities get a
    /// default by rank (see docs/external.md).
    pub severity_labels: BTreeMap<String, String>,
    /// Path prefix (or absolute URL) where the public site is served.
    pub site_url: String,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            title: "Incident history".into(),
            description: "Past incidents that affected our service: what happened, how long it lasted and what we \
                          changed so it does not happen again."
                .into(),
            severity_labels: BTreeMap::new(),
            site_url: "/".into(),
        }
    }
}

/// `[output.html]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HtmlConfig {
    /// Path prefix where the site is served, e.g. `/` or `/team/retros/`.
    pub site_url: String,
    pub git_repository_url: Option<String>,
    /// e.g. `https://github.com/acme/retros/edit/main/{path}`
    pub edit_url_template: Option<String>,
    /// Keep raw HTML in retro bodies unsanitised. Off by default.
    pub allow_raw_html: bool,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        HtmlConfig { site_url: "/".into(), git_repository_url: None, edit_url_template: None, allow_raw_html: false }
    }
}

/// Known keys per table, for unknown-key diagnostics with suggestions.
/// `*` stands for a user-chosen name (a factor id).
const SCHEMA: &[(&str, &[&str])] = &[
    ("", &["book", "retros", "factors", "lint", "output"]),
    ("book", &["title", "description", "language"]),
    ("retros", &["dir", "severities", "timezone", "factor-categories", "required", "max-data-size"]),
    ("retros.required", crate::analyze::completeness::ELEMENT_KEYS),
    ("factors.*", &["title", "category", "description", "aliases"]),
    ("lint", &["blameless", "completeness"]),
    ("output", &["html", "external"]),
    ("output.external", &["title", "description", "severity-labels", "site-url"]),
    ("output.html", &["site-url", "git-repository-url", "edit-url-template", "allow-raw-html"]),
];

impl Config {
    /// Loads `book.toml` from `root`; a missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text).replace("\r\n", "\n");
                Config::parse(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut c = Config { implicit: true, ..Config::default() };
                c.tz = jiff::tz::TimeZone::get(&c.retros.timezone).ok();
                // A plain folder of postmortems, adopted as it is: the folder itself holds the retros.
                if !root.join(&c.retros.dir).is_dir() {
                    c.retros.dir = ".".into();
                }
                Ok(c)
            }
            Err(e) => Err(vec![Diagnostic::error(FILE, Pos::START, "config-read", format!("cannot read {FILE}: {e}"))]),
        }
    }

    /// Parses the text of a `book.toml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let tree =
            value::parse_toml(text, 1).map_err(|e| vec![Diagnostic::error(FILE, e.pos, "config-syntax", e.message)])?;
        let mut diags = Vec::new();
        check_keys(&tree, "", &mut diags);
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let pos = e.span().map(|s| value::LineIndex::new(text, 1).pos(s.start)).unwrap_or(Pos::START);
            vec![Diagnostic::error(FILE, pos, "config-type", e.message().trim().to_string())]
        })?;
        config.validate(&tree, &mut diags);
        if diags.is_empty() { Ok(config) } else { Err(diags) }
    }

    fn validate(&mut self, tree: &Node, diags: &mut Vec<Diagnostic>) {
        let pos_of = |path: &[&str]| {
            let mut n = tree;
            for p in path {
                match n.get(p) {
                    Some(c) => n = c,
                    None => return Pos::START,
                }
            }
            n.pos
        };
        if jiff::tz::TimeZone::get(&self.retros.timezone).is_err() {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["retros", "timezone"]),
                "config-value",
                format!(
                    "unknown time zone `{}`; expected an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`",
                    self.retros.timezone
                ),
            ));
        }
        if self.retros.severities.is_empty() {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["retros", "severities"]),
                "config-value",
                "`severities` is empty; list them most severe first, e.g. [\"SEV1\", \"SEV2\", \"SEV3\"]",
            ));
        }
        let known_severity = |table: &[&str], sev: &str, diags: &mut Vec<Diagnostic>| {
            if !self.retros.severities.iter().any(|s| s == sev) {
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(table),
                    "config-value",
                    format!("unknown severity `{sev}`; expected one of {}", self.retros.severities.join(", ")),
                ));
            }
        };
        for sev in self.output.external.severity_labels.keys() {
            known_severity(&["output", "external", "severity-labels", sev], sev, diags);
        }
        for (element, sevs) in &self.retros.required {
            for sev in sevs {
                known_severity(&["retros", "required", element], sev, diags);
            }
        }
        let mut aliases = HashMap::new();
        for (id, def) in &self.factors {
            let canonical = crate::load::normalize_factor_id(id);
            if let Some(cat) = &def.category
                && !self.retros.factor_categories.contains(cat)
            {
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(&["factors", id, "category"]),
                    "config-value",
                    format!(
                        "unknown factor category `{cat}`; expected one of {}",
                        self.retros.factor_categories.join(", ")
                    ),
                ));
            }
            for a in &def.aliases {
                let a = crate::load::normalize_factor_id(a);
                if let Some(prev) = aliases.insert(a.clone(), canonical.clone())
                    && prev != canonical
                {
                    diags.push(Diagnostic::error(
                        FILE,
                        pos_of(&["factors", id, "aliases"]),
                        "config-value",
                        format!("alias `{a}` is given to both `{prev}` and `{canonical}`; an alias names one factor"),
                    ));
                }
            }
        }
        self.aliases = aliases;
        self.tz = jiff::tz::TimeZone::get(&self.retros.timezone).ok();
    }

    /// The book's default time zone.
    pub fn timezone(&self) -> jiff::tz::TimeZone {
        match &self.tz {
            Some(tz) => tz.clone(),
            None => jiff::tz::TimeZone::get(&self.retros.timezone).unwrap_or(jiff::tz::TimeZone::UTC),
        }
    }

    /// Resolves a (normalised) factor id through the aliases.
    pub fn canonical_factor<'a>(&'a self, id: &'a str) -> &'a str {
        self.aliases.get(id).map(String::as_str).unwrap_or(id)
    }

    /// Rank of a severity, 0 = most severe; unknown severities sort last.
    pub fn severity_rank(&self, s: &str) -> usize {
        self.retros.severities.iter().position(|x| x == s).unwrap_or(usize::MAX)
    }
}

fn check_keys(node: &Node, table: &str, diags: &mut Vec<Diagnostic>) {
    let schema_name = if table.starts_with("factors.") { "factors.*" } else { table };
    let known = SCHEMA.iter().find(|(t, _)| *t == schema_name).map(|(_, k)| *k);
    for (key, val) in node.entries() {
        let path = if table.is_empty() { key.name.clone() } else { format!("{table}.{}", key.name) };
        if table == "factors" {
            if matches!(val.kind, NodeKind::Map(_)) {
                check_keys(val, &path, diags);
            } else {
                diags.push(Diagnostic::error(
                    FILE,
                    key.pos,
                    "config-type",
                    format!("`[factors.{}]` must be a table with title, category, aliases", key.name),
                ));
            }
            continue;
        }
        let Some(known) = known else { continue };
        if !known.contains(&key.name.as_str()) {
            let hint = match nearest(&key.name, known.iter().copied()) {
                Some(n) => format!("; did you mean `{n}`?"),
                None => format!("; valid keys here: {}", known.join(", ")),
            };
            let place = if table.is_empty() { "at the top level".to_string() } else { format!("in [{table}]") };
            diags.push(Diagnostic::error(
                FILE,
                key.pos,
                "config-unknown-key",
                format!("unknown key `{}` {place}{hint}", key.name),
            ));
            continue;
        }
        if matches!(val.kind, NodeKind::Map(_)) {
            check_keys(val, &path, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_for_every_key() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.retros.dir, "retros");
        assert_eq!(c.retros.severities, ["SEV1", "SEV2", "SEV3", "SEV4"]);
        assert_eq!(c.output.html.site_url, "/");
        assert_eq!(c.lint.blameless, LintLevel::Warn);
    }

    #[test]
    fn unknown_key_names_line_and_nearest() {
        let e = Config::parse("[book]\ntitle = \"x\"\n\n[output.html]\nsite-ulr = \"/\"\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].column), (5, 1));
        assert_eq!(e[0].message, "unknown key `site-ulr` in [output.html]; did you mean `site-url`?");
    }

    #[test]
    fn aliases_resolve() {
        let c =
            Config::parse("[factors.config-drift]\ncategory = \"process\"\naliases = [\"Config_Mismatch\"]\n").unwrap();
        assert_eq!(c.canonical_factor("config-mismatch"), "config-drift");
        assert_eq!(c.canonical_factor("other"), "other");
    }

    #[test]
    fn external_and_required_tables() {
        let c = Config::parse(
            "[retros.required]\nfive-whys = [\"SEV1\"]\n\n[output.external]\ntitle = \"Status\"\nseverity-labels = { SEV1 = \"Major outage\" }\n",
        )
        .unwrap();
        assert_eq!(c.retros.required["five-whys"], ["SEV1"]);
        assert_eq!(c.output.external.title, "Status");
        assert_eq!(c.output.external.severity_labels["SEV1"], "Major outage");
        let e = Config::parse("[retros.required]\nfivewhys = [\"SEV1\"]\n").unwrap_err();
        assert_eq!(e[0].message, "unknown key `fivewhys` in [retros.required]; did you mean `five-whys`?");
        let e = Config::parse("[output.external]\nseverity-labels = { P1 = \"x\" }\n").unwrap_err();
        assert_eq!((e[0].line, e[0].rule), (2, "config-value"));
        assert!(e[0].message.starts_with("unknown severity `P1`"));
    }

    #[test]
    fn bad_values_are_reported() {
        let e = Config::parse("[retros]\ntimezone = \"Mars/Base\"\n").unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("unknown time zone"));
        let e = Config::parse("[retros]\nseverities = 3\n").unwrap_err();
        assert_eq!(e[0].rule, "config-type");
        assert_eq!(e[0].line, 2);
    }
}
