//! The retro model: plain data, built by `load`, read by everything else.

use crate::diagnostic::Pos;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::path::PathBuf;

mod roles;
pub use roles::{Roles, RolesIter};

/// What an entry marks in the incident; written `[kind]` right after the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// Impact began (supplies `impact.started` when the front matter does not).
    Started,
    /// Someone or something noticed (supplies `impact.detected`).
    Detected,
    /// The incident was declared or handed up (an adopted `Incident declared` line).
    Escalated,
    /// Impact stopped (supplies `impact.mitigated`).
    Mitigated,
    /// The underlying problem was fixed (supplies `impact.resolved`).
    Resolved,
    /// A message to stakeholders or customers went out.
    Comms,
    /// The moment the cause became clear.
    Breakthrough,
    /// A misunderstanding between responders, worth learning from.
    Miscommunication,
    /// Responsibility passed to someone else (shift change, new commander).
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
    /// The `[kind]` written after the time; None for a plain entry.
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
pub(crate) struct PublicRetro {
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
pub(crate) struct PublicSite {
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
    /// The value as read.
    pub value: T,
    /// Where it was written in the retro's file.
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
    /// Being written (the default when `status` is absent).
    #[default]
    Draft,
    /// Written, waiting for reviewers.
    InReview,
    /// Reviewed and final; only published retros go to the external site.
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
    /// Nobody has started on it.
    Open,
    /// Someone is working on it.
    InProgress,
    /// Finished.
    Done,
    /// Decided against; no longer counted as open.
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
    /// Do first.
    High,
    /// Do soon.
    Medium,
    /// Do when there is time.
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
    /// Impact began.
    Started,
    /// Someone or something noticed.
    Detected,
    /// Impact stopped.
    Mitigated,
    /// The underlying problem was fixed.
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
    /// `impact.<moment>` in the front matter.
    FrontMatter,
    /// A timeline entry of the matching `[kind]`.
    Timeline,
    /// A key-event line of an adopted file (docs/format.md, "Key events"): `First detected
    /// 2021-07-12 15:44`.
    KeyEvent,
}

/// One of the four moments, with its source and position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentValue {
    /// The instant.
    pub at: Timestamp,
    /// Where the instant was read.
    pub source: MomentSource,
    /// Where it was written in the retro's file.
    #[serde(skip)]
    pub pos: Pos,
}

/// Impact: the four moments and plain statements of who lost what.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Impact {
    /// When impact began; None when the retro does not say.
    pub started: Option<MomentValue>,
    /// When the incident was noticed; None when not stated.
    pub detected: Option<MomentValue>,
    /// When impact stopped; None when not stated.
    pub mitigated: Option<MomentValue>,
    /// When the problem was fixed; None when not stated.
    pub resolved: Option<MomentValue>,
    /// `impact.users`: who lost what, in plain words.
    pub users: Option<String>,
    /// `impact.data-loss`; None when the retro does not say.
    pub data_loss: Option<bool>,
    /// `impact.slo`; None when no SLO is named.
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
    /// Seconds from started to detected; None when either is unknown.
    pub detect: Option<i64>,
    /// Seconds from started to mitigated; None when either is unknown.
    pub mitigate: Option<i64>,
    /// Seconds from started to resolved; None when either is unknown.
    pub resolve: Option<i64>,
}

/// The SLO an incident burned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slo {
    /// `impact.slo.name`.
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
    /// `category`, else the one `[factors.<id>]` in book.toml gives; None when neither does.
    pub category: Option<String>,
    /// One-line description of the factor.
    pub summary: Option<String>,
    /// The chain of "why?" answers, in order.
    pub whys: Vec<String>,
    /// Where the factor's id was written.
    #[serde(skip)]
    pub pos: Pos,
}

/// A follow-up action (docs/format.md, "Front matter").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Unique within the retro (`A1`, `A2`, …).
    pub id: String,
    /// What will be done.
    pub title: String,
    /// Person or team responsible; None when nobody is named.
    pub owner: Option<String>,
    /// Where the action stands.
    pub status: ActionStatus,
    /// How urgent it is; None when not stated.
    pub priority: Option<Priority>,
    /// The day it should be done by; None when no date was set.
    pub due: Option<Date>,
    /// Tracker link as written (see docs/actions.md), with its place; None when not linked.
    pub link: Option<Spanned<String>>,
    /// Ids of the retro's factors this action addresses, each with its place.
    pub addresses: Vec<Spanned<String>>,
    /// Why this action, in a sentence.
    pub why: Option<String>,
    /// Where the action's id was written.
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
    /// A metric to chart from a CSV file.
    Series {
        /// What is measured (chart title).
        metric: String,
        /// Unit of the values (`ms`, `%`); None when unitless.
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
    /// A signal the team did not have and wished for.
    Gap {
        /// What was missing, in plain words.
        text: String,
    },
}

/// The seven elements of a good retro, as body sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    /// What stakeholders and customers were told.
    StakeholderMessage,
    /// The story of the incident.
    Narrative,
    /// Dated entries, one per line.
    Timeline,
    /// The charts and the monitoring gaps.
    Monitoring,
    /// Why it happened.
    ContributingFactors,
    /// How the systems failed, in detail.
    TechnicalAnalysis,
    /// What will change.
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
    /// Heading level, 1–6 (`#` … `######`).
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
    /// What the completeness check found in `markdown` (`analyze::completeness`), kept with a
    /// hash of what it read: `check` and every page that shows the checklist ask again.
    #[serde(skip)]
    pub(crate) prose: Memo<(u64, SectionProse)>,
}

/// The prose of a section as the completeness check sees it (`analyze::completeness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) enum SectionProse {
    /// No text outside comments, or only the guidance `retrobook new` writes.
    Template,
    /// Fewer words than the check asks for.
    Short,
    /// Written.
    Written,
}

/// A value derived from the fields beside it, computed on first use and then kept. It takes no
/// part in comparisons (two sections are equal whether or not one has computed it), and whoever
/// reads it checks that it was derived from the current fields (e.g. by a hash kept with it).
#[derive(Debug, Clone)]
pub(crate) struct Memo<T>(std::sync::OnceLock<T>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(std::sync::OnceLock::new())
    }
}

impl<T> Memo<T> {
    /// The kept value, if computed.
    pub(crate) fn get(&self) -> Option<&T> {
        self.0.get()
    }

    /// Keeps `value` unless a value is kept already (then that one stays).
    pub(crate) fn keep(&self, value: T) {
        let _ = self.0.set(value);
    }
}

/// The completeness check's readings of a retro's prose sections: (section index, the key the
/// reading is kept under, the reading). A store that remembers a retro's findings from one check to
/// the next (`check::Remembered`) keeps them too, so that the render, which shows the checklist,
/// does not parse those sections again for a retro the check did not read.
pub(crate) type ProseReadings = Vec<(u32, u64, SectionProse)>;

impl Retro {
    /// The readings kept on this retro's sections.
    pub(crate) fn prose_readings(&self) -> ProseReadings {
        let kept = self.sections.iter().enumerate().filter_map(|(i, s)| Some((i, s.prose.get()?)));
        kept.map(|(i, &(key, prose))| (i as u32, key, prose)).collect()
    }

    /// Keeps `readings` on this retro's sections. A reading whose key is not that of its section's
    /// text is never used (`analyze::completeness` reads the section again).
    pub(crate) fn restore_prose_readings(&self, readings: &ProseReadings) {
        for &(i, key, prose) in readings {
            if let Some(s) = self.sections.get(i as usize) {
                s.prose.keep((key, prose));
            }
        }
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// How a retro's metadata was obtained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrontMatterKind {
    /// retrobook front matter (has an `id`): required keys are enforced.
    Native,
    /// Front matter written for another tool: shared keys read, the rest ignored with a warning.
    Foreign,
    /// No front matter: an existing postmortem adopted as-is.
    #[default]
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
    /// Which duration it states.
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

/// One retrospective. The default is an empty retro without front matter: the front-matter
/// reader starts from it and fills the keys it reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Retro {
    /// The retro's stable id: its page URL and the key `related` and the indexes use.
    pub id: String,
    /// Where the id was written.
    #[serde(skip)]
    pub id_pos: Pos,
    /// Path relative to the book root, with `/` separators.
    pub path: String,
    /// Absolute path of the file, for reading assets and git history.
    #[serde(skip)]
    pub abs_path: PathBuf,
    /// The incident's title.
    pub title: String,
    /// The day the incident started; None when an adopted file does not say.
    pub date: Option<Date>,
    /// One of `[retros].severities` in book.toml; None when not stated.
    pub severity: Option<String>,
    /// The document's state.
    pub status: DocStatus,
    /// From front matter, else the first paragraph of the body.
    pub summary: Option<String>,
    /// Services affected.
    pub services: Vec<String>,
    /// Teams involved.
    pub teams: Vec<String>,
    /// Free-form labels for the tag index.
    pub tags: Vec<String>,
    /// Who wrote the retro.
    pub authors: Vec<String>,
    /// Who reviewed it.
    pub reviewers: Vec<String>,
    /// Incident role → person (`incident-commander: Ana Ruiz`).
    pub roles: Roles,
    /// Included in the customer-facing site (`external: true`).
    pub external: bool,
    /// Ids of related retros, each with its place; `check` makes sure they exist.
    pub related: Vec<Spanned<String>>,
    /// The four moments and who lost what.
    pub impact: Impact,
    /// Contributing factors, in file order.
    pub factors: Vec<Factor>,
    /// Follow-up actions, in file order.
    pub actions: Vec<Action>,
    /// Monitoring series and gaps, in file order.
    pub monitoring: Vec<Monitoring>,
    /// Markdown before the first section heading (after a leading title heading).
    pub preamble: String,
    /// The body's sections, in file order.
    pub sections: Vec<Section>,
    /// Entries of the timeline section(s), in file order.
    pub timeline: Vec<TimelineEntry>,
    /// What kind of front matter the file has.
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
    /// The book's folder (where book.toml is).
    pub root: PathBuf,
    /// book.toml, read and checked.
    pub config: crate::config::Config,
    /// Every retro of the book.
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
