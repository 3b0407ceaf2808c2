//! The pictures of a retro page, built from the model with the SVG module.

use super::svg;
use crate::model::{Moment, Monitoring, Retro};
use jiff::tz::TimeZone;

/// The visual timeline: the four moments on an axis, durations between them, numbered entries.
pub fn timeline(r: &Retro, tz: &TimeZone) -> Option<String> {
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
    };
    Some(svg::timeline_svg(&chart, &format!("tl-{}", r.id)))
}

/// The Ishikawa diagram: one bone per category that has factors, each factor labelled with its
/// title (book.toml's `[factors.<id>]`, else its id in words).
pub fn fishbone(
    r: &Retro,
    categories: &[String],
    factor_title: impl Fn(&str) -> Option<String>,
    factor_url: impl Fn(&str) -> String,
) -> Option<String> {
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
            .map(|f| svg::FishboneFactor {
                label: factor_title(&f.id).unwrap_or_else(|| id_in_words(&f.id)),
                href: Some(factor_url(&f.id)),
            })
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

/// A factor id as words: `ndots-amplification` → "Ndots amplification".
fn id_in_words(id: &str) -> String {
    let words = id.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One chart per monitoring series that has data, with the baseline and the incident window;
/// and a one-sentence text equivalent.
pub fn series_charts(r: &Retro, tz: &TimeZone) -> Vec<(String, String, String, String)> {
    let window = r.impact.started.as_ref().map(|s| {
        let end = r.impact.resolved.as_ref().or(r.impact.mitigated.as_ref()).map_or(s.at, |e| e.at);
        (s.at.as_second(), end.as_second())
    });
    let mut out = Vec::new();
    for (i, m) in r.monitoring.iter().enumerate() {
        let Monitoring::Series { metric, unit, points, baseline_points, .. } = m else { continue };
        let unit = unit.clone().unwrap_or_default();
        let utc_offset = points
            .first()
            .and_then(|(t, _)| jiff::Timestamp::from_second(*t).ok())
            .map_or(0, |t| tz.to_offset(t).seconds());
        let chart = svg::LineChart {
            title: if unit.is_empty() { metric.clone() } else { format!("{metric} ({unit})") },
            y_label: unit.clone(),
            utc_offset,
            series: svg::Series { label: metric.clone(), points: points.clone() },
            baseline: (!baseline_points.is_empty())
                .then(|| svg::Series { label: "baseline".into(), points: baseline_points.clone() }),
            window,
        };
        let svg = svg::line_chart_svg(&chart, &format!("m{i}-{}", r.id));
        out.push((metric.clone(), unit.clone(), svg, describe(points, &unit, tz)));
    }
    out
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
