//! `report stats`: time to detect, mitigate and resolve by severity, service, year and quarter;
//! incidents per month (docs/report.md).

use super::Terminal;
use super::table::{Align, Cell, Fit, Row, Style, Table, paint};
use super::{Format, csv_row, json, line, md_table, plural};
use crate::analyze::stats::{self, GroupStats, OrderedMap, Stats};
use crate::model::Book;
use crate::text::{DurationStyle, human_duration};

/// `report stats` in `format`.
pub(crate) fn render(book: &Book, format: Format, term: Terminal) -> anyhow::Result<String> {
    let s = stats::stats(book);
    Ok(match format {
        Format::Json => json(&s)?,
        Format::Table => table(book, &s, term),
        Format::Csv => csv(&s),
        Format::Markdown => markdown(&s),
    })
}

fn span_str(s: &Stats) -> String {
    match (s.per_month.first(), s.per_month.last()) {
        (Some(f), Some(l)) if f.month == l.month => format!(", {}", f.month),
        (Some(f), Some(l)) => format!(", {} to {}", f.month, l.month),
        _ => String::new(),
    }
}

fn summary(s: &Stats) -> String {
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
    v.map_or_else(|| "—".to_string(), |s| human_duration(s, DurationStyle::Compact))
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

fn table(book: &Book, s: &Stats, term: Terminal) -> String {
    let color = term.color;
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
    t.render(&mut out, term);

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
        // A run of two or more months without incidents is one dim line, not a column of zeros.
        let mut months = s.per_month.iter().peekable();
        while let Some(m) = months.next() {
            if m.total() == 0 && months.peek().is_some_and(|n| n.total() == 0) {
                let mut last = m;
                let mut n = 1;
                while let Some(next) = months.next_if(|n| n.total() == 0) {
                    (last, n) = (next, n + 1);
                }
                t.rows.push(Row::Note(format!("{} to {}: no incidents ({n} months)", m.month, last.month)));
                continue;
            }
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
        t.render(&mut out, term);
    }
    out.push('\n');
    if let Some(m) = missing_moments(s) {
        line(&mut out, m);
    }
    line(&mut out, summary(s));
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

fn csv(s: &Stats) -> String {
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

fn markdown(s: &Stats) -> String {
    let mut out = String::new();
    line(&mut out, "## Incident statistics");
    out.push('\n');
    line(&mut out, format!("{}.", summary(s)));
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
