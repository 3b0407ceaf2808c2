//! `export --format json`: the whole parsed book (docs/export.md).

use crate::analyze::{self, ActionEntry, FactorEntry};
use crate::model::{Book, Retro};
use jiff::civil::Date;
use serde::Serialize;

/// The export document. Field names are a contract (docs/export.md): keys may be added, never
/// renamed.
#[derive(Debug, Serialize)]
pub struct Export<'a> {
    pub(crate) book: BookInfo<'a>,
    pub(crate) retros: Vec<RetroExport<'a>>,
    pub(crate) factors: Vec<FactorEntry>,
    pub(crate) actions: Vec<ActionEntry>,
}

/// The `book` object of the export: what book.toml says about the book.
#[derive(Debug, Serialize)]
pub(crate) struct BookInfo<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) today: Date,
}

/// One retro in the export.
#[derive(Debug, Serialize)]
pub(crate) struct RetroExport<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) date: Option<Date>,
    pub(crate) severity: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) path: &'a str,
    pub(crate) summary: Option<&'a str>,
    pub(crate) services: &'a [String],
    pub(crate) teams: &'a [String],
    pub(crate) tags: &'a [String],
    pub(crate) external: bool,
    pub(crate) related: Vec<&'a str>,
    pub(crate) impact: ImpactExport<'a>,
    pub(crate) durations: crate::model::Durations,
    pub(crate) factors: Vec<FactorExport<'a>>,
    pub(crate) actions: Vec<ActionExport<'a>>,
    pub(crate) timeline: Vec<TimelineExport<'a>>,
    pub(crate) sections: Vec<SectionExport<'a>>,
    /// No retrobook front matter: structure read from the body (docs/format.md, "Adoption").
    pub(crate) adopted: bool,
    /// Durations the file states (`Time to repair: 0h 07m`), whole seconds by kind
    /// (`detect`, `repair`, `resolve`, `duration`); the first statement of each kind.
    pub(crate) stated_durations: std::collections::BTreeMap<&'static str, i64>,
    /// History from git (docs/export.md); null outside git and for retros not committed yet.
    pub(crate) git: Option<GitExport<'a>>,
}

/// A retro's git history (docs/export.md, `git`). Timestamps are RFC 3339 in UTC.
#[derive(Debug, Serialize)]
pub(crate) struct GitExport<'a> {
    pub(crate) created: String,
    pub(crate) updated: String,
    pub(crate) contributors: &'a [String],
    /// Full sha of the last commit that changed the retro.
    pub(crate) commit: &'a str,
    pub(crate) short: &'a str,
}

/// An action's git history: when it appeared, when it was closed, and the derived day counts.
#[derive(Debug, Serialize)]
pub(crate) struct ActionGitExport {
    pub(crate) first_seen: String,
    pub(crate) closed: Option<String>,
    /// Whole days from appearing to today, while the action is open or in progress.
    pub(crate) age_days: Option<i64>,
    /// Whole days from appearing to being closed.
    pub(crate) days_to_close: Option<i64>,
}

/// The impact of a retro in the export, with computed durations.
#[derive(Debug, Serialize)]
pub(crate) struct ImpactExport<'a> {
    pub(crate) started: Option<String>,
    pub(crate) detected: Option<String>,
    pub(crate) mitigated: Option<String>,
    pub(crate) resolved: Option<String>,
    pub(crate) users: Option<&'a str>,
    #[serde(rename = "data-loss")]
    pub(crate) data_loss: Option<bool>,
}

/// A contributing factor of a retro in the export.
#[derive(Debug, Serialize)]
pub(crate) struct FactorExport<'a> {
    pub(crate) id: &'a str,
    pub(crate) category: Option<&'a str>,
    pub(crate) summary: Option<&'a str>,
    pub(crate) whys: &'a [String],
}

/// A follow-up action of a retro in the export.
#[derive(Debug, Serialize)]
pub(crate) struct ActionExport<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) owner: Option<&'a str>,
    pub(crate) status: &'static str,
    pub(crate) priority: Option<&'static str>,
    pub(crate) due: Option<Date>,
    pub(crate) overdue: bool,
    pub(crate) link: Option<&'a str>,
    pub(crate) addresses: Vec<&'a str>,
    pub(crate) why: Option<&'a str>,
    /// Null outside git and for actions not committed yet.
    pub(crate) git: Option<ActionGitExport>,
    /// What the last `actions sync` said; absent for actions without a synced link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tracker: Option<crate::analyze::trackers::TrackerState>,
    /// Present (and true) when the status disagrees with the tracker.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) drift: bool,
}

/// A timeline entry in the export.
#[derive(Debug, Serialize)]
pub(crate) struct TimelineExport<'a> {
    pub(crate) at: String,
    pub(crate) kind: Option<&'static str>,
    /// Who said or did it (`**Name:**` after the time, docs/format.md), else null.
    pub(crate) author: Option<&'a str>,
    /// The text, without the author.
    pub(crate) text: &'a str,
}

/// A section of a retro in the export.
#[derive(Debug, Serialize)]
pub(crate) struct SectionExport<'a> {
    pub(crate) heading: &'a str,
    pub(crate) kind: Option<&'static str>,
    /// File line of the heading (or bold label).
    pub(crate) line: u32,
    /// Read from a bold label (`- **Impact**: …`) of an adopted file rather than a heading.
    pub(crate) bold_label: bool,
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
            .map(|a| (a, crate::analyze::trackers::synced(a, &book.trackers)))
            .map(|(a, (tracker, drift))| ActionExport {
                id: &a.id,
                title: &a.title,
                owner: a.owner.as_deref(),
                status: a.status.as_str(),
                priority: a.priority.map(|p| p.as_str()),
                due: a.due,
                overdue: a.is_overdue(today),
                link: a.link.as_ref().map(|l| l.value.as_str()),
                addresses: a.addresses.iter().map(|x| x.value.as_str()).collect(),
                why: a.why.as_deref(),
                git: history
                    .and_then(|rh| Some((rh.actions.get(&a.id)?, rh.action_age(&a.id, r.date, a.due, today, &tz)?)))
                    .map(|(h, age)| ActionGitExport {
                        first_seen: h.first_seen.to_string(),
                        closed: h.closed.map(|c| c.to_string()),
                        age_days: a.status.is_open().then_some(age.age_days),
                        days_to_close: age.days_to_close,
                    }),
                tracker,
                drift,
            })
            .collect(),
        timeline: r
            .timeline
            .iter()
            .map(|e| TimelineExport {
                at: e.at.to_string(),
                kind: e.kind.map(|k| k.as_str()),
                author: e.author.as_deref(),
                text: crate::load::timeline::entry_author(&e.text).map_or(e.text.as_str(), |(_, rest)| rest),
            })
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
