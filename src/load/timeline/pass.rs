//! The pass over the section's lines: entries, their continuation lines, carried dates, and the
//! issues found on the way.

use super::*;

/// What the current entry still takes as continuation lines.
#[derive(Clone, Copy)]
pub(super) enum Cont {
    /// Everything up to the next entry or a heading of this level or higher.
    Heading(u8),
    /// Lines indented to the item's content (or lazily continuing its paragraph).
    Item(usize),
    Row,
    /// The rest of the paragraph; a later line of it that starts with a time starts an entry.
    Para,
    /// The rest of a prose paragraph ("Around **09:50** (CEST), we …"): never split.
    Prose,
}

pub(super) struct Draft {
    pub(super) line: u32,
    pub(super) col: u32,
    pub(super) date: Option<Date>,
    pub(super) written: bool,
    pub(super) time: Time,
    pub(super) zone: Option<TimeZone>,
    pub(super) kind: Option<EntryKind>,
    pub(super) parts: Vec<String>,
}

#[derive(Default)]
pub(super) struct Pass {
    pub(super) level: u8,
    pub(super) first_line: u32,
    pub(super) refs: Vec<String>,
    pub(super) drafts: Vec<Draft>,
    pub(super) issues: Vec<TimelineIssue>,
    /// The date for entries that write none.
    pub(super) carried: Option<Date>,
    /// The first date written in the section: it also dates earlier undated entries when the
    /// retro has no date.
    pub(super) first_seen: Option<Date>,
    /// A default date was stated: dates written on entries do not carry forward.
    pub(super) sticky: bool,
    /// The zone stated for the section.
    pub(super) zone: Option<TimeZone>,
    pub(super) cur: Option<Cont>,
    pub(super) prev_blank: bool,
    pub(super) table: bool,
    /// Prose outside entries, collected per paragraph for zone and date statements.
    pub(super) outside: String,
    /// Lines holding a date and text but no time: (count, line and column of the first).
    pub(super) no_time: (usize, u32, u32),
}

impl Pass {
    pub(super) fn flush(&mut self) {
        if !self.outside.is_empty() {
            let text = std::mem::take(&mut self.outside);
            self.note_outside(&text);
        }
    }

    pub(super) fn note_outside(&mut self, text: &str) {
        self.zone = self.zone.take().or_else(|| stated_zone(text)).or_else(|| zone_only(text));
        if self.drafts.is_empty()
            && !self.sticky
            && let Some(d) = stated_date(text)
        {
            self.set_date(d);
            self.sticky = true;
        } else if self.drafts.is_empty()
            && !self.sticky
            && let Some(d) = prose_date(text)
        {
            self.set_date(d);
        }
    }

    /// A line with a date and some text but no time: not an entry (no time is invented).
    pub(super) fn note_no_time(&mut self, ln: u32, line: &str, pos: usize) {
        if self.no_time.0 == 0 {
            self.no_time = (0, ln, column(line, pos));
        }
        self.no_time.0 += 1;
    }

    pub(super) fn set_date(&mut self, d: Date) {
        self.carried = Some(d);
        self.first_seen.get_or_insert(d);
    }

    pub(super) fn push_cont(&mut self, text: &str) {
        let Some(draft) = self.drafts.last_mut() else { return };
        let line = match self.cur {
            Some(Cont::Heading(_)) => text.trim_end(),
            Some(Cont::Item(ci)) => dedent(text, ci).trim_end(),
            Some(Cont::Para | Cont::Prose) => text.trim(),
            Some(Cont::Row) | None => return,
        };
        if !(line.is_empty() && draft.parts.last().is_some_and(String::is_empty)) {
            draft.parts.push(line.to_string());
        }
    }

    /// Reports a written date that is not a calendar date; the line is then skipped.
    pub(super) fn bad_date(&mut self, ln: u32, text: &str, st: &Stamp) -> bool {
        let Dated::Bad(pos, msg) = &st.date else { return false };
        let message = format!("{msg}; this timeline entry is skipped");
        self.issues.push(issue(ln, column(text, *pos), rules::TIMELINE_DATE, message));
        self.cur = None;
        true
    }

    pub(super) fn tail(&self, s: &str, from: usize, emph: Option<&'static str>) -> Tail {
        let mut c = Cur { s, i: from };
        let (mut emph, mut kind, mut unknown, mut sep) = (emph, None, None, false);
        loop {
            c.ws();
            if let Some(m) = emph
                && c.eat_str(m)
            {
                emph = None;
            } else if kind.is_none() && c.peek() == Some('[') {
                let open = c.i;
                c.bump();
                let w = c.take_while(|ch| ch.is_ascii_alphabetic() || ch == '-');
                // `[word](…)` and `[word][…]` are links, not kinds.
                if !w.is_empty() && c.eat(']') && !matches!(c.peek(), Some('(' | '[')) {
                    kind = EntryKind::parse(w);
                    let is_ref = self.refs.iter().any(|r| r.eq_ignore_ascii_case(w));
                    if kind.is_none() && !sep && !is_ref {
                        unknown = Some((open, w.to_string()));
                    }
                }
                if kind.is_none() {
                    c.i = open;
                    break;
                }
            } else if c.peek().is_some_and(|ch| SEPARATORS.contains(&ch)) {
                c.bump();
                sep = true;
            } else {
                break;
            }
        }
        Tail { kind, start: c.i, emph, unknown }
    }

    pub(super) fn add_entry(&mut self, ln: u32, line: &str, st: &Stamp, tail: &Tail, text: String, cont: Cont) {
        let Some((time, tpos)) = st.time else { return };
        if let Some((pos, w)) = &tail.unknown {
            let kinds: Vec<&str> = EntryKind::ALL.iter().map(|k| k.as_str()).collect();
            let mut message = format!("unknown timeline kind `[{w}]`; valid kinds: {}", kinds.join(", "));
            // "[detectd]" is almost always a typo of a kind: say which.
            let suggestion = crate::suggest::nearest(w, kinds.iter().copied()).map(|k| format!("[{k}]"));
            if let Some(s) = &suggestion {
                message.push_str(&format!("; did you mean `{s}`?"));
            }
            let issue = issue(ln, column(line, *pos), rules::TIMELINE_KIND, message);
            self.issues.push(TimelineIssue { suggestion, ..issue });
        }
        let date = st.date.get();
        if let Some(d) = date {
            self.carried = if self.sticky { self.carried } else { Some(d) };
            self.first_seen.get_or_insert(d);
        }
        let (col, zone, kind) = (column(line, tpos), st.zone.clone(), tail.kind);
        let (written, date) = (date.is_some(), date.or(self.carried));
        self.drafts.push(Draft { line: ln, col, date, written, time, zone, kind, parts: vec![text] });
        self.cur = Some(cont);
    }

    /// An entry whose text is the rest of the line.
    pub(super) fn line_entry(&mut self, ln: u32, text: &str, st: &Stamp, cont: Cont) {
        let tail = self.tail(text, st.end, st.emph);
        let body = entry_text(tail.emph, &[&text[tail.start..]]);
        self.add_entry(ln, text, st, &tail, body, cont);
    }

    pub(super) fn step(&mut self, idx: usize, lines: &[Line]) {
        let ln = self.first_line.saturating_add(u32::try_from(idx).unwrap_or(u32::MAX));
        let text = lines[idx].text.as_str();
        match lines[idx].mark {
            Mark::Hidden => return,
            Mark::Code { opens } => {
                self.flush();
                let keep = match self.cur {
                    Some(Cont::Heading(_)) => true,
                    Some(Cont::Item(ci)) => indent_of(text) >= ci,
                    _ => false,
                };
                self.cur = if opens && !keep { None } else { self.cur };
                self.prev_blank = false;
                return self.push_cont(text);
            }
            Mark::Text => {}
        }
        if text.trim().is_empty() {
            self.flush();
            (self.prev_blank, self.table) = (true, false);
            match self.cur {
                Some(Cont::Row | Cont::Para | Cont::Prose) => self.cur = None,
                Some(_) => self.push_cont(""),
                None => {}
            }
            return;
        }
        let blank_before = std::mem::replace(&mut self.prev_blank, false);
        if let Some((level, start, end)) = heading(text) {
            self.flush();
            self.table = false;
            self.heading(ln, &text[..end], start, level);
            self.prev_blank = true; // the line after a heading starts a paragraph
            return;
        }
        let trimmed = text.trim();
        if trimmed.contains('|') {
            let next = lines[idx + 1..].iter().find(|l| !matches!(l.mark, Mark::Hidden));
            let next_is_sep = next.is_some_and(|l| matches!(l.mark, Mark::Text) && is_separator(&l.text));
            if is_separator(text) || next_is_sep {
                // the separator row, or the header row above it: any zone in a header counts
                self.flush();
                self.table = true;
                self.zone = self.zone.take().or_else(|| any_zone(trimmed, word_starts(trimmed)));
                return self.push_cont(text);
            }
            if trimmed.starts_with('|') || self.table {
                self.flush();
                self.table = true;
                return self.row(ln, text);
            }
        }
        self.table = false;
        if let Some((start, ci)) = list_item(text) {
            self.flush();
            return self.item(ln, text, start, ci);
        }
        self.para(ln, text, blank_before);
    }

    pub(super) fn heading(&mut self, ln: u32, text: &str, start: usize, level: u8) {
        if level > self.level {
            let st = parse_stamp(text, start, self.carried);
            if self.bad_date(ln, text, &st) {
                return;
            }
            if st.time.is_some() {
                return self.line_entry(ln, text, &st, Cont::Heading(level));
            }
            if let Some(d) = st.date.get() {
                self.set_date(d);
            } else if let Some(Cont::Heading(l)) = self.cur
                && level > l
            {
                return self.push_cont(text); // a sub-heading inside an entry's text
            }
        } else if level == self.level {
            // `## Timeline` then `## May 12`: a day heading at the section's own level, when the
            // section runs on past it, sets the date; it is never an entry
            let st = parse_stamp(text, start, self.carried);
            if let Some(d) =
                st.date.get().filter(|_| st.time.is_none() && !text[st.end..].contains(char::is_alphanumeric))
            {
                self.set_date(d);
            }
        }
        self.cur = None;
        self.note_outside(text);
    }

    pub(super) fn item(&mut self, ln: u32, text: &str, start: usize, ci: usize) {
        let nested = match self.cur {
            Some(Cont::Heading(_)) => true,
            Some(Cont::Item(p)) => indent_of(text) >= p,
            _ => false,
        };
        let st = parse_stamp(text, start, self.carried);
        if st.time.is_some() {
            if !self.bad_date(ln, text, &st) {
                self.line_entry(ln, text, &st, Cont::Item(ci));
            }
        } else if nested {
            self.push_cont(text);
        } else {
            if let Dated::Ok(d) = st.date {
                self.set_date(d); // a year-less date in a list item is too likely prose
                if text[st.end..].contains(char::is_alphanumeric) {
                    self.note_no_time(ln, text, start);
                }
            }
            self.cur = None;
            self.note_outside(text);
        }
    }

    pub(super) fn row(&mut self, ln: u32, text: &str) {
        let cells = split_cells(text);
        let Some(&(s0, e0)) = cells.first() else { return };
        let mut st = parse_stamp(&text[..e0], s0, self.carried);
        let (mut used, mut scope) = (1, e0);
        // a date column followed by a time column
        if st.time.is_none()
            && st.date.get().is_some()
            && !text[st.end..e0].contains(char::is_alphanumeric)
            && let Some(&(s1, e1)) = cells.get(1)
        {
            let t = parse_stamp(&text[..e1], s1, self.carried);
            if matches!(t.date, Dated::None) && t.time.is_some() {
                st = Stamp { date: st.date, ..t };
                (used, scope) = (2, e1);
            }
        }
        if self.bad_date(ln, text, &st) {
            return;
        }
        if st.time.is_none() {
            if matches!(self.cur, Some(Cont::Heading(_))) {
                return self.push_cont(text);
            }
            if let Dated::Ok(d) = st.date {
                self.set_date(d);
                // `| 2021-05-08 | text |`; `| 2024-03-14 --:-- | … |` says the time is unknown
                let rest = &text[st.end..];
                let unknown = text[st.end..e0].contains(['-', '?']);
                if !unknown && rest.contains(char::is_alphanumeric) {
                    self.note_no_time(ln, text, s0);
                }
            }
            self.cur = None;
            return;
        }
        let mut tail = self.tail(&text[..scope], st.end, st.emph);
        let mut rest = &cells[used..];
        let mut parts = vec![&text[tail.start..scope]];
        // nothing after the time in its cell: a kind may open the next cell
        if parts[0].trim().is_empty()
            && tail.kind.is_none()
            && let Some((&(a, b), more)) = rest.split_first()
        {
            let next = self.tail(&text[..b], a, None);
            (tail.kind, tail.unknown, rest) = (next.kind, tail.unknown.or(next.unknown), more);
            parts[0] = &text[next.start..b];
        }
        parts.extend(rest.iter().map(|&(a, b)| &text[a..b]));
        let body = entry_text(tail.emph, &parts);
        self.add_entry(ln, text, &st, &tail, body, Cont::Row);
    }

    pub(super) fn para(&mut self, ln: u32, text: &str, blank_before: bool) {
        let indent = indent_of(text);
        let lead = text.len() - text.trim_start().len();
        let st = parse_stamp(text, lead, self.carried);
        let timed = indent < 4 && st.time.is_some();
        // A paragraph line starting with a date and a time is an entry (not in indented code).
        let stamped = timed && !matches!(st.date, Dated::None);
        // A later line of an entry paragraph starts an entry when its time stands alone or is
        // followed by a separator (`5:10 AM`, `7:32 PM - text`), so that a wrapped sentence
        // ("… until\n10:00 we waited") is not cut.
        let split = timed && {
            let after = text[st.end..].trim_start();
            after.is_empty() || after.starts_with(SEPARATORS) || after.starts_with('[')
        };
        match self.cur {
            Some(Cont::Item(ci)) if indent >= ci || (!blank_before && !stamped) => return self.push_cont(text),
            Some(Cont::Para) if !(stamped || split) => return self.push_cont(text),
            Some(Cont::Prose) => return self.push_cont(text),
            Some(Cont::Heading(_)) if !stamped => return self.push_cont(text),
            _ => {}
        }
        // A paragraph that starts with a time (`7:32 PM - The chain stalled`, `1:03` alone on
        // its line) is an entry; a time on a later line of a prose paragraph is not.
        let in_entry = matches!(self.cur, Some(Cont::Para));
        if stamped || (timed && (blank_before || in_entry)) {
            self.flush();
            if !self.bad_date(ln, text, &st) {
                self.line_entry(ln, text, &st, Cont::Para);
            }
            return;
        }
        // "Around **09:50** (CEST), we ran a deployment …": a paragraph that opens with an
        // approximate time is one entry, the whole paragraph.
        if blank_before
            && indent < 4
            && let Some(st) = approximate(text, lead, self.carried)
        {
            self.flush();
            if !self.bad_date(ln, text, &st) {
                self.line_entry(ln, text, &st, Cont::Prose);
            }
            return;
        }
        self.cur = None;
        // A paragraph holding only a date (`**Date: 2023-11-22**`, `Saturday Oct 30th`,
        // `March 3, 2023`) sets the date.
        if let Some(d) = st.date.get()
            && !text[st.end..].contains(char::is_alphanumeric)
        {
            self.flush();
            return self.set_date(d);
        }
        if let Dated::Ok(d) = st.date
            && st.time.is_none()
            && indent < 4
        {
            // `2023-02-01 - text`: dated, but no time to place it at
            self.flush();
            self.set_date(d);
            return self.note_no_time(ln, text, lead);
        }
        self.outside.push_str(text.trim());
        self.outside.push(' ');
    }

    pub(super) fn finish(self, tz: &TimeZone) -> (Vec<TimelineEntry>, Vec<TimelineIssue>) {
        let (mut issues, mut entries) = (self.issues, Vec::with_capacity(self.drafts.len()));
        let hhmm = |t: DateTime| t.strftime(if t.second() == 0 { "%H:%M" } else { "%H:%M:%S" }).to_string();
        let mut prev: Option<(Timestamp, DateTime)> = None;
        let (n, line, col) = self.no_time;
        if n > 0 {
            let (what, verb) = if n == 1 {
                ("1 line of this timeline has".to_string(), "it is")
            } else {
                (format!("{n} lines of this timeline have"), "they are")
            };
            let message = format!(
                "{what} a date but no time, so {verb} not placed on the timeline (no time \
                 is invented); write the time after the date, e.g. `2024-03-14 09:30`"
            );
            issues.push(issue(line, col, rules::TIMELINE_NO_TIME, message));
        }
        for d in self.drafts {
            let Some(date) = d.date.or(self.first_seen) else {
                let message = "timeline entries have no date: write one (`YYYY-MM-DD HH:MM`, or a date sub-heading) \
                               or set `date` in the front matter";
                issues.push(issue(d.line, d.col, rules::TIMELINE_NO_DATE, message.to_string()));
                entries.clear();
                break;
            };
            let local = date.to_datetime(d.time);
            let zone = d.zone.as_ref().or(self.zone.as_ref()).unwrap_or(tz);
            let Ok(at) = zone.to_ambiguous_timestamp(local).compatible() else {
                let message = format!("{local} cannot be placed in its time zone; this timeline entry is skipped");
                issues.push(issue(d.line, d.col, rules::TIMELINE_DATE, message));
                continue;
            };
            if let Some((prev_at, p)) = prev
                && at < prev_at
            {
                let (t, pt, pd) = (hhmm(local), hhmm(p), p.date());
                let message = if d.written {
                    format!("{date} {t} is earlier than the previous entry at {pd} {pt}; the entries are out of order")
                } else {
                    let next = date.tomorrow().unwrap_or(date);
                    format!(
                        "{t} is earlier than the previous entry at {pt}; write the date ({next} {t}) when the \
                         timeline crosses midnight"
                    )
                };
                issues.push(issue(d.line, d.col, rules::TIMELINE_ORDER, message));
            }
            prev = Some((at, local));
            let text = join_parts(&d.parts);
            let author = entry_author(&text).map(|(a, _)| a);
            entries.push(TimelineEntry { at, local, kind: d.kind, author, text, line: d.line });
        }
        issues.sort_by_key(|i| (i.line, i.column));
        (entries, issues)
    }
}
