//! The retro model: plain data, built by `load`, read by everything else.

use crate::diagnostic::Pos;
pub use crate::load::timeline::{EntryKind, TimelineEntry};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A value together with where it was written, for diagnostics that need the place later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(skip)]
    pub pos: Pos,
}

impl<T> Spanned<T> {
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
    pub const ALL: [DocStatus; 3] = [DocStatus::Draft, DocStatus::InReview, DocStatus::Published];
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::InReview => "in-review",
            DocStatus::Published => "published",
        }
    }
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
    pub const ALL: [ActionStatus; 4] =
        [ActionStatus::Open, ActionStatus::InProgress, ActionStatus::Done, ActionStatus::WontDo];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont-do",
        }
    }
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
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
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
    pub const ALL: [Moment; 4] = [Moment::Started, Moment::Detected, Moment::Mitigated, Moment::Resolved];
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
    /// A key-event line of an adopted file (spec §2.7): `First detected 2021-07-12 15:44`.
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
    pub fn moment(&self, m: Moment) -> Option<&MomentValue> {
        match m {
            Moment::Started => self.started.as_ref(),
            Moment::Detected => self.detected.as_ref(),
            Moment::Mitigated => self.mitigated.as_ref(),
            Moment::Resolved => self.resolved.as_ref(),
        }
    }
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

/// A contributing factor (spec §2.2).
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

/// A follow-up action (spec §2.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub priority: Option<Priority>,
    pub due: Option<Date>,
    pub link: Option<String>,
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

/// A monitoring series or a stated gap (spec §2.4).
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
    pub const ALL: [SectionKind; 7] = [
        SectionKind::StakeholderMessage,
        SectionKind::Narrative,
        SectionKind::Timeline,
        SectionKind::Monitoring,
        SectionKind::ContributingFactors,
        SectionKind::TechnicalAnalysis,
        SectionKind::FollowUpActions,
    ];
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
    /// Read from a bold label of an adopted file (`- **Impact**: …`, spec §2.7) rather than a
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

/// Which stated duration of an adopted file (spec §2.7): `Time to repair: 0h 07m`.
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

/// What was read from an adopted file's body (spec §2.7), beyond sections, moments (source
/// `key-event`) and stated durations, which carry their own lines.
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
    /// from the body by the rules of spec §2.7.
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
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == Some(kind))
    }
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
}

impl Book {
    pub fn retro(&self, id: &str) -> Option<&Retro> {
        self.retros.iter().find(|r| r.id == id)
    }
}
