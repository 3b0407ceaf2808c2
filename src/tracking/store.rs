//! `.retrobook/trackers.json` (docs/actions.md): what the trackers said about each linked action, keyed
//! by the link as written. `actions sync` writes it; the build, `check` and `export` read it and
//! never ask the network.

use crate::diagnostic::{Diagnostic, Pos, rules};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file, relative to the book's root.
pub const FILE: &str = ".retrobook/trackers.json";

/// Open or closed, as the tracker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Still open (or reopened).
    Open,
    /// Closed, whatever the reason.
    Closed,
}

impl State {
    /// The state as written in trackers.json and on pages.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Closed => "closed",
        }
    }
}

/// What one tracker said about one linked item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The `[trackers.<name>]` asked (or the kind, when book.toml names none).
    pub tracker: String,
    /// Open or closed.
    pub state: State,
    /// When it was closed; None while open.
    pub closed_at: Option<Timestamp>,
    /// Why it closed: `completed`, `not_planned`, `merged`, a Jira status name…
    pub reason: Option<String>,
    /// Who it is assigned to, as the tracker names them.
    pub assignee: Option<String>,
    /// When the tracker was asked.
    pub fetched_at: Timestamp,
}

/// The whole file: link → entry, in sorted order so that a sync's diff shows only changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Store {
    /// Each synced link, as written in the retros, and its entry.
    pub entries: BTreeMap<String, Entry>,
}

impl Store {
    /// The entry for an action's link, if a sync has seen it.
    pub fn get(&self, link: &str) -> Option<&Entry> {
        self.entries.get(link.trim())
    }

    /// The file's text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// Reads the file's text; `Err` names the line and column of the problem.
    pub fn parse(text: &str) -> Result<Store, Diagnostic> {
        serde_json::from_str(text).map_err(|e| {
            Diagnostic::warning(
                FILE,
                Pos::new(e.line().max(1) as u32, e.column().max(1) as u32),
                rules::TRACKERS_FILE,
                format!(
                    "{FILE} cannot be read ({e}); tracker states are not shown until `retrobook actions sync` \
                     writes it again"
                ),
            )
        })
    }
}

/// Reads the book's file: an absent file is an empty store; a broken one is an empty store and
/// a warning.
pub fn read(root: &Path) -> (Store, Option<Diagnostic>) {
    match std::fs::read_to_string(root.join(FILE)) {
        Ok(text) => match Store::parse(&text) {
            Ok(s) => (s, None),
            Err(d) => (Store::default(), Some(d)),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Store::default(), None),
        Err(e) => (
            Store::default(),
            Some(Diagnostic::warning(FILE, Pos::START, rules::TRACKERS_FILE, format!("cannot read {FILE}: {e}"))),
        ),
    }
}

/// Writes the store into the book (creating `.retrobook/`), replacing the file atomically.
pub fn write(root: &Path, store: &Store) -> anyhow::Result<()> {
    use anyhow::Context;
    let path = root.join(FILE);
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(".trackers.json.tmp");
    std::fs::write(&tmp, store.to_json()).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_the_documented_shape() {
        let text = r#"{
  "https://github.com/acme/api/issues/12": {
    "tracker": "github",
    "state": "closed",
    "closed_at": "2026-03-02T10:00:00Z",
    "reason": "completed",
    "assignee": "mona",
    "fetched_at": "2026-03-05T08:00:00Z"
  }
}
"#;
        let s = Store::parse(text).expect("valid");
        let e = s.get("https://github.com/acme/api/issues/12").expect("entry");
        assert_eq!((e.state, e.reason.as_deref()), (State::Closed, Some("completed")));
        assert_eq!(s.to_json(), text);
    }

    #[test]
    fn a_broken_file_is_a_warning_with_its_position() {
        let d = Store::parse("{\n  \"x\": { \"state\": \"gone\" }\n}\n").unwrap_err();
        assert_eq!((d.file.as_str(), d.line, d.rule), (FILE, 2, rules::TRACKERS_FILE));
        assert!(d.message.contains("actions sync"), "{}", d.message);
    }
}
