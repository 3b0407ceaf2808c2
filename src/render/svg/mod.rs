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

use crate::text::{DurationStyle::Prose, human_duration};
use std::fmt::Write as _;

/// Font sizes (viewBox units) of `rb-label` and of `rb-tick-label`, as in the stylesheet.
const LABEL: f64 = 12.0;
const TICK: f64 = 11.0;

macro_rules! w {
    ($($t:tt)*) => {{
        let _ = write!($($t)*);
    }};
}

/// Appends pieces ([`Put`]: `&str`, [`N`] coordinates, [`E`] escaped text, counts) to a buffer,
/// without the formatting machinery of `write!`.
macro_rules! put {
    ($o:expr, $($p:expr),+ $(,)?) => {{
        let o: &mut String = $o;
        $( Put::put($p, o); )+
    }};
}

mod chart;
mod fishbone;
#[cfg(test)]
mod tests;
mod timeline;

pub(crate) use chart::{
    BarSeries, ChartMark, HBar, HBars, LineChart, MarkKind, Series, StackedBars, hbar_svg, line_chart_svg,
    sparkline_svg, stacked_bars_svg,
};
pub(crate) use fishbone::{Fishbone, FishboneCategory, FishboneFactor, fishbone_svg};
pub(crate) use timeline::{TimelineChart, TimelineItem, timeline_svg};

/// Escapes `& < > " '` for XML text and attributes and drops characters XML forbids.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`], appended to `out`: text without any of those characters is copied in one piece.
fn escape_into(out: &mut String, s: &str) {
    let special =
        |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}');
    if !s.contains(special) {
        out.push_str(s);
        return;
    }
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
}

/// A duration in seconds given as a float (rounded), in prose; handy as an [`hbar_svg`] formatter.
pub(crate) fn duration_label(seconds: f64) -> String {
    if seconds.is_finite() { human_duration(seconds.round() as i64, Prose) } else { "–".into() }
}

/// Nice axis ticks (steps of 1, 2 or 5 × 10ⁿ) covering `min..=max`, about `target` of them.
pub(crate) fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
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
    let mut s = String::with_capacity(8);
    num_into(&mut s, v);
    s
}

/// [`f`], appended to `o`. Integer arithmetic instead of `{:.1}`: float formatting dominated
/// chart rendering, and so did allocating a `String` per coordinate.
fn num_into(o: &mut String, v: f64) {
    if !v.is_finite() {
        o.push('0');
        return;
    }
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        o.push('-');
    }
    let t = tenths.unsigned_abs();
    uint_into(o, t / 10);
    if !t.is_multiple_of(10) {
        o.push('.');
        o.push(char::from(b'0' + (t % 10) as u8));
    }
}

/// The decimal digits of `n`, appended to `o`.
fn uint_into(o: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    o.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// One piece of SVG markup appended to a chart's buffer by [`put!`].
trait Put {
    fn put(self, o: &mut String);
}

impl Put for &str {
    fn put(self, o: &mut String) {
        o.push_str(self);
    }
}

impl Put for &String {
    fn put(self, o: &mut String) {
        o.push_str(self);
    }
}

/// A coordinate, written as [`f`] writes it.
struct N(f64);

impl Put for N {
    fn put(self, o: &mut String) {
        num_into(o, self.0);
    }
}

/// Text, escaped as [`escape`] escapes it.
struct E<'a>(&'a str);

impl Put for E<'_> {
    fn put(self, o: &mut String) {
        escape_into(o, self.0);
    }
}

/// A count, in decimal.
impl Put for usize {
    fn put(self, o: &mut String) {
        uint_into(o, self as u64);
    }
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
    put!(o, r#"<svg xmlns="http://www.w3.org/2000/svg" class="rb-svg rb-svg-"#, chart, r#"" viewBox="0 0 "#, N(w));
    put!(o, " ", N(h), r#"" width="100%""#, extra);
    // The fishbone's factors are links: an image role would hide them (axe: nested-interactive).
    let role = if chart == "fishbone" { "group" } else { "img" };
    put!(o, r#" role=""#, role, r#"" aria-labelledby=""#, &p, "-title ", &p, r#"-desc"><title id=""#, &p);
    put!(o, r#"-title">"#, E(title), r#"</title><desc id=""#, &p, r#"-desc">"#, E(desc), "</desc>");
}

/// Writes one `<text>`; `anchor` is "start", "middle" or "end".
fn text(o: &mut String, (x, y): (f64, f64), size: f64, anchor: &str, class: &str, s: &str) {
    const BOLD: [&str; 4] = ["rb-moment", "rb-duration", "rb-head", "rb-category"];
    put!(o, r#"<text x=""#, N(x), r#"" y=""#, N(y), r#"" font-size=""#, N(size), "\"");
    if anchor != "start" {
        put!(o, r#" text-anchor=""#, anchor, "\"");
    }
    if BOLD.iter().any(|c| class.contains(c)) {
        o.push_str(r#" font-weight="600""#);
    }
    put!(o, r#" class=""#, class, r#"">"#, E(s), "</text>");
}

fn line(o: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str, extra: &str) {
    put!(o, r#"<line x1=""#, N(x1), r#"" y1=""#, N(y1), r#"" x2=""#, N(x2), r#"" y2=""#, N(y2));
    put!(o, r#"" class=""#, class, "\"", extra, "/>");
}

fn rect(o: &mut String, (x, y): (f64, f64), (w, h): (f64, f64), class: &str, extra: &str) {
    put!(o, r#"<rect x=""#, N(x), r#"" y=""#, N(y), r#"" width=""#, N(w.max(0.0)), r#"" height=""#, N(h.max(0.0)));
    put!(o, r#"" class=""#, class, "\"", extra, "/>");
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
