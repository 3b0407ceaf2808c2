//! `export --format json`: the whole parsed book (docs/export.md).

use crate::analyze::{self, ActionEntry, FactorEntry};
use crate::model::{Book, Retro};
use jiff::civil::Date;
use serde::Serialize;

/// The export document. Field names are a contract (docs/export.md): keys may be added, never
/// renamed.
#[derive(Debug, Serialize)]
pub struct Export<'a> {
    pub book: BookInfo<'a>,
    pub retros: Vec<RetroExport<'a>>,
    pub factors: Vec<FactorEntry>,
    pub actions: Vec<ActionEntry>,
}

/// The `book` object of the export: what book.toml says about the book.
#[derive(Debug, Serialize)]
pub struct BookInfo<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub today: Date,
}

/// One retro in the export.
#[derive(Debug, Serialize)]
pub struct RetroExport<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub date: Option<Date>,
    pub severity: Option<&'a str>,
    pub status: &'static str,
    pub path: &'a str,
    pub summary: Option<&'a str>,
    pub services: &'a [String],
    pub teams: &'a [String],
    pub tags: &'a [String],
    pub external: bool,
    pub related: Vec<&'a str>,
    pub impact: ImpactExport<'a>,
    pub durations: crate::model::Durations,
    pub factors: Vec<FactorExport<'a>>,
    pub actions: Vec<ActionExport<'a>>,
    pub timeline: Vec<TimelineExport<'a>>,
    pub sections: Vec<SectionExport<'a>>,
    /// No retrobook front matter: structure read from the body (docs/format.md, "Adoption").
    pub adopted: bool,
    /// Durations the file states (`Time to repair: 0h 07m`), whole seconds by kind
    /// (`detect`, `repair`, `resolve`, `duration`); the first statement of each kind.
    pub stated_durations: std::collections::BTreeMap<&'static str, i64>,
    /// History from git (docs/export.md); null outside git and for retros not committed yet.
    pub git: Option<GitExport<'a>>,
}

/// A retro's git history (docs/export.md, `git`). Timestamps are RFC 3339 in UTC.
#[derive(Debug, Serialize)]
pub struct GitExport<'a> {
    pub created: String,
    pub updated: String,
    pub contributors: &'a [String],
    /// Full sha of the last commit that changed the retro.
    pub commit: &'a str,
    pub short: &'a str,
}

/// An action's git history: when it appeared, when it was closed, and the derived day counts.
#[derive(Debug, Serialize)]
pub struct ActionGitExport {
    pub first_seen: String,
    pub closed: Option<String>,
    /// Whole days from appearing to today, while the action is open or in progress.
    pub age_days: Option<i64>,
    /// Whole days from appearing to being closed.
    pub days_to_close: Option<i64>,
}

/// The impact of a retro in the export, with computed durations.
#[derive(Debug, Serialize)]
pub struct ImpactExport<'a> {
    pub started: Option<String>,
    pub detected: Option<String>,
    pub mitigated: Option<String>,
    pub resolved: Option<String>,
    pub users: Option<&'a str>,
    #[serde(rename = "data-loss")]
    pub data_loss: Option<bool>,
}

/// A contributing factor of a retro in the export.
#[derive(Debug, Serialize)]
pub struct FactorExport<'a> {
    pub id: &'a str,
    pub category: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub whys: &'a [String],
}

/// A follow-up action of a retro in the export.
#[derive(Debug, Serialize)]
pub struct ActionExport<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub owner: Option<&'a str>,
    pub status: &'static str,
    pub priority: Option<&'static str>,
    pub due: Option<Date>,
    pub overdue: bool,
    pub link: Option<&'a str>,
    pub addresses: Vec<&'a str>,
    pub why: Option<&'a str>,
    /// Null outside git and for actions not committed yet.
    pub git: Option<ActionGitExport>,
}

/// A timeline entry in the export.
#[derive(Debug, Serialize)]
pub struct TimelineExport<'a> {
    pub at: String,
    pub kind: Option<&'static str>,
    pub text: &'a str,
}

/// A section of a retro in the export.
#[derive(Debug, Serialize)]
pub struct SectionExport<'a> {
    pub heading: &'a str,
    pub kind: Option<&'static str>,
    /// File line of the heading (or bold label).
    pub line: u32,
    /// Read from a bold label (`- **Impact**: …`) of an adopted file rather than a heading.
    pub bold_label: bool,
}

/// Builds the export document for `book`, judging overdue actions against `today`.
pub fn export(book: &Book, today: Date) -> Export<'_> {
    Export {
        book: BookInfo { title: &book.config.book.title, description: &book.config.book.description, today },
        retros: book.retros.iter().map(|r| retro(book, r, today)).collect(),
        factors: analyze::factor_index(book),
        actions: analyze::action_index(book, today),
    }
}

fn retro<'a>(book: &'a Book, r: &'a Retro, today: Date) -> RetroExport<'a> {
    let tz = book.config.timezone();
    let history = book.history.retro(&r.path);
    let moment = |m: crate::model::Moment| r.impact.moment(m).map(|v| v.at.to_string());
    use crate::model::Moment::*;
    RetroExport {
        id: &r.id,
        title: &r.title,
        date: r.date,
        severity: r.severity.as_deref(),
        status: r.status.as_str(),
        path: &r.path,
        summary: r.summary.as_deref(),
        services: &r.services,
        teams: &r.teams,
        tags: &r.tags,
        external: r.external,
        related: r.related.iter().map(|s| s.value.as_str()).collect(),
        impact: ImpactExport {
            started: moment(Started),
            detected: moment(Detected),
            mitigated: moment(Mitigated),
            resolved: moment(Resolved),
            users: r.impact.users.as_deref(),
            data_loss: r.impact.data_loss,
        },
        durations: r.durations(),
        factors: r
            .factors
            .iter()
            .map(|f| FactorExport {
                id: &f.id,
                category: f.category.as_deref(),
                summary: f.summary.as_deref(),
                whys: &f.whys,
            })
            .collect(),
        actions: r
            .actions
            .iter()
            .map(|a| ActionExport {
                id: &a.id,
                title: &a.title,
                owner: a.owner.as_deref(),
                status: a.status.as_str(),
                priority: a.priority.map(|p| p.as_str()),
                due: a.due,
                overdue: a.is_overdue(today),
                link: a.link.as_deref(),
                addresses: a.addresses.iter().map(|x| x.value.as_str()).collect(),
                why: a.why.as_deref(),
                git: history.and_then(|h| h.actions.get(&a.id)).map(|h| ActionGitExport {
                    first_seen: h.first_seen.to_string(),
                    closed: h.closed.map(|c| c.to_string()),
                    age_days: a.status.is_open().then(|| h.age_days(today, &tz)),
                    days_to_close: h.days_to_close(&tz),
                }),
            })
            .collect(),
        timeline: r
            .timeline
            .iter()
            .map(|e| TimelineExport { at: e.at.to_string(), kind: e.kind.map(|k| k.as_str()), text: &e.text })
            .collect(),
        sections: r
            .sections
            .iter()
            .map(|s| SectionExport {
                heading: &s.heading,
                kind: s.kind.map(|k| k.as_str()),
                line: s.line,
                bold_label: s.bold_label,
            })
            .collect(),
        adopted: r.adopted,
        stated_durations: r.stated_durations.iter().rev().map(|d| (d.kind.as_str(), d.seconds)).collect(),
        git: history.map(|h| GitExport {
            created: h.created.to_string(),
            updated: h.updated.to_string(),
            contributors: &h.contributors,
            commit: &h.commit,
            short: &h.short,
        }),
    }
}
