//! The incident timeline chart: numbered entries on a time axis, moments and durations.

use super::*;

/// One moment-in-time entry on an incident timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TimelineItem {
    /// Unix seconds.
    pub at: i64,
    /// Entry kind (`detected`, `comms`, …); becomes the class `rb-kind-<kind>`.
    pub kind: Option<String>,
    /// Entry text, shown as the tooltip of its numbered mark.
    pub label: String,
}

/// Input of [`timeline_svg`]: the four moments and the timeline entries of one incident.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TimelineChart {
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
    /// Stretches of the incident without a stakeholder update, (start, end) Unix seconds.
    pub update_gaps: Vec<(i64, i64)>,
}

const W: f64 = 960.0;
const ML: f64 = 40.0;
const MR: f64 = 40.0;
const LANE: f64 = 20.0;
const MAX_LANES: usize = 12;
const SMALL: f64 = 11.0;

/// Incident timeline: moments, duration bars and numbered entry marks on a time axis.
pub(crate) fn timeline_svg(input: &TimelineChart, id_prefix: &str) -> String {
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
    let sc = Scale::new(tmin, tmax, input.utc_offset);
    let (mlabels, label_rows) = moment_labels(&moments, &sc);
    let durations: Vec<(&str, i64, i64)> = match input.started {
        Some(s) => moments.iter().filter(|m| m.0 != "started").map(|&(k, t)| (k, s, t)).collect(),
        None => Vec::new(),
    };
    let dur_top = label_y(label_rows) - 2.0;
    let band_top = dur_top + durations.len() as f64 * 22.0 + 4.0;
    let marks = Marks::pack(&input.entries, &sc);
    let axis_y = band_top + marks.lanes as f64 * LANE + 14.0;
    let h = axis_y + if sc.crosses { 38.0 } else { 26.0 };

    let mut desc = format!("Timeline from {} to {}", sc.when(tmin), sc.when(tmax));
    for &(k, s, t) in &durations {
        w!(desc, "; {} to {}", human_duration(t - s, Prose), verb(k));
    }
    w!(desc, "; {} entries.", input.entries.len());
    let mut o = String::new();
    open(&mut o, id_prefix, "timeline", (W, h), &input.title, &desc, "");
    let ticks = time_ticks(sc.d0, sc.d1, sc.off, 10);
    for (t, _, _) in &ticks {
        line(&mut o, (sc.x(*t), band_top), (sc.x(*t), axis_y), "rb-grid", "");
    }
    o.push_str(&crate::render::conversation::gap_marks(&input.update_gaps, |t| sc.x(t), band_top, axis_y));
    for m in &mlabels {
        let dash = r#" stroke-width="1.5" stroke-dasharray="3 3""#;
        let class = format!("rb-moment rb-kind-{}", m.kind);
        line(&mut o, (sc.x(m.at), label_y(m.row) + 5.0), (sc.x(m.at), axis_y), &class, dash);
    }
    let cuts: Vec<f64> = mlabels.iter().map(|m| sc.x(m.at)).collect();
    for (i, &(kind, s, t)) in durations.iter().enumerate() {
        duration_bar(&mut o, &sc, &cuts, dur_top + i as f64 * 22.0, (kind, s, t));
    }
    time_axis(&mut o, &ticks, (ML - 12.0, W - MR + 12.0, axis_y), |t| sc.x(t));
    marks.draw(&mut o, &input.entries, &sc, axis_y);
    for m in &mlabels {
        m.draw(&mut o, &sc, axis_y);
    }
    o.push_str("</svg>");
    o
}

/// "detected" → "detect", "mitigated" → "mitigate": the verb of a duration's label.
fn verb(k: &str) -> String {
    k.strip_suffix(if k == "detected" { "ed" } else { "d" }).unwrap_or(k).to_string()
}

/// The baseline of moment-label row `row`.
fn label_y(row: usize) -> f64 {
    14.0 + row as f64 * 17.0
}

/// The time axis: the domain (the span of the incident, at least two minutes, padded by 3 %)
/// mapped onto the chart's width, and how times are printed on it.
struct Scale {
    /// The span of the incident, widened to two minutes.
    t0: i64,
    t1: i64,
    /// The padded domain of the axis.
    d0: i64,
    d1: i64,
    off: i32,
    /// Whether the span crosses midnight (local time): times then carry their date.
    crosses: bool,
}

impl Scale {
    fn new(tmin: i64, tmax: i64, off: i32) -> Scale {
        let (mut t0, mut t1) = (tmin, tmax);
        if t1 - t0 < 120 {
            t0 -= (120 - (t1 - t0)) / 2;
            t1 = t0 + 120;
        }
        let pad = ((t1 - t0) as f64 * 0.03).ceil() as i64;
        Scale { t0, t1, d0: t0 - pad, d1: t1 + pad, off, crosses: crosses_days(t0, t1, off) }
    }

    fn x(&self, t: i64) -> f64 {
        ML + (t - self.d0) as f64 / (self.d1 - self.d0) as f64 * (W - ML - MR)
    }

    /// A time as printed: `10:24` (with seconds under ten minutes, with the date across days).
    fn when(&self, t: i64) -> String {
        let mut s = String::with_capacity(16);
        self.when_into(&mut s, t);
        s
    }

    /// [`Scale::when`], appended to `o`.
    fn when_into(&self, o: &mut String, t: i64) {
        let (day, second) = local(t, self.off);
        if self.crosses {
            let (_, m, d) = civil(day);
            put!(o, MONTHS[m - 1], " ", d.unsigned_abs() as usize, " ");
        }
        two_digits(o, second / 3600);
        o.push(':');
        two_digits(o, second % 3600 / 60);
        if self.t1 - self.t0 < 600 {
            o.push(':');
            two_digits(o, second % 60);
        }
    }
}

/// `n` (0–99) with a leading zero, like `{:02}`.
fn two_digits(o: &mut String, n: i64) {
    if (0..10).contains(&n) {
        o.push('0');
    }
    uint_into(o, n.unsigned_abs());
}

/// A moment's label ("Detected 10:24") and the diamond on the axis.
struct MomentLabel<'a> {
    kind: &'a str,
    at: i64,
    name: String,
    time: String,
    left: f64,
    row: usize,
}

/// The moment labels, greedily packed into rows so they never overlap, and the number of rows.
fn moment_labels<'a>(moments: &[(&'a str, i64)], sc: &Scale) -> (Vec<MomentLabel<'a>>, usize) {
    let mut row_ends: Vec<f64> = Vec::new();
    let mut labels = Vec::new();
    for &(kind, at) in moments {
        let (name, time) = (format!("{}{}", kind[..1].to_uppercase(), &kind[1..]), format!(" {}", sc.when(at)));
        let wd = tw(&name, SMALL) * 1.08 + tw(&time, SMALL);
        let left = (sc.x(at) - wd / 2.0).clamp(2.0, W - 2.0 - wd);
        let row = row_ends.iter().position(|&end| end + 10.0 <= left).unwrap_or(row_ends.len());
        if row == row_ends.len() {
            row_ends.push(0.0);
        }
        row_ends[row] = left + wd;
        labels.push(MomentLabel { kind, at, name, time, left, row });
    }
    (labels, row_ends.len())
}

impl MomentLabel<'_> {
    fn draw(&self, o: &mut String, sc: &Scale, axis_y: f64) {
        let (kind, name, time) = (self.kind, &self.name, &self.time);
        put!(o, r#"<path class="rb-moment-mark rb-kind-"#, kind, r#"" d="M"#, N(sc.x(self.at)), " ", N(axis_y - 5.0));
        put!(o, r#"l5 5l-5 5l-5-5Z"><title>"#, E(name), E(time), "</title></path>");
        put!(o, r#"<text x=""#, N(self.left), r#"" y=""#, N(label_y(self.row)), r#"" font-size=""#, N(SMALL));
        put!(o, r#"" font-weight="600" class="rb-moment rb-kind-"#, kind, r#"">"#, E(name));
        put!(o, r#"<tspan class="rb-tick-label" font-weight="400">"#, E(time), "</tspan></text>");
    }
}

/// The bar from `started` to a moment at height `y`, labelled "40 min to mitigate" in the widest
/// stretch of the bar that no moment line (`cuts`) crosses, else beside it.
fn duration_bar(o: &mut String, sc: &Scale, cuts: &[f64], y: f64, (kind, s, t): (&str, i64, i64)) {
    let (xa, xb) = (sc.x(s.min(t)), sc.x(s.max(t)).max(sc.x(s.min(t)) + 2.0));
    rect(o, (xa, y), (xb - xa, 16.0), "rb-duration", r#" rx="3""#);
    let s = format!("{} to {}", human_duration(t - s, Prose), verb(kind));
    let wd = tw(&s, SMALL) * 1.08;
    let mut cuts: Vec<f64> = cuts.iter().copied().filter(|&c| c > xa + 1.0 && c < xb - 1.0).collect();
    cuts.extend([xa, xb]);
    cuts.sort_by(f64::total_cmp);
    let (ga, gb) =
        cuts.windows(2).map(|w| (w[0], w[1])).fold((xa, xa), |b, g| if g.1 - g.0 > b.1 - b.0 { g } else { b });
    if wd + 16.0 <= gb - ga {
        text(o, ((ga + gb) / 2.0, y + 12.0), SMALL, "middle", "rb-duration", &s);
    } else if xb + 6.0 + wd <= W - 2.0 {
        text(o, (xb + 6.0, y + 12.0), SMALL, "start", "rb-duration", &s);
    } else {
        text(o, (xa - 6.0, y + 12.0), SMALL, "end", "rb-duration", &s);
    }
}

/// The numbered entry marks, packed into lanes so they never overlap (up to [`MAX_LANES`], then
/// into the least-overlapping lane).
struct Marks {
    /// Entry indexes by time (then page order): the order marks are drawn in.
    order: Vec<usize>,
    /// Per entry: centre x, width, lane.
    at: Vec<(f64, f64, usize)>,
    lanes: usize,
}

impl Marks {
    fn pack(entries: &[TimelineItem], sc: &Scale) -> Marks {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| (entries[i].at, i));
        let mut lane_end: Vec<f64> = Vec::new();
        let mut at = vec![(0.0, 0.0, 0usize); entries.len()];
        for &i in &order {
            let bw = if i + 1 < 100 { 16.0 } else { 24.0 };
            let cx = sc.x(entries[i].at);
            let lane = match lane_end.iter().position(|&e| e + 2.0 <= cx - bw / 2.0) {
                Some(l) => l,
                None if lane_end.len() < MAX_LANES => {
                    lane_end.push(f64::MIN);
                    lane_end.len() - 1
                }
                None => (0..lane_end.len()).min_by(|&a, &b| lane_end[a].total_cmp(&lane_end[b])).unwrap_or(0),
            };
            lane_end[lane] = cx + bw / 2.0;
            at[i] = (cx, bw, lane);
        }
        Marks { order, at, lanes: lane_end.len() }
    }

    /// The stems, then the marks with their numbers and tooltips.
    fn draw(&self, o: &mut String, entries: &[TimelineItem], sc: &Scale, axis_y: f64) {
        let lane_cy = |lane: usize| axis_y - 18.0 - lane as f64 * LANE;
        let kinds: Vec<String> = entries.iter().map(|e| class_suffix(e.kind.as_deref().unwrap_or(""))).collect();
        for (kind, &(cx, _, lane)) in kinds.iter().zip(&self.at) {
            put!(o, r#"<line x1=""#, N(cx), r#"" y1=""#, N(lane_cy(lane) + 8.0), r#"" x2=""#, N(cx), r#"" y2=""#);
            put!(o, N(axis_y), r#"" class="rb-stem rb-kind-"#, kind, r#"" stroke-opacity="0.5"/>"#);
        }
        for &i in &self.order {
            let (e, kind) = (&entries[i], &kinds[i]);
            let (cx, bw, lane) = self.at[i];
            let cy = lane_cy(lane);
            // The tooltip: "3. 10:24 (detected) what happened".
            put!(o, "<g><title>", i + 1, ". ");
            sc.when_into(o, e.at);
            if let Some(k) = &e.kind {
                put!(o, " (", E(k), ")");
            }
            put!(o, " ", E(&e.label), "</title>");
            if bw > 16.0 {
                put!(o, r#"<rect x=""#, N(cx - bw / 2.0), r#"" y=""#, N(cy - 8.0), r#"" width=""#, N(bw));
                put!(o, r#"" height="16" class="rb-mark rb-kind-"#, kind, r#"" rx="8"/>"#);
            } else {
                put!(o, r#"<circle cx=""#, N(cx), r#"" cy=""#, N(cy), r#"" r="8" class="rb-mark rb-kind-"#, kind);
                o.push_str(r#""/>"#);
            }
            put!(o, r#"<text x=""#, N(cx), r#"" y=""#, N(cy), r#"" text-anchor="middle" dominant-baseline="central""#);
            put!(o, r#" font-size="9.5" font-weight="700" class="rb-mark-label">"#, i + 1, "</text></g>");
        }
    }
}
