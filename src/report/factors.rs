//! `report factors`: recurring contributing factors, the categories roll-up and possible
//! duplicate ids (docs/report.md).

use super::Terminal;
use super::table::{Align, Cell, Fit, Row, Style, Table, paint, truncate};
use super::{Format, bool_str, csv_row, date_str, json, line, md_table, plural};
use crate::analyze::stats::{self, DuplicatePair};
use crate::analyze::{self, FactorEntry};
use crate::diagnostic::printable;
use crate::model::Book;
use jiff::civil::Date;
use serde::Serialize;

/// One factor of `report factors`: the factor index entry with its title and open actions.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorRow {
    /// After aliases.
    pub id: String,
    /// From `[factors.<id>] title` in book.toml.
    pub title: Option<String>,
    pub category: Option<String>,
    /// Retro ids citing it, oldest first.
    pub incidents: Vec<String>,
    pub first_seen: Option<Date>,
    pub last_seen: Option<Date>,
    /// Cited by two incidents or more.
    pub recurring: bool,
    pub recurred_after_remediation: bool,
    /// Open or in-progress actions addressing it, as `<retro-id>#<action-id>`, in book order.
    pub open_actions: Vec<String>,
    /// Those of `open_actions` that are overdue.
    pub overdue_actions: Vec<String>,
}

/// The `report factors --format json` document.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorsReport {
    pub factors: Vec<FactorRow>,
    /// Incidents citing at least one factor of each category.
    pub categories: Vec<CategoryCount>,
    pub possible_duplicates: Vec<DuplicateRow>,
}

/// One line of the categories roll-up.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategoryCount {
    pub category: String,
    pub incidents: usize,
}

/// A possible duplicate pair with the book.toml line that would merge them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DuplicateRow {
    #[serde(flatten)]
    pub pair: DuplicatePair,
    /// e.g. `[factors.deploy-freeze] aliases = ["deploy-freze"]`
    pub hint: String,
}

/// The data of `report factors`, with overdue actions judged against `today`.
pub(crate) fn factors_report(book: &Book, today: Date) -> FactorsReport {
    let actions = analyze::actions(book, today);
    let open = analyze::open_actions_by_factor(&actions);
    let factors = analyze::factor_index(book)
        .into_iter()
        .map(|f: FactorEntry| {
            let open = open.get(f.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            FactorRow {
                title: book.config.factors.get(&f.id).and_then(|d| d.title.clone()),
                category: f.category,
                recurring: f.incidents.len() >= 2,
                first_seen: f.first_seen,
                last_seen: f.last_seen,
                recurred_after_remediation: f.recurred_after_remediation,
                open_actions: open.iter().map(|a| a.key()).collect(),
                overdue_actions: open.iter().filter(|a| a.overdue).map(|a| a.key()).collect(),
                incidents: f.incidents,
                id: f.id,
            }
        })
        .collect();
    FactorsReport {
        factors,
        categories: stats::category_rollup(book)
            .into_iter()
            .map(|(category, incidents)| CategoryCount { category, incidents })
            .collect(),
        possible_duplicates: stats::possible_duplicates(book)
            .into_iter()
            .map(|pair| DuplicateRow { hint: pair.alias_hint(book), pair })
            .collect(),
    }
}

/// `report factors` in `format`.
pub(crate) fn render(book: &Book, format: Format, today: Date, term: Terminal) -> anyhow::Result<String> {
    let rep = factors_report(book, today);
    Ok(match format {
        Format::Json => json(&rep)?,
        Format::Table => table(book, &rep, term),
        Format::Csv => csv(&rep),
        Format::Markdown => markdown(book, &rep),
    })
}

fn open_cell(f: &FactorRow) -> String {
    match (f.open_actions.len(), f.overdue_actions.len()) {
        (0, _) => String::new(),
        (n, 0) => n.to_string(),
        (n, o) => format!("{n} ({o} overdue)"),
    }
}

fn summary(book: &Book, rep: &FactorsReport) -> String {
    let recurring = rep.factors.iter().filter(|f| f.recurring).count();
    let recurred = rep.factors.iter().filter(|f| f.recurred_after_remediation).count();
    let citing = book.retros.iter().filter(|r| !r.factors.is_empty()).count();
    format!(
        "{} in {}; {recurring} recurring, {recurred} recurred after remediation, {}",
        plural(rep.factors.len(), "factor"),
        plural(citing, "incident"),
        plural(rep.possible_duplicates.len(), "possible duplicate"),
    )
}

fn table(book: &Book, rep: &FactorsReport, term: Terminal) -> String {
    let color = term.color;
    let mut out = String::new();
    line(&mut out, paint("Contributing factors, recurring first", Style::Bold, color));
    out.push('\n');
    if rep.factors.is_empty() {
        line(&mut out, "No factors cited yet: add `factors:` to the retros' front matter.");
    } else {
        let mut t = Table::new(&[
            ("FACTOR", Align::Left, Fit::Fixed),
            ("CATEGORY", Align::Left, Fit::Fixed),
            ("INCIDENTS", Align::Right, Fit::Fixed),
            ("FIRST SEEN", Align::Left, Fit::Fixed),
            ("LAST SEEN", Align::Left, Fit::Fixed),
            ("RECURRED", Align::Left, Fit::Fixed),
            ("OPEN ACTIONS", Align::Left, Fit::Fixed),
        ]);
        let mut last_recurring = None;
        for f in &rep.factors {
            if last_recurring != Some(f.recurring) {
                if last_recurring.is_some() {
                    t.rows.push(Row::Blank);
                }
                let heading = if f.recurring { "Recurring (cited by 2 incidents or more)" } else { "Cited once" };
                t.rows.push(Row::Heading(heading.into()));
                t.rows.push(Row::Header);
                last_recurring = Some(f.recurring);
            }
            t.rows.push(Row::Cells(vec![
                Cell::plain(&f.id),
                Cell::plain(f.category.as_deref().unwrap_or("")),
                Cell::plain(f.incidents.len().to_string()),
                Cell::plain(date_str(f.first_seen)),
                Cell::plain(date_str(f.last_seen)),
                if f.recurred_after_remediation { Cell::styled("yes", Style::Yellow) } else { Cell::plain("") },
                Cell::styled(open_cell(f), if f.overdue_actions.is_empty() { Style::Plain } else { Style::Red }),
            ]));
        }
        t.render(&mut out, term);
    }

    out.push('\n');
    line(&mut out, paint("Categories: incidents citing at least one factor of each", Style::Bold, color));
    let mut t = Table::new(&[("CATEGORY", Align::Left, Fit::Cut), ("INCIDENTS", Align::Right, Fit::Fixed)]);
    t.rows.push(Row::Header);
    for c in &rep.categories {
        t.rows.push(Row::Cells(vec![Cell::plain(&c.category), Cell::plain(c.incidents.to_string())]));
    }
    t.render(&mut out, term);

    if !rep.possible_duplicates.is_empty() {
        out.push('\n');
        let title = "Possible duplicates: if both ids name the same factor, add the alias line to book.toml";
        line(&mut out, paint(title, Style::Bold, color));
        for d in &rep.possible_duplicates {
            let p = &d.pair;
            let pair = format!("{} ({}) ~ {} ({})", p.a, plural(p.a_incidents, "incident"), p.b, p.b_incidents);
            line(&mut out, format!("  {}", paint(&truncate(&pair, term.width - 2), Style::Yellow, color)));
            line(&mut out, format!("      why: {}", truncate(&printable(&p.reason), term.width - 11)));
            // Never cut: it is meant to be copied.
            line(&mut out, format!("      {}", printable(&d.hint)));
        }
    }
    out.push('\n');
    line(&mut out, summary(book, rep));
    out
}

fn csv(rep: &FactorsReport) -> String {
    let mut out = csv_row(&[
        "id",
        "title",
        "category",
        "incidents",
        "first_seen",
        "last_seen",
        "recurring",
        "recurred_after_remediation",
        "open_actions",
        "overdue_actions",
        "retros",
    ]);
    for f in &rep.factors {
        out.push_str(&csv_row(&[
            f.id.as_str(),
            f.title.as_deref().unwrap_or(""),
            f.category.as_deref().unwrap_or(""),
            &f.incidents.len().to_string(),
            &date_str(f.first_seen),
            &date_str(f.last_seen),
            bool_str(f.recurring),
            bool_str(f.recurred_after_remediation),
            &f.open_actions.join(" "),
            &f.overdue_actions.join(" "),
            &f.incidents.join(" "),
        ]));
    }
    out
}

fn markdown(book: &Book, rep: &FactorsReport) -> String {
    let mut out = String::new();
    line(&mut out, "## Contributing factors");
    out.push('\n');
    line(&mut out, format!("{}.", summary(book, rep)));
    if !rep.factors.is_empty() {
        out.push('\n');
        md_table(
            &mut out,
            &[
                ("Factor", false),
                ("Title", false),
                ("Category", false),
                ("Incidents", true),
                ("First seen", false),
                ("Last seen", false),
                ("Recurred after remediation", false),
                ("Open actions", false),
            ],
            rep.factors.iter().map(|f| {
                let open: Vec<String> = f
                    .open_actions
                    .iter()
                    .map(|a| if f.overdue_actions.contains(a) { format!("{a} (overdue)") } else { a.clone() })
                    .collect();
                vec![
                    format!("`{}`", f.id),
                    f.title.clone().unwrap_or_default(),
                    f.category.clone().unwrap_or_default(),
                    f.incidents.len().to_string(),
                    date_str(f.first_seen),
                    date_str(f.last_seen),
                    if f.recurred_after_remediation { "yes".into() } else { String::new() },
                    open.join(", "),
                ]
            }),
        );
    }
    out.push('\n');
    line(&mut out, "### Categories");
    out.push('\n');
    md_table(
        &mut out,
        &[("Category", false), ("Incidents", true)],
        rep.categories.iter().map(|c| vec![c.category.clone(), c.incidents.to_string()]),
    );
    if !rep.possible_duplicates.is_empty() {
        out.push('\n');
        line(&mut out, "### Possible duplicates");
        out.push('\n');
        for d in &rep.possible_duplicates {
            let p = &d.pair;
            line(
                &mut out,
                format!(
                    "- `{}` ({}) ~ `{}` ({}): {}. If they are the same factor, add to book.toml: `{}`",
                    p.a, p.a_incidents, p.b, p.b_incidents, p.reason, d.hint
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing;

    #[test]
    fn factor_rows_list_open_and_overdue_actions_in_book_order() {
        let book = testing::book(
            "[book]\ntitle = \"t\"\n",
            &[
                "id: r1\ntitle: One\ndate: 2025-01-01\nstatus: published\nfactors: [{id: drift}]\nactions:\n  \
                 - {id: A1, title: Late, status: open, due: 2025-02-01, addresses: [drift, drift]}\n  \
                 - {id: A2, title: Closed, status: done, addresses: [drift]}",
                "id: r2\ntitle: Two\ndate: 2025-03-01\nstatus: published\nfactors: [{id: drift}]\nactions:\n  \
                 - {id: A1, title: Soon, status: in-progress, due: 2026-01-01, addresses: [drift]}",
            ],
        );
        let rep = factors_report(&book, "2025-12-01".parse().expect("a date"));
        let f = &rep.factors[0];
        assert_eq!((f.id.as_str(), f.recurring), ("drift", true));
        assert_eq!(f.open_actions, ["r1#A1", "r2#A1"]);
        assert_eq!(f.overdue_actions, ["r1#A1"]);
        assert_eq!(open_cell(f), "2 (1 overdue)");
    }
}
