//! The statistics page: incidents per month by severity, time to detect, mitigate and resolve
//! as medians and 90th percentiles by severity, service and year — each chart with a table — and
//! the quarterly trend of time to resolve and detect (medians and means).

use super::svg;
use crate::analyze::stats::{self, DurationStats, GroupStats, OrderedMap};
use crate::model::Book;
use serde::Serialize;

/// A row of a duration table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupRow {
    pub name: String,
    pub incidents: usize,
    /// detect, mitigate, resolve: (n, median, p90) as text
    pub cells: Vec<(usize, String, String)>,
}

/// A table of duration figures with its chart.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GroupTable {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<GroupRow>,
    pub chart: String,
}

/// Quarters with fewer incidents than this are marked: their figures say little.
pub(crate) const FEW_INCIDENTS: usize = 5;

/// One quarter of the trend table; durations as text ("—" when no incident has both moments).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuarterRow {
    /// `2024-Q3`.
    pub quarter: String,
    pub incidents: usize,
    /// Fewer than [`FEW_INCIDENTS`] incidents.
    pub few: bool,
    pub resolve_n: usize,
    pub resolve_median: String,
    pub resolve_mean: String,
    pub detect_n: usize,
    pub detect_median: String,
    pub detect_mean: String,
}

/// Everything the statistics page shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StatsPage {
    pub incidents: usize,
    pub per_month_svg: String,
    /// (month, count per severity, incidents without a severity, total).
    pub per_month: Vec<(String, Vec<usize>, usize, usize)>,
    pub severities: Vec<String>,
    pub tables: Vec<GroupTable>,
    pub missing: Vec<(&'static str, usize)>,
    pub complete: usize,
    /// Retros with all seven elements complete, per quarter: (quarter, complete, total, percent).
    pub checklist_quarters: Vec<(String, usize, usize, usize)>,
    /// Closed actions with a closing date from git, and their median days to close.
    pub closed_actions: usize,
    pub median_days_to_close: Option<i64>,
    /// Every quarter from the first incident's to the last's.
    pub quarters: Vec<QuarterRow>,
    /// Median time to resolve per quarter (empty when no quarter has one).
    pub quarters_svg: String,
    /// The last quarter with a time to resolve against the one before it with one.
    pub trend: Option<String>,
    pub few_incidents: usize,
}

fn incidents(n: usize) -> String {
    if n == 1 { "1 incident".into() } else { format!("{n} incidents") }
}

fn duration(v: Option<i64>) -> String {
    v.map(super::format::duration).unwrap_or_else(|| "—".into())
}

fn cell(d: &DurationStats) -> (usize, String, String) {
    (d.n, duration(d.median), duration(d.p90))
}

/// The quarterly trend: rows, a chart of median time to resolve, and a sentence comparing the
/// last quarter that has one with the quarter before that has one.
fn quarters(by_quarter: &OrderedMap<GroupStats>) -> (Vec<QuarterRow>, String, Option<String>) {
    let rows = by_quarter
        .0
        .iter()
        .map(|(q, g)| QuarterRow {
            quarter: q.clone(),
            incidents: g.incidents,
            few: g.incidents < FEW_INCIDENTS,
            resolve_n: g.resolve.n,
            resolve_median: duration(g.resolve.median),
            resolve_mean: duration(g.resolve.mean),
            detect_n: g.detect.n,
            detect_median: duration(g.detect.median),
            detect_mean: duration(g.detect.mean),
        })
        .collect();
    let bars = svg::HBars {
        title: "Median time to resolve by quarter".into(),
        rows: by_quarter
            .0
            .iter()
            .filter_map(|(q, g)| {
                let label = if g.incidents < FEW_INCIDENTS {
                    format!("{q} (only {})", incidents(g.incidents))
                } else {
                    q.clone()
                };
                g.resolve.median.map(|m| svg::HBar { label, value: m as f64 })
            })
            .collect(),
    };
    let chart =
        if bars.rows.is_empty() { String::new() } else { svg::hbar_svg(&bars, "ttr-quarter", &svg::duration_label) };
    let mut with_data = by_quarter.0.iter().filter(|(_, g)| g.resolve.n > 0).rev();
    let trend = match (with_data.next(), with_data.next()) {
        (Some((q, g)), Some((p, h))) => Some(format!(
            "{q}: median time to resolve {} (mean {}, {}), against {} (mean {}, {}) in {p}.",
            duration(g.resolve.median),
            duration(g.resolve.mean),
            incidents(g.resolve.n),
            duration(h.resolve.median),
            duration(h.resolve.mean),
            incidents(h.resolve.n),
        )),
        _ => None,
    };
    (rows, chart, trend)
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
pub(crate) fn stats_page(book: &Book) -> StatsPage {
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
            // Incidents without a severity are stacked on top, when there are any.
            .chain(s.per_month.iter().any(|m| m.unstated > 0).then(|| svg::BarSeries {
                label: "severity not stated".into(),
                values: s.per_month.iter().map(|m| m.unstated as u32).collect(),
            }))
            .collect(),
    };
    let per_month = s
        .per_month
        .iter()
        .map(|m| {
            let counts =
                severities.iter().map(|sev| m.counts.iter().find(|(k, _)| k == sev).map_or(0, |(_, n)| *n)).collect();
            (m.month.clone(), counts, m.unstated, m.total())
        })
        .collect();
    let c = &s.completeness;
    let close = crate::analyze::time_to_close(book);
    let (quarters, quarters_svg, trend) = quarters(&s.by_quarter);
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
        quarters,
        quarters_svg,
        trend,
        few_incidents: FEW_INCIDENTS,
    }
}
