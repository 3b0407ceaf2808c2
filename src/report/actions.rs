//! `report actions`: follow-up actions by owner, overdue first (docs/report.md).

use super::Terminal;
use super::table::{Align, Cell, Fit, Row, Style, Table, paint};
use super::{Format, bool_str, csv_row, date_str, json, line, md_escape, md_table, plural};
use crate::analyze::{self, ActionEntry};
use crate::model::{ActionStatus, Book, Priority};
use jiff::civil::Date;
use serde::Serialize;

/// Filters of `report actions`.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only overdue actions.
    pub overdue: bool,
    /// Only this owner's actions (case-insensitive).
    pub owner: Option<String>,
}

impl ActionFilter {
    /// Whether `action` passes the filter.
    pub(crate) fn accepts(&self, action: &ActionEntry) -> bool {
        (!self.overdue || action.overdue)
            && match &self.owner {
                Some(want) => action.owner.as_deref().is_some_and(|o| o.to_lowercase() == want.to_lowercase()),
                None => true,
            }
    }
}

/// The actions of `report actions`, in action-index order (open first, overdue on top, soonest due
/// first, then the rest), filtered.
pub(crate) fn action_rows(book: &Book, today: Date, filter: &ActionFilter) -> Vec<ActionEntry> {
    analyze::action_index(book, today).into_iter().filter(|a| filter.accepts(a)).collect()
}

/// One action of `report actions --format json` (docs/report.md): the export's fields and
/// `priority`, `days_overdue`, `addresses`.
#[derive(Serialize)]
struct ActionJson<'a> {
    retro: &'a str,
    id: &'a str,
    title: &'a str,
    owner: Option<&'a str>,
    status: ActionStatus,
    priority: Option<Priority>,
    due: Option<Date>,
    overdue: bool,
    days_overdue: Option<i64>,
    addresses: &'a [String],
}

impl<'a> From<&'a ActionEntry> for ActionJson<'a> {
    fn from(a: &'a ActionEntry) -> Self {
        ActionJson {
            retro: &a.retro,
            id: &a.id,
            title: &a.title,
            owner: a.owner.as_deref(),
            status: a.status,
            priority: a.priority,
            due: a.due,
            overdue: a.overdue,
            days_overdue: a.days_overdue,
            addresses: &a.addresses,
        }
    }
}

/// Actions of one owner.
struct OwnerGroup<'a> {
    owner: Option<&'a str>,
    rows: Vec<&'a ActionEntry>,
}

impl OwnerGroup<'_> {
    fn open(&self) -> usize {
        self.rows.iter().filter(|r| r.status.is_open()).count()
    }
    fn overdue(&self) -> usize {
        self.rows.iter().filter(|r| r.overdue).count()
    }
    fn name(&self) -> &str {
        self.owner.unwrap_or("(no owner)")
    }
    fn counts(&self) -> String {
        format!("{}, {} open, {} overdue", plural(self.rows.len(), "action"), self.open(), self.overdue())
    }
}

/// Groups by owner: most overdue actions first, then the longest overdue, then most open, then by
/// name; actions without an owner last among equals. Rows keep their action-index order.
fn by_owner(rows: &[ActionEntry]) -> Vec<OwnerGroup<'_>> {
    let mut groups: Vec<OwnerGroup> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|g| g.owner == r.owner.as_deref()) {
            Some(g) => g.rows.push(r),
            None => groups.push(OwnerGroup { owner: r.owner.as_deref(), rows: vec![r] }),
        }
    }
    groups.sort_by_key(|g| {
        let oldest = g.rows.iter().filter_map(|r| r.days_overdue).max().unwrap_or(0);
        (
            std::cmp::Reverse(g.overdue()),
            std::cmp::Reverse(oldest),
            std::cmp::Reverse(g.open()),
            g.owner.is_none(),
            g.owner,
        )
    });
    groups
}

/// `report actions` in `format`.
pub(crate) fn render(
    book: &Book,
    format: Format,
    today: Date,
    filter: &ActionFilter,
    term: Terminal,
) -> anyhow::Result<String> {
    let rows = action_rows(book, today, filter);
    Ok(match format {
        Format::Json => json(&rows.iter().map(ActionJson::from).collect::<Vec<_>>())?,
        Format::Table => table(&rows, today, filter, term),
        Format::Csv => csv(&rows),
        Format::Markdown => markdown(&rows, today, filter),
    })
}

fn title(today: Date, filter: &ActionFilter) -> String {
    let mut which = Vec::new();
    if filter.overdue {
        which.push("overdue".to_string());
    }
    if let Some(o) = &filter.owner {
        which.push(format!("owner {o}"));
    }
    let which = if which.is_empty() { String::new() } else { format!(" ({})", which.join(", ")) };
    format!("Follow-up actions{which} by owner, overdue first, as of {today}")
}

fn summary(rows: &[ActionEntry]) -> String {
    let count = |s: ActionStatus| rows.iter().filter(|r| r.status == s).count();
    let open = rows.iter().filter(|r| r.status.is_open()).count();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    format!(
        "{}: {open} open ({overdue} overdue), {} done, {} won't do",
        plural(rows.len(), "action"),
        count(ActionStatus::Done),
        count(ActionStatus::WontDo)
    )
}

fn overdue_str(r: &ActionEntry) -> String {
    match r.days_overdue {
        Some(1) => "1 day".into(),
        Some(d) => format!("{d} days"),
        None => String::new(),
    }
}

fn table(rows: &[ActionEntry], today: Date, filter: &ActionFilter, term: Terminal) -> String {
    let color = term.color;
    let mut out = String::new();
    line(&mut out, paint(&title(today, filter), Style::Bold, color));
    out.push('\n');
    if rows.is_empty() {
        line(&mut out, "No actions match.");
    } else {
        let mut t = Table::new(&[
            ("ACTION", Align::Left, Fit::Fixed),
            ("STATUS", Align::Left, Fit::Fixed),
            ("DUE", Align::Left, Fit::Fixed),
            ("OVERDUE", Align::Right, Fit::Fixed),
            ("TITLE", Align::Left, Fit::Cut),
        ]);
        for (i, g) in by_owner(rows).iter().enumerate() {
            if i > 0 {
                t.rows.push(Row::Blank);
            }
            t.rows.push(Row::Heading(format!("{}: {}", g.name(), g.counts())));
            t.rows.push(Row::Header);
            for r in &g.rows {
                let style = if r.overdue {
                    Style::Red
                } else if r.status.is_open() {
                    Style::Plain
                } else {
                    Style::Dim
                };
                t.rows.push(Row::Cells(vec![
                    Cell::styled(r.key(), style),
                    Cell::styled(r.status.as_str(), style),
                    Cell::styled(date_str(r.due), style),
                    Cell::styled(overdue_str(r), style),
                    Cell::styled(&r.title, style),
                ]));
            }
        }
        t.render(&mut out, term);
    }
    out.push('\n');
    line(&mut out, summary(rows));
    out
}

fn csv(rows: &[ActionEntry]) -> String {
    let mut out = csv_row(&[
        "owner",
        "retro",
        "id",
        "title",
        "status",
        "priority",
        "due",
        "overdue",
        "days_overdue",
        "addresses",
    ]);
    for r in rows {
        out.push_str(&csv_row(&[
            r.owner.as_deref().unwrap_or(""),
            &r.retro,
            &r.id,
            &r.title,
            r.status.as_str(),
            r.priority.map_or("", Priority::as_str),
            &date_str(r.due),
            bool_str(r.overdue),
            &r.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
            &r.addresses.join(" "),
        ]));
    }
    out
}

fn markdown(rows: &[ActionEntry], today: Date, filter: &ActionFilter) -> String {
    let mut out = String::new();
    line(&mut out, format!("## {}", title(today, filter)));
    out.push('\n');
    line(&mut out, format!("{}.", summary(rows)));
    for g in by_owner(rows) {
        out.push('\n');
        line(&mut out, format!("### {} ({})", md_escape(g.name()), g.counts()));
        out.push('\n');
        md_table(
            &mut out,
            &[("Action", false), ("Title", false), ("Status", false), ("Due", false), ("Overdue", true)],
            g.rows.iter().map(|r| {
                vec![r.key(), r.title.clone(), r.status.as_str().to_string(), date_str(r.due), overdue_str(r)]
            }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing;

    #[test]
    fn each_action_keeps_its_own_priority_and_factors_when_ids_repeat() {
        // A repeated action id is a `check` error, but the report still runs on such a book: each
        // row shows its own action, not the first one with its id.
        let book = testing::book(
            "[book]\ntitle = \"t\"\n",
            &["id: r1\ntitle: One\ndate: 2025-01-01\nstatus: published\nactions:\n  \
               - {id: A1, title: First, status: open, priority: high, addresses: [alert]}\n  \
               - {id: A1, title: Second, status: open, priority: low, addresses: [drift]}"],
        );
        let today = "2025-12-01".parse().expect("a date");
        let out = render(&book, Format::Csv, today, &ActionFilter::default(), Terminal::plain()).expect("a report");
        let rows: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(rows, [",r1,A1,First,open,high,,false,,alert", ",r1,A1,Second,open,low,,false,,drift"]);
        let json: serde_json::Value = serde_json::from_str(
            &render(&book, Format::Json, today, &ActionFilter::default(), Terminal::plain()).expect("a report"),
        )
        .expect("JSON");
        assert_eq!(json[1]["priority"], "low");
        assert_eq!(json[1]["addresses"], serde_json::json!(["drift"]));
    }

    #[test]
    fn the_filter_takes_overdue_and_owner_case_insensitively() {
        let entry = |owner: Option<&str>, overdue| ActionEntry {
            retro: "r".into(),
            id: "A1".into(),
            title: "t".into(),
            owner: owner.map(String::from),
            status: ActionStatus::Open,
            priority: None,
            due: None,
            overdue,
            days_overdue: None,
            addresses: Vec::new(),
            tracker: None,
            drift: false,
        };
        let sre = ActionFilter { overdue: false, owner: Some("SRE".into()) };
        assert!(sre.accepts(&entry(Some("sre"), false)));
        assert!(!sre.accepts(&entry(Some("platform"), false)));
        assert!(!sre.accepts(&entry(None, false)));
        let overdue = ActionFilter { overdue: true, owner: None };
        assert!(overdue.accepts(&entry(None, true)));
        assert!(!overdue.accepts(&entry(Some("sre"), false)));
    }
}
