//! The stamp that opens an entry (date, time, zone) and the text after it.

use super::*;

/// A date stated in prose about the timeline, before its entries: "All times in PST, on
/// February 8th 2019", "the timeline of events that occurred on Thursday February 11 2016".
/// The text must mention time(s) or the timeline, the date must follow the word "on" and carry
/// its year.
pub(super) fn prose_date(text: &str) -> Option<Date> {
    if !text.to_ascii_lowercase().contains("time") {
        return None;
    }
    word_starts(text).into_iter().find_map(|i| {
        let mut c = Cur { s: text, i };
        if !c.eat_word_ci("on") {
            return None;
        }
        c.ws();
        if weekday(&mut c) {
            c.eat(',');
            c.ws();
        }
        match date_at(&mut c, None) {
            Dated::Ok(d) => Some(d),
            _ => None,
        }
    })
}

/// A default date stated in prose: "Unless otherwise noted all events happened on 2024-03-14".
/// Entries with their own date then do not carry it forward.
pub(super) fn stated_date(text: &str) -> Option<Date> {
    let lower = text.to_ascii_lowercase();
    let phrases = ["unless otherwise", "unless noted", "all events", "all entries"];
    if !phrases.iter().any(|p| lower.contains(p)) {
        return None;
    }
    word_starts(text).into_iter().find_map(|i| match date_at(&mut Cur { s: text, i }, None) {
        Dated::Ok(d) => Some(d),
        _ => None,
    })
}

/// The date, time and zone at the start of an entry.
pub(super) struct Stamp {
    pub(super) date: Dated,
    /// The time and its byte offset in the line.
    pub(super) time: Option<(Time, usize)>,
    pub(super) zone: Option<TimeZone>,
    /// Where the text after the stamp starts.
    pub(super) end: usize,
    /// Emphasis opened before the stamp and not closed right after it (`**01:38: text**`).
    pub(super) emph: Option<&'static str>,
}

/// Whether `text` holds only a date (`May 12`, `15 May`, `2019-01-22`): such a heading of a
/// timeline's own level is a day of the timeline, not a new section.
pub(crate) fn is_date_only(text: &str) -> bool {
    let st = parse_stamp(text, 0, Some(jiff::civil::date(2000, 1, 1)));
    st.date.get().is_some() && st.time.is_none() && !text[st.end..].contains(char::is_alphanumeric)
}

pub(super) fn parse_stamp(s: &str, start: usize, reference: Option<Date>) -> Stamp {
    let mut c = Cur { s, i: start };
    c.ws();
    let mut emph = ["**", "__", "*", "_"].into_iter().find(|m| c.eat_str(m));
    c.ws();
    // `[13:20] text`, `[03-26 23:04] text`: the stamp in brackets
    let bracket = c.opt(|c| c.eat('[') && c.peek().is_some_and(|ch| ch.is_ascii_digit()));
    let none = Stamp { date: Dated::None, time: None, zone: None, end: start, emph: None };
    if bracket {
        let mut date = date_at(&mut c, reference);
        if matches!(date, Dated::None) {
            date = month_day(&mut c, reference);
        }
        if !matches!(date, Dated::None) {
            c.ws();
        }
        let tpos = c.i;
        let Some(time) = time_at(&mut c) else { return none };
        let zone = zone_at(&mut c, false);
        c.ws();
        if !c.eat(']') {
            return none;
        }
        return Stamp { date, time: Some((time, tpos)), zone, end: c.i, emph };
    }
    c.eat('~');
    c.ws();
    c.opt(|c| {
        let label = c.eat_word_ci("date"); // `Date: 2023-11-22`
        c.ws();
        label && c.eat(':')
    });
    c.ws();
    let mut date = Dated::None;
    c.opt(|c| {
        weekday(c);
        c.eat(',');
        c.ws();
        date = date_at(c, reference);
        !matches!(date, Dated::None)
    });
    let dated = !matches!(date, Dated::None);
    let iso = dated && c.opt(|c| c.eat('T') && c.peek().is_some_and(|ch| ch.is_ascii_digit()));
    // between date and time: `2023-07-19, 10:00`, `2025-07-26 Saturday 10:00`, `May 5 at ~10:00`
    while dated
        && !iso
        && c.opt(|c| {
            c.ws();
            c.eat(',') || weekday(c) || c.eat_word_ci("at") || c.eat('~')
        })
    {}
    c.ws();
    let tpos = c.i;
    let Some(time) = time_at(&mut c).or_else(|| dotted_time(&mut c)) else {
        return Stamp { date, time: None, zone: None, end: tpos, emph };
    };
    // In ISO form `10:00-07:00` is an offset; elsewhere `13:30-13:45` is a range: keep its start.
    let mut zone = if iso { zone_at(&mut c, true) } else { None };
    c.opt(|c| {
        c.ws();
        let dash = c.eat('-') || c.eat('–') || c.eat('—') || c.eat_word_ci("to");
        c.ws();
        c.eat('~');
        dash && time_at(c).is_some()
    });
    zone = zone.or_else(|| zone_at(&mut c, true));
    if matches!(date, Dated::None)
        && let Some(d) = date_after_time(&mut c, reference)
    {
        date = d;
    }
    if let Some(m) = emph
        && c.opt(|c| {
            c.ws();
            c.eat_str(m)
        })
    {
        emph = None;
        zone = zone.or_else(|| zone_at(&mut c, true));
    }
    // The same time in another zone, in parentheses: `13:14 EDT (17:14 UTC)`.
    c.opt(|c| {
        c.ws();
        c.eat('(') && time_at(c).is_some() && {
            zone_at(c, false);
            c.ws();
            c.eat(')')
        }
    });
    Stamp { date, time: Some((time, tpos)), zone, end: c.i, emph }
}

/// A weekday or month-name date right after an entry's time and zone, before a separator:
/// `12:45 PM PST Saturday Oct 30th: text`. A numeric date there is not read (`09:14 12/3 …`).
pub(super) fn date_after_time(c: &mut Cur, reference: Option<Date>) -> Option<Dated> {
    // Runs after every entry's time: rule out most texts on their first three letters.
    const NAMES: [&[u8; 3]; 19] = [
        b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun", b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul",
        b"aug", b"sep", b"oct", b"nov", b"dec",
    ];
    let head = c.rest().trim_start_matches([' ', '\t', ',']).as_bytes();
    let three =
        head.get(..3).map(|h| [h[0].to_ascii_lowercase(), h[1].to_ascii_lowercase(), h[2].to_ascii_lowercase()]);
    if !three.is_some_and(|t| NAMES.contains(&&t)) {
        return None;
    }
    c.attempt(|c| {
        c.ws();
        c.eat(',');
        c.ws();
        let wd = weekday(c);
        if wd {
            c.eat(',');
            c.ws();
        }
        if !wd && !c.peek().is_some_and(|ch| ch.is_ascii_alphabetic()) {
            return None;
        }
        let d = date_at(c, reference);
        d.get()?;
        let mut ahead = *c;
        ahead.ws();
        ahead.peek().is_none_or(|ch| SEPARATORS.contains(&ch) || matches!(ch, '*' | '_')).then_some(d)
    })
}

/// "Around 09:50", "At about **09:50**", "Approximately 10:00" opening a paragraph: the stamp
/// after the word.
pub(super) fn approximate(s: &str, start: usize, reference: Option<Date>) -> Option<Stamp> {
    let mut c = Cur { s, i: start };
    let at = c.eat_word_ci("at");
    c.ws();
    let word = ["around", "about", "approximately", "approx."].iter().any(|w| c.eat_word_ci(w));
    if !(at || word) {
        return None;
    }
    let st = parse_stamp(s, c.i, reference);
    st.time.is_some().then_some(st)
}

/// What follows a stamp: an optional `[kind]`, separators, and where the text starts.
pub(super) struct Tail {
    pub(super) kind: Option<EntryKind>,
    pub(super) start: usize,
    pub(super) emph: Option<&'static str>,
    /// An unknown `[word]` right after the time: (byte offset of `[`, word).
    pub(super) unknown: Option<(usize, String)>,
}

/// Text made of `parts`, with emphasis left open before the stamp re-opened in front of it.
pub(super) fn entry_text(emph: Option<&str>, parts: &[&str]) -> String {
    let text = parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" | ");
    match emph {
        Some(m) if !text.is_empty() => format!("{m}{text}"),
        _ => text,
    }
}

/// An entry's text: the head, then the continuation lines without their common indentation
/// (items are often continued deeper than their content column).
pub(super) fn join_parts(parts: &[String]) -> String {
    let Some((head, cont)) = parts.split_first() else { return String::new() };
    let spaces = |l: &String| l.len() - l.trim_start_matches(' ').len();
    let common = cont.iter().filter(|l| !l.trim().is_empty()).map(spaces).min().unwrap_or(0);
    let mut out = head.clone();
    for l in cont {
        out.push('\n');
        out.push_str(l.get(common..).unwrap_or(""));
    }
    out.trim().to_string()
}
