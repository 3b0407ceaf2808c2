//! History of the book's retros, as plain data. Gathered once from git by [`crate::git`] and
//! handed to `analyze` and `render` inside the [`crate::model::Book`]; nothing here reads git.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What git knows about the book. Empty outside git.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The book's folder relative to the repository root (`""` when they coincide, else ending
    /// in `/`); `None` when the book is not in a git repository.
    pub prefix: Option<String>,
    /// Retro path (relative to the book, as in [`crate::model::Retro::path`]) → its history.
    pub retros: HashMap<String, RetroHistory>,
    /// One line per thing the user should know (not in git, shallow clone, uncommitted retros).
    pub notes: Vec<String>,
}

/// The history of one retro file, following renames.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetroHistory {
    /// Author date of the commit that added the file (under any earlier name).
    pub created: Timestamp,
    /// Author date of the last commit that changed it.
    pub updated: Timestamp,
    /// Authors of the commits that changed it, mailmap applied, sorted, without duplicates.
    pub contributors: Vec<String>,
    /// Full sha of the last commit that changed it.
    pub commit: String,
    /// Abbreviated sha of that commit.
    pub short: String,
    /// Action id → when it appeared and when it was closed.
    pub actions: BTreeMap<String, ActionHistory>,
}

/// When an action first appeared in its retro and when it was first marked `done` or `wont-do`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionHistory {
    /// When the commit that first had the action was made.
    pub first_seen: Timestamp,
    /// `None` while the action is open, when it was reopened after being closed, and when it was
    /// already closed in the first commit that had it (closed at an unknown earlier time).
    pub closed: Option<Timestamp>,
}

impl ActionHistory {
    /// Whole days from appearing to `today` (for open actions).
    pub fn age_days(&self, today: Date, tz: &TimeZone) -> i64 {
        days_between(day(self.first_seen, tz), today)
    }
    /// Whole days from appearing to being closed.
    pub fn days_to_close(&self, tz: &TimeZone) -> Option<i64> {
        self.closed.map(|c| days_between(day(self.first_seen, tz), day(c, tz)))
    }
}

/// How old an action is, and how long it took to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionAge {
    /// The day its age counts from.
    pub since: Date,
    /// Whole days from `since` to `today`, never fewer than the days it is overdue.
    pub age_days: i64,
    /// Whole days from `since` to being closed, from git.
    pub days_to_close: Option<i64>,
}

impl RetroHistory {
    /// The day action `id`'s age and time to close count from (see [`Self::action_age`]).
    pub fn action_since(&self, id: &str, retro_date: Option<Date>, tz: &TimeZone) -> Option<Date> {
        let a = self.actions.get(id)?;
        let seen = day(a.first_seen, tz);
        Some(match retro_date {
            Some(d) if a.first_seen == self.created && d < seen => d,
            _ => seen,
        })
    }

    /// The age of action `id`. An action that came with the commit that added its retro was
    /// decided in the incident's review, not on the day the file was committed: it counts from
    /// the retro's `date`. One added later counts from its own commit. Either way an open action
    /// is never younger than the days it is overdue (`due` is a day it already existed on).
    pub fn action_age(
        &self,
        id: &str,
        retro_date: Option<Date>,
        due: Option<Date>,
        today: Date,
        tz: &TimeZone,
    ) -> Option<ActionAge> {
        let a = self.actions.get(id)?;
        let since = self.action_since(id, retro_date, tz)?;
        let overdue = due.map_or(0, |d| days_between(d, today));
        Some(ActionAge {
            since,
            age_days: days_between(since, today).max(overdue),
            days_to_close: a.closed.map(|c| days_between(since, day(c, tz))),
        })
    }
}

/// The calendar day of a timestamp in the book's time zone.
pub(crate) fn day(t: Timestamp, tz: &TimeZone) -> Date {
    t.to_zoned_datetime(tz.clone()).date()
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map(|s| s.get_days() as i64).unwrap_or(0)
}

impl History {
    /// The history of the retro at `path` (relative to the book).
    pub fn retro(&self, path: &str) -> Option<&RetroHistory> {
        self.retros.get(path)
    }
    /// The history of action `id` of the retro at `path`.
    pub fn action(&self, path: &str, id: &str) -> Option<&ActionHistory> {
        self.retros.get(path)?.actions.get(id)
    }
    /// `path` (relative to the book) made relative to the repository root, for edit and history
    /// links; outside git the book's folder is taken as the root.
    pub fn repo_path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix.as_deref().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_calendar_days_in_the_book_zone() {
        let tz = TimeZone::UTC;
        let a = ActionHistory {
            first_seen: "2024-03-01T23:30:00Z".parse().unwrap(),
            closed: Some("2024-03-11T00:10:00Z".parse().unwrap()),
        };
        assert_eq!(a.days_to_close(&tz), Some(10));
        assert_eq!(a.age_days(jiff::civil::date(2024, 4, 1), &tz), 31);
    }
}
