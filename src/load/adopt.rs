//! Structure read from adopted files (spec §2.7): bold-label sections, key events, stated
//! durations, actions from lists and tables, factors from a root-cause section.
//!
//! Runs only for files without retrobook front matter. Nothing is invented: each rule reads
//! what the file states and keeps the line it read it from.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Pos};
use crate::load::sections::{SlugSet, classify, collapse, markdown_options, normalize_heading};
use crate::model::*;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Bold-label sections
// ---------------------------------------------------------------------------------------------

/// A top-level block of the body: a paragraph, a list item of a top-level list, a heading or
/// anything else (table, code, quote, HTML), with its byte range and its bold label, if any.
#[derive(Debug)]
struct Block {
    start: usize,
    end: usize,
    heading: bool,
    /// (label text, byte offset where the content after the label starts, list item?)
    label: Option<(String, usize, bool)>,
}

/// The top-level blocks of `body`.
fn blocks(body: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut depth = 0usize; // block nesting; 0 = top level
    let mut list_depth = 0usize;
    // A block whose label is being read: (index in out, strong text so far, strong open?)
    let mut reading: Option<(usize, String, bool)> = None;
    let mut expect_label = false;
    for (ev, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match &ev {
            Event::Start(tag) => {
                let top_item = matches!(tag, Tag::Item) && list_depth == 1 && depth == 1;
                let top_block = depth == 0 && !matches!(tag, Tag::List(_));
                if top_item || top_block {
                    out.push(Block {
                        start: range.start,
                        end: range.end,
                        heading: matches!(tag, Tag::Heading { .. }),
                        label: None,
                    });
                    expect_label = matches!(tag, Tag::Paragraph | Tag::Item);
                    reading = None;
                } else if expect_label {
                    match tag {
                        Tag::Paragraph => {} // a loose item's paragraph
                        Tag::Strong if reading.is_none() => reading = Some((out.len() - 1, String::new(), true)),
                        _ => expect_label = false,
                    }
                }
                if matches!(tag, Tag::List(_)) {
                    list_depth += 1;
                }
                if is_block(tag) {
                    depth += 1;
                }
            }
            Event::End(tag) => {
                if matches!(tag, TagEnd::List(_)) {
                    list_depth = list_depth.saturating_sub(1);
                }
                if is_block_end(tag) {
                    depth = depth.saturating_sub(1);
                }
                match (&mut reading, tag) {
                    (Some((_, _, open @ true)), TagEnd::Strong) => *open = false,
                    (Some((i, text, false)), TagEnd::Paragraph | TagEnd::Item) => {
                        // The label stands alone on its line: `**What went well?**`, `- **Review actions**:`.
                        set_label(&mut out[*i], text, range.start.min(range.end), body);
                        reading = None;
                        expect_label = false;
                    }
                    _ => {}
                }
            }
            Event::Text(t) | Event::Code(t) => match &mut reading {
                Some((_, text, true)) => text.push_str(t),
                Some((i, text, false)) => {
                    let label_ends_colon = text.trim_end().ends_with(':');
                    if t.trim_start().starts_with(':') || label_ends_colon || t.trim().is_empty() {
                        let after = if label_ends_colon {
                            range.start
                        } else {
                            // skip the `:` after the closing `**`
                            let lead = t.len() - t.trim_start().len();
                            range.start + (lead + 1).min(range.end - range.start)
                        };
                        set_label(&mut out[*i], text, after, body);
                    }
                    reading = None;
                    expect_label = false;
                }
                None => expect_label = false,
            },
            Event::TaskListMarker(_) => {}
            Event::SoftBreak | Event::HardBreak => {
                if let Some((i, text, false)) = &mut reading {
                    set_label(&mut out[*i], text, range.start, body);
                }
                if !matches!(reading, Some((_, _, true))) {
                    reading = None;
                    expect_label = false;
                }
            }
            _ => {
                if !matches!(reading, Some((_, _, true))) {
                    reading = None;
                    expect_label = false;
                }
            }
        }
        if let Some(last) = out.last_mut()
            && range.end > last.end
            && depth > 0
        {
            last.end = range.end;
        }
    }
    out
}

fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::DefinitionList
            | Tag::MetadataBlock(_)
    )
}

fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::DefinitionList
            | TagEnd::MetadataBlock(_)
    )
}

/// Records a label unless it is a time or date (`**11:11**:`, `**2020-09-03 13:57**:`), which
/// are timeline entries, not labels.
fn set_label(b: &mut Block, text: &str, after: usize, body: &str) {
    let label = collapse(text.trim().trim_end_matches(':').trim());
    if label.is_empty() || label.starts_with(|c: char| c.is_ascii_digit()) || label.chars().count() > 60 {
        return;
    }
    let item = !body[b.start..].starts_with("**") && !body[b.start..].starts_with("__");
    b.label = Some((label, after.min(b.end.max(after)), item));
}

/// What a bold label makes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LabelRole {
    /// A section of one of the seven kinds.
    Section(SectionKind),
    /// The impact statement: a section (of no kind) and `impact.users`.
    Impact,
    /// Not a section (`**Date**:`, `**What went well?**`): it only ends the label before it.
    None,
}

static TIMED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:[-*+]|\d+[.)])?\s*(?:\[[ xX]\]\s*)?[*_]*(?:\d{4}-\d{2}-\d{2}[ T]+)?\d{1,2}[:.]\d{2}\b")
        .expect("valid regex")
});

/// The role of a bold label, given its content (a `Context` label is a timeline only when it
/// holds timed entries).
fn label_role(label: &str, content: &str) -> LabelRole {
    let h = normalize_heading(label);
    match h.as_str() {
        "impact" | "user impact" | "impact on users" => return LabelRole::Impact,
        "context" => {
            return if TIMED_LINE.is_match(content) {
                LabelRole::Section(SectionKind::Timeline)
            } else {
                LabelRole::None
            };
        }
        "identified" | "how it was detected" | "how was it detected" | "how we detected it" => {
            return LabelRole::Section(SectionKind::Monitoring);
        }
        "review actions" | "lessons and actions" | "remedial action" | "remedial actions" => {
            return LabelRole::Section(SectionKind::FollowUpActions);
        }
        _ => {}
    }
    classify(label).or_else(|| misspelt_actions_label(&h)).map_or(LabelRole::None, LabelRole::Section)
}

/// A follow-up actions label written with a typo (`Remeidal action`, `Remidial action`): two
/// edits at most, on labels long enough that two edits cannot turn one word into another.
fn misspelt_actions_label(h: &str) -> Option<SectionKind> {
    const LABELS: [&str; 6] = [
        "remedial action",
        "remedial actions",
        "action items",
        "follow-up actions",
        "corrective actions",
        "review actions",
    ];
    (h.len() >= 10 && LABELS.iter().any(|l| strsim::damerau_levenshtein(h, l) <= 2))
        .then_some(SectionKind::FollowUpActions)
}

/// The sections written as bold labels in `body` (file line `first_line`), after the heading
/// sections already found; sets `impact_users` from an `Impact` label.
pub fn label_sections(body: &str, first_line: u32, headed: &[Section]) -> (Vec<Section>, Option<(String, u32)>) {
    // Cheap exit: no bold text at all.
    if !body.contains("**") && !body.contains("__") {
        return (Vec::new(), None);
    }
    let lines = crate::load::value::LineIndex::new(body, first_line);
    let blocks = blocks(body);
    let mut slugs = SlugSet::default();
    for s in headed {
        slugs.unique(&s.slug);
    }
    let mut out = Vec::new();
    let mut users = None;
    for (i, b) in blocks.iter().enumerate() {
        let Some((label, after, item)) = &b.label else { continue };
        // up to the next label or heading
        let end = blocks[i + 1..].iter().find(|n| n.heading || n.label.is_some()).map_or(body.len(), |n| n.start);
        let content = content_markdown(body, b, *after, end, *item);
        let role = label_role(label, &content);
        let line = lines.line(b.start);
        // inside a heading section of the same kind it is only a sub-heading of it
        let parent = headed.iter().rev().find(|s| s.line <= line).and_then(|s| s.kind);
        let kind = match role {
            LabelRole::None => continue,
            LabelRole::Impact => None,
            LabelRole::Section(k) if parent == Some(k) => continue,
            LabelRole::Section(k) => Some(k),
        };
        if role == LabelRole::Impact && users.is_none() {
            let text = crate::render::markdown::plain_text(&content);
            let text = collapse(&text);
            if !text.is_empty() {
                users = Some((text, line));
            }
        }
        out.push(Section {
            heading: label.clone(),
            kind,
            slug: slugs.unique(label),
            level: 6,
            markdown: content,
            line,
            body_line: line,
            bold_label: true,
        });
    }
    (out, users)
}

/// A label's content as Markdown: the rest of its line, the rest of the item (dedented by the
/// item's indent), and the blocks after it up to `end`. Lines are kept one for one, so that the
/// first line of the result is the label's line.
fn content_markdown(body: &str, b: &Block, after: usize, end: usize, item: bool) -> String {
    let line_start = body[..b.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = if item {
        let l = &body[line_start..];
        let spaces = l.len() - l.trim_start_matches(' ').len();
        let rest = &l[spaces..];
        let marker =
            rest.find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '*' | '+' | '.' | ')'))).unwrap_or(0);
        let gap = rest[marker..].len() - rest[marker..].trim_start_matches(' ').len();
        spaces + marker + gap.clamp(1, 4)
    } else {
        0
    };
    let after = after.clamp(b.start, end.max(b.start));
    let item_end = b.end.min(end).max(after);
    let mut out = String::with_capacity(end.saturating_sub(after) + 1);
    let mut first = true;
    for l in body[after..item_end].split_inclusive('\n') {
        if first {
            out.push_str(l.trim_start_matches([' ', '\t']));
            first = false;
        } else {
            let spaces = l.len() - l.trim_start_matches(' ').len();
            out.push_str(&l[spaces.min(indent)..]);
        }
    }
    if item_end < end {
        out.push_str(&body[item_end..end]);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Key events and stated durations
// ---------------------------------------------------------------------------------------------

/// What a key-event line sets.
#[derive(Debug, Clone, Copy, PartialEq)]
enum KeyEvent {
    Moment(Moment),
    Declared,
}

/// Key-event phrases (lower-case), longest first so that `first detected` wins over `detected`.
const KEY_PHRASES: &[(&str, KeyEvent)] = &[
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

const DURATION_PHRASES: &[(&str, StatedKind)] = &[
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

static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?P<date>\d{4}[-/]\d{2}[-/]\d{2})(?:[\sT,]+(?:at\s+)?)?)?
        (?:(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\b\.?)?)?
        \s*(?P<zone>Z\b|UTC|GMT|[+-]\d{2}:?\d{2}|PST|PDT|EST|EDT|CST|CDT|MST|MDT|BST|CEST|CET|IST|JST|AEST)?",
    )
    .expect("valid regex")
});

static DURATION_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:(?P<d>\d+)\s*d(?:ays?)?\b\s*,?\s*)?
        (?:(?P<h>\d+)\s*h(?:ours?|rs?)?\b\s*,?\s*)?
        (?:(?P<m>\d+)\s*m(?:in(?:ute)?s?)?\b\s*,?\s*)?
        (?:(?P<s>\d+)\s*s(?:ec(?:ond)?s?)?\b)?",
    )
    .expect("valid regex")
});

/// Fixed offsets of the zone abbreviations of spec §2.6, in hours × 60.
fn zone_offset(z: &str) -> Option<Offset> {
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
pub enum Found {
    Moment { moment: Moment, at: Timestamp, local: DateTime, line: u32 },
    Declared { at: Timestamp, local: DateTime, line: u32, text: String },
    Stated(StatedDuration),
}

/// What the key-event scan found, and notes for values it could not use.
#[derive(Debug, Default)]
pub struct KeyEvents {
    pub found: Vec<Found>,
    pub notes: Vec<(u32, String)>,
}

/// Reads key events and stated durations: lines of a key-events list (under a heading or label
/// such as "Key events"), bold-label lines (`- **Detected**: …`) and summary-table rows
/// (`| Detected | 2021-07-12 15:44 |`). A word inside a sentence is not a key event.
pub fn key_events(body: &str, first_line: u32, date: Option<Date>, tz: &TimeZone) -> KeyEvents {
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

fn is_key_list_title(t: &str) -> bool {
    let h = normalize_heading(t);
    let h = h.trim();
    h.starts_with("key ")
        && ["events", "event", "dates", "times", "timestamps", "moments", "metrics"]
            .contains(&h.trim_start_matches("key ").trim())
}

/// The phrase a text starts with (case-insensitive), as a whole word, and the text after it.
fn phrase<'a, T: Copy>(lower: &str, text: &'a str, list: &[(&str, T)]) -> Option<(T, &'a str)> {
    list.iter().find_map(|(p, v)| {
        let after = lower.strip_prefix(p)?;
        (after.is_empty() || !after.starts_with(|c: char| c.is_alphanumeric())).then(|| (*v, &text[p.len()..]))
    })
}

fn strip_marker(t: &str) -> &str {
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
fn strip_label_emphasis(s: &str) -> String {
    for m in ["**", "__"] {
        if let Some(rest) = s.strip_prefix(m)
            && let Some(close) = rest.find(m)
        {
            return format!("{}{}", &rest[..close], &rest[close + 2..]);
        }
    }
    s.to_string()
}

fn strip_emphasis(s: &str) -> String {
    s.replace(['*', '_'], "").trim().to_string()
}

enum Value {
    At(Timestamp, DateTime),
    DateOnly(Date),
    None,
}

fn parse_value(rest: &str, date: Option<Date>, tz: &TimeZone) -> Value {
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
fn parse_duration(s: &str) -> Option<i64> {
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

// ---------------------------------------------------------------------------------------------
// Actions and factors
// ---------------------------------------------------------------------------------------------

/// A top-level list item of a section: its own text (nested lists left out), checkbox, whether
/// all its text is struck through, its links and its line offset in the section.
#[derive(Debug, Default)]
struct ListItem {
    text: String,
    checked: bool,
    struck_chars: usize,
    chars: usize,
    links: Vec<String>,
    offset: usize,
    label: Option<String>,
}

/// A table's header cells and rows (cell text, links in the row, offset of the row).
#[derive(Debug, Default)]
struct TableRows {
    header: Vec<String>,
    rows: Vec<(Vec<String>, Vec<String>, usize)>,
}

/// Top-level list items, tables and bold-labelled paragraphs of a section's Markdown.
#[derive(Debug, Default)]
struct Parts {
    items: Vec<ListItem>,
    tables: Vec<TableRows>,
    /// (label, plain text of the whole paragraph, offset)
    labelled: Vec<(String, String, usize)>,
    /// Plain text of top-level paragraphs that do not start with a label, with offsets.
    paragraphs: Vec<(String, usize)>,
}

fn parts(md: &str) -> Parts {
    let mut p = Parts::default();
    let mut list_depth = 0usize;
    let mut block_depth = 0usize;
    let mut item: Option<ListItem> = None;
    let mut strike = 0usize;
    let mut strong: Option<String> = None;
    let mut para: Option<(String, usize, Option<String>, bool)> = None; // text, offset, label, first event seen
    let mut table: Option<TableRows> = None;
    let mut cell: Option<String> = None;
    let mut row: Option<(Vec<String>, Vec<String>, usize)> = None;
    let mut in_head = false;
    for (ev, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) if list_depth == 1 && block_depth == 0 => {
                item = Some(ListItem { offset: range.start, ..Default::default() })
            }
            Event::End(TagEnd::Item) if list_depth == 1 && block_depth == 0 => {
                if let Some(it) = item.take() {
                    p.items.push(it);
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::FootnoteDefinition(_)) => block_depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::CodeBlock | TagEnd::FootnoteDefinition) => {
                block_depth = block_depth.saturating_sub(1)
            }
            Event::Start(Tag::Paragraph) if list_depth == 0 && block_depth == 0 => {
                para = Some((String::new(), range.start, None, false))
            }
            Event::End(TagEnd::Paragraph) if list_depth == 0 && block_depth == 0 => {
                if let Some((text, at, label, _)) = para.take() {
                    let text = collapse(&text);
                    match label {
                        Some(l) if !text.is_empty() => p.labelled.push((l, text, at)),
                        _ if !text.is_empty() => p.paragraphs.push((text, at)),
                        _ => {}
                    }
                }
            }
            Event::Start(Tag::Table(_)) if block_depth == 0 && list_depth == 0 => table = Some(TableRows::default()),
            Event::End(TagEnd::Table) => p.tables.extend(table.take()),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => row = Some((Vec::new(), Vec::new(), range.start)),
            Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.rows.push(r);
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let c = collapse(&cell.take().unwrap_or_default());
                if in_head {
                    if let Some(t) = table.as_mut() {
                        t.header.push(c);
                    }
                } else if let Some(r) = row.as_mut() {
                    r.0.push(c);
                }
            }
            Event::Start(Tag::Strikethrough) => strike += 1,
            Event::End(TagEnd::Strikethrough) => strike = strike.saturating_sub(1),
            Event::Start(Tag::Strong) => {
                if let Some((text, _, None, false)) = para.as_mut()
                    && text.is_empty()
                {
                    strong = Some(String::new());
                } else if let Some(it) = item.as_mut()
                    && list_depth == 1
                    && it.text.trim().is_empty()
                    && it.label.is_none()
                {
                    strong = Some(String::new());
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some(s) = strong.take() {
                    let s = collapse(s.trim_end_matches(':'));
                    if let Some((_, _, label, _)) = para.as_mut() {
                        *label = Some(s);
                    } else if let Some(it) = item.as_mut() {
                        it.label = Some(s);
                    }
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(it) = item.as_mut()
                    && list_depth == 1
                {
                    it.checked = done;
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(it) = item.as_mut() {
                    it.links.push(dest_url.to_string());
                } else if let Some(r) = row.as_mut() {
                    r.1.push(dest_url.to_string());
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(s) = strong.as_mut() {
                    s.push_str(&t);
                }
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                    if let Some(r) = row.as_mut() {
                        r.1.extend(bare_urls(&t));
                    }
                } else if let Some(it) = item.as_mut() {
                    if list_depth == 1 {
                        it.text.push_str(&t);
                        let n = t.chars().filter(|c| !c.is_whitespace()).count();
                        it.chars += n;
                        if strike > 0 {
                            it.struck_chars += n;
                        }
                    }
                    it.links.extend(bare_urls(&t));
                } else if let Some((text, _, _, seen)) = para.as_mut() {
                    text.push_str(&t);
                    *seen = true;
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(it) = item.as_mut()
                    && list_depth == 1
                {
                    it.text.push(' ');
                } else if let Some((text, ..)) = para.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    p
}

static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"https?://[^\s<>()\[\]|]+").expect("valid regex"));
static TRACKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^https?://[^/\s]+/(?:
            (?:.*/)?(?:issues|pull|pulls|merge_requests)/\d+
          | (?:.*/)?browse/[A-Z][A-Z0-9]+-\d+
          | .*[?&]id=\d+
          | .*/(?:ticket|tickets|issue|bug|bugs|show_bug\.cgi)\b.*
        )",
    )
    .expect("valid regex")
});

fn bare_urls(t: &str) -> impl Iterator<Item = String> + '_ {
    URL.find_iter(t).map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':']).to_string())
}

/// Whether a word of the text marks it done: a standalone `DONE`, `Done`, `(done)` or `✅`.
fn says_done(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| matches!(c, ':' | ',' | '.' | ';' | '-' | '[' | ']'));
        matches!(w, "DONE" | "Done" | "(done)" | "(DONE)" | "(Done)" | "✅" | "✔️" | "✔")
    })
}

fn without_done_markers(text: &str) -> String {
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let w = w.trim_matches(|c: char| matches!(c, ':' | ',' | '.' | ';' | '-' | '[' | ']'));
            !matches!(w, "DONE" | "Done" | "(done)" | "(DONE)" | "(Done)" | "✅" | "✔️" | "✔" | "")
        })
        .collect();
    let t = kept.join(" ");
    t.trim_matches(|c: char| c == '-' || c == ':' || c.is_whitespace()).to_string()
}

/// Actions from the follow-up actions sections (headings or labels): each top-level list item,
/// and each row of a table with a Status column, in order: `A1`, `A2`, …
pub fn actions(sections: &[Section]) -> Vec<Action> {
    let mut out = Vec::new();
    for s in sections.iter().filter(|s| s.kind == Some(SectionKind::FollowUpActions)) {
        let p = parts(&s.markdown);
        let lines = crate::load::value::LineIndex::new(&s.markdown, s.body_line);
        // A table of actions makes the section's lists what they are around such tables: legends
        // and explanations ("Types: Prevent - …").
        let before = out.len();
        for t in &p.tables {
            table_actions(t, &lines, &mut out);
        }
        if out.len() > before {
            continue;
        }
        for it in &p.items {
            let text = collapse(&it.text);
            if text.is_empty() || text.eq_ignore_ascii_case("n/a") {
                continue;
            }
            let struck = it.chars > 0 && it.struck_chars * 2 > it.chars;
            let done = it.checked || struck || says_done(&text);
            let title = without_done_markers(&text);
            let link = it.links.iter().find(|l| TRACKER.is_match(l)).cloned();
            out.push(action(out.len(), if title.is_empty() { text } else { title }, done, link, lines.line(it.offset)));
        }
    }
    out
}

/// The rows of an actions table: one with a Status column (its title in the first other text
/// column), or one whose title column is named as actions (`Action item`, `Description`, …).
fn table_actions(t: &TableRows, lines: &crate::load::value::LineIndex, out: &mut Vec<Action>) {
    let col = |names: &[&str]| t.header.iter().position(|h| names.contains(&h.to_lowercase().trim()));
    let named =
        col(&["action", "action item", "action items", "title", "description", "task", "item", "what", "measure"]);
    let status = col(&["status", "state", "done"]);
    let title = named.or_else(|| {
        status?;
        (0..t.header.len()).find(|&i| {
            Some(i) != status
                && !["type", "kind", "priority", "owner", "bug", "issue", "link", "ticket", "due", "#", "id"]
                    .contains(&t.header[i].to_lowercase().trim())
        })
    });
    let Some(title) = title else { return };
    let owner = col(&["owner", "assignee", "who"]);
    for (cells, links, at) in &t.rows {
        let text = cells.get(title).cloned().unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let st = status.and_then(|c| cells.get(c)).map(|c| c.to_lowercase()).unwrap_or_default();
        let st = st.trim();
        let status_v = if st.is_empty() {
            ActionStatus::Open
        } else if ["done", "completed", "complete", "closed", "fixed", "resolved", "yes", "✅"].contains(&st) {
            ActionStatus::Done
        } else if st.starts_with("in progress") || st == "in-progress" || st == "ongoing" {
            ActionStatus::InProgress
        } else if ["won't do", "wont-do", "wontfix", "won't fix", "dropped"].contains(&st) {
            ActionStatus::WontDo
        } else {
            ActionStatus::Open
        };
        let link = links.iter().find(|l| TRACKER.is_match(l)).cloned();
        let mut a = action(out.len(), text, status_v == ActionStatus::Done, link, lines.line(*at));
        a.status = status_v;
        a.owner = owner.and_then(|o| cells.get(o)).filter(|o| !o.is_empty()).cloned();
        out.push(a);
    }
}

fn action(n: usize, title: String, done: bool, link: Option<String>, line: u32) -> Action {
    Action {
        id: format!("A{}", n + 1),
        title,
        owner: None,
        status: if done { ActionStatus::Done } else { ActionStatus::Open },
        priority: None,
        due: None,
        link: link.map(|l| Spanned::new(l, Pos::new(line, 1))),
        addresses: Vec::new(),
        why: None,
        pos: Pos::new(line, 1),
    }
}

/// Factors from the contributing-factors sections (headings or labels): each top-level list
/// item and each bold-labelled paragraph; a bold-label section without a list is one factor
/// (its label paragraph). Plain prose paragraphs under a heading make none.
pub fn factors(sections: &[Section], config: &Config) -> Vec<Factor> {
    let mut out: Vec<Factor> = Vec::new();
    let mut push = |label: Option<&str>, summary: String, line: u32| {
        let source = label.filter(|l| !l.is_empty()).unwrap_or(&summary);
        let written = factor_slug(source);
        if written.is_empty() || summary.is_empty() {
            return;
        }
        let mut written = written;
        let base = written.clone();
        let mut n = 2;
        while out.iter().any(|f| f.written_id == written) {
            written = format!("{base}-{n}");
            n += 1;
        }
        let id = config.canonical_factor(&written).to_string();
        let category = config.factors.get(&id).and_then(|d| d.category.clone());
        out.push(Factor {
            id,
            written_id: written,
            category,
            summary: Some(truncate(&summary, 300)),
            whys: Vec::new(),
            pos: Pos::new(line, 1),
        });
    };
    for s in sections.iter().filter(|s| s.kind == Some(SectionKind::ContributingFactors)) {
        let p = parts(&s.markdown);
        let lines = crate::load::value::LineIndex::new(&s.markdown, s.body_line);
        let line_in = |offset: usize| lines.line(offset);
        let mut any = false;
        for it in &p.items {
            let text = collapse(&it.text);
            if !text.is_empty() {
                any = true;
                push(it.label.as_deref(), text, line_in(it.offset));
            }
        }
        for (label, text, at) in &p.labelled {
            any = true;
            push(Some(label), text.clone(), line_in(*at));
        }
        if !any
            && s.bold_label
            && let Some((text, at)) = p.paragraphs.first()
            && *at == 0
        {
            push(None, text.clone(), line_in(*at));
        }
    }
    out
}

/// A factor id from the first (at most five) words of a text.
pub fn factor_slug(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    crate::load::slugify(&words.join("-")).chars().take(60).collect::<String>().trim_end_matches('-').to_string()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    if let Some(i) = t.rfind(' ') {
        t.truncate(i);
    }
    t.push('…');
    t
}

/// The diagnostics for key-event values without a time.
pub fn notes(rel: &str, ke: &KeyEvents, diags: &mut Vec<Diagnostic>) {
    for (line, message) in &ke.notes {
        diags.push(Diagnostic::note(rel, Pos::new(*line, 1), "key-event-time", message.clone()));
    }
}

/// Bold phrases that authors of adopted files use to mark a moment inside a timeline entry
/// (`**Outage begins.**`, `(**outage ends**)`, `**The search is down**`), lower-cased and without
/// punctuation: the phrase as a whole, or its last words.
const MARKERS: &[(&str, EntryKind)] = &[
    ("outage begins", EntryKind::Started),
    ("outage starts", EntryKind::Started),
    ("outage started", EntryKind::Started),
    ("outage began", EntryKind::Started),
    ("impact starts", EntryKind::Started),
    ("impact begins", EntryKind::Started),
    ("incident begins", EntryKind::Started),
    ("is down", EntryKind::Started),
    ("is no longer down", EntryKind::Mitigated),
    ("outage ends", EntryKind::Resolved),
    ("outage ended", EntryKind::Resolved),
    ("outage is over", EntryKind::Resolved),
    ("impact ends", EntryKind::Resolved),
];

/// Entries whose whole statement is that the incident is resolved ("Incident resolved.").
const RESOLVED_OPENINGS: &[&str] =
    &["incident resolved", "incident officially resolved", "the incident is resolved", "incident is resolved"];

/// Kinds for the entries of an adopted timeline that have none, from the markers their authors
/// wrote (see [`MARKERS`]); each kind is given to its first marked entry only, and never where
/// an entry already carries that kind.
pub fn marked_kinds(timeline: &mut [TimelineEntry]) {
    static BOLD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\*\*([^*]+)\*\*").expect("valid regex"));
    let norm = |s: &str| -> String {
        let s: String =
            s.chars().map(|c| if c.is_alphanumeric() || c == ' ' { c.to_ascii_lowercase() } else { ' ' }).collect();
        collapse(&s)
    };
    let kinds_before: Vec<Option<EntryKind>> = timeline.iter().map(|e| e.kind).collect();
    let mut given: Vec<EntryKind> = kinds_before.iter().flatten().copied().collect();
    for e in timeline.iter_mut().filter(|e| e.kind.is_none()) {
        let bold = BOLD.captures_iter(&e.text).map(|c| norm(&c[1]));
        let marked = bold
            .filter_map(|b| {
                let ends = |m: &str| b.strip_suffix(m).is_some_and(|p| p.is_empty() || p.ends_with(' '));
                MARKERS.iter().find(|(m, _)| ends(m)).map(|(_, k)| *k)
            })
            .find(|k| !given.contains(k))
            .or_else(|| {
                // The statement may open any line of the entry ("…\nIncident officially resolved!").
                let plain = strip_emphasis(&e.text);
                let lines: Vec<String> = plain.lines().map(norm).collect();
                RESOLVED_OPENINGS
                    .iter()
                    .any(|o| lines.iter().any(|l| l.starts_with(o)))
                    .then_some(EntryKind::Resolved)
                    .filter(|k| !given.contains(k))
            });
        if let Some(k) = marked {
            e.kind = Some(k);
            given.push(k);
        }
    }
    // Markers that contradict each other in time (an "outage ends" before the "outage begins", as
    // a misread date can make them) say nothing reliable: take them back.
    let rank =
        |k: EntryKind| [EntryKind::Started, EntryKind::Mitigated, EntryKind::Resolved].iter().position(|x| *x == k);
    let marked: Vec<(usize, jiff::Timestamp)> = timeline.iter().filter_map(|e| Some((rank(e.kind?)?, e.at))).collect();
    let ordered = marked.iter().all(|(ra, ta)| marked.iter().all(|(rb, tb)| ra >= rb || ta <= tb));
    if !ordered {
        for (e, before) in timeline.iter_mut().zip(&kinds_before) {
            e.kind = *before;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(body: &str) -> Vec<(String, Option<SectionKind>, u32, String)> {
        label_sections(body, 1, &[]).0.into_iter().map(|s| (s.heading, s.kind, s.line, s.markdown)).collect()
    }

    #[test]
    fn bold_label_paragraphs_are_sections_up_to_the_next_label() {
        let body = "Intro.\n\n**Date**: 03.08.2023\n\n**Impact**: Builds were slow.\n\nMore on impact.\n\n**Root Causes**: A disk filled up.\n\n**Resolution:** We grew the disk.\n\n## Lessons\n\n**What went well?**\n\n- a\n";
        let got = labels(body);
        let names: Vec<(&str, Option<SectionKind>, u32)> =
            got.iter().map(|(h, k, l, _)| (h.as_str(), *k, *l)).collect();
        assert_eq!(
            names,
            [
                ("Impact", None, 5),
                ("Root Causes", Some(SectionKind::ContributingFactors), 9),
                ("Resolution", Some(SectionKind::TechnicalAnalysis), 11)
            ]
        );
        assert_eq!(got[0].3, "Builds were slow.\n\nMore on impact.\n\n");
        assert_eq!(got[2].3, "We grew the disk.\n\n", "ends at the heading");
    }

    #[test]
    fn bold_label_items_take_their_nested_list() {
        let body = "- **Impact**: Users saw errors.\n- **Context**:\n  - 2024-09-20 11:21: pipeline unpaused\n  - 11:40: fixed\n- **Review actions**:\n  - [ ] Add an alert\n  - [x] Fix it\n";
        let got = labels(body);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[1].1, Some(SectionKind::Timeline));
        assert_eq!(got[1].3, "\n- 2024-09-20 11:21: pipeline unpaused\n- 11:40: fixed\n");
        assert_eq!(got[2].1, Some(SectionKind::FollowUpActions));
        let acts = actions(&label_sections(body, 1, &[]).0);
        assert_eq!(
            acts.iter().map(|a| (a.title.as_str(), a.status, a.pos.line)).collect::<Vec<_>>(),
            [("Add an alert", ActionStatus::Open, 6), ("Fix it", ActionStatus::Done, 7)]
        );
    }

    #[test]
    fn context_without_times_and_pseudo_headings_are_not_sections() {
        assert!(labels("- **Context**: we were migrating.\n").is_empty());
        assert!(labels("**What went well?**\n\n* fast response\n").is_empty());
        assert!(labels("- **11:11** the alert fired\n- **2020-09-03 13:57**: deploy\n").is_empty());
        assert!(labels("The **Impact**: was large, said someone.\n").is_empty());
    }

    #[test]
    fn key_events_and_stated_durations() {
        let tz = TimeZone::UTC;
        let body = "## Key events\n\n- First detected 2021-07-12 15:44\n- Repaired 2021-07-12 15:51\n- Resolved 2021-07-13 11:47 UTC\n- Incident declared 2021-07-12 15:46\n- Fault occurs 2021-07-12 (Time TBC)\n- Time to repair: 0h 07m\n- Time to resolve: 20h 03m\n\n## Summary\n\nDetected 2021-07-12 15:00 by a customer.\n\nThe fault was detected 2021-07-12 15:01.\n";
        let k = key_events(body, 1, None, &tz);
        let moments: Vec<(Moment, String, u32)> = k
            .found
            .iter()
            .filter_map(|f| match f {
                Found::Moment { moment, at, line, .. } => Some((*moment, at.to_string(), *line)),
                _ => None,
            })
            .collect();
        assert_eq!(
            moments,
            [
                (Moment::Detected, "2021-07-12T15:44:00Z".into(), 3),
                (Moment::Mitigated, "2021-07-12T15:51:00Z".into(), 4),
                (Moment::Resolved, "2021-07-13T11:47:00Z".into(), 5),
            ]
        );
        assert!(k.found.iter().any(|f| matches!(f, Found::Declared { line: 6, .. })));
        let stated: Vec<(StatedKind, i64)> = k
            .found
            .iter()
            .filter_map(|f| match f {
                Found::Stated(s) => Some((s.kind, s.seconds)),
                _ => None,
            })
            .collect();
        assert_eq!(stated, [(StatedKind::Repair, 420), (StatedKind::Resolve, 72180)]);
        assert_eq!(k.notes.len(), 1);
        assert_eq!(k.notes[0].0, 7);
    }

    #[test]
    fn key_events_as_labels_and_table_rows() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let body = "- **Detected**: 2023-05-02 9:05 PM\n\n| Key | Value |\n|---|---|\n| **Resolved** | 2023-05-02 22:10 PST |\n| Duration | 2h 5m |\n";
        let k = key_events(body, 1, None, &tz);
        let ats: Vec<String> = k
            .found
            .iter()
            .map(|f| match f {
                Found::Moment { at, .. } => at.to_string(),
                Found::Stated(s) => s.seconds.to_string(),
                Found::Declared { .. } => "declared".into(),
            })
            .collect();
        assert_eq!(ats, ["2023-05-02T19:05:00Z", "2023-05-03T06:10:00Z", "7500"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0h 07m"), Some(420));
        assert_eq!(parse_duration("2h 5m"), Some(7500));
        assert_eq!(parse_duration("45 minutes"), Some(2700));
        assert_eq!(parse_duration("1 day 2 hours"), Some(93600));
        assert_eq!(parse_duration("during 2,5 hours"), None);
        assert_eq!(parse_duration("2 engineers"), None);
        assert_eq!(parse_duration("279 minutes [^3]"), Some(16740));
    }

    #[test]
    fn action_statuses_and_links() {
        let md = "- [x] Rotate the keys https://github.com/o/r/issues/12\n- ~~Drop the cache~~\n- Add alerting DONE\n- Write docs (#2127) [ticket](https://acme.atlassian.net/browse/OPS-7)\n- See https://example.com/blog for context\n";
        let s = Section {
            heading: "Action items".into(),
            kind: Some(SectionKind::FollowUpActions),
            slug: "a".into(),
            level: 2,
            markdown: md.into(),
            line: 9,
            body_line: 10,
            bold_label: false,
        };
        let a = actions(&[s]);
        let got: Vec<(&str, &str, ActionStatus, Option<&str>, u32)> = a
            .iter()
            .map(|a| (a.id.as_str(), a.title.as_str(), a.status, a.link.as_ref().map(|l| l.value.as_str()), a.pos.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "A1",
                    "Rotate the keys https://github.com/o/r/issues/12",
                    ActionStatus::Done,
                    Some("https://github.com/o/r/issues/12"),
                    10
                ),
                ("A2", "Drop the cache", ActionStatus::Done, None, 11),
                ("A3", "Add alerting", ActionStatus::Done, None, 12),
                (
                    "A4",
                    "Write docs (#2127) ticket",
                    ActionStatus::Open,
                    Some("https://acme.atlassian.net/browse/OPS-7"),
                    13
                ),
                ("A5", "See https://example.com/blog for context", ActionStatus::Open, None, 14),
            ]
        );
    }

    #[test]
    fn factor_ids_from_first_words() {
        assert_eq!(factor_slug("Our database cluster ran out of space"), "our-database-cluster-ran-out");
        assert_eq!(factor_slug("Config drift"), "config-drift");
    }

    #[test]
    fn bold_markers_give_kinds_once() {
        let at = jiff::Timestamp::UNIX_EPOCH;
        let local = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);
        let entry = |text: &str| TimelineEntry { at, local, kind: None, text: text.into(), line: 1 };
        let mut t = vec![
            entry("A bump is merged. **Outage begins.**"),
            entry("The pod is stuck (**outage starts**)"),
            entry("We noticed that the outage begins to spread"),
            entry("**The search is down** for everyone"),
            entry("**The search is no longer down**"),
            entry("Load is back to normal.\nIncident resolved and communicated."),
            entry("Prow is functional. **Outage ends.**"),
        ];
        marked_kinds(&mut t);
        let kinds: Vec<_> = t.iter().map(|e| e.kind).collect();
        use EntryKind::*;
        // The first marker of a kind wins; a marker word outside bold is not one.
        assert_eq!(kinds, [Some(Started), None, None, None, Some(Mitigated), Some(Resolved), None]);

        // An end marked before the beginning: neither is taken.
        let mut t = vec![entry("**Outage ends**"), entry("**Outage begins**")];
        t[0].at = jiff::Timestamp::from_second(60).unwrap();
        t[1].at = jiff::Timestamp::from_second(120).unwrap();
        marked_kinds(&mut t);
        assert!(t.iter().all(|e| e.kind.is_none()));
    }

    #[test]
    fn misspelt_action_labels_are_recognised_but_not_other_words() {
        for l in ["Remeidal action", "Remidial action", "Action itmes", "Remedial actions"] {
            assert_eq!(label_role(l, ""), LabelRole::Section(SectionKind::FollowUpActions), "{l}");
        }
        for l in ["Reaction", "Medical notes", "Remedial"] {
            assert_ne!(label_role(l, ""), LabelRole::Section(SectionKind::FollowUpActions), "{l}");
        }
    }
}
