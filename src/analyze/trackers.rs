//! Follow-up actions against their trackers' last synced state: drift, the status that would
//! agree, and what the retro page and the board show beside an action (docs/actions.md).

use crate::model::{Action, ActionStatus};
use crate::tracking::links;
use crate::tracking::store::{self, Entry, State};

/// How a retro's status disagrees with its tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drift {
    /// Open or in progress here, closed there.
    ClosedThere,
    /// Done here, open there.
    OpenThere,
}

/// Whether `status` disagrees with what the tracker said (docs/actions.md): open or in progress here
/// but closed there, or done here but open there. `wont-do` agrees with either.
pub(crate) fn drift(status: ActionStatus, entry: &Entry) -> Option<Drift> {
    match (status, entry.state) {
        (ActionStatus::Open | ActionStatus::InProgress, State::Closed) => Some(Drift::ClosedThere),
        (ActionStatus::Done, State::Open) => Some(Drift::OpenThere),
        _ => None,
    }
}

/// The status a retro should have to agree with its tracker: a closed item that was not
/// planned is `wont-do`, any other closed one `done`; an open one `open`.
pub(crate) fn agreeing_status(entry: &Entry) -> ActionStatus {
    match entry.state {
        State::Open => ActionStatus::Open,
        State::Closed if entry.reason.as_deref().is_some_and(is_not_planned) => ActionStatus::WontDo,
        State::Closed => ActionStatus::Done,
    }
}

fn is_not_planned(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase().replace([' ', '-', '\''], "_");
    matches!(r.as_str(), "not_planned" | "won_t_do" | "wont_do" | "won_t_fix" | "wontfix" | "duplicate" | "declined")
}

/// The tracker entry of an action, if it has a link a sync has seen.
pub(crate) fn entry_of<'a>(a: &Action, store: &'a store::Store) -> Option<&'a Entry> {
    a.link.as_ref().and_then(|l| store.get(&l.value))
}

/// An action's tracker state as pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct TrackerView {
    /// The tracker's name in book.toml (or its kind).
    pub name: String,
    /// `open` or `closed`.
    pub state: &'static str,
    /// The day it closed (`YYYY-MM-DD`, book's time zone).
    pub closed: Option<String>,
    pub reason: Option<String>,
    pub assignee: Option<String>,
    /// The day of the sync that said so.
    pub fetched: String,
    /// `closed-there` or `open-there` when the retro disagrees.
    pub drift: Option<&'static str>,
}

/// What the last sync said about `a`, for its row on the retro page and the board.
pub(crate) fn view(a: &Action, book: &crate::model::Book) -> Option<TrackerView> {
    let e = entry_of(a, &book.trackers)?;
    let tz = book.config.timezone();
    Some(TrackerView {
        name: e.tracker.clone(),
        state: e.state.as_str(),
        closed: e.closed_at.map(|t| crate::history::day(t, &tz).to_string()),
        reason: e.reason.clone(),
        assignee: e.assignee.clone(),
        fetched: crate::history::day(e.fetched_at, &tz).to_string(),
        drift: drift(a.status, e).map(|d| match d {
            Drift::ClosedThere => "closed-there",
            Drift::OpenThere => "open-there",
        }),
    })
}

/// Where a reader goes for an action's link: the tracker's address (also for `o/r#12` and bare
/// Jira keys), or the link itself when it is an http(s) address of another kind.
pub(crate) fn href(a: &Action, config: &crate::config::Config) -> Option<String> {
    let link = a.link.as_ref()?;
    match links::parse(&link.value, config) {
        Ok(Some(l)) => Some(l.url),
        _ => None,
    }
}

/// An action's synced tracker state as `export` writes it, on the retro's actions and in the
/// book's action index (docs/export.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TrackerState {
    /// `open` or `closed`.
    pub(crate) state: &'static str,
    /// When it closed (RFC 3339); None while open.
    pub(crate) closed_at: Option<String>,
}

/// The tracker state of `a` after the last sync (None without a synced link), and whether its
/// status drifts from it.
pub(crate) fn synced(a: &Action, store: &store::Store) -> (Option<TrackerState>, bool) {
    match entry_of(a, store) {
        Some(e) => (
            Some(TrackerState { state: e.state.as_str(), closed_at: e.closed_at.map(|t| t.to_string()) }),
            drift(a.status, e).is_some(),
        ),
        None => (None, false),
    }
}
