//! Rules about follow-up actions and their trackers: a link that cannot be right
//! (`action-link`), an open action nobody drives (`action-untracked`), and a status that
//! disagrees with the tracker's last synced state (`action-drift`).

use crate::analyze::trackers::{self, Drift};
use crate::diagnostic::{Diagnostic, Level, rules};
use crate::model::{Book, Retro};
use crate::tracking::{links, store::State};

/// The three rules for one retro.
pub(super) fn check(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    // In an adopted file, value problems are warnings (docs/check.md).
    let level = if r.adopted { Level::Warning } else { Level::Error };
    for a in &r.actions {
        if let Some(link) = &a.link
            && let Err(why) = links::parse(&link.value, &book.config)
        {
            out.push(Diagnostic::new(
                &r.path,
                link.pos,
                rules::ACTION_LINK,
                level,
                format!("action `{}`: {why}", a.id),
            ));
        }
        // Retrobook retros already get `action-owner` (an error) for this; adopted lists have no
        // owner field, so they get this reminder instead.
        if a.status.is_open() && a.owner.is_none() && a.link.is_none() && r.adopted {
            out.push(Diagnostic::warning(
                &r.path,
                a.pos,
                rules::ACTION_UNTRACKED,
                format!(
                    "action `{}` is {} with neither an owner nor a tracker link; nobody will see it move — give it \
                     an `owner:` or a `link:` to the issue that tracks it (`retrobook actions open` creates one)",
                    a.id,
                    a.status.as_str()
                ),
            ));
        }
        if let Some(e) = trackers::entry_of(a, &book.trackers)
            && let Some(d) = trackers::drift(a.status, e)
        {
            let tz = book.config.timezone();
            let pos = a.link.as_ref().map_or(a.pos, |l| l.pos);
            let message = match d {
                Drift::ClosedThere => format!(
                    "action `{}` is {} here, but its {} item was closed{}{}; set `status: {}` or run \
                     `retrobook actions sync --write`",
                    a.id,
                    a.status.as_str(),
                    e.tracker,
                    e.closed_at.map(|t| format!(" on {}", crate::history::day(t, &tz))).unwrap_or_default(),
                    e.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
                    trackers::agreeing_status(e).as_str()
                ),
                Drift::OpenThere => format!(
                    "action `{}` is done here, but its {} item is still {} (as of {}); close it there, or set \
                     `status: in-progress` if the work goes on",
                    a.id,
                    e.tracker,
                    State::Open.as_str(),
                    crate::history::day(e.fetched_at, &tz)
                ),
            };
            out.push(Diagnostic::note(&r.path, pos, rules::ACTION_DRIFT, message));
        }
    }
}
