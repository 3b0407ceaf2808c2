//! Cross-incident indexes: pure functions over a [`Book`].

pub(crate) mod completeness;
pub(crate) mod conversation;
pub(crate) mod monitoring;
pub(crate) mod stats;
pub(crate) mod trackers;

use crate::model::{Action, ActionStatus, Book, Priority, Retro, Section, SectionKind};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// One factor across the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FactorEntry {
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
pub(crate) fn factor_index(book: &Book) -> Vec<FactorEntry> {
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
    let done = done_dates_by_factor(book);
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
                recurred_after_remediation: recurred_after_remediation(
                    done.get(id).map_or(&[], Vec::as_slice),
                    &retros,
                ),
            }
        })
        .collect();
    out.sort_by(|a, b| b.incidents.len().cmp(&a.incidents.len()).then_with(|| a.id.cmp(&b.id)));
    out
}

/// True when a retro of `citing` is dated after one of `done`, the days on which actions
/// addressing its factor were done (see [`done_dates_by_factor`]).
fn recurred_after_remediation(done: &[Date], citing: &[&Retro]) -> bool {
    citing.iter().filter_map(|r| r.date).any(|d| done.iter().any(|done| d > *done))
}

/// For each factor id, the days on which the actions addressing it were done, from one pass
/// over the book's actions. The day an action was done is what git knows: the commit that made
/// it `done`, or, for an action already `done` in the first commit that had it, that commit (it
/// was done by then at the latest). Only without any history of the action (outside git, not
/// committed yet) does its due date stand in. Guessing from the due date in git would flag almost
/// every recurring factor of a book committed at once, since old actions' due dates lie before
/// later incidents.
fn done_dates_by_factor(book: &Book) -> std::collections::HashMap<&str, Vec<Date>> {
    let tz = book.config.timezone();
    let mut done: std::collections::HashMap<&str, Vec<Date>> = std::collections::HashMap::new();
    for r in &book.retros {
        for a in r.actions.iter().filter(|a| a.status == ActionStatus::Done) {
            let day = match book.history.action(&r.path, &a.id) {
                Some(h) => Some(crate::history::day(h.closed.unwrap_or(h.first_seen), &tz)),
                None => a.due,
            };
            let Some(day) = day else { continue };
            for factor in &a.addresses {
                done.entry(factor.value.as_str()).or_default().push(day);
            }
        }
    }
    done
}

/// One action across the book, with what the report and the site show of it, so that nothing
/// looks the action up again.
///
/// Serialises as an entry of the export's `actions` (docs/export.md); `priority`,
/// `days_overdue` and `addresses` are not part of that contract (`report actions --format json`
/// adds them, docs/report.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ActionEntry {
    pub retro: String,
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    #[serde(skip)]
    pub priority: Option<Priority>,
    pub due: Option<Date>,
    pub overdue: bool,
    /// Whole days past `due` when overdue.
    #[serde(skip)]
    pub days_overdue: Option<i64>,
    /// Factor ids (after aliases) the action is meant to prevent, as written (a repeat kept).
    #[serde(skip)]
    pub addresses: Vec<String>,
    /// What the last `actions sync` said; absent for actions without a synced link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracker: Option<trackers::TrackerState>,
    /// Present (and true) when the status disagrees with the tracker.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub drift: bool,
}

impl ActionEntry {
    /// `<retro-id>#<action-id>`, how reports name an action.
    pub(crate) fn key(&self) -> String {
        format!("{}#{}", self.retro, self.id)
    }
}

/// Whether `action` is meant to prevent `factor` (an id after aliases).
pub(crate) fn addresses(action: &Action, factor: &str) -> bool {
    action.addresses.iter().any(|x| x.value == factor)
}

/// Every action in book order: retros in book order, each retro's actions as written.
pub(crate) fn actions(book: &Book, today: Date) -> Vec<ActionEntry> {
    book.retros
        .iter()
        .flat_map(|r| {
            r.actions.iter().map(move |a| {
                let overdue = a.is_overdue(today);
                let (tracker, drift) = trackers::synced(a, &book.trackers);
                ActionEntry {
                    retro: r.id.clone(),
                    id: a.id.clone(),
                    title: a.title.clone(),
                    owner: a.owner.clone(),
                    status: a.status,
                    priority: a.priority,
                    due: a.due,
                    overdue,
                    days_overdue: a.due.filter(|_| overdue).map(|d| today.duration_since(d).as_secs() / 86_400),
                    addresses: a.addresses.iter().map(|x| x.value.clone()).collect(),
                    tracker,
                    drift,
                }
            })
        })
        .collect()
}

/// Every action: open and in-progress first (overdue on top, soonest due first), then the rest.
pub(crate) fn action_index(book: &Book, today: Date) -> Vec<ActionEntry> {
    let mut out = actions(book, today);
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

/// The open and in-progress actions addressing each factor (after aliases), in the order of
/// `actions`; a factor no open action addresses is absent. The one source of the factor index's
/// "open actions" (the site's factor pages and `report factors`).
pub(crate) fn open_actions_by_factor(actions: &[ActionEntry]) -> BTreeMap<&str, Vec<&ActionEntry>> {
    let mut out: BTreeMap<&str, Vec<&ActionEntry>> = BTreeMap::new();
    for a in actions.iter().filter(|a| a.status.is_open()) {
        for (i, f) in a.addresses.iter().enumerate() {
            // An action listing a factor twice counts once.
            if !a.addresses[..i].contains(f) {
                out.entry(f.as_str()).or_default().push(a);
            }
        }
    }
    out
}

/// Whole days from appearing (the incident's date for actions that came with their retro) to
/// being closed (`done` or `wont-do`) of every closed action whose
/// history git knows, summarised like durations (median, p90; the values are days, not seconds).
pub(crate) fn time_to_close(book: &Book) -> stats::DurationStats {
    let tz = book.config.timezone();
    let mut days: Vec<i64> = book
        .retros
        .iter()
        .flat_map(|r| r.actions.iter().map(move |a| (r, a)))
        .filter(|(_, a)| !a.status.is_open())
        .filter_map(|(r, a)| {
            let h = book.history.retro(&r.path)?;
            let since = h.action_since(&a.id, r.date, &tz)?;
            let closed = crate::history::day(h.actions.get(&a.id)?.closed?, &tz);
            Some(since.until(closed).map(|s| s.get_days() as i64).unwrap_or(0))
        })
        .collect();
    stats::percentile_summary(&mut days)
}

/// Today in the book's time zone, unless pinned with `--today`.
pub fn today(pinned: Option<Date>, book: &Book) -> Date {
    pinned.unwrap_or_else(|| jiff::ZonedDateTime::now().with_time_zone(book.config.timezone()).date())
}

/// The section published as the stakeholder message: the first one headed "Stakeholder message"
/// (never an alias of it).
pub(crate) fn stakeholder_message(r: &Retro) -> Option<&Section> {
    r.sections.iter().find(|s| {
        s.kind == Some(SectionKind::StakeholderMessage)
            && crate::load::sections::is_explicit_stakeholder_heading(&s.heading)
    })
}

/// Books in memory for unit tests of the layers above `load`.
#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::model::Book;
    use std::path::Path;

    /// A book from a book.toml and retro front matters (YAML without the `---`), sorted as the
    /// loader sorts; the retros may carry errors (a report still runs on such a book).
    pub(crate) fn book(toml: &str, front_matters: &[&str]) -> Book {
        let config = Config::parse(toml).expect("valid book.toml");
        let mut retros = Vec::new();
        for (i, fm) in front_matters.iter().enumerate() {
            let text = format!("---\n{fm}\n---\n\n## Narrative\n\nText.\n");
            let rel = format!("retros/r{i}.md");
            let (r, _) = crate::load::load_retro(text.as_bytes(), &rel, Path::new(&rel), &config);
            retros.extend(r);
        }
        retros.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        Book { root: ".".into(), config, retros, history: Default::default(), trackers: Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = "[book]\ntitle = \"t\"\n[retros]\ntimezone = \"UTC\"\n";

    fn date(s: &str) -> Date {
        s.parse().expect("a date")
    }

    /// Two retros: r1 with an overdue, a closed and a not-yet-due action; r2 with an action that
    /// lists a factor twice.
    fn book() -> Book {
        testing::book(
            TOML,
            &[
                "id: r1\ntitle: One\ndate: 2025-01-01\nstatus: published\nactions:\n  \
                 - {id: A1, title: Page, owner: sre, status: open, priority: high, due: 2025-01-15, addresses: [alert, drift]}\n  \
                 - {id: A2, title: Done, status: done, due: 2025-01-10, addresses: [alert]}\n  \
                 - {id: A3, title: Later, status: in-progress, due: 2026-01-01, addresses: [drift]}",
                "id: r2\ntitle: Two\ndate: 2025-02-01\nstatus: published\nactions:\n  \
                 - {id: A1, title: Twice, status: open, addresses: [alert, alert]}",
            ],
        )
    }

    #[test]
    fn actions_carry_what_the_printers_need() {
        let all = actions(&book(), date("2025-12-01"));
        let keys: Vec<String> = all.iter().map(ActionEntry::key).collect();
        assert_eq!(keys, ["r1#A1", "r1#A2", "r1#A3", "r2#A1"], "book order");
        let a1 = &all[0];
        assert_eq!(a1.priority, Some(Priority::High));
        assert_eq!(a1.addresses, ["alert", "drift"]);
        // 2025-01-15 to 2025-12-01: 16 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 days.
        assert_eq!((a1.overdue, a1.days_overdue), (true, Some(320)));
        // Done past its due date, and open but not due yet: neither is overdue.
        assert_eq!((all[1].overdue, all[1].days_overdue, all[1].priority), (false, None, None));
        assert_eq!((all[2].overdue, all[2].days_overdue), (false, None));
        // The index sorts the same entries: open first, overdue on top, then by due date.
        let index: Vec<String> = action_index(&book(), date("2025-12-01")).iter().map(ActionEntry::key).collect();
        assert_eq!(index, ["r1#A1", "r1#A3", "r2#A1", "r1#A2"]);
    }

    #[test]
    fn the_export_shape_of_an_action_is_unchanged() {
        let all = actions(&book(), date("2025-12-01"));
        let v = serde_json::to_value(&all[0]).expect("serialisable");
        let keys: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
        // serde_json's map sorts the keys; docs/export.md lists these seven.
        assert_eq!(keys, ["due", "id", "overdue", "owner", "retro", "status", "title"]);
    }

    #[test]
    fn open_actions_by_factor_keep_book_order_and_count_an_action_once() {
        let all = actions(&book(), date("2025-12-01"));
        let open = open_actions_by_factor(&all);
        let keys = |f: &str| open[f].iter().map(|a| a.key()).collect::<Vec<_>>();
        // r1#A2 is done; r2#A1 lists `alert` twice.
        assert_eq!(keys("alert"), ["r1#A1", "r2#A1"]);
        assert_eq!(keys("drift"), ["r1#A1", "r1#A3"]);
        assert_eq!(open.len(), 2);
    }

    /// r1 (2025-01-01) cites `drift` and has a done action addressing it, due 2025-01-10;
    /// r2 (2025-03-01) cites `drift` again.
    fn recurring() -> Book {
        testing::book(
            TOML,
            &[
                "id: r1\ntitle: One\ndate: 2025-01-01\nfactors:\n  - id: drift\nactions:\n  \
                 - {id: A1, title: Fix, status: done, due: 2025-01-10, addresses: [drift]}",
                "id: r2\ntitle: Two\ndate: 2025-03-01\nfactors:\n  - id: drift",
            ],
        )
    }

    fn recurred(book: &Book) -> bool {
        factor_index(book).iter().find(|f| f.id == "drift").expect("drift is cited").recurred_after_remediation
    }

    fn history(book: &mut Book, first_seen: &str, closed: Option<&str>) {
        use crate::history::{ActionHistory, RetroHistory};
        let ts = |s: &str| s.parse::<jiff::Timestamp>().expect("a timestamp");
        let h = ActionHistory { first_seen: ts(first_seen), closed: closed.map(ts) };
        let path = book.retros[0].path.clone();
        book.history.retros.insert(
            path,
            RetroHistory {
                created: ts(first_seen),
                updated: ts(first_seen),
                contributors: Vec::new(),
                commit: String::new(),
                short: String::new(),
                actions: [("A1".to_string(), h)].into_iter().collect(),
            },
        );
    }

    #[test]
    fn recurrence_after_remediation_needs_the_action_done_before_the_incident() {
        // Outside git the due date (2025-01-10) stands in: r2 (2025-03-01) came after it.
        assert!(recurred(&recurring()));
        // git saw A1 closed on 2025-02-01, before r2: recurred.
        let mut b = recurring();
        history(&mut b, "2025-01-02T09:00:00Z", Some("2025-02-01T09:00:00Z"));
        assert!(recurred(&b));
        // git saw A1 closed on 2025-04-01, after r2: the incident came before the fix.
        let mut b = recurring();
        history(&mut b, "2025-01-02T09:00:00Z", Some("2025-04-01T09:00:00Z"));
        assert!(!recurred(&b));
        // A1 was already done in the commit that added the book (2026-11-28): done by then at
        // the latest, so r2 is not known to have come after it, whatever the due date says.
        let mut b = recurring();
        history(&mut b, "2026-11-28T09:00:00Z", None);
        assert!(!recurred(&b));
        // The same commit before r2: done by 2025-02-15 at the latest, so r2 came after it.
        let mut b = recurring();
        history(&mut b, "2025-02-15T09:00:00Z", None);
        assert!(recurred(&b));
        // An open action is no remediation, whatever its dates.
        let mut b = recurring();
        b.retros[0].actions[0].status = ActionStatus::Open;
        assert!(!recurred(&b));
    }
}
