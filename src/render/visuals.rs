//! The pictures of a retro page, built from the model with the SVG module.

use super::svg;
use crate::model::{Moment, Monitoring, Retro};
use crate::text::{DurationStyle, human_duration};
use jiff::tz::TimeZone;

/// The visual timeline: the four moments on an axis, durations between them, numbered entries.
pub(crate) fn timeline(r: &Retro, tz: &TimeZone, update_gaps: Vec<(i64, i64)>) -> Option<String> {
    let moment = |m: Moment| r.impact.moment(m).map(|v| v.at.as_second());
    if r.timeline.is_empty() && moment(Moment::Started).is_none() {
        return None;
    }
    let anchor = r.timeline.first().map(|e| e.at).or_else(|| r.impact.started.as_ref().map(|v| v.at));
    let utc_offset = anchor.map_or(0, |t| tz.to_offset(t).seconds());
    let chart = svg::TimelineChart {
        title: format!("Timeline of {}", r.title),
        utc_offset,
        started: moment(Moment::Started),
        detected: moment(Moment::Detected),
        mitigated: moment(Moment::Mitigated),
        resolved: moment(Moment::Resolved),
        entries: r
            .timeline
            .iter()
            .map(|e| svg::TimelineItem {
                at: e.at.as_second(),
                kind: e.kind.map(|k| k.as_str().to_string()),
                label: crate::text::plain_text(&e.text).trim().to_string(),
            })
            .collect(),
        update_gaps,
    };
    Some(svg::timeline_svg(&chart, &format!("tl-{}", r.id)))
}

/// The Ishikawa diagram: one bone per category that has factors.
pub(crate) fn fishbone(r: &Retro, categories: &[String], factor_url: impl Fn(&str) -> String) -> Option<String> {
    if r.factors.is_empty() {
        return None;
    }
    let mut cats: Vec<svg::FishboneCategory> = Vec::new();
    let order = |c: &str| categories.iter().position(|x| x == c).unwrap_or(usize::MAX);
    let mut names: Vec<String> =
        r.factors.iter().map(|f| f.category.clone().unwrap_or_else(|| "uncategorised".into())).collect();
    names.sort_by_key(|c| (order(c), c.clone()));
    names.dedup();
    for name in names {
        let factors = r
            .factors
            .iter()
            .filter(|f| f.category.as_deref().unwrap_or("uncategorised") == name)
            .map(|f| svg::FishboneFactor { label: f.id.clone(), href: Some(factor_url(&f.id)) })
            .collect();
        cats.push(svg::FishboneCategory { name, factors });
    }
    let input = svg::Fishbone {
        title: format!("Contributing factors of {}", r.title),
        effect: r.title.clone(),
        categories: cats,
    };
    Some(svg::fishbone_svg(&input, &format!("fb-{}", r.id)))
}

/// A monitoring series as its page shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeriesChart {
    pub(crate) metric: String,
    pub(crate) unit: String,
    pub(crate) svg: String,
    /// A compact text equivalent: points, min, max, peak time.
    pub(crate) text: String,
    /// With a `threshold`: when the series first crossed it during the incident, and how long
    /// before (or after) detection that was; or that it never did.
    pub(crate) delay: Option<String>,
    /// Spans without samples, in words, for the page's list of monitoring gaps.
    pub(crate) gaps: Vec<String>,
}

/// One chart per monitoring series that has data: the incident window shaded, the baseline, the
/// other series a query returned, spans with no data, the threshold with its first crossing and
/// the detection moment; and the text that says the same.
pub(crate) fn series_charts(r: &Retro, tz: &TimeZone) -> Vec<SeriesChart> {
    use crate::analyze::monitoring::{first_crossing, no_data_spans, sample_times};
    let window = r.impact.started.as_ref().map(|s| {
        let end = r.impact.resolved.as_ref().or(r.impact.mitigated.as_ref()).map_or(s.at, |e| e.at);
        (s.at.as_second(), end.as_second())
    });
    let detected = r.impact.detected.as_ref().map(|d| d.at.as_second());
    let mut out = Vec::new();
    for (i, m) in r.monitoring.iter().enumerate() {
        let Monitoring::Series { metric, unit, points, more, label, baseline_points, threshold, .. } = m else {
            continue;
        };
        let unit = unit.clone().unwrap_or_default();
        let u = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        let utc_offset = points
            .first()
            .and_then(|(t, _)| jiff::Timestamp::from_second(*t).ok())
            .map_or(0, |t| tz.to_offset(t).seconds());
        let columns = || std::iter::once(points.as_slice()).chain(more.iter().map(|c| c.1.as_slice()));
        let spans = no_data_spans(&sample_times(columns()));
        let crossing = threshold.zip(window).and_then(|(v, w)| first_crossing(columns(), v, w));
        let mut marks = Vec::new();
        if let Some(c) = crossing {
            marks.push(svg::ChartMark {
                at: c,
                kind: svg::MarkKind::Crossing,
                label: format!("crossed {}", clock(c, tz)),
            });
        }
        if let Some(d) = detected.filter(|_| threshold.is_some()) {
            marks.push(svg::ChartMark {
                at: d,
                kind: svg::MarkKind::Detected,
                label: format!("detected {}", clock(d, tz)),
            });
        }
        marks.sort_by_key(|m| m.at);
        let series_label = |l: &str| if more.is_empty() || l.is_empty() { metric.clone() } else { l.to_string() };
        let chart = svg::LineChart {
            title: if unit.is_empty() { metric.clone() } else { format!("{metric} ({unit})") },
            y_label: unit.clone(),
            utc_offset,
            series: svg::Series { label: series_label(label), points: points.clone() },
            baseline: (!baseline_points.is_empty())
                .then(|| svg::Series { label: "baseline".into(), points: baseline_points.clone() }),
            window,
            more: more.iter().map(|(l, p)| svg::Series { label: series_label(l), points: p.clone() }).collect(),
            threshold: threshold.map(|v| (v, format!("threshold {}{u}", num(v)))),
            gaps: spans.clone(),
            marks,
        };
        let svg = svg::line_chart_svg(&chart, &format!("m{i}-{}", r.id));
        let delay = threshold.map(|v| detection_delay(metric, &format!("{}{u}", num(v)), crossing, detected, tz));
        let gaps = spans
            .iter()
            .map(|(a, b)| {
                format!(
                    "No data for {metric} from {} to {} ({}): no samples for that stretch.",
                    clock(*a, tz),
                    clock(*b, tz),
                    human_duration(b - a, DurationStyle::Prose)
                )
            })
            .collect();
        out.push(SeriesChart {
            metric: metric.clone(),
            unit: unit.clone(),
            svg,
            text: describe(points, &unit, tz),
            delay,
            gaps,
        });
    }
    out
}

/// "basket 5xx rate crossed its threshold (5 req/s) at 14:06, 13 minutes before the incident
/// was detected at 14:19."
fn detection_delay(
    metric: &str,
    threshold: &str,
    crossing: Option<i64>,
    detected: Option<i64>,
    tz: &TimeZone,
) -> String {
    match (crossing, detected) {
        (None, _) => format!("{metric} did not cross its threshold ({threshold}) during the incident."),
        (Some(c), None) => format!("{metric} crossed its threshold ({threshold}) at {}.", clock(c, tz)),
        (Some(c), Some(d)) if c <= d => format!(
            "{metric} crossed its threshold ({threshold}) at {}, {} before the incident was detected at {}.",
            clock(c, tz),
            human_duration(d - c, DurationStyle::Prose),
            clock(d, tz)
        ),
        (Some(c), Some(d)) => format!(
            "{metric} crossed its threshold ({threshold}) at {}, {} after the incident was detected at {}.",
            clock(c, tz),
            human_duration(c - d, DurationStyle::Prose),
            clock(d, tz)
        ),
    }
}

/// `14:06` in the book's zone.
fn clock(t: i64, tz: &TimeZone) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.to_zoned_datetime(tz.clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

/// "42 points from 09:00 to 12:30; lowest 3.1 ms, highest 912 ms at 10:14."
fn describe(points: &[(i64, f64)], unit: &str, tz: &TimeZone) -> String {
    let finite: Vec<&(i64, f64)> = points.iter().filter(|(_, v)| v.is_finite()).collect();
    let (Some(first), Some(last)) = (finite.first(), finite.last()) else { return "No data points.".into() };
    let time = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.to_zoned_datetime(tz.clone()).strftime("%H:%M").to_string())
            .unwrap_or_default()
    };
    let min = finite.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let (peak_t, max) =
        finite.iter().map(|p| (p.0, p.1)).fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
    let u = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    format!(
        "{} points from {} to {}; lowest {}{u}, highest {}{u} at {}",
        finite.len(),
        time(first.0),
        time(last.0),
        num(min),
        num(max),
        time(peak_t)
    )
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 { format!("{v:.0}") } else { format!("{v:.2}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_delay_in_words_and_in_the_books_zone() {
        // 2026-11-17 14:06 and 14:19 UTC are 15:06 and 15:19 in Amsterdam (CET).
        let (c, d) = (1_794_924_360, 1_794_925_140);
        let ams = TimeZone::get("Europe/Amsterdam").unwrap();
        assert_eq!(
            detection_delay("5xx rate", "5 req/s", Some(c), Some(d), &ams),
            "5xx rate crossed its threshold (5 req/s) at 15:06, 13 min before the incident was detected at 15:19."
        );
        assert_eq!(
            detection_delay("5xx rate", "5 req/s", Some(d), Some(c), &TimeZone::UTC),
            "5xx rate crossed its threshold (5 req/s) at 14:19, 13 min after the incident was detected at 14:06."
        );
        assert_eq!(
            detection_delay("5xx rate", "5 req/s", None, Some(d), &ams),
            "5xx rate did not cross its threshold (5 req/s) during the incident."
        );
        assert_eq!(detection_delay("m", "1", Some(c), None, &ams), "m crossed its threshold (1) at 15:06.");
    }
}
