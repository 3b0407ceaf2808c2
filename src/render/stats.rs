//! The statistics page: incidents per month by severity, and time to detect, mitigate and resolve
//! as medians and 90th percentiles by severity, service and year — each chart with a table.

use super::svg;
use crate::analyze::stats::{self, DurationStats, GroupStats, OrderedMap};
use crate::model::Book;
use serde::Serialize;

/// A row of a duration table.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub name: String,
    pub incidents: usize,
    /// detect, mitigate, resolve: (n, median, p90) as text
    pub cells: Vec<(usize, String, String)>,
}

/// A table of duration figures with its chart.
#[derive(Debug, Clone, Serialize)]
pub struct GroupTable {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<GroupRow>,
    pub chart: String,
}

/// Everything the statistics page shows.
#[derive(Debug, Clone, Serialize)]
pub struct StatsPage {
    pub incidents: usize,
    pub per_month_svg: String,
    pub per_month: Vec<(String, Vec<usize>, usize)>,
    pub severities: Vec<String>,
    pub tables: Vec<GroupTable>,
    pub missing: Vec<(&'static str, usize)>,
    pub complete: usize,
    /// Retros with all seven elements complete, per quarter: (quarter, complete, total, percent).
    pub checklist_quarters: Vec<(String, usize, usize, usize)>,
    /// Closed actions with a closing date from git, and their median days to close.
    pub closed_actions: usize,
    pub median_days_to_close: Option<i64>,
}

fn cell(d: &DurationStats) -> (usize, String, String) {
    let f = |v: Option<i64>| v.map(svg::human_duration).unwrap_or_else(|| "—".into());
    (d.n, f(d.median), f(d.p90))
}

fn table(id: &'static str, title: &'static str, groups: &OrderedMap<GroupStats>) -> GroupTable {
    let rows: Vec<GroupRow> = groups
        .0
        .iter()
        .map(|(name, g)| GroupRow {
            name: name.clone(),
            incidents: g.incidents,
            cells: vec![cell(&g.detect), cell(&g.mitigate), cell(&g.resolve)],
        })
        .collect();
    let bars = svg::HBars {
        title: format!("Median time to resolve by {}", id),
        rows: groups
            .0
            .iter()
            .filter_map(|(name, g)| g.resolve.median.map(|m| svg::HBar { label: name.clone(), value: m as f64 }))
            .collect(),
    };
    let chart = if bars.rows.is_empty() {
        String::new()
    } else {
        svg::hbar_svg(&bars, &format!("ttr-{id}"), &svg::duration_label)
    };
    GroupTable { id, title, rows, chart }
}

/// Builds the statistics page.
pub fn stats_page(book: &Book) -> StatsPage {
    let s = stats::stats(book);
    let severities = stats::severity_keys(book);
    let bars = svg::StackedBars {
        title: "Incidents per month by severity".into(),
        y_label: "incidents".into(),
        columns: s.per_month.iter().map(|m| m.month.clone()).collect(),
        series: severities
            .iter()
            .map(|sev| svg::BarSeries {
                label: sev.clone(),
                values: s
                    .per_month
                    .iter()
                    .map(|m| m.counts.iter().find(|(k, _)| k == sev).map_or(0, |(_, n)| *n as u32))
                    .collect(),
            })
            .collect(),
    };
    let per_month = s
        .per_month
        .iter()
        .map(|m| {
            let counts =
                severities.iter().map(|sev| m.counts.iter().find(|(k, _)| k == sev).map_or(0, |(_, n)| *n)).collect();
            (m.month.clone(), counts, m.total())
        })
        .collect();
    let c = &s.completeness;
    let close = crate::analyze::time_to_close(book);
    StatsPage {
        incidents: s.incidents,
        per_month_svg: svg::stacked_bars_svg(&bars, "per-month"),
        per_month,
        severities,
        tables: vec![
            table("severity", "By severity", &s.by_severity),
            table("service", "By service", &s.by_service),
            table("year", "By year", &s.by_year),
        ],
        missing: vec![
            ("started", c.missing.started),
            ("detected", c.missing.detected),
            ("mitigated", c.missing.mitigated),
            ("resolved", c.missing.resolved),
        ],
        complete: c.complete,
        checklist_quarters: crate::analyze::completeness::per_quarter(&book.retros, &book.config)
            .into_iter()
            .map(|(q, (done, total))| (q, done, total, (done * 100).checked_div(total).unwrap_or(0)))
            .collect(),
        closed_actions: close.n,
        median_days_to_close: close.median,
    }
}
