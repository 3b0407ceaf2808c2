//! Time zones: offsets, abbreviations, IANA and US zone names, and a zone stated once for a
//! whole section (`All times in PST`).

use super::*;

/// `+02:00`, `-0700`; after `UTC`/`GMT` (`loose`) also `+1`, `-4`, `+5:30`.
pub(super) fn signed_offset(c: &mut Cur, loose: bool) -> Option<TimeZone> {
    c.attempt(|c| {
        let sign = if c.eat('+') {
            60
        } else if c.eat('-') {
            -60
        } else {
            return None;
        };
        let (a, da) = c.num()?;
        let (h, m) = match da {
            4 => (a / 100, a % 100),
            1 | 2 if c.eat(':') => (a, c.num().filter(|n| n.1 == 2)?.0),
            1 | 2 if loose => (a, 0),
            _ => return None,
        };
        let minutes = i32::try_from(h * 60 + m).ok().filter(|_| h <= 14 && m <= 59)?;
        Offset::from_seconds(minutes * sign).ok().map(TimeZone::fixed)
    })
}

pub(super) fn abbreviation(w: &str) -> Option<TimeZone> {
    // Parsed once: this runs for every word after every timeline time.
    static TABLE: std::sync::OnceLock<Vec<(&'static str, TimeZone)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        ABBREVIATIONS
            .split_whitespace()
            .filter_map(|z| {
                let at = z.find(['+', '-'])?;
                Some((&z[..at], signed_offset(&mut Cur { s: z, i: at }, true)?))
            })
            .collect()
    });
    table.iter().find(|(name, _)| *name == w).map(|(_, z)| z.clone())
}

/// `TimeZone::get`, remembered per thread: a timeline names the same few zones over and over,
/// and each database lookup costs more than the rest of parsing the entry.
pub(super) fn zone_named(name: &str) -> Option<TimeZone> {
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Option<TimeZone>>> = Default::default();
    }
    SEEN.with(|seen| {
        if let Some(z) = seen.borrow().get(name) {
            return z.clone();
        }
        let z = TimeZone::get(name).ok();
        seen.borrow_mut().insert(name.to_string(), z.clone());
        z
    })
}

pub(super) fn us_zone(w: &str) -> Option<TimeZone> {
    let (_, iana, std) = US_ZONES.iter().find(|z| z.0.eq_ignore_ascii_case(w))?;
    zone_named(iana).or_else(|| abbreviation(std))
}

/// A zone at the cursor, optionally in parentheses. `entry`: right after an entry's time, where
/// a bare city followed by a separator counts too (`16:37 Denver - text`).
pub(super) fn zone_at(c: &mut Cur, entry: bool) -> Option<TimeZone> {
    c.attempt(|c| {
        c.ws();
        let paren = c.eat('(');
        let z = zone_word(c, entry)?;
        (!paren || c.eat(')')).then_some(z)
    })
}

pub(super) fn zone_word(c: &mut Cur, entry: bool) -> Option<TimeZone> {
    c.attempt(|c| {
        if matches!(c.peek(), Some('+' | '-')) {
            return signed_offset(c, false);
        }
        let raw = c.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '/' || ch == '_');
        let w = raw.trim_end_matches(['/', '_']); // "_UTC_" in emphasis
        c.i -= raw.len() - w.len();
        if w.is_empty() || c.peek().is_some_and(char::is_alphanumeric) {
            return None;
        }
        if w == "Z" {
            return Some(TimeZone::UTC);
        }
        if w.eq_ignore_ascii_case("utc") || w.eq_ignore_ascii_case("gmt") {
            return signed_offset(c, true).or(Some(TimeZone::UTC));
        }
        if w.contains('/') {
            // An IANA name; a misspelt area before a US zone word still says what was meant.
            return zone_named(w).or_else(|| us_zone(w.rsplit('/').next()?));
        }
        if let Some(z) = abbreviation(w) {
            return Some(z);
        }
        if !w.starts_with(|ch: char| ch.is_ascii_uppercase()) || !w.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return None;
        }
        // After an entry's time, a word is a zone only before a separator (`7:09 AM Eastern: text`),
        // so that `09:14 Central auth failed` keeps its words.
        let mut ahead = *c;
        ahead.ws();
        let before_separator = ahead.peek().is_none_or(|ch| SEPARATORS.contains(&ch));
        if let Some(z) = us_zone(w) {
            if ahead.eat_word_ci("european") {
                return None; // "Central European Time" is not US Central
            }
            let named = c.opt(|c| {
                c.ws();
                if c.eat_word_ci("standard") || c.eat_word_ci("daylight") {
                    c.ws();
                }
                c.eat_word_ci("time")
            });
            return (!entry || named || before_separator).then_some(z);
        }
        if !(entry && before_separator) {
            return None;
        }
        CITY_AREAS.iter().find_map(|a| zone_named(&format!("{a}/{w}")))
    })
}

/// Byte offsets where words start (a letter, digit or sign after a non-word character).
pub(super) fn word_starts(text: &str) -> Vec<usize> {
    let mut prev = ' ';
    let mut out = Vec::new();
    for (i, ch) in text.char_indices() {
        if (ch.is_alphanumeric() || ch == '+' || ch == '-') && !prev.is_alphanumeric() {
            out.push(i);
        }
        prev = ch;
    }
    out
}

/// The first zone among the words of `text`.
pub(super) fn any_zone(text: &str, words: impl IntoIterator<Item = usize>) -> Option<TimeZone> {
    words.into_iter().find_map(|i| zone_word(&mut Cur { s: text, i }, false))
}

/// A zone stated in prose: near a word "time(s)", e.g. "All times in PST", "(times in BST)",
/// "Times are UTC", a table header "Date and Time in CET".
pub(crate) fn stated_zone(text: &str) -> Option<TimeZone> {
    let starts = word_starts(text);
    let is_time_word = |&i: &usize| {
        let w: String = text[i..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        ["time", "times", "timezone", "timestamps"].iter().any(|t| w.eq_ignore_ascii_case(t))
    };
    starts.iter().enumerate().filter(|(_, i)| is_time_word(i)).find_map(|(t, _)| {
        let near = (t + 1..(t + 8).min(starts.len())).chain(t.saturating_sub(2)..t);
        any_zone(text, near.map(|k| starts[k]))
    })
}

/// A zone in the timeline section's heading: a statement (`Timeline (all times in PST)`) or
/// an abbreviation or offset written in capitals (`Timeline (UTC)`, `Timeline, CEST`). Zone
/// words such as "Central" do not count here: a heading names things.
pub(super) fn heading_zone(text: &str) -> Option<TimeZone> {
    stated_zone(text).or_else(|| {
        let capitals = |&i: &usize| {
            let w = &text[i..];
            let letters = w.len() - w.trim_start_matches(|c: char| c.is_ascii_uppercase()).len();
            letters >= 2 && !w[letters..].starts_with(|c: char| c.is_ascii_lowercase())
        };
        word_starts(text).into_iter().filter(capitals).find_map(|i| zone_word(&mut Cur { s: text, i }, false))
    })
}

/// A paragraph holding only a zone: `UTC+1`, `(PDT)`, `_CEST_`.
pub(super) fn zone_only(text: &str) -> Option<TimeZone> {
    let t = text.trim().trim_matches(|c: char| matches!(c, '_' | '*' | '(' | ')' | '.' | ' '));
    let mut c = Cur { s: t, i: 0 };
    let z = zone_word(&mut c, false)?;
    (c.i == t.len() && !t.is_empty()).then_some(z)
}
