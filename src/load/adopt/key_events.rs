//! Key events (`- Detected 2021-07-12 15:44`) and stated durations (`Time to detect: 0h 07m`).

use super::*;

/// What a key-event line sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum KeyEvent {
    Moment(Moment),
    Declared,
}

/// Key-event phrases (lower-case), longest first so that `first detected` wins over `detected`.
pub(super) const KEY_PHRASES: &[(&str, KeyEvent)] = &[
    ("incident declared", KeyEvent::Declared),
    ("impact started", KeyEvent::Moment(Moment::Started)),
    ("impact start", KeyEvent::Moment(Moment::Started)),
    ("incident started", KeyEvent::Moment(Moment::Started)),
    ("first detected", KeyEvent::Moment(Moment::Detected)),
    ("fault occurred", KeyEvent::Moment(Moment::Started)),
    ("fault occurs", KeyEvent::Moment(Moment::Started)),
    ("mitigated", KeyEvent::Moment(Moment::Mitigated)),
    ("repaired", KeyEvent::Moment(Moment::Mitigated)),
    ("detected", KeyEvent::Moment(Moment::Detected)),
    ("resolved", KeyEvent::Moment(Moment::Resolved)),
    ("declared", KeyEvent::Declared),
];

pub(super) const DURATION_PHRASES: &[(&str, StatedKind)] = &[
    ("time to detect", StatedKind::Detect),
    ("time to detection", StatedKind::Detect),
    ("time to repair", StatedKind::Repair),
    ("time to mitigate", StatedKind::Repair),
    ("time to mitigation", StatedKind::Repair),
    ("time to recover", StatedKind::Repair),
    ("time to recovery", StatedKind::Repair),
    ("time to resolve", StatedKind::Resolve),
    ("time to resolution", StatedKind::Resolve),
    ("total duration", StatedKind::Duration),
    ("incident duration", StatedKind::Duration),
    ("outage duration", StatedKind::Duration),
    ("duration", StatedKind::Duration),
];

pub(super) static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?P<date>\d{4}[-/]\d{2}[-/]\d{2})(?:[\sT,]+(?:at\s+)?)?)?
        (?:(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\b\.?)?)?
        \s*(?P<zone>Z\b|UTC|GMT|[+-]\d{2}:?\d{2}|PST|PDT|EST|EDT|CST|CDT|MST|MDT|BST|CEST|CET|IST|JST|AEST)?",
    )
    .expect("valid regex")
});

pub(super) static DURATION_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?P<d>\d+)\s*d(?:ays?)?\b\s*,?\s*)?
        (?:(?P<h>\d+)\s*h(?:ours?|rs?)?\b\s*,?\s*)?
        (?:(?P<m>\d+)\s*m(?:in(?:ute)?s?)?\b\s*,?\s*)?
        (?:(?P<s>\d+)\s*s(?:ec(?:ond)?s?)?\b)?",
    )
    .expect("valid regex")
});

/// Fixed offsets of the zone abbreviations (docs/format.md, "Timelines in adopted files"), in
/// hours × 60.
pub(super) fn zone_offset(z: &str) -> Option<Offset> {
    let minutes = match z.to_ascii_uppercase().as_str() {
        "Z" | "UTC" | "GMT" => 0,
        "PST" => -480,
        "PDT" | "MST" => -420,
        "MDT" | "CST" => -360,
        "CDT" | "EST" => -300,
        "EDT" => -240,
        "BST" | "CET" => 60,
        "CEST" => 120,
        "IST" => 330,
        "JST" => 540,
        "AEST" => 600,
        other => {
            let (sign, digits) = other.split_at(1);
            let digits = digits.replace(':', "");
            let (h, m) = (digits.get(..2)?.parse::<i32>().ok()?, digits.get(2..4)?.parse::<i32>().ok()?);
            let v = h * 60 + m;
            if sign == "-" { -v } else { v }
        }
    };
    Offset::from_seconds(minutes * 60).ok()
}

/// A key event or stated duration found in the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    Moment { moment: Moment, at: Timestamp, local: DateTime, line: u32 },
    Declared { at: Timestamp, local: DateTime, line: u32, text: String },
    Stated(StatedDuration),
}

/// What the key-event scan found, and notes for values it could not use.
#[derive(Debug, Default)]
pub(crate) struct KeyEvents {
    pub found: Vec<Found>,
    pub notes: Vec<(u32, String)>,
}

/// Reads key events and stated durations: lines of a key-events list (under a heading or label
/// such as "Key events"), bold-label lines (`- **Detected**: …`) and summary-table rows
/// (`| Detected | 2021-07-12 15:44 |`). A word inside a sentence is not a key event.
pub(crate) fn key_events(body: &str, first_line: u32, date: Option<Date>, tz: &TimeZone) -> KeyEvents {
    let mut out = KeyEvents::default();
    let mut in_key_list = false;
    let mut fence: Option<&str> = None;
    for (i, raw) in body.lines().enumerate() {
        let line = first_line + i as u32;
        let t = raw.trim();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let top = raw.len() - raw.trim_start().len() < 2;
        if t.starts_with('#') {
            in_key_list = is_key_list_title(t.trim_start_matches('#'));
            continue;
        }
        // The cells of a table row, or the line without its list marker and checkbox.
        let (text, bold_label, row) = if t.starts_with('|') {
            let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
            if cells.len() < 2 {
                continue;
            }
            (format!("{}: {}", strip_emphasis(cells[0]), cells[1..].join(" ")), false, true)
        } else {
            let s = strip_marker(t);
            let bold = s.starts_with("**") || s.starts_with("__");
            (strip_label_emphasis(s), bold, false)
        };
        let is_label_line = top && bold_label;
        if is_label_line && !row {
            let label = text.split(':').next().unwrap_or("");
            if is_key_list_title(label) {
                in_key_list = true;
                continue;
            }
        }
        let lower = text.to_ascii_lowercase();
        // Stated durations: `Time to repair: 0h 07m`, wherever they are written as a label.
        if let Some((kind, rest)) = phrase(&lower, &text, DURATION_PHRASES)
            && let Some(rest) = rest.trim_start().strip_prefix(':').or(row.then_some(rest))
            && let Some(seconds) = parse_duration(rest.trim())
        {
            out.found.push(Found::Stated(StatedDuration { kind, seconds, line }));
            continue;
        }
        if !(in_key_list || is_label_line || row) {
            continue;
        }
        let Some((ev, rest)) = phrase(&lower, &text, KEY_PHRASES) else { continue };
        let said = text[..text.len() - rest.len()].trim();
        let rest = rest.trim_start();
        let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
        let rest = rest.strip_prefix("at ").or_else(|| rest.strip_prefix("on ")).unwrap_or(rest).trim_start();
        match parse_value(rest, date, tz) {
            Value::At(at, local) => match ev {
                KeyEvent::Moment(moment) => out.found.push(Found::Moment { moment, at, local, line }),
                KeyEvent::Declared => {
                    out.found.push(Found::Declared { at, local, line, text: said.to_string() })
                }
            },
            Value::DateOnly(d) => out.notes.push((
                line,
                format!(
                    "`{}` states {d} but no time, so it sets no moment; add the time (e.g. `{d} 14:05`) when it is known",
                    said
                ),
            )),
            Value::None => {}
        }
    }
    out
}

pub(super) fn is_key_list_title(t: &str) -> bool {
    let h = normalize_heading(t);
    let h = h.trim();
    h.starts_with("key ")
        && ["events", "event", "dates", "times", "timestamps", "moments", "metrics"]
            .contains(&h.trim_start_matches("key ").trim())
}

/// The phrase a text starts with (case-insensitive), as a whole word, and the text after it.
pub(super) fn phrase<'a, T: Copy>(lower: &str, text: &'a str, list: &[(&str, T)]) -> Option<(T, &'a str)> {
    list.iter().find_map(|(p, v)| {
        let after = lower.strip_prefix(p)?;
        (after.is_empty() || !after.starts_with(|c: char| c.is_alphanumeric())).then(|| (*v, &text[p.len()..]))
    })
}

pub(super) fn strip_marker(t: &str) -> &str {
    let s = t.trim_start_matches(['-', '*', '+']).trim_start();
    let s = if t.starts_with(['-', '*', '+']) && t[1..].starts_with(' ') {
        s
    } else {
        let digits = t.trim_start_matches(|c: char| c.is_ascii_digit());
        match digits.strip_prefix(['.', ')']) {
            Some(rest) if digits.len() < t.len() && rest.starts_with(' ') => rest.trim_start(),
            _ => t,
        }
    };
    s.strip_prefix("[ ]").or_else(|| s.strip_prefix("[x]")).or_else(|| s.strip_prefix("[X]")).unwrap_or(s).trim_start()
}

/// `**Detected**: x` / `**Detected:** x` → `Detected: x`.
pub(super) fn strip_label_emphasis(s: &str) -> String {
    for m in ["**", "__"] {
        if let Some(rest) = s.strip_prefix(m)
            && let Some(close) = rest.find(m)
        {
            return format!("{}{}", &rest[..close], &rest[close + 2..]);
        }
    }
    s.to_string()
}

pub(super) fn strip_emphasis(s: &str) -> String {
    s.replace(['*', '_'], "").trim().to_string()
}

pub(super) enum Value {
    At(Timestamp, DateTime),
    DateOnly(Date),
    None,
}

pub(super) fn parse_value(rest: &str, date: Option<Date>, tz: &TimeZone) -> Value {
    let rest = rest.trim_start_matches(['*', '_', '`']);
    let Some(c) = VALUE.captures(rest) else { return Value::None };
    let day = c.name("date").and_then(|d| crate::load::parse_date(&d.as_str().replace('/', "-")).ok());
    let Some(h) = c.name("h") else {
        return match day {
            Some(d) => Value::DateOnly(d),
            None => Value::None,
        };
    };
    let Some(day) = day.or(date) else { return Value::None };
    let mut hour: i8 = h.as_str().parse().unwrap_or(99);
    let minute: i8 = c["m"].parse().unwrap_or(99);
    let second: i8 = c.name("s").map_or(0, |s| s.as_str().parse().unwrap_or(99));
    if let Some(ap) = c.name("ampm") {
        let pm = ap.as_str().to_ascii_lowercase().starts_with('p');
        // a 24-hour time written with AM/PM (`13:55 PM`) is 13:55
        if hour <= 12 {
            hour = match (pm, hour) {
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, 12) => 0,
                (false, h) => h,
            };
        }
    }
    let Ok(time) = Time::new(hour, minute, second, 0) else { return Value::None };
    let local = day.to_datetime(time);
    let zone = c.name("zone").and_then(|z| zone_offset(z.as_str()));
    let at = match zone {
        Some(off) => off.to_timestamp(local).ok(),
        None => local.to_zoned_datetime(tz.clone()).ok().map(|z| z.timestamp()),
    };
    at.map_or(Value::None, |at| Value::At(at, local))
}

/// `0h 07m`, `20h 03m`, `2h 5m`, `45 minutes`, `1 day 2 hours` → seconds. The value must be
/// only a duration (a trailing parenthesis is allowed).
pub(super) fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim_matches(['*', '_', '`']).trim();
    let c = DURATION_VALUE.captures(s)?;
    let whole = c.get(0)?;
    if whole.as_str().trim().is_empty() {
        return None;
    }
    let rest = s[whole.end()..].trim();
    if !(rest.is_empty() || rest.starts_with(['(', '|', '.', '['])) {
        return None;
    }
    let n = |k: &str| c.name(k).map_or(Some(0), |m| m.as_str().parse::<i64>().ok());
    Some(n("d")? * 86_400 + n("h")? * 3600 + n("m")? * 60 + n("s")?)
}
