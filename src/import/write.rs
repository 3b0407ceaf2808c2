//! Writing messages into a retro's text: in time order among the entries already there, never
//! changing a line that is there, and recognising what an earlier import wrote.

use super::ChatMessage;
use crate::config::Config;
use crate::model::{Retro, SectionKind};
use anyhow::{Result, bail};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::path::Path;

/// The retro's new text and what was added.
#[derive(Debug, Clone)]
pub struct Insertion {
    /// The whole retro with the entries in place.
    pub text: String,
    /// The new entries as written (one string per entry, possibly several lines).
    pub added: Vec<String>,
    /// Messages recognised as already in the timeline.
    pub already: usize,
}

/// How times are written: plain local time in the book's zone, or with its offset when the
/// timeline section states another zone (then a plain time would be read in that zone).
#[derive(Clone, Copy, PartialEq)]
enum Stamp {
    Local,
    WithOffset,
}

/// One entry as written: `- YYYY-MM-DD HH:MM:SS [kind] **Author:** text` in `tz`, further lines
/// of the message indented under the item.
pub fn format_entry(m: &ChatMessage, tz: &TimeZone, marker: &str) -> String {
    format_with(m, tz, marker, Stamp::Local)
}

fn format_with(m: &ChatMessage, tz: &TimeZone, marker: &str, stamp: Stamp) -> String {
    let zoned = m.at.to_zoned_datetime(tz.clone());
    let mut out = format!("{marker} {}", zoned.strftime("%Y-%m-%d %H:%M:%S"));
    if stamp == Stamp::WithOffset {
        out.push_str(&zoned.strftime(" %:z").to_string());
    }
    let (kind, text) = m.entry();
    if let Some(kind) = kind {
        out.push_str(&format!(" [{}]", kind.as_str()));
    }
    if !m.author.trim().is_empty() {
        let author = m.author.trim().replace('\\', "\\\\").replace('*', "\\*");
        out.push_str(&format!(" **{author}:**"));
    }
    let indent = " ".repeat(marker.len() + 1);
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push(' ');
        } else {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str(&indent);
            }
        }
        out.push_str(line.trim_end());
    }
    out
}

/// What identifies an entry: its text's first line without Markdown emphasis, case or spacing,
/// so `**Lena Hoffmann:** Status page updated.` matches a hand-written `Lena Hoffmann: status
/// page updated`.
pub fn entry_key(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out = String::with_capacity(first.len());
    for w in first.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().filter(|c| !matches!(c, '*' | '_' | '`' | '\\')).flat_map(char::to_lowercase));
    }
    out
}

/// Entries already in the timeline, by minute: (second, key). A hand-written entry without
/// seconds (`09:14`) matches any second of its minute.
struct Known(HashMap<i64, Vec<(i8, String)>>);

impl Known {
    fn contains(&self, at: Timestamp, key: &str) -> bool {
        let (minute, second) = split_minute(at);
        self.0.get(&minute).is_some_and(|v| v.iter().any(|(s, k)| (*s == second || *s == 0) && k == key))
    }
    fn add(&mut self, at: Timestamp, key: String) {
        let (minute, second) = split_minute(at);
        self.0.entry(minute).or_default().push((second, key));
    }
}

fn split_minute(at: Timestamp) -> (i64, i8) {
    let s = at.as_second();
    (s.div_euclid(60), s.rem_euclid(60) as i8)
}

fn message_key(m: &ChatMessage) -> String {
    let (_, text) = m.entry();
    if m.author.trim().is_empty() {
        return entry_key(text);
    }
    entry_key(&format!("{}: {text}", m.author.trim()))
}

/// Adds `messages` to the timeline of the retro `text` (`rel` names it in errors). Lines already
/// there are kept byte for byte; messages already in the timeline are counted, not added.
pub fn insert_entries(text: &str, messages: &[ChatMessage], config: &Config, rel: &str) -> Result<Insertion> {
    let retro = parse(text, config, rel)?;
    for stamp in [Stamp::Local, Stamp::WithOffset] {
        let insertion = insert_with(text, &retro, messages, config, stamp);
        if insertion.added.is_empty() {
            return Ok(insertion);
        }
        // Read the result back as `check` will: every message must now be recognised, which also
        // proves that a second import adds nothing.
        let again = parse(&insertion.text, config, rel)?;
        let known = known_entries(&again);
        if messages.iter().all(|m| known.contains(m.at, &message_key(m))) {
            return Ok(insertion);
        }
    }
    bail!(
        "{rel}: the timeline section is not read back with the imported times (does it state its own \
         zone or date?); import into a retro whose timeline uses the book's zone ({})",
        config.retros.timezone
    )
}

fn parse(text: &str, config: &Config, rel: &str) -> Result<Retro> {
    let (mut retros, diags) = crate::load::load_retro(text.as_bytes(), rel, Path::new(rel), config);
    match retros.len() {
        1 => Ok(retros.remove(0)),
        0 => {
            let why = diags.first().map_or("it holds no retro".to_string(), |d| d.message.clone());
            bail!("{rel}: cannot import into this file: {why}")
        }
        n => bail!(
            "{rel} is an incident log holding {n} incidents; split it first (`retrobook adopt --write --split {rel}`) \
             and import into one of them"
        ),
    }
}

fn known_entries(retro: &Retro) -> Known {
    let mut known = Known(HashMap::new());
    for e in &retro.timeline {
        known.add(e.at, entry_key(&e.text));
    }
    known
}

/// Where a list item of the timeline starts and ends (0-based line indexes, end exclusive).
struct Block {
    at: Timestamp,
    start: usize,
    end: usize,
}

fn insert_with(text: &str, retro: &Retro, messages: &[ChatMessage], config: &Config, stamp: Stamp) -> Insertion {
    let tz = config.timezone();
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut known = known_entries(retro);
    let section = retro.sections.iter().find(|s| s.kind == Some(SectionKind::Timeline) && !s.bold_label);
    let layout = section.map(|s| layout(&lines, retro, s));
    let marker = layout.as_ref().map_or("-".to_string(), |l| l.marker.clone());
    // The line index each new entry goes before, with its text.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut already = 0;
    for m in messages {
        let key = message_key(m);
        if known.contains(m.at, &key) {
            already += 1;
            continue;
        }
        known.add(m.at, key);
        let entry = format_with(m, &tz, &marker, stamp);
        let at = match &layout {
            Some(l) if l.interleave => l.after(m.at),
            Some(l) => l.end,
            None => usize::MAX,
        };
        inserts.push((at, entry));
    }
    let added: Vec<String> = inserts.iter().map(|(_, e)| e.clone()).collect();
    if inserts.is_empty() {
        return Insertion { text: text.to_string(), added, already };
    }
    // Stable: entries for the same place stay in time order.
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(text.len() + added.iter().map(|e| e.len() + 2).sum::<usize>() + 32);
    let mut next = inserts.iter().peekable();
    // Appended after other content (not among list items): blank lines around the new list.
    let section_end = layout.as_ref().filter(|l| !l.interleave).map(|l| l.end);
    for (i, line) in lines.iter().enumerate() {
        emit_group(&mut out, &mut next, i, &lines, nl, section_end);
        out.push_str(line);
    }
    let end = lines.len();
    if next.peek().is_some() {
        if section.is_none() {
            // No timeline section: a new one at the end, at the document's section level.
            let level = retro.sections.first().map_or(2, |s| s.level as usize);
            ensure_newline(&mut out, nl);
            if !out.is_empty() && !out.ends_with(&format!("{nl}{nl}")) {
                out.push_str(nl);
            }
            out.push_str(&format!("{} Timeline{nl}{nl}", "#".repeat(level)));
            for (_, e) in next {
                push_entry(&mut out, e, nl);
            }
        } else {
            emit_group(&mut out, &mut next, end, &lines, nl, section_end);
        }
    }
    Insertion { text: out, added, already }
}

/// Writes the entries that go before line `i`, with a blank line around them where the
/// neighbouring lines are not list items of the timeline.
fn emit_group<'a>(
    out: &mut String,
    next: &mut std::iter::Peekable<impl Iterator<Item = &'a (usize, String)>>,
    i: usize,
    lines: &[&str],
    nl: &str,
    section_end: Option<usize>,
) {
    if next.peek().is_none_or(|(at, _)| *at != i && !(*at == usize::MAX && i == lines.len())) {
        return;
    }
    let at_section_end = section_end == Some(i);
    ensure_newline(out, nl);
    let prev_blank = i == 0 || lines[i - 1].trim().is_empty();
    if at_section_end && !prev_blank {
        out.push_str(nl);
    }
    while let Some((_, e)) = next.next_if(|(at, _)| *at == i || (*at == usize::MAX && i == lines.len())) {
        push_entry(out, e, nl);
    }
    if at_section_end && i < lines.len() && !lines[i].trim().is_empty() {
        out.push_str(nl);
    }
}

fn ensure_newline(out: &mut String, nl: &str) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
}

fn push_entry(out: &mut String, entry: &str, nl: &str) {
    for line in entry.split('\n') {
        out.push_str(line);
        out.push_str(nl);
    }
}

impl Layout {
    /// The line after the last item (in file order) of the entries at or before `at`, else the
    /// first item's line.
    fn after(&self, at: Timestamp) -> usize {
        let n = self.by_time.partition_point(|&(t, _)| t <= at);
        if n == 0 { self.first_start } else { self.by_time[n - 1].1 }
    }
}

/// The timeline section's shape: its list items (when every entry is one, new entries go among
/// them in time order), else the end of its content, where new entries are appended as a list.
struct Layout {
    /// Block times in time order, each with the largest block end among it and the earlier ones.
    by_time: Vec<(Timestamp, usize)>,
    interleave: bool,
    first_start: usize,
    /// The line after the section's last non-blank line.
    end: usize,
    marker: String,
}

fn layout(lines: &[&str], retro: &Retro, section: &crate::model::Section) -> Layout {
    let heading = (section.line as usize).saturating_sub(1);
    let body = (section.body_line as usize).saturating_sub(1).max(heading + 1);
    let section_end = (body + section.markdown.lines().count()).min(lines.len()).max(body);
    let end = (body..section_end).rev().find(|&j| !lines[j].trim().is_empty()).map_or(body.min(lines.len()), |j| j + 1);
    let mut starts: Vec<(Timestamp, usize)> = retro
        .timeline
        .iter()
        .map(|e| (e.at, (e.line as usize).saturating_sub(1)))
        .filter(|&(_, l)| l >= body && l < section_end)
        .collect();
    starts.sort_by_key(|&(_, l)| l);
    let is_item = |l: &str| {
        let t = l.trim_start();
        t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ")
    };
    let interleave = !starts.is_empty() && starts.iter().all(|&(_, l)| lines.get(l).is_some_and(|s| is_item(s)));
    let marker = starts
        .first()
        .and_then(|&(_, l)| lines.get(l))
        .filter(|s| is_item(s))
        .map(|s| {
            let t = s.trim_start();
            format!("{}{}", &s[..s.len() - t.len()], &t[..1])
        })
        .unwrap_or_else(|| "-".into());
    let mut blocks = Vec::with_capacity(starts.len());
    for (k, &(at, start)) in starts.iter().enumerate() {
        let limit = starts.get(k + 1).map_or(end, |&(_, l)| l);
        blocks.push(Block { at, start, end: item_end(lines, start, limit) });
    }
    let first_start = blocks.first().map_or(end, |b| b.start);
    blocks.sort_by_key(|b| b.at);
    let mut furthest = 0;
    let by_time = blocks
        .iter()
        .map(|b| {
            furthest = furthest.max(b.end);
            (b.at, furthest)
        })
        .collect();
    Layout { by_time, interleave, first_start, end, marker }
}

/// The line after a list item starting at `start`: its indented continuation lines, and blank
/// lines only when more indented lines follow.
fn item_end(lines: &[&str], start: usize, limit: usize) -> usize {
    let mut last = start;
    let mut j = start + 1;
    while j < limit {
        let l = lines[j];
        if l.trim().is_empty() {
            j += 1;
            continue;
        }
        if l.starts_with(' ') || l.starts_with('\t') {
            last = j;
            j += 1;
        } else {
            break;
        }
    }
    last + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(at: &str, author: &str, text: &str) -> ChatMessage {
        ChatMessage { at: at.parse().unwrap(), author: author.into(), text: text.into(), bot: false }
    }

    fn config(tz: &str) -> Config {
        Config::parse(&format!("[retros]\ntimezone = \"{tz}\"\n")).unwrap()
    }

    const RETRO: &str = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline\n\n\
        - 09:00 [started] Deploy 4411 went out\n- 09:20 [detected] Lena: paged\n  with a second line\n\n\
        Closing paragraph.\n\n## Follow-up actions\n\nNone.\n";

    #[test]
    fn entries_go_in_time_order_and_every_line_stays() {
        let c = config("UTC");
        let messages = [
            msg("2026-03-14T08:59:30Z", "Ana", "first"),
            msg("2026-03-14T09:10:05Z", "Bo", "between\n\nwith a paragraph"),
            msg("2026-03-14T09:30:00Z", "Cy", "after"),
        ];
        let ins = insert_entries(RETRO, &messages, &c, "r.md").unwrap();
        assert_eq!(ins.added.len(), 3);
        let expected = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline\n\n\
            - 2026-03-14 08:59:30 **Ana:** first\n\
            - 09:00 [started] Deploy 4411 went out\n\
            - 2026-03-14 09:10:05 **Bo:** between\n\n  with a paragraph\n\
            - 09:20 [detected] Lena: paged\n  with a second line\n\
            - 2026-03-14 09:30:00 **Cy:** after\n\n\
            Closing paragraph.\n\n## Follow-up actions\n\nNone.\n";
        assert_eq!(ins.text, expected);
        let again = insert_entries(&ins.text, &messages, &c, "r.md").unwrap();
        assert_eq!((again.added.len(), again.already), (0, 3));
        assert_eq!(again.text, ins.text);
    }

    #[test]
    fn a_hand_written_entry_of_the_same_minute_is_recognised() {
        let ins =
            insert_entries(RETRO, &[msg("2026-03-14T09:20:41Z", "Lena", "*paged*")], &config("UTC"), "r.md").unwrap();
        assert_eq!((ins.added.len(), ins.already), (0, 1));
    }

    #[test]
    fn times_are_written_in_the_book_zone_across_midnight() {
        let c = config("Europe/Berlin");
        let ins = insert_entries(RETRO, &[msg("2026-03-14T23:30:00Z", "Ana", "late")], &c, "r.md").unwrap();
        assert_eq!(ins.added, ["- 2026-03-15 00:30:00 **Ana:** late"]);
    }

    #[test]
    fn a_missing_section_is_created_and_an_empty_one_filled() {
        let c = config("UTC");
        let none = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Narrative\n\nText.";
        let ins = insert_entries(none, &[msg("2026-03-14T10:00:00Z", "Ana", "x")], &c, "r.md").unwrap();
        assert!(ins.text.starts_with(none), "{}", ins.text);
        assert!(ins.text.ends_with("Text.\n\n## Timeline\n\n- 2026-03-14 10:00:00 **Ana:** x\n"), "{}", ins.text);
        let empty = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline\n\n<!-- hint -->\n\n## Monitoring\n";
        let ins = insert_entries(empty, &[msg("2026-03-14T10:00:00Z", "Ana", "x")], &c, "r.md").unwrap();
        assert_eq!(
            ins.text,
            "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline\n\n<!-- hint -->\n\n\
             - 2026-03-14 10:00:00 **Ana:** x\n\n## Monitoring\n"
        );
    }

    #[test]
    fn a_section_in_another_zone_gets_explicit_offsets() {
        let c = config("UTC");
        let pst = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline (all times in PST)\n\n- 09:00 start\n";
        let ins = insert_entries(pst, &[msg("2026-03-14T18:00:00Z", "Ana", "x")], &c, "r.md").unwrap();
        assert_eq!(ins.added, ["- 2026-03-14 18:00:00 +00:00 **Ana:** x"]);
        assert_eq!(
            insert_entries(&ins.text, &[msg("2026-03-14T18:00:00Z", "Ana", "x")], &c, "r.md").unwrap().already,
            1
        );
    }

    #[test]
    fn a_timeline_out_of_order_or_as_a_table_keeps_every_line() {
        let c = config("UTC");
        let head = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\n---\n\n## Timeline\n\n";
        // Out of order: after the last entry (in the file) that is not later.
        let text = format!("{head}- 10:00 b\n- 09:00 a\n- 11:00 c\n");
        let ins = insert_entries(&text, &[msg("2026-03-14T09:30:00Z", "X", "new")], &c, "r.md").unwrap();
        assert_eq!(ins.text, format!("{head}- 10:00 b\n- 09:00 a\n- 2026-03-14 09:30:00 **X:** new\n- 11:00 c\n"));
        // A table: the entries go after it, as a list, with a blank line between.
        let text = format!("{head}| time | what |\n|---|---|\n| 09:00 | a |\n");
        let ins = insert_entries(&text, &[msg("2026-03-14T08:00:00Z", "X", "new")], &c, "r.md").unwrap();
        assert_eq!(
            ins.text,
            format!("{head}| time | what |\n|---|---|\n| 09:00 | a |\n\n- 2026-03-14 08:00:00 **X:** new\n")
        );
        assert_eq!(
            insert_entries(&ins.text, &[msg("2026-03-14T08:00:00Z", "X", "new")], &c, "r.md").unwrap().already,
            1
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let crlf = RETRO.replace('\n', "\r\n");
        let ins = insert_entries(&crlf, &[msg("2026-03-14T09:30:00Z", "Cy", "a\nb")], &config("UTC"), "r.md").unwrap();
        assert!(ins.text.contains("- 2026-03-14 09:30:00 **Cy:** a\r\n  b\r\n"), "{:?}", ins.text);
        assert!(!ins.text.replace("\r\n", "").contains('\n'));
    }
}
