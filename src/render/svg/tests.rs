//! Unit tests of the SVG charts.

use super::chart::{MAX_DRAWN, thin};
use super::fishbone::fishbone_width;
use super::*;
use anyhow::Context as _;

const EVIL: &str = r#"<script>alert(1)</script> " onload="x"#;
const T0: i64 = 1_741_943_520; // 2025-03-14 09:12 UTC

/// Minimal well-formedness check: balanced tags, quoted attributes, known entities, one `<svg>` root.
fn check_xml(s: &str) -> anyhow::Result<()> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    let mut roots = 0;
    let check_entities = |t: &str| -> anyhow::Result<()> {
        for (i, _) in t.match_indices('&') {
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| t[i..].starts_with(e));
            if !ok {
                anyhow::bail!("bad entity near {:?}", &t[i..(i + 10).min(t.len())]);
            }
        }
        Ok(())
    };
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        if text.contains('>') {
            anyhow::bail!("raw > in text {text:?}");
        }
        check_entities(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            anyhow::bail!("text outside root");
        }
        let close = rest[open..].find('>').context("unclosed tag")? + open;
        let tag = &rest[open + 1..close];
        if tag.contains('<') {
            anyhow::bail!("< inside tag {tag:?}");
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().with_context(|| format!("stray </{name}>"))?;
            if top != name {
                anyhow::bail!("</{name}> closes <{top}>");
            }
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().context("empty tag")?.to_string();
            let mut attrs = body[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs.find("=\"").with_context(|| format!("unquoted attribute in {tag:?}"))?;
                let key = &attrs[..eq];
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
                    anyhow::bail!("bad attribute name {key:?}");
                }
                let end = attrs[eq + 2..].find('"').context("unterminated attribute")? + eq + 2;
                check_entities(&attrs[eq + 2..end])?;
                attrs = attrs[end + 1..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
                if name != "svg" {
                    anyhow::bail!("root is <{name}>");
                }
            }
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    if !rest.trim().is_empty() || !stack.is_empty() || roots != 1 {
        anyhow::bail!("unbalanced: open {stack:?}, roots {roots}");
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
        update_gaps: Vec::new(),
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
fn duration_labels_round_to_prose() {
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
        // As wide as its columns of bones (two per column), no wider.
        let cols = c.div_ceil(2);
        let width = fishbone_width(cols);
        assert!(svg.contains(&format!("viewBox=\"0 0 {width} ")), "{c} categories: {width} wide");
        assert!(svg.contains(&format!("data-cols=\"{cols}\"")));
    }
    // One bone is not drawn along a page-wide spine: 590 units, against 1340 for seven bones.
    assert_eq!((fishbone_width(1), fishbone_width(4)), (590.0, 1340.0));
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
    assert!(svg.contains("height=\"24\"") && svg.contains("viewBox=\"0 0 120 24\"") && svg.contains("&lt;script&gt;"));
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

/// The `{:.1}`-based formatting the charts used before they wrote numbers by hand.
fn reference_f(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{:.1}", (v * 10.0).round() / 10.0);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    if s == "-0" { "0".into() } else { s }
}

#[test]
fn coordinates_are_written_digit_by_digit_as_formatting_would() {
    let mut values = vec![0.0, -0.0, 0.04, 0.05, -0.04, -0.05, 0.95, -0.95, 9.96, 10.0, 123.45, -7.25, 1e6, 1e12 + 0.3];
    values.extend((-3000..3000).map(|i| f64::from(i) * 0.037));
    for v in values {
        assert_eq!(f(v), reference_f(v), "{v}");
    }
    assert_eq!((f(f64::NAN), f(f64::INFINITY)), ("0".to_string(), "0".to_string()));
    let mut o = String::from("x=");
    put!(&mut o, N(12.34), " ", E("<a & 'b'>"), " ", 42usize, " ", "plain");
    assert_eq!(o, "x=12.3 &lt;a &amp; &#39;b&#39;&gt; 42 plain");
}

#[test]
fn escaping_into_a_buffer_keeps_plain_text_and_replaces_the_rest() {
    for s in ["plain text, no markup", "", "é ü 日本", "a\u{FFFE}b\u{FFFF}c\rd", "x > y \"q\""] {
        let mut o = String::from("<");
        escape_into(&mut o, s);
        let expected: String = s
            .chars()
            .filter_map(|c| match c {
                '&' => Some("&amp;".to_string()),
                '<' => Some("&lt;".into()),
                '>' => Some("&gt;".into()),
                '"' => Some("&quot;".into()),
                '\'' => Some("&#39;".into()),
                '\n' | '\t' | '\r' => Some(" ".into()),
                c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => None,
                c => Some(c.to_string()),
            })
            .collect();
        assert_eq!(o, format!("<{expected}"), "{s:?}");
    }
}

#[test]
fn timeline_times_print_with_seconds_and_dates_when_needed() {
    // Short span: seconds; long span: minutes; across midnight (in the offset): with the date.
    let short = TimelineChart {
        started: Some(T0),
        resolved: Some(T0 + 300),
        entries: vec![TimelineItem { at: T0 + 61, kind: Some("comms".into()), label: "a <b>".into() }],
        ..Default::default()
    };
    let svg = timeline_svg(&short, "s");
    assert!(svg.contains("<title>1. 09:13:01 (comms) a &lt;b&gt;</title>"), "{svg}");
    let night = TimelineChart {
        utc_offset: 14 * 3600,
        started: Some(T0),
        resolved: Some(T0 + 3 * 3600),
        entries: vec![TimelineItem { at: T0 + 3 * 3600, kind: None, label: "done".into() }],
        ..Default::default()
    };
    let svg = timeline_svg(&night, "n");
    assert!(svg.contains("<title>1. Mar 15 02:12 done</title>"), "{svg}");
    assert!(svg.contains(r#"font-weight="600" class="rb-moment rb-kind-started">Started<tspan class="rb-tick-label" font-weight="400"> Mar 14 23:12</tspan>"#), "{svg}");
}
