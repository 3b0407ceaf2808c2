//! Inline SVG charts for retrobook pages: pure functions from plain data to SVG strings.
//!
//! Every chart is a root `<svg class="rb-svg rb-svg-<chart>">` with a `viewBox`, `width="100%"`, `role="img"` (`group`
//! for the fishbone, whose factors are links) and
//! `aria-labelledby` pointing at its own `<title>` and `<desc>` (ids `<id_prefix>-title` / `<id_prefix>-desc`).
//! Output is deterministic (fixed float precision) and holds no script, no external reference and no colour: the
//! page stylesheet (`theme/css/retrobook.css`) paints everything through the classes below, in light and dark mode.
//! Font sizes are set in viewBox units by attribute and match the stylesheet's sizes, so layout holds either way.
//!
//! Roots: `rb-svg` (its `text` gets `fill: currentColor`) plus `rb-svg-timeline`, `rb-svg-fishbone`,
//! `rb-svg-line`, `rb-svg-sparkline`, `rb-svg-stacked` or `rb-svg-hbars`. Sparklines also carry `height="24"`.
//!
//! Text: `rb-tick-label` (axis ticks, y-axis title; also a `<tspan>` for the time in moment labels), `rb-label`
//! (legend entries, bar labels, "no data"), `rb-value` (with `rb-label`: the value printed after a bar).
//!
//! Axes and series: `rb-axis` (axis lines, tick marks, the y = 0 line), `rb-grid` (grid lines), `rb-series`
//! (the main line, and its legend sample), `rb-point` (a lone point of the series), `rb-baseline` (dashed
//! comparison line and legend sample), `rb-window` (shaded incident window and legend swatch), `rb-window-edge`
//! (dashed lines at its two ends), `rb-bar` (stacked, horizontal and sparkline bars), `rb-sev-1` … `rb-sev-4`,
//! `rb-sev-other` (stacked series 1–4, then the rest, on bars and legend swatches), `rb-spark-last` (newest
//! sparkline bar), `rb-hit` (invisible hover target for tooltips, `fill-opacity="0"`), `rb-chart-legend` (group).
//!
//! Timeline: `rb-kind-<kind>` (kind colour, via `--k`, on marks, stems, moment lines, markers and labels; kinds
//! `started detected escalated mitigated resolved comms breakthrough miscommunication handoff`, other kinds
//! lower-cased and sanitised, `rb-kind-none` without a kind), `rb-mark` (numbered entry dot, a `<circle>`; a
//! `<rect>` pill from 100 on), `rb-mark-label` (the number in it), `rb-stem` (line from mark to axis),
//! `rb-moment` (dashed vertical line at a moment, and the moment's `<text>`), `rb-moment-mark` (diamond on the
//! axis), `rb-duration` (started→moment bar, and its `<text>`).
//!
//! Fishbone: `rb-spine`, `rb-bone`, `rb-head` (effect box `<rect>` and its `<text>`), `rb-category` (category name
//! `<text>` at a bone's end), `rb-factor` (factor `<text>` and the `<circle>` where it joins its bone); a linked
//! factor's text sits in an `<a href>`.

use std::fmt::Write as _;

/// Font sizes (viewBox units) of `rb-label` and of `rb-tick-label`, as in the stylesheet.
const LABEL: f64 = 12.0;
const TICK: f64 = 11.0;

macro_rules! w {
    ($($t:tt)*) => {{
        let _ = write!($($t)*);
    }};
}

/// One moment-in-time entry on an incident timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineItem {
    /// Unix seconds.
    pub at: i64,
    /// Entry kind (`detected`, `comms`, …); becomes the class `rb-kind-<kind>`.
    pub kind: Option<String>,
    /// Entry text, shown as the tooltip of its numbered mark.
    pub label: String,
}

/// Input of [`timeline_svg`]: the four moments and the timeline entries of one incident.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineChart {
    /// Accessible title.
    pub title: String,
    /// Offset from UTC in seconds, used for every printed time.
    pub utc_offset: i32,
    /// Unix seconds when impact started.
    pub started: Option<i64>,
    /// Unix seconds when the incident was detected.
    pub detected: Option<i64>,
    /// Unix seconds when impact was mitigated.
    pub mitigated: Option<i64>,
    /// Unix seconds when the incident was resolved.
    pub resolved: Option<i64>,
    /// Entries in page order; mark `n` is `entries[n - 1]`.
    pub entries: Vec<TimelineItem>,
}

/// One contributing factor of a fishbone category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FishboneFactor {
    /// Short label (factor id or summary); truncated to 40 characters and wrapped on two lines.
    pub label: String,
    /// Optional link target for the label.
    pub href: Option<String>,
}

/// One bone of a fishbone diagram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FishboneCategory {
    /// Category name, e.g. "Process".
    pub name: String,
    /// Factors; categories without factors are not drawn.
    pub factors: Vec<FishboneFactor>,
}

/// Input of [`fishbone_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fishbone {
    /// Accessible title.
    pub title: String,
    /// The effect shown in the head box (usually the incident title).
    pub effect: String,
    /// Categories, drawn left to right alternating above and below the spine.
    pub categories: Vec<FishboneCategory>,
}

/// A labelled time series: `(unix seconds, value)` points; non-finite values leave a gap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points in time order.
    pub points: Vec<(i64, f64)>,
}

/// Input of [`line_chart_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChart {
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
pub struct ChartMark {
    /// Unix seconds.
    pub at: i64,
    /// `crossing` (a dot where the series crosses the threshold) or `detected` (a vertical line).
    pub kind: MarkKind,
    pub label: String,
}

/// What a [`ChartMark`] marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Crossing,
    Detected,
}

/// One stacked series of [`StackedBars`]: one value per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarSeries {
    /// Legend label, e.g. "SEV1".
    pub label: String,
    /// Values, one per column (missing values count as 0).
    pub values: Vec<u32>,
}

/// Input of [`stacked_bars_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackedBars {
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
pub struct HBar {
    /// Row label, e.g. a service name.
    pub label: String,
    /// Value; negative values draw no bar, non-finite values print "–" and draw none.
    pub value: f64,
}

/// Input of [`hbar_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HBars {
    /// Accessible title.
    pub title: String,
    /// Rows, drawn top to bottom in this order.
    pub rows: Vec<HBar>,
}

/// Escapes `& < > " '` for XML text and attributes and drops characters XML forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// Formats seconds as a short human duration: "45 s", "12 min", "1 h 40 min", "2 d 3 h" (negative: "−12 min").
pub fn human_duration(seconds: i64) -> String {
    if seconds < 0 {
        return format!("−{}", human_duration(seconds.saturating_neg()));
    }
    let (d, h, m) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    match (d, h, m) {
        _ if seconds < 60 => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// [`human_duration`] for a value in seconds given as a float (rounded); handy as an [`hbar_svg`] formatter.
pub fn duration_label(seconds: f64) -> String {
    if seconds.is_finite() { human_duration(seconds.round() as i64) } else { "–".into() }
}

/// Nice axis ticks (steps of 1, 2 or 5 × 10ⁿ) covering `min..=max`, about `target` of them.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() {
        return Vec::new();
    }
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo, hi) = (lo - pad, hi + pad);
    }
    let target = target.max(2);
    if !(hi - lo).is_finite() {
        return Vec::new();
    }
    let e0 = ((hi - lo) / (target - 1) as f64).log10().floor() as i32;
    let mut best: Option<(f64, i32, i64, i64, i64)> = None; // (score, exp, mult, k0, k1)
    for e in e0 - 1..=e0 + 1 {
        for m in [1i64, 2, 5] {
            let step = m as f64 * 10f64.powi(e);
            let (k0, k1) = ((lo / step + 1e-9).floor() as i64, (hi / step - 1e-9).ceil() as i64);
            // Closeness to the wanted tick count, then how much of the axis the data fills.
            let fill = (hi - lo) / ((k1 - k0) as f64 * step);
            let score = ((k1 - k0 + 1) as usize).abs_diff(target) as f64 + 2.0 * (1.0 - fill);
            if best.is_none_or(|b| score <= b.0) {
                best = Some((score, e, m, k0, k1));
            }
        }
    }
    let Some((_, e, m, k0, k1)) = best else { return Vec::new() };
    let value = |k: i64| {
        if e < 0 { (k * m) as f64 / 10f64.powi(-e) } else { (k * m) as f64 * 10f64.powi(e) }
    };
    (k0..=k1.min(k0 + 1000)).map(value).collect()
}

// ---------------------------------------------------------------- shared helpers

/// Fixed-precision number for coordinates: one decimal, no trailing ".0", never "-0".
fn f(v: f64) -> String {
    // Integer arithmetic instead of `{:.1}`: float formatting dominated chart rendering.
    if !v.is_finite() {
        return "0".into();
    }
    let tenths = (v * 10.0).round() as i64;
    let (whole, frac) = (tenths.abs() / 10, tenths.abs() % 10);
    let sign = if tenths < 0 { "-" } else { "" };
    if frac == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") }
}

/// Makes an id prefix safe for XML ids.
fn sanitize_id(p: &str) -> String {
    let s: String =
        p.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) { s } else { format!("rb-{s}") }
}

/// Makes a kind usable as a class suffix.
fn class_suffix(kind: &str) -> String {
    let s: String =
        kind.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if s.is_empty() { "none".into() } else { s }
}

/// Rough rendered width of `s` in a sans-serif font of `size` user units.
fn tw(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 't' | 'f' | 'r' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'm' | 'w' | 'M' | 'W' | '…' => 0.85,
            c if c.is_ascii_uppercase() => 0.66,
            c if c.is_ascii() => 0.56,
            _ => 1.0,
        })
        .sum();
    em * size
}

/// Truncates to `max` characters, ending with "…" when shortened.
fn truncate(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    if let Some(sp) = t.rfind(' ')
        && t[..sp].chars().count() * 3 >= max * 2
    {
        t.truncate(sp);
    }
    t.truncate(t.trim_end_matches([' ', ',', ';', ':', '-']).len());
    t.push('…');
    t
}

/// Greedy word wrap into at most `lines` lines of `max` characters; the last line ends with "…" if cut.
fn wrap(s: &str, max: usize, lines: usize) -> Vec<String> {
    let max = max.max(4);
    let chunks = s
        .split_whitespace()
        .flat_map(|w| w.chars().collect::<Vec<_>>().chunks(max).map(String::from_iter).collect::<Vec<_>>());
    let mut out: Vec<String> = Vec::new();
    for word in chunks {
        match out.last_mut() {
            Some(cur) if cur.chars().count() + 1 + word.chars().count() <= max => {
                cur.push(' ');
                cur.push_str(&word);
            }
            _ => out.push(word),
        }
    }
    let lines = lines.max(1);
    if out.len() > lines {
        let rest = format!("{} …", out[lines - 1..].join(" "));
        out.truncate(lines - 1);
        out.push(truncate(&rest, max));
    }
    out
}

/// Opens the root element with title and desc.
fn open(o: &mut String, prefix: &str, chart: &str, (w, h): (f64, f64), title: &str, desc: &str, extra: &str) {
    let p = sanitize_id(prefix);
    let extra = if extra.is_empty() { r#" preserveAspectRatio="xMidYMid meet""# } else { extra };
    let (w, h, title, desc) = (f(w), f(h), escape(title), escape(desc));
    w!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="rb-svg rb-svg-{chart}" viewBox="0 0 {w} {h}" width="100%"{extra}"#
    );
    // The fishbone's factors are links: an image role would hide them (axe: nested-interactive).
    let role = if chart == "fishbone" { "group" } else { "img" };
    w!(o, r#" role="{role}" aria-labelledby="{p}-title {p}-desc"><title id="{p}-title">{title}</title>"#);
    w!(o, r#"<desc id="{p}-desc">{desc}</desc>"#);
}

/// Writes one `<text>`; `anchor` is "start", "middle" or "end".
fn text(o: &mut String, (x, y): (f64, f64), size: f64, anchor: &str, class: &str, s: &str) {
    let a = if anchor == "start" { String::new() } else { format!(r#" text-anchor="{anchor}""#) };
    const BOLD: [&str; 4] = ["rb-moment", "rb-duration", "rb-head", "rb-category"];
    let bold = if BOLD.iter().any(|c| class.contains(c)) { r#" font-weight="600""# } else { "" };
    w!(o, r#"<text x="{}" y="{}" font-size="{}"{a}{bold} class="{class}">{}</text>"#, f(x), f(y), f(size), escape(s));
}

fn line(o: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str, extra: &str) {
    w!(o, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" class="{class}"{extra}/>"#, f(x1), f(y1), f(x2), f(y2));
}

fn rect(o: &mut String, (x, y): (f64, f64), (w, h): (f64, f64), class: &str, extra: &str) {
    let (w, h) = (f(w.max(0.0)), f(h.max(0.0)));
    w!(o, r#"<rect x="{}" y="{}" width="{w}" height="{h}" class="{class}"{extra}/>"#, f(x), f(y));
}

/// A chart frame with a centred "no data" notice.
fn empty_chart(prefix: &str, chart: &str, title: &str, (w, h): (f64, f64)) -> String {
    let mut o = String::new();
    open(&mut o, prefix, chart, (w, h), title, "No data.", "");
    line(&mut o, (30.0, h - 28.0), (w - 30.0, h - 28.0), "rb-axis", "");
    text(&mut o, (w / 2.0, h / 2.0), LABEL, "middle", "rb-label", "no data");
    o.push_str("</svg>");
    o
}

/// Horizontal grid, tick labels left of `ml` and the y-axis title above the plot.
fn y_axis(o: &mut String, ticks: &[(f64, String)], (ml, pr, pt): (f64, f64, f64), y: impl Fn(f64) -> f64, title: &str) {
    for (t, l) in ticks {
        let class = if *t == 0.0 && ticks[0].0 < 0.0 { "rb-axis" } else { "rb-grid" };
        line(o, (ml, y(*t)), (pr, y(*t)), class, "");
        text(o, (ml - 8.0, y(*t) + 4.0), TICK, "end", "rb-tick-label", l);
    }
    text(o, (ml - 8.0, pt - 12.0), TICK, "start", "rb-tick-label", &format!("↑ {title}"));
}

/// Axis line from `x0` to `x1` at `y` with time tick marks and labels.
fn time_axis(o: &mut String, ticks: &[TimeTick], (x0, x1, y): (f64, f64, f64), x: impl Fn(i64) -> f64) {
    line(o, (x0, y), (x1, y), "rb-axis", "");
    for (t, main, date) in ticks {
        line(o, (x(*t), y), (x(*t), y + 4.0), "rb-axis", "");
        text(o, (x(*t), y + 17.0), TICK, "middle", "rb-tick-label", main);
        if let Some(d) = date {
            text(o, (x(*t), y + 30.0), TICK, "middle", "rb-tick-label", d);
        }
    }
}

/// Legend ending at `right` (not starting before `min_x`); items: (sample shape, class, label).
fn legend(o: &mut String, (right, min_x, y): (f64, f64, f64), items: &[(&str, String, &str)]) {
    let width: f64 = items.iter().map(|i| 38.0 + tw(i.2, LABEL)).sum::<f64>() - 16.0;
    o.push_str(r#"<g class="rb-chart-legend">"#);
    let mut cx = (right - width).max(min_x);
    for (sample, class, label) in items {
        match *sample {
            "line" => line(o, (cx, y - 4.0), (cx + 16.0, y - 4.0), class, r#" stroke-width="2""#),
            "dash" => line(o, (cx, y - 4.0), (cx + 16.0, y - 4.0), class, r#" stroke-dasharray="4 3""#),
            _ => rect(o, (cx + 2.0, y - 10.0), (12.0, 12.0), class, r#" rx="2""#),
        }
        text(o, (cx + 22.0, y), LABEL, "start", "rb-label", label);
        cx += 22.0 + tw(label, LABEL) + 16.0;
    }
    o.push_str("</g>");
}

/// The class of stacked series `i` (0-based).
fn sev_class(i: usize) -> String {
    if i < 4 { format!("rb-sev-{}", i + 1) } else { "rb-sev-other".into() }
}

// ---------------------------------------------------------------- time helpers

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Local (day number since 1970-01-01, second of day).
fn local(t: i64, off: i32) -> (i64, i64) {
    let l = t.saturating_add(off as i64);
    (l.div_euclid(86_400), l.rem_euclid(86_400))
}

/// Proleptic Gregorian (year, month, day) of a day number (H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as usize, d)
}

fn hhmm(t: i64, off: i32) -> String {
    let (_, s) = local(t, off);
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

fn date_label(t: i64, off: i32) -> String {
    let (_, m, d) = civil(local(t, off).0);
    format!("{} {d}", MONTHS[m - 1])
}

/// Whether `t0` and `t1` fall on different local days.
fn crosses_days(t0: i64, t1: i64, off: i32) -> bool {
    local(t0, off).0 != local(t1, off).0
}

/// A time tick: (time, main label, optional date line).
type TimeTick = (i64, String, Option<String>);

/// Time axis ticks inside `t0..=t1`: (time, main label, optional date line).
fn time_ticks(t0: i64, t1: i64, off: i32, target: i64) -> Vec<TimeTick> {
    const STEPS: [i64; 22] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800,
        604_800, 1_209_600, 2_419_200,
    ];
    let span = (t1 - t0).max(1);
    let step = STEPS.into_iter().find(|s| span / s <= target).unwrap_or_else(|| (span / target / 86_400 + 1) * 86_400);
    let crosses = crosses_days(t0, t1, off);
    let first = (t0 + off as i64).div_euclid(step) * step - off as i64;
    let mut out = Vec::new();
    let mut prev_day = None;
    let mut t = if first < t0 { first + step } else { first };
    while t <= t1 && out.len() < 100 {
        let day = local(t, off).0;
        let (main, date) = if step >= 86_400 {
            (date_label(t, off), None)
        } else {
            let main = if step < 60 { format!("{}:{:02}", hhmm(t, off), local(t, off).1 % 60) } else { hhmm(t, off) };
            (main, (crosses && prev_day != Some(day)).then(|| date_label(t, off)))
        };
        prev_day = Some(day);
        out.push((t, main, date));
        t += step;
    }
    out
}

/// Formats an axis value; `scale` is the largest absolute tick, `step` the tick spacing.
fn fmt_num(v: f64, step: f64, scale: f64) -> String {
    let (div, suffix) = match scale {
        s if s >= 1e9 => (1e9, "G"),
        s if s >= 1e6 => (1e6, "M"),
        s if s >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let st = (step / div).abs();
    let dec = if st >= 1.0 || st == 0.0 { 0 } else { (-st.log10().floor()) as usize };
    let s = format!("{:.dec$}", v / div);
    let s = if s.trim_start_matches(['-', '0', '.']).is_empty() { "0".to_string() } else { s };
    format!("{s}{suffix}")
}

// ---------------------------------------------------------------- 1. timeline

/// Incident timeline: moments, duration bars and numbered entry marks on a time axis.
pub fn timeline_svg(input: &TimelineChart, id_prefix: &str) -> String {
    const W: f64 = 960.0;
    const ML: f64 = 40.0;
    const MR: f64 = 40.0;
    const LANE: f64 = 20.0;
    const MAX_LANES: usize = 12;
    const SMALL: f64 = 11.0;
    let off = input.utc_offset;
    let moments: Vec<(&str, i64)> = [
        ("started", input.started),
        ("detected", input.detected),
        ("mitigated", input.mitigated),
        ("resolved", input.resolved),
    ]
    .into_iter()
    .filter_map(|(k, t)| Some((k, t?)))
    .collect();
    let times: Vec<i64> = moments.iter().map(|m| m.1).chain(input.entries.iter().map(|e| e.at)).collect();
    let (Some(&tmin), Some(&tmax)) = (times.iter().min(), times.iter().max()) else {
        return empty_chart(id_prefix, "timeline", &input.title, (W, 120.0));
    };
    let (mut t0, mut t1) = (tmin, tmax);
    if t1 - t0 < 120 {
        t0 -= (120 - (t1 - t0)) / 2;
        t1 = t0 + 120;
    }
    let pad = ((t1 - t0) as f64 * 0.03).ceil() as i64;
    let (d0, d1) = (t0 - pad, t1 + pad);
    let x = |t: i64| ML + (t - d0) as f64 / (d1 - d0) as f64 * (W - ML - MR);
    let crosses = crosses_days(t0, t1, off);
    let clock = |t: i64| {
        if t1 - t0 < 600 { format!("{}:{:02}", hhmm(t, off), local(t, off).1 % 60) } else { hhmm(t, off) }
    };
    let when = |t: i64| if crosses { format!("{} {}", date_label(t, off), clock(t)) } else { clock(t) };
    let verb = |k: &str| k.strip_suffix(if k == "detected" { "ed" } else { "d" }).unwrap_or(k).to_string();

    // Moment labels ("Detected 10:24"), greedily packed into rows.
    let mut label_rows: Vec<f64> = Vec::new();
    let mut mlabels = Vec::new();
    for &(kind, t) in &moments {
        let (name, time) = (format!("{}{}", kind[..1].to_uppercase(), &kind[1..]), format!(" {}", when(t)));
        let wd = tw(&name, SMALL) * 1.08 + tw(&time, SMALL);
        let left = (x(t) - wd / 2.0).clamp(2.0, W - 2.0 - wd);
        let row = label_rows.iter().position(|&end| end + 10.0 <= left).unwrap_or(label_rows.len());
        if row == label_rows.len() {
            label_rows.push(0.0);
        }
        label_rows[row] = left + wd;
        mlabels.push((kind, t, name, time, left, row));
    }
    let label_y = |row: usize| 14.0 + row as f64 * 17.0;
    let durations: Vec<(&str, i64, i64)> = match input.started {
        Some(s) => moments.iter().filter(|m| m.0 != "started").map(|&(k, t)| (k, s, t)).collect(),
        None => Vec::new(),
    };
    let dur_top = label_y(label_rows.len()) - 2.0;
    let band_top = dur_top + durations.len() as f64 * 22.0 + 4.0;

    // Entry marks, packed into lanes so they never overlap (up to MAX_LANES, then least-overlapping lane).
    let mut order: Vec<usize> = (0..input.entries.len()).collect();
    order.sort_by_key(|&i| (input.entries[i].at, i));
    let mut lane_end: Vec<f64> = Vec::new();
    let mut marks = vec![(0.0, 0.0, 0usize); input.entries.len()];
    for &i in &order {
        let bw = if i + 1 < 100 { 16.0 } else { 24.0 };
        let cx = x(input.entries[i].at);
        let lane = match lane_end.iter().position(|&e| e + 2.0 <= cx - bw / 2.0) {
            Some(l) => l,
            None if lane_end.len() < MAX_LANES => {
                lane_end.push(f64::MIN);
                lane_end.len() - 1
            }
            None => (0..lane_end.len()).min_by(|&a, &b| lane_end[a].total_cmp(&lane_end[b])).unwrap_or(0),
        };
        lane_end[lane] = cx + bw / 2.0;
        marks[i] = (cx, bw, lane);
    }
    let axis_y = band_top + lane_end.len() as f64 * LANE + 14.0;
    let h = axis_y + if crosses { 38.0 } else { 26.0 };

    let mut desc = format!("Timeline from {} to {}", when(tmin), when(tmax));
    for &(k, s, t) in &durations {
        w!(desc, "; {} to {}", human_duration(t - s), verb(k));
    }
    w!(desc, "; {} entries.", input.entries.len());
    let mut o = String::new();
    open(&mut o, id_prefix, "timeline", (W, h), &input.title, &desc, "");
    let ticks = time_ticks(d0, d1, off, 10);
    for (t, _, _) in &ticks {
        line(&mut o, (x(*t), band_top), (x(*t), axis_y), "rb-grid", "");
    }
    for &(kind, t, _, _, _, row) in &mlabels {
        let dash = r#" stroke-width="1.5" stroke-dasharray="3 3""#;
        line(&mut o, (x(t), label_y(row) + 5.0), (x(t), axis_y), &format!("rb-moment rb-kind-{kind}"), dash);
    }
    for (i, &(kind, s, t)) in durations.iter().enumerate() {
        let y = dur_top + i as f64 * 22.0;
        let (xa, xb) = (x(s.min(t)), x(s.max(t)).max(x(s.min(t)) + 2.0));
        rect(&mut o, (xa, y), (xb - xa, 16.0), "rb-duration", r#" rx="3""#);
        let s = format!("{} to {}", human_duration(t - s), verb(kind));
        let wd = tw(&s, SMALL) * 1.08;
        // Centre the label in the widest stretch of the bar that no moment line crosses.
        let mut cuts: Vec<f64> = mlabels.iter().map(|m| x(m.1)).filter(|&c| c > xa + 1.0 && c < xb - 1.0).collect();
        cuts.extend([xa, xb]);
        cuts.sort_by(f64::total_cmp);
        let (ga, gb) =
            cuts.windows(2).map(|w| (w[0], w[1])).fold((xa, xa), |b, g| if g.1 - g.0 > b.1 - b.0 { g } else { b });
        if wd + 16.0 <= gb - ga {
            text(&mut o, ((ga + gb) / 2.0, y + 12.0), SMALL, "middle", "rb-duration", &s);
        } else if xb + 6.0 + wd <= W - 2.0 {
            text(&mut o, (xb + 6.0, y + 12.0), SMALL, "start", "rb-duration", &s);
        } else {
            text(&mut o, (xa - 6.0, y + 12.0), SMALL, "end", "rb-duration", &s);
        }
    }
    time_axis(&mut o, &ticks, (ML - 12.0, W - MR + 12.0, axis_y), x);
    let lane_cy = |lane: usize| axis_y - 18.0 - lane as f64 * LANE;
    let kind_of = |e: &TimelineItem| class_suffix(e.kind.as_deref().unwrap_or(""));
    for (e, &(cx, _, lane)) in input.entries.iter().zip(&marks) {
        let class = format!("rb-stem rb-kind-{}", kind_of(e));
        line(&mut o, (cx, lane_cy(lane) + 8.0), (cx, axis_y), &class, r#" stroke-opacity="0.5""#);
    }
    for &i in &order {
        let e = &input.entries[i];
        let ((cx, bw, lane), kind) = (marks[i], kind_of(e));
        let cy = lane_cy(lane);
        let tip = match &e.kind {
            Some(k) => format!("{}. {} ({k}) {}", i + 1, when(e.at), e.label),
            None => format!("{}. {} {}", i + 1, when(e.at), e.label),
        };
        w!(o, "<g><title>{}</title>", escape(&tip));
        if bw > 16.0 {
            rect(&mut o, (cx - bw / 2.0, cy - 8.0), (bw, 16.0), &format!("rb-mark rb-kind-{kind}"), r#" rx="8""#);
        } else {
            w!(o, r#"<circle cx="{}" cy="{}" r="8" class="rb-mark rb-kind-{kind}"/>"#, f(cx), f(cy));
        }
        let num = r#" text-anchor="middle" dominant-baseline="central" font-size="9.5" font-weight="700""#;
        w!(o, r#"<text x="{}" y="{}"{num} class="rb-mark-label">{}</text></g>"#, f(cx), f(cy), i + 1);
    }
    for (kind, t, name, time, left, row) in &mlabels {
        let d = format!("M{} {}l5 5l-5 5l-5-5Z", f(x(*t)), f(axis_y - 5.0));
        let tip = escape(&format!("{name}{time}"));
        w!(o, r#"<path class="rb-moment-mark rb-kind-{kind}" d="{d}"><title>{tip}</title></path>"#);
        let attrs = format!(r#"x="{}" y="{}" font-size="{}" font-weight="600""#, f(*left), f(label_y(*row)), f(SMALL));
        w!(o, r#"<text {attrs} class="rb-moment rb-kind-{kind}">{}<tspan class="rb-tick-label""#, escape(name));
        w!(o, r#" font-weight="400">{}</tspan></text>"#, escape(time));
    }
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------- 2. fishbone

/// Ishikawa diagram: categories as bones alternating above and below a spine ending in the effect box.
pub fn fishbone_svg(input: &Fishbone, id_prefix: &str) -> String {
    const W: f64 = 960.0;
    const SLANT: f64 = 0.4; // horizontal run of a bone per unit of rise
    const FONT: f64 = 11.5;
    const LH: f64 = 14.0; // factor line height
    let cats: Vec<&FishboneCategory> = input.categories.iter().filter(|c| !c.factors.is_empty()).collect();
    let mut desc = format!("Cause and effect diagram for: {}.", input.effect.trim());
    for c in &cats {
        let labels: Vec<&str> = c.factors.iter().map(|f| f.label.as_str()).collect();
        w!(desc, " {}: {}.", c.name, labels.join(", "));
    }
    let head = wrap(&input.effect, 22, 4);
    let head = if head.is_empty() { vec!["(untitled)".to_string()] } else { head };
    let (head_w, head_h) = (200.0, (head.len() as f64 * 17.0 + 22.0).max(60.0));
    let head_x = W - 8.0 - head_w;
    let cols = cats.len().div_ceil(2).max(1);
    let max_factors = cats.iter().map(|c| c.factors.len()).max().unwrap_or(0) as f64;
    let colw = ((head_x - 40.0 - SLANT * (20.0 + max_factors * (2.0 * LH + 6.0))) / cols as f64).min(300.0);
    let chars = ((colw - 26.0) / (FONT * 0.56)).floor().max(8.0) as usize;
    let attach = |c: usize| head_x - 28.0 - (cols - 1 - c) as f64 * colw;
    let wrapped: Vec<Vec<Vec<String>>> =
        cats.iter().map(|c| c.factors.iter().map(|f| wrap(&truncate(&f.label, 40), chars, 2)).collect()).collect();
    let slot = |l: &Vec<String>| l.len().max(1) as f64 * LH + 6.0;
    let need = |i: usize| 20.0 + wrapped[i].iter().map(slot).sum::<f64>();
    let side_len = |up: bool| (0..cats.len()).filter(|i| (i % 2 == 0) == up).map(need).fold(0.0, f64::max);
    let (l_up, l_down) = (side_len(true), side_len(false));
    let spine_y = (if l_up > 0.0 { l_up + 26.0 } else { 0.0 }).max(head_h / 2.0 + 8.0);
    let h = spine_y + (if l_down > 0.0 { l_down + 26.0 } else { 0.0 }).max(head_h / 2.0 + 8.0);

    let mut o = String::new();
    open(&mut o, id_prefix, "fishbone", (W, h), &input.title, &desc, "");
    let spine_x0 = if cats.is_empty() { 24.0 } else { (attach(0) - colw - SLANT * l_up.max(l_down)).max(8.0) };
    line(&mut o, (spine_x0, spine_y), (head_x, spine_y), "rb-spine", r#" stroke-width="3""#);
    rect(&mut o, (head_x, spine_y - head_h / 2.0), (head_w, head_h), "rb-head", r#" rx="6""#);
    let y0 = spine_y - (head.len() as f64 - 1.0) * 8.5 + 4.5;
    for (i, l) in head.iter().enumerate() {
        text(&mut o, (head_x + head_w / 2.0, y0 + i as f64 * 17.0), 13.0, "middle", "rb-head", l);
    }
    for (i, cat) in cats.iter().enumerate() {
        let up = i % 2 == 0;
        let (sign, len) = if up { (-1.0, l_up) } else { (1.0, l_down) };
        let ax = attach(i / 2);
        let bone_x = |y: f64| ax - SLANT * (y - spine_y).abs();
        line(&mut o, (ax, spine_y), (bone_x(spine_y + len), spine_y + sign * len), "rb-bone", r#" stroke-width="1.5""#);
        let name = truncate(&cat.name, ((colw - 24.0) / (11.0 * 0.8)) as usize);
        let cy = spine_y + sign * (len + 8.0) + if up { 0.0 } else { 9.0 };
        text(&mut o, (bone_x(spine_y + len), cy), 11.0, "middle", "rb-category", &name);
        let mut cursor = if up { spine_y - len + 8.0 } else { spine_y + 14.0 };
        for (factor, lines) in cat.factors.iter().zip(&wrapped[i]) {
            let (top, bottom) = (cursor, cursor + lines.len() as f64 * LH);
            cursor += slot(lines);
            let dot_y = (top + bottom) / 2.0;
            let far = if up { top } else { bottom };
            w!(o, "<g><title>{}</title>", escape(&factor.label));
            w!(o, r#"<circle cx="{}" cy="{}" r="3.5" class="rb-factor"/>"#, f(bone_x(dot_y)), f(dot_y));
            let href = factor.href.as_deref().filter(|h| {
                let h = h.trim_start().to_ascii_lowercase();
                !["javascript:", "data:", "vbscript:"].iter().any(|s| h.starts_with(s))
            });
            if let Some(href) = href {
                w!(o, r#"<a href="{}">"#, escape(href));
            }
            for (j, l) in lines.iter().enumerate() {
                text(&mut o, (bone_x(far) - 9.0, top + (j as f64 + 1.0) * LH - 3.5), FONT, "end", "rb-factor", l);
            }
            o.push_str(if href.is_some() { "</a></g>" } else { "</g>" });
        }
    }
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------- 3. line chart

/// Time-series line chart with optional dashed baseline and shaded incident window.
pub fn line_chart_svg(input: &LineChart, id_prefix: &str) -> String {
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
const MAX_DRAWN: usize = 2000;

/// A run of points (in time order) thinned for drawing: with more than `max` points, the run's
/// time span is cut into `max / 2` equal buckets and each keeps its lowest and its highest point,
/// in time order, so every spike and dip is still drawn.
fn thin(run: &[(i64, f64)], max: usize) -> std::borrow::Cow<'_, [(i64, f64)]> {
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
pub fn sparkline_svg(values: &[u32], labels: &[String], id_prefix: &str, title: &str) -> String {
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
pub fn stacked_bars_svg(input: &StackedBars, id_prefix: &str) -> String {
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
pub fn hbar_svg(input: &HBars, id_prefix: &str, fmt: &dyn Fn(f64) -> String) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = r#"<script>alert(1)</script> " onload="x"#;
    const T0: i64 = 1_741_943_520; // 2025-03-14 09:12 UTC

    /// Minimal well-formedness check: balanced tags, quoted attributes, known entities, one `<svg>` root.
    fn check_xml(s: &str) -> Result<(), String> {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = s;
        let mut roots = 0;
        let check_entities = |t: &str| -> Result<(), String> {
            for (i, _) in t.match_indices('&') {
                let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| t[i..].starts_with(e));
                if !ok {
                    return Err(format!("bad entity near {:?}", &t[i..(i + 10).min(t.len())]));
                }
            }
            Ok(())
        };
        while let Some(open) = rest.find('<') {
            let text = &rest[..open];
            if text.contains('>') {
                return Err(format!("raw > in text {text:?}"));
            }
            check_entities(text)?;
            if stack.is_empty() && !text.trim().is_empty() {
                return Err("text outside root".into());
            }
            let close = rest[open..].find('>').ok_or("unclosed tag")? + open;
            let tag = &rest[open + 1..close];
            if tag.contains('<') {
                return Err(format!("< inside tag {tag:?}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack.pop().ok_or(format!("stray </{name}>"))?;
                if top != name {
                    return Err(format!("</{name}> closes <{top}>"));
                }
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name = body.split_whitespace().next().ok_or("empty tag")?.to_string();
                let mut attrs = body[name.len()..].trim();
                while !attrs.is_empty() {
                    let eq = attrs.find("=\"").ok_or(format!("unquoted attribute in {tag:?}"))?;
                    let key = &attrs[..eq];
                    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
                        return Err(format!("bad attribute name {key:?}"));
                    }
                    let end = attrs[eq + 2..].find('"').ok_or("unterminated attribute")? + eq + 2;
                    check_entities(&attrs[eq + 2..end])?;
                    attrs = attrs[end + 1..].trim_start();
                }
                if stack.is_empty() {
                    roots += 1;
                    if name != "svg" {
                        return Err(format!("root is <{name}>"));
                    }
                }
                if !self_closing {
                    stack.push(name);
                }
            }
            rest = &rest[close + 1..];
        }
        if !rest.trim().is_empty() || !stack.is_empty() || roots != 1 {
            return Err(format!("unbalanced: open {stack:?}, roots {roots}"));
        }
        Ok(())
    }

    /// Checks every chart requirement shared by all charts.
    fn assert_chart(svg: &str, prefix: &str) {
        check_xml(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        for needle in [
            "viewBox=\"0 0 ".to_string(),
            "width=\"100%\"".to_string(),
            if svg.contains("rb-svg-fishbone") { "role=\"group\"" } else { "role=\"img\"" }.to_string(),
            "preserveAspectRatio=".to_string(),
            format!("aria-labelledby=\"{prefix}-title {prefix}-desc\""),
            format!("<title id=\"{prefix}-title\">"),
            format!("<desc id=\"{prefix}-desc\">"),
        ] {
            assert!(svg.contains(&needle), "missing {needle}");
        }
        let bad = ["<script", "onload=\"", "fill=\"#", "stroke=\"#", "style=", "NaN", "inf", "rb-badge", "rb-entry"];
        for bad in bad.into_iter().chain(["\"rb-legend", "rb-empty", "rb-text", "rb-chart "]) {
            assert!(!svg.contains(bad), "found {bad}");
        }
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    fn item(at: i64, kind: Option<&str>, label: &str) -> TimelineItem {
        TimelineItem { at, kind: kind.map(Into::into), label: label.into() }
    }

    fn timeline(entries: Vec<TimelineItem>) -> TimelineChart {
        TimelineChart {
            title: EVIL.into(),
            utc_offset: 3600,
            started: Some(T0),
            detected: Some(T0 + 720),
            mitigated: Some(T0 + 6000),
            resolved: Some(T0 + 7500),
            entries,
        }
    }

    /// Entry marks as (left x, centre y, width), whether circles or pills.
    fn marks(svg: &str) -> Vec<(f64, f64, f64)> {
        let attr = |s: &str, k: &str| -> f64 {
            let i = s.find(&format!(" {k}=\"")).unwrap() + k.len() + 3;
            s[i..i + s[i..].find('"').unwrap()].parse().unwrap()
        };
        let mut out = Vec::new();
        for el in svg.split('<').filter(|e| e.contains("class=\"rb-mark ")) {
            if el.starts_with("circle") {
                out.push((attr(el, "cx") - 8.0, attr(el, "cy"), 16.0));
            } else {
                out.push((attr(el, "x"), attr(el, "y") + 8.0, attr(el, "width")));
            }
        }
        out
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("a\u{0}b\nc"), "ab c");
    }

    #[test]
    fn human_durations() {
        let cases = [
            (0, "0 s"),
            (45, "45 s"),
            (60, "1 min"),
            (12 * 60 + 59, "12 min"),
            (3600, "1 h"),
            (6000, "1 h 40 min"),
            (86_400, "1 d"),
            (2 * 86_400 + 3 * 3600 + 59, "2 d 3 h"),
            (-720, "−12 min"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s), want);
        }
        assert_eq!(duration_label(89.6), "1 min");
        assert_eq!(duration_label(f64::NAN), "–");
    }

    #[test]
    fn nice_ticks_are_nice() {
        assert_eq!(nice_ticks(0.0, 97.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 97.0, 6), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 6), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(-3.0, 7.0, 5), vec![-5.0, 0.0, 5.0, 10.0]);
        assert_eq!(nice_ticks(-5.5, 3.5, 5), vec![-6.0, -4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!(nice_ticks(0.1, 0.3, 3), vec![0.1, 0.2, 0.3]);
        assert_eq!(nice_ticks(97.0, 0.0, 5), nice_ticks(0.0, 97.0, 5));
        assert_eq!(nice_ticks(5.0, 5.0, 5), vec![4.5, 5.0, 5.5]);
        assert_eq!(nice_ticks(0.0, 0.0, 5), vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty() && nice_ticks(-f64::MAX, f64::MAX, 5).is_empty());
        for (lo, hi) in [(0.0, 1e9), (-0.004, 0.0031), (1234.0, 1299.0), (0.0, 3.0)] {
            let t = nice_ticks(lo, hi, 5);
            assert!((4..=7).contains(&t.len()), "{lo}..{hi}: {t:?}");
            assert!(t[0] <= lo && *t.last().unwrap() >= hi);
        }
    }

    #[test]
    fn dates_and_time_ticks() {
        assert_eq!(date_label(T0, 0), "Mar 14");
        assert_eq!(hhmm(T0, 3600), "10:12");
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(-1), (1969, 12, 31));
        let ticks = time_ticks(T0, T0 + 7200, 0, 8);
        assert_eq!(ticks[0].1, "09:15");
        assert!(ticks.iter().all(|t| t.2.is_none()));
        let ticks = time_ticks(T0, T0 + 86_400, 0, 8);
        assert!(ticks[0].2.is_some() && ticks.iter().filter(|t| t.2.is_some()).count() == 2);
        assert_eq!(time_ticks(T0, T0 + 60, 0, 8)[1].1, "09:12:10");
        assert_eq!(time_ticks(T0, T0 + 10 * 86_400, 0, 8)[0].1, "Mar 15");
    }

    #[test]
    fn wrap_and_truncate() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("the quick brown fox jumps", 16), "the quick brown…");
        assert_eq!(wrap("the quick brown fox jumps over", 10, 2), vec!["the quick", "brown fox…"]);
        assert_eq!(wrap("abcdefghijkl", 5, 3), vec!["abcde", "fghij", "kl"]);
        assert!(wrap("", 5, 3).is_empty());
    }

    #[test]
    fn timeline_basic() {
        let entries =
            vec![item(T0, Some("started"), EVIL), item(T0 + 720, Some("Detected!"), "b"), item(T0 + 900, None, "c")];
        let svg = timeline_svg(&timeline(entries), "tl");
        assert_chart(&svg, "tl");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("&quot; onload=&quot;x"));
        assert!(svg.contains("12 min to detect") && svg.contains("1 h 40 min to mitigate"));
        assert!(svg.contains("2 h 5 min to resolve") && svg.contains("10:12"));
        assert!(svg.contains("rb-kind-started") && svg.contains("rb-kind-detected-") && svg.contains("rb-kind-none"));
        assert_eq!(svg.matches("class=\"rb-mark rb-kind-").count(), 3);
        assert!(svg.contains("class=\"rb-moment rb-kind-detected\">Detected<tspan"));
        assert!(svg.contains(">3</text>") && !svg.contains("Mar 14"));
        assert_eq!(
            svg,
            timeline_svg(
                &timeline(vec![
                    item(T0, Some("started"), EVIL),
                    item(T0 + 720, Some("Detected!"), "b"),
                    item(T0 + 900, None, "c")
                ]),
                "tl"
            )
        );
    }

    #[test]
    fn timeline_edge_cases() {
        let empty = timeline_svg(&TimelineChart::default(), "e");
        assert_chart(&empty, "e");
        assert!(empty.contains("no data"));
        let one = TimelineChart { entries: vec![item(T0, None, "x")], ..Default::default() };
        assert_chart(&timeline_svg(&one, "one"), "one");
        let same = TimelineChart {
            started: Some(T0),
            resolved: Some(T0),
            entries: vec![item(T0, None, "a"); 3],
            ..Default::default()
        };
        let svg = timeline_svg(&same, "same");
        assert_chart(&svg, "same");
        assert!(svg.contains("0 s to resolve"));
        let minute =
            TimelineChart { started: Some(T0), detected: Some(T0 + 30), resolved: Some(T0 + 60), ..Default::default() };
        let svg = timeline_svg(&minute, "m");
        assert_chart(&svg, "m");
        assert!(svg.contains("30 s to detect") && svg.contains("09:12:30"));
        let no_start = TimelineChart { detected: Some(T0), resolved: Some(T0 + 99), ..Default::default() };
        assert!(!timeline_svg(&no_start, "ns").contains("rb-bracket"));
    }

    #[test]
    fn timeline_many_entries_do_not_overlap() {
        let entries: Vec<TimelineItem> = (0..70).map(|i| item(T0 + i * 12_345, Some("comms"), "x")).collect();
        let mut chart = timeline(entries);
        chart.resolved = Some(T0 + 10 * 86_400);
        let svg = timeline_svg(&chart, "many");
        assert_chart(&svg, "many");
        assert!(svg.contains("Mar 15") && svg.contains("10 d to resolve") && svg.contains(">70</text>"));
        let b = marks(&svg);
        assert_eq!(b.len(), 70);
        for (i, p) in b.iter().enumerate() {
            for q in &b[i + 1..] {
                let apart = p.1 != q.1 || p.0 + p.2 <= q.0 || q.0 + q.2 <= p.0;
                assert!(apart, "{p:?} overlaps {q:?}");
            }
        }
        let burst: Vec<TimelineItem> = (0..200).map(|i| item(T0 + i, None, "x")).collect();
        let svg = timeline_svg(&timeline(burst), "burst");
        assert_chart(&svg, "burst");
        assert!(svg.contains(r#"class="rb-mark rb-kind-none" rx="8""#) && svg.contains(">200</text>"));
    }

    fn fishbone(n_cat: usize, n_fac: usize) -> Fishbone {
        Fishbone {
            title: "Factors".into(),
            effect: format!("{EVIL} {}", "very long title ".repeat(20)),
            categories: (0..n_cat)
                .map(|c| FishboneCategory {
                    name: format!("Category {c}"),
                    factors: (0..n_fac)
                        .map(|i| FishboneFactor {
                            label: format!("F{c}{i}: {EVIL} and a long tail of words"),
                            href: (i % 2 == 0).then(|| format!("#f{c}{i}")),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn fishbone_shapes() {
        for (c, f) in [(1, 1), (2, 3), (7, 8), (3, 1)] {
            let svg = fishbone_svg(&fishbone(c, f), "fb");
            assert_chart(&svg, "fb");
            assert_eq!(svg.matches("class=\"rb-bone\"").count(), c);
            assert_eq!(svg.matches("class=\"rb-factor\"/>").count(), c * f);
            assert_eq!(svg.matches("class=\"rb-category\"").count(), c);
            assert_eq!(svg.matches("<a href=").count(), c * f.div_ceil(2));
            assert!(svg.contains("&lt;script&gt;") && svg.contains('…'));
            assert!(svg.contains("href=\"#f00\""));
            assert_eq!(svg, fishbone_svg(&fishbone(c, f), "fb"));
        }
    }

    #[test]
    fn fishbone_edge_cases() {
        let mut fb = fishbone(2, 2);
        fb.categories.push(FishboneCategory { name: "Empty".into(), factors: vec![] });
        fb.categories[0].factors[0].href = Some(" JavaScript:alert(1)".into());
        let svg = fishbone_svg(&fb, "fb");
        assert_chart(&svg, "fb");
        assert!(!svg.contains("Empty") && !svg.to_lowercase().contains("javascript:"));
        let none = fishbone_svg(&Fishbone { effect: "Outage".into(), ..Default::default() }, "fb0");
        assert_chart(&none, "fb0");
        assert!(none.contains("Outage"));
    }

    fn line_chart(points: Vec<(i64, f64)>) -> LineChart {
        LineChart {
            title: EVIL.into(),
            y_label: "latency (ms)".into(),
            utc_offset: 0,
            series: Series { label: EVIL.into(), points },
            baseline: None,
            window: None,
            ..Default::default()
        }
    }

    #[test]
    fn line_chart_full() {
        let pts: Vec<(i64, f64)> =
            (0..50).map(|i| (T0 + i * 60, if i == 20 { f64::NAN } else { (i * i) as f64 })).collect();
        let mut chart = line_chart(pts.clone());
        chart.baseline = Some(Series { label: "last week".into(), points: pts.iter().map(|p| (p.0, 100.0)).collect() });
        chart.window = Some((T0 + 600, T0 + 1800));
        let svg = line_chart_svg(&chart, "lc");
        assert_chart(&svg, "lc");
        assert!(svg.contains("rb-window") && svg.contains(">incident<") && svg.contains("stroke-dasharray"));
        assert!(svg.contains("↑ latency (ms)") && svg.contains("&lt;script&gt;") && svg.contains(">09:20<"));
        assert_eq!(svg.matches("class=\"rb-window-edge\"").count(), 2);
        let main = svg.split("<path class=\"rb-series\"").nth(1).unwrap();
        assert_eq!(main.split("/>").next().unwrap().matches('M').count(), 2, "NaN should break the line");
        assert_eq!(svg, line_chart_svg(&chart, "lc"));
    }

    #[test]
    fn line_chart_threshold_gaps_marks_and_more_series() {
        let pts: Vec<(i64, f64)> = (0..60).filter(|i| !(20..35).contains(i)).map(|i| (T0 + i * 60, i as f64)).collect();
        let mut chart = line_chart(pts.clone());
        chart.more = vec![Series { label: "p99".into(), points: pts.iter().map(|p| (p.0, p.1 * 2.0)).collect() }];
        chart.threshold = Some((150.0, "threshold 150 ms".into()));
        chart.gaps = vec![(T0 + 19 * 60, T0 + 35 * 60)];
        chart.window = Some((T0 + 600, T0 + 3000));
        chart.marks = vec![
            ChartMark { at: T0 + 40 * 60, kind: MarkKind::Crossing, label: "crossed 09:40".into() },
            ChartMark { at: T0 + 42 * 60, kind: MarkKind::Detected, label: "detected 09:42".into() },
        ];
        let svg = line_chart_svg(&chart, "th");
        assert_chart(&svg, "th");
        assert_eq!(svg.matches(r#"class="rb-threshold""#).count(), 2, "the line and its legend sample");
        assert!(svg.contains(">threshold 150 ms<"), "the threshold is labelled");
        assert!(svg.contains(r#"class="rb-nodata""#) && svg.contains(">no data<"));
        assert!(svg.contains("rb-crossing-dot") && svg.contains(">crossed 09:40<") && svg.contains(">detected 09:42<"));
        assert!(svg.contains(r#"<path class="rb-series rb-series-2""#) && svg.contains(">p99<"));
        let main = svg.split("<path class=\"rb-series\"").nth(1).unwrap();
        assert_eq!(main.split("/>").next().unwrap().matches('M').count(), 2, "the line breaks at the gap");
        assert!(svg.contains("; no data from 09:31 to 09:47") && svg.contains("; crossed 09:40"), "{svg}");
        // The threshold is inside the y range even when every value is below it.
        let mut low = line_chart(vec![(T0, 1.0), (T0 + 60, 2.0)]);
        low.threshold = Some((500.0, "threshold".into()));
        let svg = line_chart_svg(&low, "low");
        assert!(svg.contains(">500<"), "{svg}");
        // The two labels, 2 minutes apart, do not overlap: the second goes a row lower.
        let full = line_chart_svg(&chart, "th");
        let label_y = |l: &str| {
            let before = &full[..full.find(&format!(">{l} ")).unwrap()];
            before.rsplit("y=\"").next().unwrap().split('"').next().unwrap().to_string()
        };
        assert_ne!(label_y("crossed"), label_y("detected"));
    }

    #[test]
    fn long_series_are_thinned_keeping_spikes() {
        // Two million points, one spike and one dip: at most MAX_DRAWN are drawn, both extremes among them.
        let pts: Vec<(i64, f64)> = (0..2_000_000i64)
            .map(|i| {
                (
                    T0 + i,
                    if i == 1_234_567 {
                        1e6
                    } else if i == 345_678 {
                        -1e6
                    } else {
                        (i % 100) as f64
                    },
                )
            })
            .collect();
        let thinned = thin(&pts, MAX_DRAWN);
        assert!(thinned.len() <= MAX_DRAWN && thinned.len() > MAX_DRAWN / 2, "{}", thinned.len());
        assert!(thinned.contains(&(T0 + 1_234_567, 1e6)) && thinned.contains(&(T0 + 345_678, -1e6)));
        assert!(thinned.windows(2).all(|w| w[0].0 < w[1].0), "still in time order");
        assert_eq!(thinned.first(), Some(&pts[0]), "the first bucket's minimum is its first point");
        let svg = line_chart_svg(&line_chart(pts.clone()), "big");
        assert_chart(&svg, "big");
        assert!(svg.len() < 100_000, "{} bytes", svg.len());
        assert!(svg.contains("2000000 points"), "the description counts every point");
        // Out of time order, the bound still holds.
        let mut shuffled = pts;
        shuffled.reverse();
        shuffled.swap(0, 1_000_000);
        assert!(thin(&shuffled, MAX_DRAWN).len() <= MAX_DRAWN);
        // Short runs are drawn as they are.
        assert_eq!(thin(&shuffled[..10], MAX_DRAWN).len(), 10);
    }

    #[test]
    fn line_chart_edge_cases() {
        let empty = line_chart_svg(&line_chart(vec![]), "e");
        assert_chart(&empty, "e");
        assert!(empty.contains("no data"));
        assert!(line_chart_svg(&line_chart(vec![(T0, f64::NAN)]), "n").contains("no data"));
        let one = line_chart_svg(&line_chart(vec![(T0, 5.0)]), "one");
        assert_chart(&one, "one");
        assert!(one.contains("rb-point"));
        let flat = line_chart_svg(&line_chart((0..10).map(|i| (T0 + i, 3.0)).collect()), "flat");
        assert_chart(&flat, "flat");
        let neg = line_chart_svg(&line_chart((0..10).map(|i| (T0 + i * 86_400, i as f64 - 5.5)).collect()), "neg");
        assert_chart(&neg, "neg");
        assert!(neg.contains(">0</text>") && neg.contains(">-6<") && neg.contains("Mar 17"));
        assert_chart(&line_chart_svg(&line_chart(vec![(T0, -f64::MAX), (T0 + 1, f64::MAX)]), "huge"), "huge");
        let big = line_chart_svg(&line_chart((0..10).map(|i| (T0 + i, i as f64 * 1e6)).collect()), "big");
        assert!(big.contains(">10M<"));
    }

    #[test]
    fn sparkline_bars_and_tooltips() {
        let labels: Vec<String> = (1..=4).map(|q| format!("2025 Q{q}")).collect();
        let svg = sparkline_svg(&[3, 0, 1, 2], &labels, "sp", EVIL);
        assert_chart(&svg, "sp");
        assert!(svg.contains("<title>2025 Q1: 3</title><rect") && svg.contains("rb-spark-last"));
        assert!(svg.contains("<title>2025 Q2: 0</title><rect") && svg.matches("class=\"rb-axis\"").count() == 1);
        assert!(
            svg.contains("height=\"24\"") && svg.contains("viewBox=\"0 0 120 24\"") && svg.contains("&lt;script&gt;")
        );
        assert_eq!(svg, sparkline_svg(&[3, 0, 1, 2], &labels, "sp", EVIL));
        assert_chart(&sparkline_svg(&[], &[], "sp0", "t"), "sp0");
        assert_chart(&sparkline_svg(&[0; 200], &labels, "sp2", "t"), "sp2");
    }

    fn stacked(n: usize) -> StackedBars {
        StackedBars {
            title: "Incidents".into(),
            y_label: "incidents".into(),
            columns: (0..n).map(|i| format!("{}-{:02}", 2016 + i / 12, i % 12 + 1)).collect(),
            series: (0..4)
                .map(|s| BarSeries {
                    label: format!("SEV{} {EVIL}", s + 1),
                    values: (0..n).map(|i| ((i + s) % 3) as u32).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn stacked_bars_shapes() {
        let svg = stacked_bars_svg(&stacked(12), "sb");
        assert_chart(&svg, "sb");
        assert!(svg.contains("rb-sev-1") && svg.contains("rb-sev-4") && svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">2016-01<") && svg.contains(">2016-12<"));
        let many = stacked_bars_svg(&stacked(120), "sb2");
        assert_chart(&many, "sb2");
        let labels = many.matches("rb-tick-label\">20").count();
        assert!((5..=20).contains(&labels), "{labels} x labels");
        let empty = stacked_bars_svg(&StackedBars::default(), "sb3");
        assert_chart(&empty, "sb3");
        assert!(empty.contains("no data"));
        let small = StackedBars {
            columns: vec!["a".into()],
            series: vec![BarSeries { label: "x".into(), values: vec![2] }],
            ..stacked(0)
        };
        let svg = stacked_bars_svg(&small, "sb4");
        assert!(svg.contains(">2<") && !svg.contains(">0.5<") && !svg.contains(">1.5<"));
        let mut five = stacked(3);
        five.series.push(BarSeries { label: "other".into(), values: vec![1, 1, 1] });
        assert!(stacked_bars_svg(&five, "sb6").contains("rb-bar rb-sev-other"));
        let zeros = StackedBars { series: vec![], ..stacked(3) };
        assert_chart(&stacked_bars_svg(&zeros, "sb5"), "sb5");
        assert_eq!(svg, stacked_bars_svg(&small, "sb4"));
    }

    #[test]
    fn hbars_rows() {
        let rows: Vec<HBar> =
            (0..30).map(|i| HBar { label: format!("service-{i} {EVIL}"), value: (i * 600) as f64 }).collect();
        let chart = HBars { title: "Median time to resolve".into(), rows };
        let svg = hbar_svg(&chart, "hb", &duration_label);
        assert_chart(&svg, "hb");
        assert!(svg.contains(">4 h 50 min<") && svg.contains("&lt;script&gt;"));
        assert_eq!(svg.matches("class=\"rb-label rb-value\"").count(), 30);
        assert_eq!(svg, hbar_svg(&chart, "hb", &duration_label));
        let odd = HBars {
            title: "t".into(),
            rows: vec![HBar { label: "nan".into(), value: f64::NAN }, HBar { label: "neg".into(), value: -1.0 }],
        };
        let svg = hbar_svg(&odd, "hb2", &|v| format!("{v:.0}"));
        assert_chart(&svg, "hb2");
        assert!(svg.contains(">–<") && !svg.contains("rb-bar"));
        assert!(hbar_svg(&HBars::default(), "hb3", &duration_label).contains("no data"));
    }

    #[test]
    fn id_prefix_is_sanitised() {
        let svg = sparkline_svg(&[1], &[], "9 bad\"id", "t");
        assert_chart(&svg, "rb-9-bad-id");
    }
}
