//! Follow-up actions where the work happens: tracker links, the synced state of the linked
//! items (`.retrobook/trackers.json`), drift between a retro and its tracker, and the clients
//! that ask GitHub, GitLab and Jira (`actions sync`, `actions open`).
//!
//! Layers: link parsing and the state file are plain data in `crate::tracking` (read by load);
//! drift and the page view are in `crate::analyze::trackers` (read by check and render). The
//! clients here (`sync`, `open`, `http` and one module per tracker) are used only by the
//! `actions` command and are never reached by a build.

pub use crate::tracking::{links, store};

use crate::analyze::trackers::{agreeing_status, drift, entry_of};
use store::State;

pub mod github;
pub mod gitlab;
pub mod http;
pub mod jira;

/// What a tracker said about one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Open or closed.
    pub state: State,
    /// When it was closed; None while open.
    pub closed_at: Option<jiff::Timestamp>,
    /// Why it closed (`completed`, `not_planned`, a Jira status name), when the tracker says.
    pub reason: Option<String>,
    /// The first assignee's login or display name.
    pub assignee: Option<String>,
}

/// The value of the variable named by `token-env` (or `user-env`), when set and not empty.
fn auth_token(var: Option<&str>) -> Option<String> {
    var.and_then(|v| std::env::var(v).ok()).filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_string())
}

/// An RFC 3339 time or null.
fn timestamp(v: &serde_json::Value) -> anyhow::Result<Option<jiff::Timestamp>> {
    use anyhow::Context;
    match v.as_str() {
        Some(s) => s.parse().map(Some).with_context(|| format!("`{s}` is not an RFC 3339 time")),
        None => Ok(None),
    }
}
pub mod edit;
pub mod open;
pub mod sync;
