//! `actions sync`: asks each tracker about every linked action, a few requests at a time, and
//! turns the answers into `.retrobook/trackers.json` and the status changes `--write` makes.

use super::http::{Client, Settings};
use super::links::{self, Target, TrackerLink};
use super::store::{Entry, Store};
use super::{Fetched, agreeing_status, drift, github, gitlab, jira};
use crate::config::Config;
use crate::model::{ActionStatus, Book};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How a sync runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Timeout and retry limits of each request.
    pub http: Settings,
    /// Requests in flight at once.
    pub jobs: usize,
    /// Recorded as `fetched_at`.
    pub now: Timestamp,
}

/// One link that could not be synced; the others go on.
#[derive(Debug)]
pub struct LinkError {
    /// The link as written in the retros.
    pub link: String,
    /// `retros/x.md:15` of each action with this link.
    pub places: Vec<String>,
    /// What went wrong (status, the tracker's message).
    pub error: anyhow::Error,
}

/// A status `--write` sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The retro's path, relative to the book.
    pub path: String,
    /// The action's id.
    pub action: String,
    /// The status written in the retro.
    pub from: ActionStatus,
    /// The status that agrees with the tracker.
    pub to: ActionStatus,
}

/// What a sync learned.
#[derive(Debug)]
pub struct Report {
    /// The new contents of the file: fresh answers, the previous entry of a link that failed,
    /// nothing for links no longer in the book.
    pub store: Store,
    /// Links answered.
    pub fetched: usize,
    /// Links that could not be synced, one error each.
    pub errors: Vec<LinkError>,
    /// Actions whose status disagrees with their tracker after the sync.
    pub changes: Vec<Change>,
}

/// Every tracker link of the book (as written, trimmed), with where it is used.
pub fn book_links(book: &Book) -> BTreeMap<String, (TrackerLink, Vec<String>)> {
    let mut out: BTreeMap<String, (TrackerLink, Vec<String>)> = BTreeMap::new();
    for r in &book.retros {
        for a in &r.actions {
            let Some(link) = &a.link else { continue };
            let Ok(Some(parsed)) = links::parse(&link.value, &book.config) else { continue };
            let place = format!("{}:{}", r.path, link.pos.line);
            out.entry(link.value.trim().to_string()).or_insert_with(|| (parsed, Vec::new())).1.push(place);
        }
    }
    out
}

/// Asks one tracker about one item.
pub fn fetch(client: &Client, config: &Config, link: &TrackerLink) -> anyhow::Result<Fetched> {
    let api = link.api_base(config);
    let t = link.config(config);
    match &link.target {
        Target::Github { owner, repo, number, .. } => github::fetch(client, &api, t, owner, repo, *number),
        Target::Gitlab { project, iid, merge_request } => gitlab::fetch(client, &api, t, project, *iid, *merge_request),
        Target::Jira { key } => jira::fetch(client, &api, t, key),
    }
}

/// Syncs every link of the book. Never fails as a whole: each link's problem is in `errors`.
pub fn sync(book: &Book, opts: &Options) -> Report {
    let links: Vec<(String, (TrackerLink, Vec<String>))> = book_links(book).into_iter().collect();
    let client = Client::new(opts.http.clone());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<Fetched>>>> = Mutex::new((0..links.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.clamp(1, 16).min(links.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, (link, _))) = links.get(i) else { break };
                    let r = fetch(&client, &book.config, link);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(r);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut store = Store::default();
    let mut errors = Vec::new();
    let mut fetched = 0;
    for ((written, (link, places)), result) in links.into_iter().zip(results) {
        match result {
            Some(Ok(f)) => {
                fetched += 1;
                let entry = Entry {
                    tracker: link.tracker_name().to_string(),
                    state: f.state,
                    closed_at: f.closed_at,
                    reason: f.reason,
                    assignee: f.assignee,
                    fetched_at: opts.now,
                };
                store.entries.insert(written, entry);
            }
            other => {
                let error = match other {
                    Some(Err(e)) => e,
                    _ => anyhow::anyhow!("no answer (a worker stopped)"),
                };
                if let Some(old) = book.trackers.get(&written) {
                    store.entries.insert(written.clone(), old.clone());
                }
                errors.push(LinkError { link: written, places, error });
            }
        }
    }
    let changes = changes(book, &store);
    Report { store, fetched, errors, changes }
}

/// The status each drifted action should have to agree with `store`.
pub fn changes(book: &Book, store: &Store) -> Vec<Change> {
    let mut out = Vec::new();
    for r in &book.retros {
        for a in &r.actions {
            let Some(e) = super::entry_of(a, store) else { continue };
            if drift(a.status, e).is_some() {
                out.push(Change { path: r.path.clone(), action: a.id.clone(), from: a.status, to: agreeing_status(e) });
            }
        }
    }
    out
}

/// Applies `changes` to the retro files (the status scalar only). Returns the files written;
/// a retro that cannot be edited safely is an error naming it, and the others are still written.
pub fn write_changes(book: &Book, changes: &[Change]) -> (Vec<String>, Vec<String>) {
    let mut by_file: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        by_file.entry(c.path.as_str()).or_default().push(c);
    }
    let (mut written, mut problems) = (Vec::new(), Vec::new());
    for (path, list) in by_file {
        let result = (|| -> Result<(), String> {
            let file = book.root.join(path);
            let mut text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read it: {e}"))?;
            for c in list {
                text = super::edit::set_action_value(&text, &c.action, "status", c.to.as_str())?;
            }
            std::fs::write(&file, text).map_err(|e| format!("cannot write it: {e}"))
        })();
        match result {
            Ok(()) => written.push(path.to_string()),
            Err(why) => problems.push(format!("{path}: {why}")),
        }
    }
    (written, problems)
}
