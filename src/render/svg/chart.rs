//! The data charts of the stats and factor pages: line chart, sparkline, stacked bars, horizontal bars.

use super::*;

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Series {
    /// Legend label.
    pub label: String,
    /// Points in time order.
    pub points: Vec<(i64, f64)>,
}

/// Input of [`line_chart_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LineChart {
    /// Accessible title.
    pub title: String,
    /// Y-axis title with its unit, e.g. "p99 latency (ms)".
    pub y_label: String,
    /// Offset from UTC in seconds for the x labels.
    pub utc_offset: i32,
    /// The main series.
    pub series: Series,
    /// Optional comparison series, drawn dashed.
    pub baseline: Option<Series>,
    /// Optional incident window `(start, end)` in Unix seconds, shaded.
    pub window: Option<(i64, i64)>,
    /// Further series (a query that returned several), drawn as `rb-series rb-series-2..4`.
    pub more: Vec<Series>,
    /// The alert threshold and its label (e.g. "threshold 5 req/s"): a dashed horizontal line.
    pub threshold: Option<(f64, String)>,
    /// Spans `(from, to)` with no samples, shaded and labelled "no data".
    pub gaps: Vec<(i64, i64)>,
    /// Moments to mark: the first crossing of the threshold (a dot on the threshold line) and
    /// detection (a vertical line), each with a short label such as "crossed 14:06".
    pub marks: Vec<ChartMark>,
}

/// A moment marked on a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartMark {
    /// Unix seconds.
    pub at: i64,
    /// `crossing` (a dot where the series crosses the threshold) or `detected` (a vertical line).
    pub kind: MarkKind,
    pub label: String,
}

/// What a [`ChartMark`] marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkKind {
    Crossing,
    Detected,
}

/// One stacked series of [`StackedBars`]: one value per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BarSeries {
    /// Legend label, e.g. "SEV1".
    pub label: String,
    /// Values, one per column (missing values count as 0).
    pub values: Vec<u32>,
}

/// Input of [`stacked_bars_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StackedBars {
    /// Accessible title.
    pub title: String,
    /// Y-axis title, e.g. "incidents".
    pub y_label: String,
    /// Column labels, e.g. "2025-02".
    pub columns: Vec<String>,
    /// Series stacked bottom-up; series `i` gets class `rb-sev-<i + 1>` (`rb-sev-other` from the fifth).
    pub series: Vec<BarSeries>,
}

/// One row of [`HBars`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HBar {
    /// Row label, e.g. a service name.
    pub label: String,
    /// Value; negative values draw no bar, non-finite values print "–" and draw none.
    pub value: f64,
}

/// Input of [`hbar_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HBars {
    /// Accessible title.
    pub title: String,
    /// Rows, drawn top to bottom in this order.
    pub rows: Vec<HBar>,
}

// ---------------------------------------------------------------- 3. line chart

/// Time-series line chart with optional dashed baseline and shaded incident window.
pub(crate) fn line_chart_svg(input: &LineChart, id_prefix: &str) -> String {
    const W: f64 = 960.0;
    const H: f64 = 320.0;
    let off = input.utc_offset;
    let all = input.series.points.iter().chain(input.baseline.iter().flat_map(|b| b.points.iter()));
    let all = all.chain(input.more.iter().flat_map(|s| s.points.iter()));
    let mut finite: Vec<(i64, f64)> = all.copied().filter(|p| p.1.is_finite()).collect();
    if let (Some((v, _)), Some(first)) = (&input.threshold, finite.first().copied()) {
        finite.push((first.0, *v)); // the threshold is inside the y range
    }
    if finite.is_empty() {
        return empty_chart(id_prefix, "line", &input.title, (W, H));
    }
    let xs = finite.iter().map(|p| p.0).chain(input.window.iter().flat_map(|w| [w.0, w.1]));
    let (mut t0, mut t1) = xs.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    if t1 - t0 < 60 {
        (t0, t1) = (t0 - 1800, t1 + 1800);
    }
    let (vmin, vmax) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let lo = if vmin >= 0.0 && vmax > 0.0 { 0.0 } else { vmin };
    let ticks = nice_ticks(lo, vmax, 5);
    if ticks.len() < 2 {
        return empty_chart(id_prefix, "line", &input.title, (W, H));
    }
    let (y0, y1) = (ticks[0], ticks[ticks.len() - 1]);
    let step = if ticks.len() > 1 { ticks[1] - ticks[0] } else { 1.0 };
    let scale = ticks.iter().fold(0.0, |a: f64, t| a.max(t.abs()));
    let ticks: Vec<(f64, String)> = ticks.iter().map(|&t| (t, fmt_num(t, step, scale))).collect();
    let crosses = crosses_days(t0, t1, off);
    let ml = ticks.iter().map(|l| tw(&l.1, TICK)).fold(0.0, f64::max) + 16.0;
    let (pt, pr, pb) = (52.0, W - 24.0, H - if crosses { 38.0 } else { 26.0 });
    let x = |t: i64| ml + (t - t0) as f64 / (t1 - t0) as f64 * (pr - ml);
    let y = |v: f64| pb - (v - y0) / (y1 - y0) * (pb - pt);

    let main: Vec<f64> = input.series.points.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
    let mut desc = format!("{} ({} points", input.series.label, main.len());
    if let (Some(a), Some(b)) = (main.iter().copied().reduce(f64::min), main.iter().copied().reduce(f64::max)) {
        w!(desc, ", min {}, max {}", fmt_num(a, step / 10.0, scale), fmt_num(b, step / 10.0, scale));
    }
    let at = |t: i64| format!("{} {}", date_label(t, off), hhmm(t, off));
    w!(desc, ") from {} to {}", at(t0), at(t1));
    if let Some(b) = &input.baseline {
        w!(desc, ", compared with {}", b.label);
    }
    if let Some((a, b)) = input.window {
        w!(desc, "; incident from {} to {}", hhmm(a, off), hhmm(b, off));
    }
    if let Some((_, label)) = &input.threshold {
        w!(desc, "; {label}");
    }
    for m in &input.marks {
        w!(desc, "; {}", m.label);
    }
    for (a, b) in &input.gaps {
        w!(desc, "; no data from {} to {}", hhmm(*a, off), hhmm(*b, off));
    }
    desc.push('.');

    let mut o = String::new();
    open(&mut o, id_prefix, "line", (W, H), &input.title, &desc, "");
    if let Some((a, b)) = input.window {
        let (xa, xb) = (x(a.min(b).clamp(t0, t1)), x(a.max(b).clamp(t0, t1)));
        rect(&mut o, (xa, pt), ((xb - xa).max(1.0), pb - pt), "rb-window", "");
        for wx in [xa, xb] {
            line(&mut o, (wx, pt), (wx, pb), "rb-window-edge", r#" stroke-dasharray="2 3""#);
        }
    }
    for &(a, b) in &input.gaps {
        let (xa, xb) = (x(a.clamp(t0, t1)), x(b.clamp(t0, t1)));
        rect(&mut o, (xa, pt), ((xb - xa).max(1.0), pb - pt), "rb-nodata", "");
        if xb - xa >= tw("no data", TICK) + 4.0 {
            text(&mut o, ((xa + xb) / 2.0, pt + 14.0), TICK, "middle", "rb-tick-label rb-nodata-label", "no data");
        }
    }
    y_axis(&mut o, &ticks, (ml, pr, pt), y, &input.y_label);
    time_axis(&mut o, &time_ticks(t0, t1, off, 8), (ml, pr, pb), x);
    if let Some((v, label)) = &input.threshold {
        let ty = y(*v);
        line(&mut o, (ml, ty), (pr, ty), "rb-threshold", r#" stroke-dasharray="6 3""#);
        text(&mut o, (pr - 4.0, ty - 5.0), TICK, "end", "rb-tick-label rb-threshold-label", label);
    }
    let draw = |o: &mut String, s: &Series, class: &str, extra: &str| {
        let mut d = String::new();
        for run in runs(&s.points, &input.gaps) {
            if let [(t, v)] = run {
                w!(o, r#"<circle cx="{}" cy="{}" r="3.5" class="rb-point {class}"/>"#, f(x(*t)), f(y(*v)));
                continue;
            }
            for (i, (t, v)) in thin(run, MAX_DRAWN).iter().enumerate() {
                w!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, f(x(*t)), f(y(*v)));
            }
        }
        if !d.is_empty() {
            w!(o, r#"<path class="{class}" d="{d}" fill="none"{extra} stroke-linejoin="round"/>"#);
        }
    };
    if let Some(b) = &input.baseline {
        draw(&mut o, b, "rb-baseline", r#" stroke-width="1.5" stroke-dasharray="5 4""#);
    }
    draw(&mut o, &input.series, "rb-series", r#" stroke-width="2""#);
    let more_class = |i: usize| format!("rb-series rb-series-{}", (i + 2).min(4));
    for (i, s) in input.more.iter().enumerate() {
        draw(&mut o, s, &more_class(i), r#" stroke-width="2""#);
    }
    chart_marks(&mut o, &input.marks, input.threshold.as_ref().map(|t| t.0), (pt, pb), &x, &y);
    legend(&mut o, (pr, ml, 18.0), &line_legend(input));
    o.push_str("</svg>");
    o
}

/// The legend of a line chart: its series, baseline, threshold, window and gaps.
fn line_legend(input: &LineChart) -> Vec<(&'static str, String, &str)> {
    let mut items = vec![("line", "rb-series".to_string(), input.series.label.as_str())];
    for (i, s) in input.more.iter().enumerate() {
        items.push(("line", format!("rb-series rb-series-{}", (i + 2).min(4)), s.label.as_str()));
    }
    if let Some(b) = &input.baseline {
        items.push(("dash", "rb-baseline".to_string(), b.label.as_str()));
    }
    if input.threshold.is_some() {
        items.push(("dash", "rb-threshold".to_string(), "threshold"));
    }
    if input.window.is_some() {
        items.push(("box", "rb-window".to_string(), "incident"));
    }
    if !input.gaps.is_empty() {
        items.push(("box", "rb-nodata".to_string(), "no data"));
    }
    items
}

/// The unbroken runs of a series: split at values that are not finite and across the spans
/// with no data (a line drawn over a gap would invent samples).
fn runs<'a>(points: &'a [(i64, f64)], gaps: &[(i64, i64)]) -> Vec<&'a [(i64, f64)]> {
    let mut out = Vec::new();
    for part in points.split(|p| !p.1.is_finite()).filter(|r| !r.is_empty()) {
        let mut start = 0;
        for i in 1..part.len() {
            let (a, b) = (part[i - 1].0, part[i].0);
            if gaps.iter().any(|&(ga, gb)| a <= ga && b >= gb) {
                out.push(&part[start..i]);
                start = i;
            }
        }
        out.push(&part[start..]);
    }
    out
}

/// The crossing (a dot on the threshold line) and detection (a vertical line) of a line chart,
/// each labelled at the top of the plot.
fn chart_marks(
    o: &mut String,
    marks: &[ChartMark],
    threshold: Option<f64>,
    (pt, pb): (f64, f64),
    x: &dyn Fn(i64) -> f64,
    y: &dyn Fn(f64) -> f64,
) {
    let mut last_label_end = f64::NEG_INFINITY;
    let mut row = 0.0;
    for m in marks {
        let mx = x(m.at);
        let class = match m.kind {
            MarkKind::Crossing => "rb-crossing",
            MarkKind::Detected => "rb-moment rb-kind-detected",
        };
        match (m.kind, threshold) {
            (MarkKind::Crossing, Some(v)) => {
                line(o, (mx, pt), (mx, pb), "rb-crossing", r#" stroke-dasharray="2 2""#);
                w!(o, r#"<circle cx="{}" cy="{}" r="4.5" class="rb-crossing rb-crossing-dot"/>"#, f(mx), f(y(v)));
            }
            _ => line(o, (mx, pt), (mx, pb), class, r#" stroke-dasharray="3 3""#),
        }
        // Labels that would overlap the previous one go one row lower.
        let width = tw(&m.label, TICK);
        row = if mx - width / 2.0 < last_label_end + 6.0 { row + 13.0 } else { 0.0 };
        last_label_end = mx + width / 2.0;
        let label_class =
            format!("rb-tick-label {}-label", if m.kind == MarkKind::Crossing { "rb-crossing" } else { "rb-detected" });
        text(o, (mx, pt - 6.0 + row), TICK, "middle", &label_class, &m.label);
    }
}

/// The most points of one unbroken run of a series that a line chart draws: about two per
/// horizontal pixel. A 2-million-point CSV would otherwise make a page of tens of megabytes.
pub(super) const MAX_DRAWN: usize = 2000;

/// A run of points (in time order) thinned for drawing: with more than `max` points, the run's
/// time span is cut into `max / 2` equal buckets and each keeps its lowest and its highest point,
/// in time order, so every spike and dip is still drawn.
pub(super) fn thin(run: &[(i64, f64)], max: usize) -> std::borrow::Cow<'_, [(i64, f64)]> {
    if run.len() <= max {
        return std::borrow::Cow::Borrowed(run);
    }
    let buckets = (max / 2).max(1);
    let extremes = |out: &mut Vec<(i64, f64)>, group: &[(i64, f64)]| {
        let lo = (0..group.len()).min_by(|&a, &b| group[a].1.total_cmp(&group[b].1)).unwrap_or(0);
        let hi = (0..group.len()).max_by(|&a, &b| group[a].1.total_cmp(&group[b].1)).unwrap_or(0);
        out.push(group[lo.min(hi)]);
        if lo != hi {
            out.push(group[lo.max(hi)]);
        }
    };
    let (t0, t1) = run.iter().fold((i64::MAX, i64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let span = (i128::from(t1) - i128::from(t0)).max(1);
    let bucket = |t: i64| ((i128::from(t) - i128::from(t0)) * (buckets as i128 - 1) / span) as usize;
    let mut out = Vec::with_capacity(max);
    let mut start = 0;
    while start < run.len() {
        let b = bucket(run[start].0);
        let len = run[start..].iter().take_while(|p| bucket(p.0) == b).count();
        extremes(&mut out, &run[start..start + len]);
        start += len;
    }
    if out.len() > max {
        // Times out of order: buckets of equal point counts instead.
        out.clear();
        for group in run.chunks(run.len().div_ceil(buckets)) {
            extremes(&mut out, group);
        }
    }
    std::borrow::Cow::Owned(out)
}

// ---------------------------------------------------------------- 4. sparkline

/// Tiny bar sparkline (120×24) with a tooltip per bar, e.g. incidents per quarter.
pub(crate) fn sparkline_svg(values: &[u32], labels: &[String], id_prefix: &str, title: &str) -> String {
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    let max = values.iter().copied().max().unwrap_or(0);
    let label = |i: usize| labels.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1));
    let (n, last) = (values.len(), values.last().copied().unwrap_or(0));
    let desc = match n {
        0 => "No data.".to_string(),
        _ => format!("{n} values from {} to {}; maximum {max}, latest {last}.", label(0), label(n - 1)),
    };
    let mut o = String::new();
    open(&mut o, id_prefix, "sparkline", (W, H), title, &desc, r#" height="24" preserveAspectRatio="xMinYMid meet""#);
    let band = W / n.max(8) as f64;
    let x0 = W - band * n as f64;
    let gap = if band >= 4.0 { (band * 0.2).min(3.0) } else { 0.0 };
    for (i, &v) in values.iter().enumerate() {
        let bx = x0 + i as f64 * band + gap / 2.0;
        w!(o, "<g><title>{}</title>", escape(&format!("{}: {v}", label(i))));
        rect(&mut o, (bx - gap / 2.0, 0.0), (band, H), "rb-hit", r#" fill-opacity="0""#);
        if v == 0 {
            line(&mut o, (bx, H - 0.5), (bx + band - gap, H - 0.5), "rb-axis", "");
        } else {
            let bh = (v as f64 / max as f64 * (H - 2.0)).max(1.5);
            let class = if i + 1 == n { "rb-bar rb-spark-last" } else { "rb-bar" };
            rect(&mut o, (bx, H - bh), (band - gap, bh), class, r#" rx="0.5""#);
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------- 5. stacked bars

/// Stacked columns (e.g. incidents per month by severity) with integer y ticks and a legend.
pub(crate) fn stacked_bars_svg(input: &StackedBars, id_prefix: &str) -> String {
    const W: f64 = 960.0;
    const H: f64 = 300.0;
    let n = input.columns.len();
    if n == 0 {
        return empty_chart(id_prefix, "stacked", &input.title, (W, H));
    }
    let value = |s: &BarSeries, c: usize| s.values.get(c).copied().unwrap_or(0);
    let totals: Vec<u64> = (0..n).map(|c| input.series.iter().map(|s| u64::from(value(s, c))).sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut ticks = nice_ticks(0.0, max, 5);
    if ticks.iter().any(|t| t.fract() != 0.0) {
        ticks = (0..=max.ceil() as i64).map(|v| v as f64).collect();
    }
    let top = ticks[ticks.len() - 1];
    let step = ticks.get(1).copied().unwrap_or(1.0);
    let ticks: Vec<(f64, String)> = ticks.iter().map(|&t| (t, fmt_num(t, step, top))).collect();
    let ml = ticks.iter().map(|l| tw(&l.1, TICK)).fold(0.0, f64::max) + 16.0;
    let (pt, pr, pb) = (52.0, W - 12.0, H - 26.0);
    let y = |v: f64| pb - v / top * (pb - pt);
    let band = (pr - ml) / n as f64;
    let bar_w = (band * 0.72).clamp(1.0, 56.0).min(band);
    let label_w = input.columns.iter().map(|c| tw(c, TICK)).fold(0.0, f64::max) + 10.0;
    let every =
        [1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120].into_iter().find(|&k| k as f64 * band >= label_w).unwrap_or(n.max(1));

    let sum: u64 = totals.iter().sum();
    let mut desc = format!("{sum} in total over {n} columns from {} to {}", input.columns[0], input.columns[n - 1]);
    for s in &input.series {
        w!(desc, "; {}: {}", s.label, (0..n).map(|c| u64::from(value(s, c))).sum::<u64>());
    }
    desc.push('.');
    let mut o = String::new();
    open(&mut o, id_prefix, "stacked", (W, H), &input.title, &desc, "");
    y_axis(&mut o, &ticks, (ml, pr, pt), y, &input.y_label);
    for (c, col) in input.columns.iter().enumerate() {
        let cx = ml + (c as f64 + 0.5) * band;
        let mut acc = 0.0;
        for (si, s) in input.series.iter().enumerate() {
            let v = value(s, c);
            if v == 0 {
                continue;
            }
            let (ya, yb) = (y(acc), y(acc + v as f64));
            acc += v as f64;
            w!(o, "<g><title>{}</title>", escape(&format!("{col} · {}: {v}", s.label)));
            rect(&mut o, (cx - bar_w / 2.0, yb), (bar_w, ya - yb), &format!("rb-bar {}", sev_class(si)), "");
            o.push_str("</g>");
        }
        if c % every == 0 {
            line(&mut o, (cx, pb), (cx, pb + 4.0), "rb-axis", "");
            text(&mut o, (cx, pb + 17.0), TICK, "middle", "rb-tick-label", col);
        }
    }
    line(&mut o, (ml, pb), (pr, pb), "rb-axis", "");
    let items: Vec<(&str, String, &str)> =
        input.series.iter().enumerate().map(|(i, s)| ("box", sev_class(i), s.label.as_str())).collect();
    legend(&mut o, (pr, ml, 18.0), &items);
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------- 6. horizontal bars

/// Horizontal bars with a label and a formatted value per row (e.g. [`duration_label`] for seconds).
pub(crate) fn hbar_svg(input: &HBars, id_prefix: &str, fmt: &dyn Fn(f64) -> String) -> String {
    const W: f64 = 960.0;
    const ROW: f64 = 28.0;
    if input.rows.is_empty() {
        return empty_chart(id_prefix, "hbars", &input.title, (W, 120.0));
    }
    let h = input.rows.len() as f64 * ROW + 12.0;
    let values: Vec<String> =
        input.rows.iter().map(|r| if r.value.is_finite() { fmt(r.value) } else { "–".to_string() }).collect();
    let names: Vec<String> = input.rows.iter().map(|r| truncate(&r.label, 40)).collect();
    let label_w = names.iter().map(|l| tw(l, LABEL)).fold(0.0, f64::max).min(280.0);
    let value_w = values.iter().map(|v| tw(v, LABEL)).fold(0.0, f64::max);
    let (x0, x1) = (8.0 + label_w + 12.0, W - 8.0 - value_w - 10.0);
    let max = input.rows.iter().map(|r| r.value).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let parts: Vec<String> = input.rows.iter().zip(&values).map(|(r, v)| format!("{}: {v}", r.label.trim())).collect();
    let desc = format!("{}.", parts.join("; "));
    let mut o = String::new();
    open(&mut o, id_prefix, "hbars", (W, h), &input.title, &desc, "");
    line(&mut o, (x0, 4.0), (x0, h - 4.0), "rb-axis", "");
    for (i, (r, v)) in input.rows.iter().zip(&values).enumerate() {
        let cy = 6.0 + (i as f64 + 0.5) * ROW;
        let len = if r.value.is_finite() && max > 0.0 { r.value.max(0.0) / max * (x1 - x0) } else { 0.0 };
        w!(o, "<g><title>{}</title>", escape(&format!("{}: {v}", r.label.trim())));
        rect(&mut o, (0.0, cy - ROW / 2.0), (W, ROW), "rb-hit", r#" fill-opacity="0""#);
        if len > 0.0 {
            rect(&mut o, (x0, cy - 9.0), (len.max(2.0), 18.0), "rb-bar", r#" rx="2""#);
        }
        text(&mut o, (x0 - 10.0, cy + 4.0), LABEL, "end", "rb-label", &names[i]);
        text(&mut o, (x0 + len.max(2.0) + 8.0, cy + 4.0), LABEL, "start", "rb-label rb-value", v);
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}
