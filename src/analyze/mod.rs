//! Cross-incident indexes: pure functions over a [`Book`].

pub mod completeness;
pub mod monitoring;
pub mod stats;

use crate::model::{ActionStatus, Book, Retro};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// One factor across the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorEntry {
    /// After aliases.
    pub id: String,
    /// Retro ids citing it, oldest first.
    pub incidents: Vec<String>,
    pub first_seen: Option<Date>,
    pub last_seen: Option<Date>,
    pub category: Option<String>,
    /// An incident cited the factor after an action addressing it was done.
    pub recurred_after_remediation: bool,
}

/// The factor index: every factor, most incidents first, then by id.
pub fn factor_index(book: &Book) -> Vec<FactorEntry> {
    let mut by_id: BTreeMap<&str, Vec<&Retro>> = BTreeMap::new();
    for r in &book.retros {
        let mut seen = Vec::new();
        for f in &r.factors {
            if !seen.contains(&f.id.as_str()) {
                seen.push(f.id.as_str());
                by_id.entry(f.id.as_str()).or_default().push(r);
            }
        }
    }
    let mut out: Vec<FactorEntry> = by_id
        .into_iter()
        .map(|(id, retros)| {
            let category = book.config.factors.get(id).and_then(|d| d.category.clone()).or_else(|| {
                retros.iter().flat_map(|r| &r.factors).find(|f| f.id == id).and_then(|f| f.category.clone())
            });
            FactorEntry {
                id: id.to_string(),
                incidents: retros.iter().map(|r| r.id.clone()).collect(),
                first_seen: retros.iter().filter_map(|r| r.date).min(),
                last_seen: retros.iter().filter_map(|r| r.date).max(),
                category,
                recurred_after_remediation: recurred_after_remediation(book, id, &retros),
            }
        })
        .collect();
    out.sort_by(|a, b| b.incidents.len().cmp(&a.incidents.len()).then_with(|| a.id.cmp(&b.id)));
    out
}

/// True when a retro cites `factor` on a date after an action addressing it was done. The action
/// was done on the day git saw its status become `done`; without that history (outside git, not
/// committed yet), on its due date.
fn recurred_after_remediation(book: &Book, factor: &str, citing: &[&Retro]) -> bool {
    let tz = book.config.timezone();
    let done_dates: Vec<Date> = book
        .retros
        .iter()
        .flat_map(|r| r.actions.iter().map(move |a| (r, a)))
        .filter(|(_, a)| a.status == ActionStatus::Done && a.addresses.iter().any(|x| x.value == factor))
        .filter_map(|(r, a)| {
            let closed = book.history.action(&r.path, &a.id).and_then(|h| h.closed);
            closed.map(|c| crate::history::day(c, &tz)).or(a.due)
        })
        .collect();
    citing.iter().filter_map(|r| r.date).any(|d| done_dates.iter().any(|done| d > *done))
}

/// One action across the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionEntry {
    pub retro: String,
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub due: Option<Date>,
    pub overdue: bool,
}

/// Every action: open and in-progress first (overdue on top, soonest due first), then the rest.
pub fn action_index(book: &Book, today: Date) -> Vec<ActionEntry> {
    let mut out: Vec<ActionEntry> = book
        .retros
        .iter()
        .flat_map(|r| {
            r.actions.iter().map(move |a| ActionEntry {
                retro: r.id.clone(),
                id: a.id.clone(),
                title: a.title.clone(),
                owner: a.owner.clone(),
                status: a.status,
                due: a.due,
                overdue: a.is_overdue(today),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (!a.status.is_open(), !a.overdue, a.due.is_none(), a.due, &a.retro, &a.id).cmp(&(
            !b.status.is_open(),
            !b.overdue,
            b.due.is_none(),
            b.due,
            &b.retro,
            &b.id,
        ))
    });
    out
}

/// Whole days from appearing to being closed (`done` or `wont-do`) of every closed action whose
/// history git knows, summarised like durations (median, p90; the values are days, not seconds).
pub fn time_to_close(book: &Book) -> stats::DurationStats {
    let tz = book.config.timezone();
    let mut days: Vec<i64> = book
        .retros
        .iter()
        .flat_map(|r| r.actions.iter().map(move |a| (r, a)))
        .filter(|(_, a)| !a.status.is_open())
        .filter_map(|(r, a)| book.history.action(&r.path, &a.id)?.days_to_close(&tz))
        .collect();
    stats::percentile_summary(&mut days)
}

/// Today in the book's time zone, unless pinned with `--today`.
pub fn today(pinned: Option<Date>, book: &Book) -> Date {
    pinned.unwrap_or_else(|| jiff::ZonedDateTime::now().with_time_zone(book.config.timezone()).date())
}
