//! `retrobook report factors|actions|stats`: the cross-incident indexes in the terminal, as an
//! aligned table, JSON, CSV or Markdown (docs/report.md documents every field).

use super::{EXIT_ERRORS, EXIT_OK, use_color};
use crate::analyze::stats::{self, DuplicatePair, GroupStats, OrderedMap, Stats};
use crate::analyze::{self, FactorEntry};
use crate::diagnostic::printable;
use crate::model::{ActionStatus, Book, Priority};
use jiff::civil::Date;
use serde::Serialize;
use std::io::Write as _;
use std::path::Path;

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// aligned columns for the terminal (colour on a terminal unless NO_COLOR)
    Table,
    /// one JSON document (shapes in docs/report.md)
    Json,
    /// one CSV table with a header row
    Csv,
    /// GitHub-flavoured Markdown tables, for pasting into a document
    Markdown,
}

/// What `report` shows.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportKind {
    /// Recurring contributing factors, the roll-up by category, and ids that may be duplicates
    Factors {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Follow-up actions by owner, overdue first (`--today` pins the clock)
    Actions {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Only actions that are open or in progress and past their due date
        #[arg(long)]
        overdue: bool,
        /// Only actions of this owner (case-insensitive)
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
    },
    /// Time to detect, mitigate, resolve by severity, service, year; incidents per month
    Stats {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

/// Filters of `report actions`.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only overdue actions.
    pub overdue: bool,
    /// Only this owner's actions (case-insensitive).
    pub owner: Option<String>,
}

/// Runs `report` and returns the exit code.
pub fn run(root: &Path, kind: &ReportKind, today: Option<Date>) -> i32 {
    let loaded = match super::load_with_history(root) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let book = &loaded.book;
    let today = analyze::today(today, book);
    let color = use_color(&std::io::stdout());
    let out = match kind {
        ReportKind::Factors { format } => factors(book, *format, today, color),
        ReportKind::Actions { format, overdue, owner } => {
            actions(book, *format, today, &ActionFilter { overdue: *overdue, owner: owner.clone() }, color)
        }
        ReportKind::Stats { format } => stats_report(book, *format, color),
    };
    let out = match out {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot serialise the report: {e}");
            return EXIT_ERRORS;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        // `retrobook report … | head` closes the pipe early; that is not a failure.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_ERRORS;
        }
    }
    let errors = super::error_count(&loaded.diagnostics);
    if errors > 0 {
        eprintln!("the book has {errors} errors, so the report may be incomplete (run `retrobook check`)");
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

// ---------------------------------------------------------------------------------------------
// Factors

/// One factor of `report factors`: the factor index entry with its title and open actions.
#[derive(Debug, Clone, Serialize)]
pub struct FactorRow {
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
pub struct FactorsReport {
    pub factors: Vec<FactorRow>,
    /// Incidents citing at least one factor of each category.
    pub categories: Vec<CategoryCount>,
    pub possible_duplicates: Vec<DuplicateRow>,
}

/// One line of the categories roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryCount {
    pub category: String,
    pub incidents: usize,
}

/// A possible duplicate pair with the book.toml line that would merge them.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateRow {
    #[serde(flatten)]
    pub pair: DuplicatePair,
    /// e.g. `[factors.deploy-freeze] aliases = ["deploy-freze"]`
    pub hint: String,
}

/// The data of `report factors`.
pub fn factors_report(book: &Book, today: Date) -> FactorsReport {
    let factors = analyze::factor_index(book)
        .into_iter()
        .map(|f: FactorEntry| {
            let mut open = Vec::new();
            let mut overdue = Vec::new();
            for r in &book.retros {
                for a in &r.actions {
                    if a.status.is_open() && a.addresses.iter().any(|x| x.value == f.id) {
                        let key = format!("{}#{}", r.id, a.id);
                        if a.is_overdue(today) {
                            overdue.push(key.clone());
                        }
                        open.push(key);
                    }
                }
            }
            FactorRow {
                title: book.config.factors.get(&f.id).and_then(|d| d.title.clone()),
                category: f.category,
                recurring: f.incidents.len() >= 2,
                first_seen: f.first_seen,
                last_seen: f.last_seen,
                recurred_after_remediation: f.recurred_after_remediation,
                open_actions: open,
                overdue_actions: overdue,
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
pub fn factors(book: &Book, format: ReportFormat, today: Date, color: bool) -> Result<String, serde_json::Error> {
    let rep = factors_report(book, today);
    Ok(match format {
        ReportFormat::Json => json(&rep)?,
        ReportFormat::Table => factors_table(book, &rep, color),
        ReportFormat::Csv => factors_csv(&rep),
        ReportFormat::Markdown => factors_markdown(book, &rep),
    })
}

fn open_cell(f: &FactorRow) -> String {
    match (f.open_actions.len(), f.overdue_actions.len()) {
        (0, _) => String::new(),
        (n, 0) => n.to_string(),
        (n, o) => format!("{n} ({o} overdue)"),
    }
}

fn factors_summary(book: &Book, rep: &FactorsReport) -> String {
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

fn factors_table(book: &Book, rep: &FactorsReport, color: bool) -> String {
    let mut out = String::new();
    line(&mut out, paint("Contributing factors, recurring first", Style::Bold, color));
    out.push('\n');
    if rep.factors.is_empty() {
        line(&mut out, "No factors cited yet: add `factors:` to the retros' front matter.");
    } else {
        let mut t = Table::new(&[
            ("FACTOR", Align::Left, Fit::Cut),
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
        t.render(&mut out, color);
    }

    out.push('\n');
    line(&mut out, paint("Categories: incidents citing at least one factor of each", Style::Bold, color));
    let mut t = Table::new(&[("CATEGORY", Align::Left, Fit::Cut), ("INCIDENTS", Align::Right, Fit::Fixed)]);
    t.rows.push(Row::Header);
    for c in &rep.categories {
        t.rows.push(Row::Cells(vec![Cell::plain(&c.category), Cell::plain(c.incidents.to_string())]));
    }
    t.render(&mut out, color);

    if !rep.possible_duplicates.is_empty() {
        out.push('\n');
        let title = "Possible duplicates: if both ids name the same factor, add the alias line to book.toml";
        line(&mut out, paint(title, Style::Bold, color));
        for d in &rep.possible_duplicates {
            let p = &d.pair;
            let pair = format!("{} ({}) ~ {} ({})", p.a, plural(p.a_incidents, "incident"), p.b, p.b_incidents);
            line(&mut out, format!("  {}", paint(&truncate(&pair, WIDTH - 2), Style::Yellow, color)));
            line(&mut out, format!("      why: {}", truncate(&printable(&p.reason), WIDTH - 11)));
            // Never cut: it is meant to be copied.
            line(&mut out, format!("      {}", printable(&d.hint)));
        }
    }
    out.push('\n');
    line(&mut out, factors_summary(book, rep));
    out
}

fn factors_csv(rep: &FactorsReport) -> String {
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

fn factors_markdown(book: &Book, rep: &FactorsReport) -> String {
    let mut out = String::new();
    line(&mut out, "## Contributing factors");
    out.push('\n');
    line(&mut out, format!("{}.", factors_summary(book, rep)));
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

// ---------------------------------------------------------------------------------------------
// Actions

/// One action of `report actions`.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow {
    pub retro: String,
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub priority: Option<Priority>,
    pub due: Option<Date>,
    pub overdue: bool,
    /// Whole days past `due` when overdue, else null.
    pub days_overdue: Option<i64>,
    /// Factor ids (after aliases) the action is meant to prevent.
    pub addresses: Vec<String>,
}

/// The actions of `report actions`, in action-index order (open first, overdue on top, soonest due
/// first, then the rest), filtered.
pub fn action_rows(book: &Book, today: Date, filter: &ActionFilter) -> Vec<ActionRow> {
    analyze::action_index(book, today)
        .into_iter()
        .filter(|e| !filter.overdue || e.overdue)
        .filter(|e| match &filter.owner {
            Some(want) => e.owner.as_deref().is_some_and(|o| o.to_lowercase() == want.to_lowercase()),
            None => true,
        })
        .map(|e| {
            let action = book.retro(&e.retro).and_then(|r| r.actions.iter().find(|a| a.id == e.id));
            ActionRow {
                priority: action.and_then(|a| a.priority),
                addresses: action.map(|a| a.addresses.iter().map(|x| x.value.clone()).collect()).unwrap_or_default(),
                days_overdue: e.due.filter(|_| e.overdue).map(|d| today.duration_since(d).as_secs() / 86_400),
                retro: e.retro,
                id: e.id,
                title: e.title,
                owner: e.owner,
                status: e.status,
                due: e.due,
                overdue: e.overdue,
            }
        })
        .collect()
}

/// Actions of one owner.
struct OwnerGroup<'a> {
    owner: Option<&'a str>,
    rows: Vec<&'a ActionRow>,
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
fn by_owner(rows: &[ActionRow]) -> Vec<OwnerGroup<'_>> {
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
pub fn actions(
    book: &Book,
    format: ReportFormat,
    today: Date,
    filter: &ActionFilter,
    color: bool,
) -> Result<String, serde_json::Error> {
    let rows = action_rows(book, today, filter);
    Ok(match format {
        ReportFormat::Json => json(&rows)?,
        ReportFormat::Table => actions_table(&rows, today, filter, color),
        ReportFormat::Csv => actions_csv(&rows),
        ReportFormat::Markdown => actions_markdown(&rows, today, filter),
    })
}

fn actions_title(today: Date, filter: &ActionFilter) -> String {
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

fn actions_summary(rows: &[ActionRow]) -> String {
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

fn overdue_str(r: &ActionRow) -> String {
    match r.days_overdue {
        Some(1) => "1 day".into(),
        Some(d) => format!("{d} days"),
        None => String::new(),
    }
}

fn actions_table(rows: &[ActionRow], today: Date, filter: &ActionFilter, color: bool) -> String {
    let mut out = String::new();
    line(&mut out, paint(&actions_title(today, filter), Style::Bold, color));
    out.push('\n');
    if rows.is_empty() {
        line(&mut out, "No actions match.");
    } else {
        let mut t = Table::new(&[
            ("ACTION", Align::Left, Fit::CutKeepTag),
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
                    Cell::styled(format!("{}#{}", r.retro, r.id), style),
                    Cell::styled(r.status.as_str(), style),
                    Cell::styled(date_str(r.due), style),
                    Cell::styled(overdue_str(r), style),
                    Cell::styled(&r.title, style),
                ]));
            }
        }
        t.render(&mut out, color);
    }
    out.push('\n');
    line(&mut out, actions_summary(rows));
    out
}

fn actions_csv(rows: &[ActionRow]) -> String {
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

fn actions_markdown(rows: &[ActionRow], today: Date, filter: &ActionFilter) -> String {
    let mut out = String::new();
    line(&mut out, format!("## {}", actions_title(today, filter)));
    out.push('\n');
    line(&mut out, format!("{}.", actions_summary(rows)));
    for g in by_owner(rows) {
        out.push('\n');
        line(&mut out, format!("### {} ({})", md_escape(g.name()), g.counts()));
        out.push('\n');
        md_table(
            &mut out,
            &[("Action", false), ("Title", false), ("Status", false), ("Due", false), ("Overdue", true)],
            g.rows.iter().map(|r| {
                vec![
                    format!("{}#{}", r.retro, r.id),
                    r.title.clone(),
                    r.status.as_str().to_string(),
                    date_str(r.due),
                    overdue_str(r),
                ]
            }),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Stats

/// `report stats` in `format`.
pub fn stats_report(book: &Book, format: ReportFormat, color: bool) -> Result<String, serde_json::Error> {
    let s = stats::stats(book);
    Ok(match format {
        ReportFormat::Json => json(&s)?,
        ReportFormat::Table => stats_table(book, &s, color),
        ReportFormat::Csv => stats_csv(&s),
        ReportFormat::Markdown => stats_markdown(&s),
    })
}

fn span_str(s: &Stats) -> String {
    match (s.per_month.first(), s.per_month.last()) {
        (Some(f), Some(l)) if f.month == l.month => format!(", {}", f.month),
        (Some(f), Some(l)) => format!(", {} to {}", f.month, l.month),
        _ => String::new(),
    }
}

fn stats_summary(s: &Stats) -> String {
    format!(
        "{} in {}; {} of {} record all four moments",
        plural(s.incidents, "incident"),
        plural(s.per_month.len(), "month"),
        s.completeness.complete,
        s.incidents,
    )
}

/// Which moments are missing, when some are: durations are only as good as the moments.
fn missing_moments(s: &Stats) -> Option<String> {
    let m = &s.completeness.missing;
    (s.completeness.complete < s.incidents).then(|| {
        format!(
            "Moments missing: started in {}, detected in {}, mitigated in {}, resolved in {}",
            plural(m.started, "retro"),
            plural(m.detected, "retro"),
            plural(m.mitigated, "retro"),
            plural(m.resolved, "retro")
        )
    })
}

fn opt_duration(v: Option<i64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| crate::text::human_duration(s, crate::text::DurationStyle::Compact))
}

fn severity_style(book: &Book, sev: &str) -> Style {
    match book.config.severity_rank(sev) {
        0 => Style::RedBold,
        1 => Style::Yellow,
        _ => Style::Plain,
    }
}

fn group_cells(name: Cell, g: &GroupStats) -> Vec<Cell> {
    let mut cells = vec![name, Cell::plain(g.incidents.to_string())];
    for d in [g.detect, g.mitigate, g.resolve] {
        cells.push(Cell::plain(d.n.to_string()));
        cells.push(Cell::plain(opt_duration(d.median)));
        cells.push(Cell::plain(opt_duration(d.p90)));
    }
    cells
}

fn stats_table(book: &Book, s: &Stats, color: bool) -> String {
    let mut out = String::new();
    line(
        &mut out,
        paint(&format!("Incident statistics: {}{}", plural(s.incidents, "incident"), span_str(s)), Style::Bold, color),
    );
    out.push('\n');
    let mut t = Table::new(&[
        ("", Align::Left, Fit::Cut),
        ("INCIDENTS", Align::Right, Fit::Fixed),
        ("n", Align::Right, Fit::Fixed),
        ("median", Align::Right, Fit::Fixed),
        ("p90", Align::Right, Fit::Fixed),
        ("n", Align::Right, Fit::Fixed),
        ("median", Align::Right, Fit::Fixed),
        ("p90", Align::Right, Fit::Fixed),
        ("n", Align::Right, Fit::Fixed),
        ("median", Align::Right, Fit::Fixed),
        ("p90", Align::Right, Fit::Fixed),
    ]);
    t.super_headers =
        vec![(2, 3, "time to detect".into()), (5, 3, "time to mitigate".into()), (8, 3, "time to resolve".into())];
    t.rows.push(Row::Header);
    let sections: [(&str, &OrderedMap<GroupStats>, bool); 4] = [
        ("By severity", &s.by_severity, true),
        ("By service", &s.by_service, false),
        ("By year", &s.by_year, false),
        ("By quarter", &s.by_quarter, false),
    ];
    for (title, groups, severity) in sections {
        t.rows.push(Row::Heading(title.into()));
        if groups.0.is_empty() {
            t.rows.push(Row::Cells(vec![Cell::styled("none", Style::Dim)]));
        }
        for (name, g) in &groups.0 {
            let style = if severity { severity_style(book, name) } else { Style::Plain };
            t.rows.push(Row::Cells(group_cells(Cell::styled(name, style), g)));
        }
    }
    t.render(&mut out, color);

    if !s.per_month.is_empty() {
        out.push('\n');
        line(&mut out, paint("Incidents per month", Style::Bold, color));
        let sevs: Vec<&str> = s.by_severity.keys().collect();
        let mut cols: Vec<(&str, Align, Fit)> = vec![("MONTH", Align::Left, Fit::Fixed)];
        cols.extend(sevs.iter().map(|k| (*k, Align::Right, Fit::Fixed)));
        cols.push(("UNSTATED", Align::Right, Fit::Fixed));
        cols.push(("TOTAL", Align::Right, Fit::Fixed));
        let mut t = Table::new(&cols);
        t.rows.push(Row::Header);
        for m in &s.per_month {
            let mut cells = vec![Cell::plain(&m.month)];
            for (k, n) in &m.counts {
                let style = if *n > 0 { severity_style(book, k) } else { Style::Dim };
                cells.push(Cell::styled(n.to_string(), style));
            }
            let style = if m.unstated > 0 { Style::Plain } else { Style::Dim };
            cells.push(Cell::styled(m.unstated.to_string(), style));
            cells.push(Cell::plain(m.total().to_string()));
            t.rows.push(Row::Cells(cells));
        }
        t.render(&mut out, color);
    }
    out.push('\n');
    if let Some(m) = missing_moments(s) {
        line(&mut out, m);
    }
    line(&mut out, stats_summary(s));
    out
}

/// The means come last so that the columns before them keep their places.
const STATS_COLUMNS: [&str; 16] = [
    "group",
    "name",
    "incidents",
    "detect_n",
    "detect_median",
    "detect_p90",
    "mitigate_n",
    "mitigate_median",
    "mitigate_p90",
    "resolve_n",
    "resolve_median",
    "resolve_p90",
    "detect_mean",
    "mitigate_mean",
    "resolve_mean",
    "unstated",
];

fn stats_csv(s: &Stats) -> String {
    let mut out = csv_row(&STATS_COLUMNS);
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let groups =
        [("severity", &s.by_severity), ("service", &s.by_service), ("year", &s.by_year), ("quarter", &s.by_quarter)];
    for (group, groups) in groups {
        for (name, g) in &groups.0 {
            let mut fields = vec![group.to_string(), name.clone(), g.incidents.to_string()];
            for d in [g.detect, g.mitigate, g.resolve] {
                fields.extend([d.n.to_string(), opt(d.median), opt(d.p90)]);
            }
            fields.extend([g.detect, g.mitigate, g.resolve].map(|d| opt(d.mean)));
            fields.push(String::new());
            out.push_str(&csv_row(&fields));
        }
    }
    for m in &s.per_month {
        let mut fields = vec!["month".to_string(), m.month.clone(), m.total().to_string()];
        fields.resize(STATS_COLUMNS.len() - 1, String::new());
        fields.push(m.unstated.to_string());
        out.push_str(&csv_row(&fields));
    }
    out
}

fn stats_markdown(s: &Stats) -> String {
    let mut out = String::new();
    line(&mut out, "## Incident statistics");
    out.push('\n');
    line(&mut out, format!("{}.", stats_summary(s)));
    if let Some(m) = missing_moments(s) {
        out.push('\n');
        line(&mut out, format!("{m}."));
    }
    let sections: [(&str, &str, &OrderedMap<GroupStats>); 4] = [
        ("By severity", "Severity", &s.by_severity),
        ("By service", "Service", &s.by_service),
        ("By year", "Year", &s.by_year),
        ("By quarter", "Quarter", &s.by_quarter),
    ];
    for (title, first, groups) in sections {
        out.push('\n');
        line(&mut out, format!("### Time to detect, mitigate and resolve: {}", title.to_lowercase()));
        out.push('\n');
        md_table(
            &mut out,
            &[
                (first, false),
                ("Incidents", true),
                ("Detect n", true),
                ("Detect median", true),
                ("Detect p90", true),
                ("Mitigate n", true),
                ("Mitigate median", true),
                ("Mitigate p90", true),
                ("Resolve n", true),
                ("Resolve median", true),
                ("Resolve p90", true),
            ],
            groups.0.iter().map(|(name, g)| group_cells(Cell::plain(name), g).into_iter().map(|c| c.text).collect()),
        );
    }
    if !s.per_month.is_empty() {
        out.push('\n');
        line(&mut out, "### Incidents per month");
        out.push('\n');
        let mut cols: Vec<(&str, bool)> = vec![("Month", false)];
        cols.extend(s.by_severity.keys().map(|k| (k, true)));
        cols.push(("Unstated", true));
        cols.push(("Total", true));
        md_table(
            &mut out,
            &cols,
            s.per_month.iter().map(|m| {
                let mut cells = vec![m.month.clone()];
                cells.extend(m.counts.iter().map(|(_, n)| n.to_string()));
                cells.push(m.unstated.to_string());
                cells.push(m.total().to_string());
                cells
            }),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers

/// Terminal width the tables fit in.
const WIDTH: usize = 100;
/// Space between table columns.
const GAP: usize = 2;
/// Indent of table rows under a heading.
const INDENT: usize = 2;

fn json<T: Serialize>(v: &T) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(v)? + "\n")
}

fn line(out: &mut String, s: impl AsRef<str>) {
    out.push_str(s.as_ref());
    out.push('\n');
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn date_str(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Cuts `s` to `width` characters, ending with `…` when cut.
fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Cuts `retro-id#A1` to `width` characters before the `#`, so that the action id stays.
fn truncate_keep_tag(s: &str, width: usize) -> String {
    match s.rfind('#') {
        Some(at) if s.chars().count() > width && s[at..].chars().count() + 2 <= width => {
            let tag = &s[at..];
            let mut t = truncate(&s[..at], width - tag.chars().count());
            t.push_str(tag);
            t
        }
        _ => truncate(s, width),
    }
}

/// One CSV record (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled.
/// A field that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return, and not a plain number) gets a leading `'`, so it stays text.
fn csv_row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        let f = f.as_ref();
        if i > 0 {
            out.push(',');
        }
        let guarded;
        let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<f64>().is_err() {
            guarded = format!("'{f}");
            guarded.as_str()
        } else {
            f
        };
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
    out
}

/// Text safe inside a GitHub table cell: pipes escaped, line breaks as spaces, other control
/// characters shown escaped.
fn md_escape(s: &str) -> String {
    printable(&s.replace('|', "\\|").replace(['\r', '\n'], " ")).into_owned()
}

/// A GitHub Markdown table; `true` in a column spec right-aligns it.
fn md_table(out: &mut String, cols: &[(&str, bool)], rows: impl Iterator<Item = Vec<String>>) {
    let cell_line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
    line(out, cell_line(cols.iter().map(|(h, _)| md_escape(h)).collect()));
    line(out, format!("|{}|", cols.iter().map(|(_, r)| if *r { "--:" } else { "---" }).collect::<Vec<_>>().join("|")));
    for r in rows {
        line(out, cell_line(r.iter().map(|c| md_escape(c)).collect()));
    }
}

/// Terminal colours used by the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Style {
    #[default]
    Plain,
    Bold,
    Dim,
    Red,
    RedBold,
    Yellow,
}

/// `s` in `style`; control characters in `s` are shown escaped (they come from retros).
fn paint(s: &str, style: Style, color: bool) -> String {
    let s = &*printable(s);
    let code = match style {
        Style::Plain => return s.to_string(),
        Style::Bold => "1",
        Style::Dim => "2",
        Style::Red => "31",
        Style::RedBold => "1;31",
        Style::Yellow => "33",
    };
    if color && !s.is_empty() { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// Never shrinks.
    Fixed,
    /// Shrinks; long text is cut at the end with `…`.
    Cut,
    /// Shrinks; long `retro#A1` keys are cut before the `#A1`, which stays readable.
    CutKeepTag,
}

struct Cell {
    text: String,
    style: Style,
}

impl Cell {
    fn plain(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), style: Style::Plain }
    }
    fn styled(s: impl Into<String>, style: Style) -> Cell {
        Cell { text: s.into(), style }
    }
}

enum Row {
    /// The column headers.
    Header,
    /// A line of text at the left margin (an owner, a section).
    Heading(String),
    Cells(Vec<Cell>),
    Blank,
}

/// Aligned columns that fit in [`WIDTH`]: flexible columns shrink (their text cut with `…`)
/// when the natural widths do not fit.
struct Table {
    /// Header, alignment, how it fits.
    columns: Vec<(String, Align, Fit)>,
    /// (first column, number of columns, label) drawn centred above the header.
    super_headers: Vec<(usize, usize, String)>,
    rows: Vec<Row>,
}

impl Table {
    fn new(columns: &[(&str, Align, Fit)]) -> Table {
        Table {
            columns: columns.iter().map(|(h, a, f)| (h.to_string(), *a, *f)).collect(),
            super_headers: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.columns.iter().map(|(h, _, _)| h.chars().count()).collect();
        for r in &self.rows {
            if let Row::Cells(cells) = r {
                for (i, c) in cells.iter().enumerate().take(w.len()) {
                    w[i] = w[i].max(printable(&c.text).chars().count());
                }
            }
        }
        for (first, span, label) in &self.super_headers {
            let have: usize = w[*first..first + span].iter().sum::<usize>() + GAP * (span - 1);
            let need = label.chars().count();
            if need > have {
                w[first + span - 1] += need - have;
            }
        }
        let total = |w: &[usize]| INDENT + w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
        while total(&w) > WIDTH {
            // Shrink the widest flexible column that can still give (down to 10 characters).
            let pick =
                (0..w.len()).filter(|&i| self.columns[i].2 != Fit::Fixed && w[i] > 10).max_by_key(|&i| (w[i], i));
            match pick {
                Some(i) => w[i] -= 1,
                None => break,
            }
        }
        w
    }

    fn render(&self, out: &mut String, color: bool) {
        let w = self.widths();
        let fmt_row = |cells: Vec<(&str, Style)>| {
            let mut s = " ".repeat(INDENT);
            for (i, (text, style)) in cells.into_iter().enumerate() {
                if i > 0 {
                    s.push_str(&" ".repeat(GAP));
                }
                let text = printable(text);
                let text = match self.columns[i].2 {
                    Fit::CutKeepTag => truncate_keep_tag(&text, w[i]),
                    _ => truncate(&text, w[i]),
                };
                let pad = " ".repeat(w[i] - text.chars().count());
                let painted = paint(&text, style, color);
                match self.columns[i].1 {
                    Align::Left => {
                        s.push_str(&painted);
                        s.push_str(&pad);
                    }
                    Align::Right => {
                        s.push_str(&pad);
                        s.push_str(&painted);
                    }
                }
            }
            s.trim_end().to_string()
        };
        for r in &self.rows {
            match r {
                Row::Header => {
                    if !self.super_headers.is_empty() {
                        let mut s = " ".repeat(INDENT);
                        // Visible columns written so far (escape codes take none).
                        let mut cur = 0;
                        let start = |i: usize| w[..i].iter().sum::<usize>() + GAP * i;
                        for (first, span, label) in &self.super_headers {
                            let from = start(*first);
                            let width = start(first + span) - GAP - from;
                            let len = label.chars().count();
                            let at = from + (width - len.min(width)) / 2;
                            s.push_str(&" ".repeat(at.saturating_sub(cur)));
                            s.push_str(&paint(label, Style::Dim, color));
                            cur = cur.max(at) + len;
                        }
                        line(out, s.trim_end());
                    }
                    line(out, fmt_row(self.columns.iter().map(|(h, _, _)| (h.as_str(), Style::Bold)).collect()));
                }
                Row::Heading(text) => line(out, paint(text, Style::Bold, color)),
                Row::Cells(cells) => line(out, fmt_row(cells.iter().map(|c| (c.text.as_str(), c.style)).collect())),
                Row::Blank => out.push('\n'),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_row(&["a", "b, c", "say \"hi\"", "x\ny", ""]), "a,\"b, c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
    }

    #[test]
    fn tables_fit_and_cut_with_an_ellipsis() {
        let mut t = Table::new(&[
            ("ID", Align::Left, Fit::Fixed),
            ("TITLE", Align::Left, Fit::Cut),
            ("N", Align::Right, Fit::Fixed),
        ]);
        t.rows.push(Row::Header);
        t.rows.push(Row::Cells(vec![Cell::plain("a"), Cell::plain("x".repeat(150)), Cell::plain("12")]));
        let mut out = String::new();
        t.render(&mut out, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("  ID  TITLE{}   N", " ".repeat(85)));
        assert_eq!(lines[1].chars().count(), WIDTH);
        assert!(lines[1].ends_with("x…  12"));
    }

    #[test]
    fn colour_does_not_move_columns() {
        let mut t = Table::new(&[("A", Align::Left, Fit::Fixed), ("B", Align::Right, Fit::Fixed)]);
        t.super_headers = vec![(0, 1, "first".into()), (1, 1, "second".into())];
        t.rows.push(Row::Header);
        t.rows.push(Row::Cells(vec![Cell::styled("x", Style::Red), Cell::plain("1")]));
        let (mut plain, mut coloured) = (String::new(), String::new());
        t.render(&mut plain, false);
        t.render(&mut coloured, true);
        let strip = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
        assert!(coloured.contains('\x1b'));
        assert_eq!(strip.replace_all(&coloured, ""), plain);
        assert_eq!(plain, "  first  second\n  A           B\n  x           1\n");
    }

    #[test]
    fn action_keys_keep_their_tag() {
        assert_eq!(truncate_keep_tag("2025-05-20-orders-database-failover#A2", 20), "2025-05-20-order…#A2");
        assert_eq!(truncate_keep_tag("short#A1", 20), "short#A1");
        assert_eq!(truncate_keep_tag("no-tag-but-long-text", 10), "no-tag-bu…");
    }

    #[test]
    fn csv_cells_are_never_formulas() {
        let row = csv_row(&[
            "=HYPERLINK(\"https://evil.example\",\"x\")",
            "+1+cmd",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "-3",
            "+4.5",
            "ok",
        ]);
        assert_eq!(
            row,
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",'+1+cmd,'-2+3,'@SUM(A1),'\tx,-3,+4.5,ok\n"
        );
    }

    #[test]
    fn table_cells_show_control_characters_escaped() {
        let mut t = Table::new(&[("A", Align::Left, Fit::Cut), ("B", Align::Right, Fit::Fixed)]);
        t.rows.push(Row::Header);
        t.rows.push(Row::Heading("owner \u{1b}]0;pwned\u{7}".into()));
        t.rows.push(Row::Cells(vec![Cell::plain("x\u{1b}[2Jy"), Cell::styled("1", Style::Red)]));
        for color in [false, true] {
            let mut out = String::new();
            t.render(&mut out, color);
            assert!(!out.contains("\u{1b}]") && !out.contains("\u{1b}[2J") && !out.contains('\u{7}'), "{out:?}");
            assert!(out.contains("x\\u{1b}[2Jy"), "{out:?}");
        }
        assert_eq!(md_escape("a|b\u{1b}[31m"), "a\\|b\\u{1b}[31m");
    }
}
