//! `book.toml` → [`Config`]: defaults for every key; unknown keys are errors naming the nearest valid key.

mod checks;

use crate::diagnostic::{Diagnostic, Pos, rules};
use crate::suggest::nearest;
use crate::value::{self, Node, NodeKind};
use checks::check_keys;
pub(crate) use checks::{check_book_path, check_language, check_url, confine};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The file name of a book's configuration.
pub const FILE: &str = "book.toml";

/// The whole configuration, with defaults filled in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `[book]`: title, description, language.
    pub book: BookConfig,
    /// `[retros]`: where the retros are and what their values may be.
    pub retros: RetrosConfig,
    /// Shared taxonomy of factors: titles, categories, aliases.
    pub factors: BTreeMap<String, FactorDef>,
    /// `[lint]`: the level of each rule.
    pub lint: LintConfig,
    /// `[output]`: the internal and the customer-facing site.
    pub output: OutputConfig,
    /// `[timeline]`: how the communication timeline is read.
    pub timeline: TimelineConfig,
    /// `[trackers.<name>]`: the issue trackers action links point at (docs/actions.md).
    pub trackers: BTreeMap<String, TrackerConfig>,
    /// `[monitoring]`: where `retrobook monitoring pull` gets pulled series from.
    pub monitoring: MonitoringConfig,
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
    /// Where `[retros] dir` is written in book.toml, for the confinement diagnostic.
    #[serde(skip)]
    #[schemars(skip)]
    dir_pos: Option<Pos>,
}

/// `[book]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    /// The book's title (site header, page titles).
    pub title: String,
    /// One paragraph about the book, for the home page and the feed.
    pub description: String,
    /// BCP 47 tag of the retros' language (`en`, `pt-BR`), for the pages and the search index.
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
    /// Folder of the retros, relative to the book (default `retros`).
    pub dir: String,
    /// Most severe first.
    pub severities: Vec<String>,
    /// IANA zone (`Europe/Berlin`) for times written without an offset (default `UTC`).
    pub timezone: String,
    /// The categories a factor may name.
    pub factor_categories: Vec<String>,
    /// `[retros.required]`: completeness element → severities for which it is mandatory
    /// (an error in `check` instead of a suggestion), e.g. `five-whys = ["SEV1", "SEV2"]`.
    pub required: BTreeMap<String, Vec<String>>,
    /// Largest monitoring CSV read, in bytes; larger files are an error in `check`.
    pub max_data_size: u64,
    /// `[retros.adopt]`: how files without retrobook front matter are read (docs/format.md).
    pub adopt: AdoptConfig,
}

/// `[timeline]`
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct TimelineConfig {
    /// Longest expected gap between stakeholder updates (`[comms]` entries) during an incident,
    /// e.g. "30m", "1h"; longer gaps are marked on the retro page.
    pub update_interval: String,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        TimelineConfig { update_interval: "30m".into() }
    }
}

impl TimelineConfig {
    /// `update-interval` as a duration (the default when it does not parse; `Config::parse`
    /// reports that as an error).
    pub fn update_interval(&self) -> jiff::SignedDuration {
        parse_interval(&self.update_interval).unwrap_or(jiff::SignedDuration::from_mins(30))
    }
}

impl TimelineConfig {
    fn check(&self, pos: Pos, diags: &mut Vec<Diagnostic>) {
        if parse_interval(&self.update_interval).is_none() {
            diags.push(Diagnostic::error(
                FILE,
                pos,
                rules::CONFIG_VALUE,
                format!(
                    "`update-interval = {:?}` is not a duration; expected a positive one such as \"30m\", \"1h\" or \"1h 30m\"",
                    self.update_interval
                ),
            ));
        }
    }
}

/// A positive duration such as `30m`, `1h 30m` or `PT45M`.
fn parse_interval(s: &str) -> Option<jiff::SignedDuration> {
    s.trim().parse::<jiff::SignedDuration>().ok().filter(|d| d.is_positive())
}

/// `[retros.adopt]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdoptConfig {
    /// Whether an incident log (one heading per incident) becomes one retro per incident.
    pub split: SplitMode,
}

/// `[retros.adopt] split`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SplitMode {
    /// Split a file that is recognisably an incident log (docs/format.md, "Incident logs").
    #[default]
    Auto,
    /// Never split: every file is one retro.
    Never,
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
            adopt: AdoptConfig::default(),
        }
    }
}

/// `[factors.<id>]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct FactorDef {
    /// Display name of the factor; None shows its id.
    pub title: Option<String>,
    /// Category for every retro citing the factor, unless the retro names one.
    pub category: Option<String>,
    /// What the factor means, in a sentence.
    pub description: Option<String>,
    /// Other ids that mean this factor; retros citing them count here.
    pub aliases: Vec<String>,
}

/// `[lint]`. Unknown keys are caught by the key check (a rule id that does not exist is an
/// error naming the nearest), so the rule levels can be collected by `flatten`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, rename_all = "kebab-case")]
pub struct LintConfig {
    /// How wording that blames a person is reported.
    pub blameless: LintLevel,
    /// Completeness suggestions (notes) in `check`; `[retros.required]` errors apply regardless.
    pub completeness: bool,
    /// `[lint.paths."<glob>"]`: rule id → level for the files the glob (relative to the book)
    /// matches; over the book-wide levels.
    pub paths: BTreeMap<String, BTreeMap<String, RuleLevel>>,
    /// Rule id → level for the whole book, e.g. `timeline-order = "off"`.
    #[serde(flatten)]
    pub rules: BTreeMap<String, RuleLevel>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig { blameless: LintLevel::Warn, completeness: true, paths: BTreeMap::new(), rules: BTreeMap::new() }
    }
}

/// The level a rule is reported at, set by id in `[lint]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleLevel {
    /// Not reported.
    Off,
    /// Reported as a suggestion: never fails a run.
    Note,
    /// Reported as a warning: fails only with `--strict`.
    Warn,
    /// Reported as an error: fails `check` and `build`.
    Error,
}

/// The ids `[lint]` accepts as keys: every rule, and `blameless` for all `blameless-*` rules.
pub(crate) fn lint_rule_ids() -> impl Iterator<Item = &'static str> {
    crate::diagnostic::RULES.iter().copied().chain(std::iter::once("blameless"))
}

impl LintConfig {
    /// The level `[lint]` sets for `rule` in `file` (relative to the book), if any: a matching
    /// `[lint.paths]` glob first (the longest pattern when several match), then the book-wide
    /// key; `blameless` stands for every `blameless-*` rule, a rule's own key wins over it.
    pub fn level_for(&self, rule: &str, file: &str, globs: &[(globset::GlobMatcher, &str)]) -> Option<RuleLevel> {
        let lookup = |table: &BTreeMap<String, RuleLevel>| {
            table
                .get(rule)
                .copied()
                .or_else(|| rule.strip_prefix("blameless-").and_then(|_| table.get("blameless").copied()))
        };
        let mut best: Option<(usize, RuleLevel)> = None;
        for (m, pattern) in globs {
            if m.is_match(file)
                && let Some(level) = self.paths.get(*pattern).and_then(lookup)
                && best.is_none_or(|(len, _)| pattern.len() >= len)
            {
                best = Some((pattern.len(), level));
            }
        }
        best.map(|(_, l)| l).or_else(|| self.rules.get(rule).copied())
    }

    /// The `[lint.paths]` globs, compiled (they were validated when book.toml was read).
    pub fn path_globs(&self) -> Vec<(globset::GlobMatcher, &str)> {
        self.paths.keys().filter_map(|p| compile_glob(p).ok().map(|g| (g, p.as_str()))).collect()
    }
}

/// A `[lint.paths]` glob: `*` stays within one folder, `**` crosses folders.
pub(crate) fn compile_glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern.trim_start_matches("./"))
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

/// How a lint reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LintLevel {
    /// The lint does not run.
    Off,
    /// Findings are warnings.
    Warn,
    /// Findings are errors.
    Error,
}

/// `[trackers.<name>]`: one issue tracker. Tokens come only from the environment variables
/// named here, never from the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrackerConfig {
    /// Which API the tracker speaks (default: the table's name, else GitHub).
    pub kind: TrackerKind,
    /// Web address: a GitHub Enterprise host, the GitLab instance, the Jira site (which also
    /// resolves bare keys such as `PAY-123`). Default for GitHub: `https://github.com`.
    pub url: Option<String>,
    /// GitHub's REST API base. Default: `https://api.github.com` for github.com, `<url>/api/v3`
    /// for GitHub Enterprise.
    pub api_url: Option<String>,
    /// Name of the variable holding the token.
    pub token_env: Option<String>,
    /// Jira: name of the variable holding the user (basic auth with the API token).
    pub user_env: Option<String>,
    /// `actions open`: where new issues go (`owner/repo`, a GitLab project path, a Jira project key).
    pub project: Option<String>,
    /// `actions open`: labels given to new issues.
    pub labels: Vec<String>,
    /// `actions open`, Jira: the issue type of new issues (default `Task`).
    pub issue_type: Option<String>,
}

/// Which REST API a tracker speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TrackerKind {
    #[default]
    /// GitHub or GitHub Enterprise (REST v3).
    Github,
    /// GitLab, any host (REST v4).
    Gitlab,
    /// Jira Cloud or Server (REST v2).
    Jira,
}

impl TrackerKind {
    /// The kind as written in book.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackerKind::Github => "github",
            TrackerKind::Gitlab => "gitlab",
            TrackerKind::Jira => "jira",
        }
    }
}

/// `[monitoring]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct MonitoringConfig {
    /// Named sources that a series' `source` refers to (docs/monitoring.md).
    pub sources: BTreeMap<String, SourceConfig>,
}

/// `[monitoring.sources.<name>]`: a monitoring system speaking the Prometheus HTTP API.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SourceConfig {
    /// The API the source speaks; only `prometheus` (also Thanos, Mimir, VictoriaMetrics).
    pub kind: SourceKind,
    /// Base URL, e.g. `http://prometheus.internal:9090` (the API is under `/api/v1/`).
    pub url: String,
    /// The name of the environment variable holding a bearer token; never the token itself.
    pub bearer_token_env: Option<String>,
}

/// The kinds of monitoring source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The Prometheus HTTP API (`/api/v1/query_range`).
    Prometheus,
}

/// `[output]`
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct OutputConfig {
    /// `[output.html]`: the internal site.
    pub html: HtmlConfig,
    /// `[output.external]`: the customer-facing site.
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
    /// Web URL of the book's repository, for "history" links on retro pages; None hides them.
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

/// Where the value at `path` (table keys) was written in book.toml; line 1 when it was not.
fn pos_at(tree: &Node, path: &[&str]) -> Pos {
    let mut n = tree;
    for p in path {
        match n.get(p) {
            Some(c) => n = c,
            None => return Pos::START,
        }
    }
    n.pos
}

/// The keys of `[retros.required]`: the seven elements, and `five-whys` (a why chain on every
/// contributing factor).
pub(crate) const ELEMENT_KEYS: &[&str] = &[
    "stakeholder-message",
    "narrative",
    "timeline",
    "monitoring",
    "contributing-factors",
    "five-whys",
    "technical-analysis",
    "follow-up-actions",
];

/// Known keys per table, for unknown-key diagnostics with suggestions.
/// `*` stands for a user-chosen name (a factor id).
const SCHEMA: &[(&str, &[&str])] = &[
    ("", &["book", "retros", "factors", "lint", "output", "timeline", "trackers", "monitoring"]),
    ("timeline", &["update-interval"]),
    ("monitoring", &["sources"]),
    ("monitoring.sources.*", &["kind", "url", "bearer-token-env"]),
    ("book", &["title", "description", "language"]),
    ("retros", &["dir", "severities", "timezone", "factor-categories", "required", "max-data-size", "adopt"]),
    ("retros.adopt", &["split"]),
    ("retros.required", ELEMENT_KEYS),
    ("factors.*", &["title", "category", "description", "aliases"]),
    // `[lint]` also takes every rule id: see `check_keys`.
    ("lint", &["blameless", "completeness", "paths"]),
    ("output", &["html", "external"]),
    ("trackers.*", &["kind", "url", "api-url", "token-env", "user-env", "project", "labels", "issue-type"]),
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
                let config = Config::parse(&text)?;
                match confine(root, &config.retros.dir) {
                    Ok(()) => Ok(config),
                    Err(why) => Err(vec![Diagnostic::error(
                        FILE,
                        config.dir_pos.unwrap_or(Pos::START),
                        rules::CONFIG_VALUE,
                        format!("`dir` {why}; the retros folder must be inside the book, e.g. `dir = \"retros\"`"),
                    )]),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut c = Config { implicit: true, ..Config::default() };
                c.tz = jiff::tz::TimeZone::get(&c.retros.timezone).ok();
                // A plain folder of postmortems, adopted as it is: the folder itself holds the retros.
                if !root.join(&c.retros.dir).is_dir() {
                    c.retros.dir = ".".into();
                }
                match confine(root, &c.retros.dir) {
                    Ok(()) => Ok(c),
                    Err(why) => Err(vec![Diagnostic::error(
                        &c.retros.dir,
                        Pos::START,
                        rules::CONFIG_VALUE,
                        format!(
                            "the retros folder `{}` {why}; replace the link by a folder inside the book",
                            c.retros.dir
                        ),
                    )]),
                }
            }
            Err(e) => {
                Err(vec![Diagnostic::error(FILE, Pos::START, rules::CONFIG_READ, format!("cannot read {FILE}: {e}"))])
            }
        }
    }

    /// Parses the text of a `book.toml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let tree = value::parse_toml(text, 1)
            .map_err(|e| vec![Diagnostic::error(FILE, e.pos, rules::CONFIG_SYNTAX, e.message)])?;
        let mut diags = Vec::new();
        check_keys(&tree, "", &mut diags);
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let pos = e.span().map(|s| value::LineIndex::new(text, 1).pos(s.start)).unwrap_or(Pos::START);
            vec![Diagnostic::error(FILE, pos, rules::CONFIG_TYPE, e.message().trim().to_string())]
        })?;
        config.validate(&tree, &mut diags);
        if diags.is_empty() { Ok(config) } else { Err(diags) }
    }

    fn validate(&mut self, tree: &Node, diags: &mut Vec<Diagnostic>) {
        let pos_of = |path: &[&str]| pos_at(tree, path);
        self.dir_pos = Some(pos_of(&["retros", "dir"]));
        self.check_values(&pos_of, diags);
        self.check_severities(&pos_of, diags);
        self.aliases = self.check_factors(&pos_of, diags);
        self.validate_trackers(tree, &pos_of, diags);
        self.validate_sources(tree, diags);
        self.tz = jiff::tz::TimeZone::get(&self.retros.timezone).ok();
    }

    /// The language, the retros folder, the URLs and the time zone.
    fn check_values(&self, pos_of: &dyn Fn(&[&str]) -> Pos, diags: &mut Vec<Diagnostic>) {
        if let Err(why) = check_language(&self.book.language) {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["book", "language"]),
                rules::CONFIG_VALUE,
                format!(
                    "`language = {:?}` {why}; expected a BCP 47 language tag such as `en`, `de`, `pt-BR` or `zh-Hant`",
                    self.book.language
                ),
            ));
        }
        if let Err(why) = check_book_path(&self.retros.dir) {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["retros", "dir"]),
                rules::CONFIG_VALUE,
                format!(
                    "`dir = {:?}` {why}; give a folder inside the book, relative to book.toml, e.g. `dir = \"retros\"`",
                    self.retros.dir
                ),
            ));
        }
        let html = &self.output.html;
        let urls: [(&[&str], Option<&String>, bool); 4] = [
            (&["output", "html", "site-url"], Some(&html.site_url), true),
            (&["output", "external", "site-url"], Some(&self.output.external.site_url), true),
            (&["output", "html", "git-repository-url"], html.git_repository_url.as_ref(), false),
            (&["output", "html", "edit-url-template"], html.edit_url_template.as_ref(), false),
        ];
        for (path, value, path_allowed) in urls {
            let Some(value) = value else { continue };
            if let Err(why) = check_url(value, path_allowed) {
                let key = path[path.len() - 1];
                let right = if path_allowed {
                    "a path such as `/` or `/team/retros/`, or an http(s) URL such as `https://retros.example.com/`"
                } else {
                    "an http(s) URL such as `https://github.com/acme/retros`"
                };
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(path),
                    rules::CONFIG_VALUE,
                    format!("`{key} = {value:?}` {why}; expected {right}"),
                ));
            }
        }
        if jiff::tz::TimeZone::get(&self.retros.timezone).is_err() {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["retros", "timezone"]),
                rules::CONFIG_VALUE,
                format!(
                    "unknown time zone `{}`; expected an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`",
                    self.retros.timezone
                ),
            ));
        }
        self.timeline.check(pos_of(&["timeline", "update-interval"]), diags);
    }

    /// The list of severities, and the severities named in other tables.
    fn check_severities(&self, pos_of: &dyn Fn(&[&str]) -> Pos, diags: &mut Vec<Diagnostic>) {
        if self.retros.severities.is_empty() {
            diags.push(Diagnostic::error(
                FILE,
                pos_of(&["retros", "severities"]),
                rules::CONFIG_VALUE,
                "`severities` is empty; list them most severe first, e.g. [\"SEV1\", \"SEV2\", \"SEV3\"]",
            ));
        }
        let known_severity = |table: &[&str], sev: &str, diags: &mut Vec<Diagnostic>| {
            if !self.retros.severities.iter().any(|s| s == sev) {
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(table),
                    rules::CONFIG_VALUE,
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
    }

    /// Factor categories and aliases; returns alias → factor id.
    fn check_factors(&self, pos_of: &dyn Fn(&[&str]) -> Pos, diags: &mut Vec<Diagnostic>) -> HashMap<String, String> {
        let mut aliases = HashMap::new();
        for (id, def) in &self.factors {
            let canonical = crate::text::normalize_factor_id(id);
            if let Some(cat) = &def.category
                && !self.retros.factor_categories.contains(cat)
            {
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(&["factors", id, "category"]),
                    rules::CONFIG_VALUE,
                    format!(
                        "unknown factor category `{cat}`; expected one of {}",
                        self.retros.factor_categories.join(", ")
                    ),
                ));
            }
            for a in &def.aliases {
                let a = crate::text::normalize_factor_id(a);
                if let Some(prev) = aliases.insert(a.clone(), canonical.clone())
                    && prev != canonical
                {
                    diags.push(Diagnostic::error(
                        FILE,
                        pos_of(&["factors", id, "aliases"]),
                        rules::CONFIG_VALUE,
                        format!("alias `{a}` is given to both `{prev}` and `{canonical}`; an alias names one factor"),
                    ));
                }
            }
        }
        aliases
    }

    /// `[trackers.*]`: a kind (or a table named after one) and http(s) addresses.
    fn validate_trackers(&mut self, tree: &Node, pos_of: &dyn Fn(&[&str]) -> Pos, diags: &mut Vec<Diagnostic>) {
        for (name, t) in self.trackers.iter_mut() {
            if tree.get("trackers").and_then(|n| n.get(name)).is_some_and(|n| n.get("kind").is_none()) {
                match name.as_str() {
                    "github" | "gitlab" | "jira" => {
                        t.kind = match name.as_str() {
                            "gitlab" => TrackerKind::Gitlab,
                            "jira" => TrackerKind::Jira,
                            _ => TrackerKind::Github,
                        }
                    }
                    _ => diags.push(Diagnostic::error(
                        FILE,
                        pos_of(&["trackers", name]),
                        rules::CONFIG_VALUE,
                        format!(
                            "`[trackers.{name}]` has no `kind`; add `kind = \"github\"`, `\"gitlab\"` or `\"jira\"`"
                        ),
                    )),
                }
            }
        }
        let tracker_urls = self.trackers.iter().flat_map(|(name, t)| {
            [("url", t.url.as_ref()), ("api-url", t.api_url.as_ref())].map(|(key, v)| (name.as_str(), key, v))
        });
        for (name, key, value) in tracker_urls {
            let Some(value) = value else { continue };
            if let Err(why) = check_url(value, false) {
                diags.push(Diagnostic::error(
                    FILE,
                    pos_of(&["trackers", name, key]),
                    rules::CONFIG_VALUE,
                    format!("`{key} = {value:?}` {why}; expected an http(s) URL such as `https://acme.atlassian.net`"),
                ));
            }
        }
    }

    /// `[monitoring.sources.<name>] url` is an http(s) URL without credentials.
    fn validate_sources(&self, tree: &Node, diags: &mut Vec<Diagnostic>) {
        for (name, src) in &self.monitoring.sources {
            if let Err(why) = check_url(&src.url, false) {
                let pos = pos_at(tree, &["monitoring", "sources", name, "url"]);
                diags.push(Diagnostic::error(
                    FILE,
                    pos,
                    rules::CONFIG_VALUE,
                    format!(
                        "`url = {:?}` {why}; expected the source's base URL, e.g. `http://prometheus.internal:9090`",
                        src.url
                    ),
                ));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_levels_by_rule_and_by_path() {
        let c = Config::parse(
            "[lint]\nblameless = \"warn\"\n\"timeline-order\" = \"off\"\nfm-required = \"error\"\n\
             [lint.paths.\"retros/legacy/**\"]\nfm-required = \"off\"\nblameless = \"note\"\n\
             [lint.paths.\"retros/*.md\"]\nfm-required = \"note\"\n",
        )
        .unwrap();
        let g = c.lint.path_globs();
        assert_eq!(c.lint.level_for("timeline-order", "retros/a.md", &g), Some(RuleLevel::Off));
        assert_eq!(c.lint.level_for("fm-required", "retros/x/a.md", &g), Some(RuleLevel::Error));
        assert_eq!(c.lint.level_for("fm-required", "retros/legacy/2019/a.md", &g), Some(RuleLevel::Off));
        assert_eq!(c.lint.level_for("fm-required", "retros/a.md", &g), Some(RuleLevel::Note), "* stays in a folder");
        assert_eq!(c.lint.level_for("blameless-blame", "retros/legacy/a.md", &g), Some(RuleLevel::Note));
        assert_eq!(c.lint.level_for("id-duplicate", "retros/a.md", &g), None);
        assert_eq!(c.lint.blameless, LintLevel::Warn, "the old key keeps working");
    }

    #[test]
    fn unknown_rule_ids_and_levels_are_config_errors() {
        let e = Config::parse("[lint]\n\"timeline-ordr\" = \"off\"\n").unwrap_err();
        assert_eq!(e[0].rule, "config-unknown-key");
        assert!(e[0].message.contains("did you mean `timeline-order`?"), "{}", e[0].message);
        assert_eq!((e[0].line, e[0].column), (2, 1));
        let e = Config::parse("[lint.paths.\"legacy/**\"]\nfm-requird = \"off\"\n").unwrap_err();
        assert!(e[0].message.contains("did you mean `fm-required`?"), "{}", e[0].message);
        let e = Config::parse("[lint]\nfm-required = \"loud\"\n").unwrap_err();
        assert_eq!(e[0].rule, "config-type", "{e:?}");
        let e = Config::parse("[lint.paths.\"retros/[a\"]\nfm-required = \"off\"\n").unwrap_err();
        assert_eq!(e[0].rule, "config-value", "{e:?}");
    }

    #[test]
    fn monitoring_sources() {
        let c = Config::parse(
            "[monitoring.sources.prom]\nkind = \"prometheus\"\nurl = \"http://prom:9090\"\nbearer-token-env = \"PROM_TOKEN\"\n",
        )
        .unwrap();
        assert_eq!(c.monitoring.sources["prom"].bearer_token_env.as_deref(), Some("PROM_TOKEN"));
        let err = |text: &str| Config::parse(text).unwrap_err()[0].message.clone();
        assert!(
            err("[monitoring.sources.p]\nkind = \"prometheus\"\nurl = \"http://u:pw@prom\"\n")
                .contains("user name or password")
        );
        assert!(
            err("[monitoring.sources.p]\nkind = \"prometheus\"\nurl = \"http://p\"\ntoken = \"x\"\n")
                .contains("unknown key `token`")
        );
        assert!(err("[monitoring.sources.p]\nkind = \"graphite\"\nurl = \"http://p\"\n").contains("graphite"));
        assert!(err("[monitoring.sources]\np = 1\n").contains("must be a table with kind, url, bearer-token-env"));
    }

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
    fn timeline_update_interval_is_a_checked_duration() {
        assert_eq!(Config::default().timeline.update_interval(), jiff::SignedDuration::from_mins(30));
        let c = Config::parse("[timeline]\nupdate-interval = \"1h 15m\"\n").unwrap();
        assert_eq!(c.timeline.update_interval(), jiff::SignedDuration::from_mins(75));
        let e = Config::parse("[timeline]\nupdate-interval = \"soon\"\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 19));
        assert!(e[0].message.starts_with("`update-interval = \"soon\"` is not a duration"), "{}", e[0].message);
        let e = Config::parse("[timeline]\nupdate-intervall = \"30m\"\n").unwrap_err();
        assert_eq!(e[0].message, "unknown key `update-intervall` in [timeline]; did you mean `update-interval`?");
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

    #[test]
    fn adopt_split_mode() {
        assert_eq!(Config::parse("").unwrap().retros.adopt.split, SplitMode::Auto);
        let c = Config::parse("[retros.adopt]\nsplit = \"never\"\n").unwrap();
        assert_eq!(c.retros.adopt.split, SplitMode::Never);
        let e = Config::parse("[retros.adopt]\nsplti = \"never\"\n").unwrap_err();
        assert_eq!((e[0].rule, e[0].line), ("config-unknown-key", 2));
        assert_eq!(e[0].message, "unknown key `splti` in [retros.adopt]; did you mean `split`?");
        let e = Config::parse("[retros.adopt]\nsplit = \"sometimes\"\n").unwrap_err();
        assert_eq!((e[0].rule, e[0].line), ("config-type", 2));
        assert!(e[0].message.contains("`auto`") && e[0].message.contains("`never`"), "{}", e[0].message);
    }

    #[test]
    fn language_must_be_a_bcp47_tag() {
        for ok in ["en", "de", "pt-BR", "zh-Hant", "sr-Latn-RS", "en-US"] {
            assert!(Config::parse(&format!("[book]\nlanguage = \"{ok}\"\n")).is_ok(), "{ok}");
        }
        let long = format!("en-{}", ["abcdefgh"; 7].join("-"));
        for bad in ["x/../../../ESCAPED", "", "en_US", "e", "english!", long.as_str(), "en-US-", "a b"] {
            let e = Config::parse(&format!("[book]\ntitle = \"t\"\nlanguage = {bad:?}\n")).unwrap_err();
            assert_eq!((e[0].line, e[0].column, e[0].rule), (3, 12, "config-value"), "{bad}: {e:?}");
            assert!(e[0].message.contains("BCP 47"), "{}", e[0].message);
        }
        let e = Config::parse("[book]\nlanguage = \"en\\u001b[31m\"\n").unwrap_err();
        assert_eq!(e[0].rule, "config-value");
    }

    #[test]
    fn retros_dir_stays_in_the_book() {
        for ok in ["retros", "./retros", "docs/retros", ".", "a/./b"] {
            assert!(Config::parse(&format!("[retros]\ndir = \"{ok}\"\n")).is_ok(), "{ok}");
        }
        for bad in ["/home/u/.ssh", "../elsewhere", "retros/../../x", "", "a\\b"] {
            let e = Config::parse(&format!("[retros]\ndir = {bad:?}\n")).unwrap_err();
            assert_eq!((e[0].line, e[0].rule), (2, "config-value"), "{bad}: {e:?}");
            assert!(e[0].message.contains("inside the book"), "{}", e[0].message);
        }
    }

    #[test]
    fn book_urls_are_http_or_paths() {
        let ok = "[output.html]\nsite-url = \"/team/\"\ngit-repository-url = \"https://git.example/a/b\"\n\
                  edit-url-template = \"https://git.example/a/b/edit/main/{path}\"\n\
                  [output.external]\nsite-url = \"https://status.example.com/history/\"\n";
        assert!(Config::parse(ok).is_ok());
        let cases = [
            ("site-url", "javascript:alert(1)//"),
            ("site-url", "//evil.example/"),
            ("site-url", "data:text/html,x"),
            ("site-url", "team/"),
            ("site-url", "/\" onload=\"x"),
            ("git-repository-url", "javascript:alert(1)"),
            ("git-repository-url", "/relative"),
            ("git-repository-url", "https://"),
            ("git-repository-url", "https://user:pw@git.example/"),
            ("edit-url-template", "JavaScript:alert(document.domain)//{path}"),
            ("edit-url-template", "vbscript:x"),
        ];
        for (key, bad) in cases {
            let e = Config::parse(&format!("[output.html]\n{key} = {bad:?}\n")).unwrap_err();
            assert_eq!((e[0].line, e[0].rule), (2, "config-value"), "{key} = {bad}: {e:?}");
            assert!(e[0].message.contains("expected"), "{}", e[0].message);
        }
        let e = Config::parse("[output.external]\nsite-url = \"javascript:x\"\n").unwrap_err();
        assert_eq!(e[0].line, 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_retros_dir_outside_the_book_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let book = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), book.path().join("retros")).unwrap();
        std::fs::write(book.path().join(FILE), "[book]\ntitle = \"t\"\n\n[retros]\ndir = \"retros\"\n").unwrap();
        let e = Config::load(book.path()).unwrap_err();
        assert_eq!((e[0].line, e[0].column), (5, 7), "{e:?}");
        assert!(e[0].message.contains("outside the book"), "{}", e[0].message);
        // Without a book.toml, a linked `retros` is refused too.
        std::fs::remove_file(book.path().join(FILE)).unwrap();
        assert!(Config::load(book.path()).is_err());
        // A folder inside the book, even through a link, is fine.
        std::fs::remove_file(book.path().join("retros")).unwrap();
        std::fs::create_dir(book.path().join("real")).unwrap();
        std::os::unix::fs::symlink(book.path().join("real"), book.path().join("retros")).unwrap();
        std::fs::write(book.path().join(FILE), "[retros]\ndir = \"retros\"\n").unwrap();
        assert!(Config::load(book.path()).is_ok());
    }

    /// Three rules `check` reported before they were declared in `diagnostic::rules` could not be set in
    /// `[lint]` ("unknown rule"); every declared one can.
    #[test]
    fn rules_that_were_missing_can_be_set_in_lint() {
        for id in [rules::TIMELINE_NO_TIME, rules::KEY_EVENT_TIME, rules::DURATION_STATED] {
            let toml = format!("[lint]\n\"{id}\" = \"off\"\n");
            let config = Config::parse(&toml);
            assert!(config.is_ok(), "{id}: {:?}", config.err());
        }
        let e = Config::parse("[lint]\n\"config-type\" = \"off\"\n");
        assert!(e.is_err(), "book.toml's own problems cannot be set");
    }
}
