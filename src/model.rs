//! The retro model: plain data, built by `load`, read by everything else.

use crate::diagnostic::Pos;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What an entry marks in the incident; written `[kind]` right after the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Started,
    Detected,
    Escalated,
    Mitigated,
    Resolved,
    Comms,
    Breakthrough,
    Miscommunication,
    Handoff,
}

impl EntryKind {
    /// Every value, in order.
    pub const ALL: [EntryKind; 9] = [
        EntryKind::Started,
        EntryKind::Detected,
        EntryKind::Escalated,
        EntryKind::Mitigated,
        EntryKind::Resolved,
        EntryKind::Comms,
        EntryKind::Breakthrough,
        EntryKind::Miscommunication,
        EntryKind::Handoff,
    ];

    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Started => "started",
            EntryKind::Detected => "detected",
            EntryKind::Escalated => "escalated",
            EntryKind::Mitigated => "mitigated",
            EntryKind::Resolved => "resolved",
            EntryKind::Comms => "comms",
            EntryKind::Breakthrough => "breakthrough",
            EntryKind::Miscommunication => "miscommunication",
            EntryKind::Handoff => "handoff",
        }
    }

    /// Case-insensitive; surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One dated entry of a timeline section, as the parser in `load::timeline` fills it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimelineEntry {
    /// The instant.
    pub at: Timestamp,
    /// The civil date-time as written (in the section's zone).
    pub local: DateTime,
    pub kind: Option<EntryKind>,
    /// Who said or did it: a bold name and a colon right after the time and kind
    /// (docs/format.md, "Timeline").
    pub author: Option<String>,
    /// The entry's text after the time (and kind), Markdown, trimmed; for a sub-heading entry,
    /// the heading remainder plus the following paragraph(s) until the next entry.
    pub text: String,
    /// 1-based line in the file.
    pub line: u32,
}

/// What a customer may see of one incident. Filled only by `public::project`, the leak-proof
/// projection the external site is built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicRetro {
    /// URL segment of the incident's page (the retro's stable id).
    pub slug: String,
    /// Page URL relative to the public site root: `incidents/<slug>/`.
    pub url: String,
    pub title: String,
    /// `YYYY-MM-DD`, or empty when the retro has no date.
    pub date: String,
    /// "7 April 2026".
    pub date_long: String,
    pub year: String,
    /// Public wording of the severity ("Major outage"), never the internal name.
    pub severity: String,
    /// Badge class, by the severity's rank: `rb-sev-1` … `rb-sev-4`, `rb-sev-other`.
    pub severity_class: String,
    /// `impact.users`: who lost what, in plain words.
    pub impact: Option<String>,
    /// How long customers were affected: started → mitigated (else → resolved).
    pub impact_duration: Option<String>,
    /// Started → resolved, when it differs from the impact duration.
    pub resolved_after: Option<String>,
    /// The data-loss statement from `impact.data-loss`.
    pub data_loss: Option<String>,
    /// The stakeholder message as sanitised HTML (raw HTML and comments removed, always).
    pub message_html: String,
    /// The stakeholder message as plain text (search, feed).
    pub message_text: String,
    /// Titles of the follow-up actions the team committed to (not the `wont-do` ones).
    pub actions: Vec<String>,
}

/// What the public site knows about itself: `[output.external]` and the language, nothing else
/// (the book's own title and description are internal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicSite {
    pub title: String,
    pub description: String,
    pub language: String,
    /// `[output.external] site-url` with exactly one trailing slash.
    pub base: String,
}

/// A value together with where it was written, for diagnostics that need the place later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(skip)]
    pub pos: Pos,
}

impl<T> Spanned<T> {
    /// A value written at `pos`.
    pub fn new(value: T, pos: Pos) -> Self {
        Spanned { value, pos }
    }
}

/// The state of the document (not of the incident).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocStatus {
    #[default]
    Draft,
    InReview,
    Published,
}

impl DocStatus {
    /// Every value, in order.
    pub const ALL: [DocStatus; 3] = [DocStatus::Draft, DocStatus::InReview, DocStatus::Published];
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::InReview => "in-review",
            DocStatus::Published => "published",
        }
    }
    /// The value named `s` in the files, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The state of a follow-up action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    WontDo,
}

impl ActionStatus {
    /// Every value, in order.
    pub const ALL: [ActionStatus; 4] =
        [ActionStatus::Open, ActionStatus::InProgress, ActionStatus::Done, ActionStatus::WontDo];
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont-do",
        }
    }
    /// The value named `s` in the files, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// Open and in-progress actions still need someone.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// Priority of a follow-up action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    /// Every value, in order.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
    /// The value named `s` in the files, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The four moments of an incident, in the order they must happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moment {
    Started,
    Detected,
    Mitigated,
    Resolved,
}

impl Moment {
    /// Every value, in order.
    pub const ALL: [Moment; 4] = [Moment::Started, Moment::Detected, Moment::Mitigated, Moment::Resolved];
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            Moment::Started => "started",
            Moment::Detected => "detected",
            Moment::Mitigated => "mitigated",
            Moment::Resolved => "resolved",
        }
    }
    /// The timeline kind that supplies this moment.
    pub fn entry_kind(self) -> EntryKind {
        match self {
            Moment::Started => EntryKind::Started,
            Moment::Detected => EntryKind::Detected,
            Moment::Mitigated => EntryKind::Mitigated,
            Moment::Resolved => EntryKind::Resolved,
        }
    }
}

/// Where a moment's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MomentSource {
    FrontMatter,
    Timeline,
    /// A key-event line of an adopted file (docs/format.md, "Key events"): `First detected
    /// 2021-07-12 15:44`.
    KeyEvent,
}

/// One of the four moments, with its source and position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentValue {
    pub at: Timestamp,
    pub source: MomentSource,
    #[serde(skip)]
    pub pos: Pos,
}

/// Impact: the four moments and plain statements of who lost what.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    pub started: Option<MomentValue>,
    pub detected: Option<MomentValue>,
    pub mitigated: Option<MomentValue>,
    pub resolved: Option<MomentValue>,
    pub users: Option<String>,
    pub data_loss: Option<bool>,
    pub slo: Option<Slo>,
}

impl Impact {
    /// The moment `m`, when the retro states it.
    pub fn moment(&self, m: Moment) -> Option<&MomentValue> {
        match m {
            Moment::Started => self.started.as_ref(),
            Moment::Detected => self.detected.as_ref(),
            Moment::Mitigated => self.mitigated.as_ref(),
            Moment::Resolved => self.resolved.as_ref(),
        }
    }
    /// The moment `m`, to fill in.
    pub fn moment_mut(&mut self, m: Moment) -> &mut Option<MomentValue> {
        match m {
            Moment::Started => &mut self.started,
            Moment::Detected => &mut self.detected,
            Moment::Mitigated => &mut self.mitigated,
            Moment::Resolved => &mut self.resolved,
        }
    }
    /// Seconds from `started` to `m`, when both are known. The one place durations are computed.
    pub fn duration_to(&self, m: Moment) -> Option<i64> {
        let start = self.started.as_ref()?.at;
        let end = self.moment(m)?.at;
        Some(end.as_second() - start.as_second())
    }
    /// Time to detect, mitigate and resolve, in seconds, where known.
    pub fn durations(&self) -> Durations {
        Durations {
            detect: self.duration_to(Moment::Detected),
            mitigate: self.duration_to(Moment::Mitigated),
            resolve: self.duration_to(Moment::Resolved),
        }
    }
}

/// Time to detect, mitigate and resolve, in whole seconds from `started`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Durations {
    pub detect: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

/// The SLO an incident burned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slo {
    pub name: Option<String>,
    /// Fraction of the error budget burned, 0..1.
    pub budget_burned: Option<f64>,
}

/// A contributing factor (docs/format.md, "Front matter").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// After normalisation and aliases.
    pub id: String,
    /// As written (normalised), before aliases, for "did you mean" and hygiene reports.
    pub written_id: String,
    pub category: Option<String>,
    pub summary: Option<String>,
    pub whys: Vec<String>,
    #[serde(skip)]
    pub pos: Pos,
}

/// A follow-up action (docs/format.md, "Front matter").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub priority: Option<Priority>,
    pub due: Option<Date>,
    /// Tracker link (see `crate::tracking::links`), with where it is written.
    pub link: Option<Spanned<String>>,
    pub addresses: Vec<Spanned<String>>,
    pub why: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

impl Action {
    /// Open or in progress, and due before `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| d < today)
    }
}

/// A monitoring series or a stated gap (docs/format.md, "Front matter").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
// A retro has a handful of these; boxing the series would only add indirection.
#[allow(clippy::large_enum_variant)]
pub enum Monitoring {
    Series {
        metric: String,
        unit: Option<String>,
        /// CSV path as written: relative to the retro's folder (see [`Retro::asset_path`]).
        data: Option<Spanned<String>>,
        /// A CSV path as written, or — for a pulled series — a duration such as `7d`: the same
        /// window that long before, pulled beside `data` (see `load::monitoring::baseline_shift`).
        baseline: Option<Spanned<String>>,
        /// The name of a source under `[monitoring.sources]` that `query` runs against (§2.4.1).
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<Spanned<String>>,
        /// The query that `retrobook monitoring pull` runs (PromQL for a Prometheus source).
        #[serde(skip_serializing_if = "Option::is_none")]
        query: Option<Spanned<String>>,
        /// The alert threshold, drawn on the chart.
        #[serde(skip_serializing_if = "Option::is_none")]
        threshold: Option<f64>,
        /// The series read from `data`: (Unix seconds, value), in file order; the first value
        /// column when the CSV has several.
        #[serde(skip)]
        points: Vec<(i64, f64)>,
        /// The other value columns of `data` (a query that returned several series): header, points.
        #[serde(skip)]
        more: Vec<(String, Vec<(i64, f64)>)>,
        /// The header of the first value column (`value` in a hand-written CSV).
        #[serde(skip)]
        label: String,
        /// The baseline, already moved onto the incident window when `baseline` is a duration.
        #[serde(skip)]
        baseline_points: Vec<(i64, f64)>,
    },
    Gap {
        text: String,
    },
}

/// The seven elements of a good retro, as body sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    StakeholderMessage,
    Narrative,
    Timeline,
    Monitoring,
    ContributingFactors,
    TechnicalAnalysis,
    FollowUpActions,
}

impl SectionKind {
    /// Every value, in order.
    pub const ALL: [SectionKind; 7] = [
        SectionKind::StakeholderMessage,
        SectionKind::Narrative,
        SectionKind::Timeline,
        SectionKind::Monitoring,
        SectionKind::ContributingFactors,
        SectionKind::TechnicalAnalysis,
        SectionKind::FollowUpActions,
    ];
    /// The heading `new` writes for this section.
    pub fn canonical_heading(self) -> &'static str {
        match self {
            SectionKind::StakeholderMessage => "Stakeholder message",
            SectionKind::Narrative => "Narrative",
            SectionKind::Timeline => "Timeline",
            SectionKind::Monitoring => "Monitoring",
            SectionKind::ContributingFactors => "Contributing factors",
            SectionKind::TechnicalAnalysis => "Technical analysis",
            SectionKind::FollowUpActions => "Follow-up actions",
        }
    }
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::StakeholderMessage => "stakeholder-message",
            SectionKind::Narrative => "narrative",
            SectionKind::Timeline => "timeline",
            SectionKind::Monitoring => "monitoring",
            SectionKind::ContributingFactors => "contributing-factors",
            SectionKind::TechnicalAnalysis => "technical-analysis",
            SectionKind::FollowUpActions => "follow-up-actions",
        }
    }
}

/// A body section: a heading at the document's section level and the Markdown under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The heading text as written (plain text, emphasis removed).
    pub heading: String,
    /// Which of the seven elements this is, if any.
    pub kind: Option<SectionKind>,
    /// An anchor slug, unique within the retro.
    pub slug: String,
    pub level: u8,
    /// Markdown under the heading, up to the next heading of the same or a higher level.
    pub markdown: String,
    /// File line of the heading.
    pub line: u32,
    /// File line of the first line of `markdown`.
    pub body_line: u32,
    /// Read from a bold label of an adopted file (`- **Impact**: …`, docs/format.md) rather than a
    /// heading: its Markdown is also part of the section (or preamble) that holds it, so readers
    /// of the whole body (pages, search, prose rules) skip it.
    pub bold_label: bool,
}

/// How a retro's metadata was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrontMatterKind {
    /// retrobook front matter (has an `id`): required keys are enforced.
    Native,
    /// Front matter written for another tool: shared keys read, the rest ignored with a warning.
    Foreign,
    /// No front matter: an existing postmortem adopted as-is.
    None,
}

/// Which stated duration of an adopted file (docs/format.md, "Stated durations"): `Time to
/// repair: 0h 07m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatedKind {
    /// `Time to detect`: compared with detected − started.
    Detect,
    /// `Time to repair` / `Time to mitigate` / `Time to recover`: compared with mitigated.
    Repair,
    /// `Time to resolve`: compared with resolved.
    Resolve,
    /// `Duration`: compared with resolved − started.
    Duration,
}

impl StatedKind {
    /// The name as written in the files and the export.
    pub fn as_str(self) -> &'static str {
        match self {
            StatedKind::Detect => "detect",
            StatedKind::Repair => "repair",
            StatedKind::Resolve => "resolve",
            StatedKind::Duration => "duration",
        }
    }
}

/// A duration as a file states it. Kept for display and `check`; statistics never use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedDuration {
    pub kind: StatedKind,
    /// Whole seconds.
    pub seconds: i64,
    /// File line where it is stated.
    pub line: u32,
}

/// What was read from an adopted file's body (docs/format.md, "Adoption"), beyond sections,
/// moments (source `key-event`) and stated durations, which carry their own lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Adoption {
    /// The actions were read from a follow-up actions list or table (each keeps its line in `pos`).
    pub actions: bool,
    /// The factors were read from a contributing-factors section (each keeps its line in `pos`).
    pub factors: bool,
    /// Line of the `Impact` label that supplied `impact.users`.
    pub impact_users: Option<u32>,
}

/// One retrospective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retro {
    pub id: String,
    #[serde(skip)]
    pub id_pos: Pos,
    /// Path relative to the book root, with `/` separators.
    pub path: String,
    #[serde(skip)]
    pub abs_path: PathBuf,
    pub title: String,
    pub date: Option<Date>,
    pub severity: Option<String>,
    pub status: DocStatus,
    /// From front matter, else the first paragraph of the body.
    pub summary: Option<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub roles: BTreeMap<String, String>,
    pub external: bool,
    pub related: Vec<Spanned<String>>,
    pub impact: Impact,
    pub factors: Vec<Factor>,
    pub actions: Vec<Action>,
    pub monitoring: Vec<Monitoring>,
    /// Markdown before the first section heading (after a leading title heading).
    pub preamble: String,
    pub sections: Vec<Section>,
    pub timeline: Vec<TimelineEntry>,
    pub front_matter: FrontMatterKind,
    /// A file without retrobook front matter (none, or another tool's): its structure was read
    /// from the body by the rules of docs/format.md ("Adoption").
    pub adopted: bool,
    /// What those rules read, for "read from the file" on pages and in `check`.
    pub adoption: Adoption,
    /// Durations the file states (`Time to repair: 0h 07m`), in file order.
    pub stated_durations: Vec<StatedDuration>,
    /// blake3 of the file's bytes, for incremental rebuilds.
    #[serde(skip)]
    pub hash: [u8; 32],
}

impl Retro {
    /// The first section of this kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == Some(kind))
    }
    /// Time to detect, mitigate and resolve, in seconds, where known.
    pub fn durations(&self) -> Durations {
        self.impact.durations()
    }
    /// The folder of the retro's file, relative to the book root ("" at the root).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(d, _)| d)
    }
    /// A path written relative to the retro (an asset), made relative to the book root.
    pub fn asset_path(&self, written: &str) -> String {
        match self.dir() {
            "" => written.to_string(),
            d => format!("{d}/{written}"),
        }
    }
}

/// A whole book: configuration and every retro, sorted by date then id.
#[derive(Debug, Clone)]
pub struct Book {
    pub root: PathBuf,
    pub config: crate::config::Config,
    pub retros: Vec<Retro>,
    /// What git knows about the retros; empty until [`crate::git::read_history`] fills it.
    pub history: crate::history::History,
    /// What the trackers said about linked actions (`.retrobook/trackers.json`); empty when
    /// the book has no such file.
    pub trackers: crate::tracking::store::Store,
}

impl Book {
    /// The retro with this id.
    pub fn retro(&self, id: &str) -> Option<&Retro> {
        self.retros.iter().find(|r| r.id == id)
    }
}
