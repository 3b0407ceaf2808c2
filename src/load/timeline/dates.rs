//! Dates and times as timelines write them: `2024-03-14`, `March 3, 2019`, `14.3.`, `9:14 pm`,
//! `0914`.

use super::*;

pub(super) enum Dated {
    None,
    Ok(Date),
    /// `Month DD` without a year: the year was taken from the carried date.
    Guess(Date),
    /// A written date that is not a calendar date: (byte start, message).
    Bad(usize, String),
}

impl Dated {
    pub(super) fn get(&self) -> Option<Date> {
        match self {
            Dated::Ok(d) | Dated::Guess(d) => Some(*d),
            _ => None,
        }
    }
}

/// A prefix (3 letters or more) of one of the space-separated `names`: its index.
pub(super) fn name_word(c: &mut Cur, names: &str) -> Option<usize> {
    c.attempt(|c| {
        let w = c.take_while(|ch| ch.is_ascii_alphabetic());
        if w.len() < 3 {
            return None;
        }
        let found = names.split(' ').position(|n| n.len() >= w.len() && n[..w.len()].eq_ignore_ascii_case(w))?;
        c.eat('.');
        Some(found)
    })
}

pub(super) fn weekday(c: &mut Cur) -> bool {
    name_word(c, WEEKDAYS).is_some()
}

pub(super) fn bad(c: &Cur, st: usize, why: &str) -> Dated {
    Dated::Bad(st, format!("`{}` {why}", &c.s[st..c.i]))
}

pub(super) fn make_date(c: &Cur, st: usize, y: u32, m: u32, d: u32) -> Dated {
    let date = (|| Date::new(y.try_into().ok()?, m.try_into().ok()?, d.try_into().ok()?).ok())();
    date.map_or_else(|| bad(c, st, "is not a calendar date"), Dated::Ok)
}

/// The optional year after `Month DD` or `DD Month`; without one, the year that puts the date
/// nearest to `reference` (so "Jan 1" after "Dec 31" is in the next year).
pub(super) fn year_tail(c: &mut Cur, st: usize, m: u32, d: u32, reference: Option<Date>) -> Dated {
    let year = c.attempt(|c| {
        c.eat(',');
        c.ws();
        let (y, n) = c.num()?;
        (n == 4 && c.peek() != Some(':')).then_some(y) // not the hour of `Feb 21, 13:00`
    });
    if let Some(y) = year {
        return make_date(c, st, y, m, d);
    }
    let Some(r) = reference else { return bad(c, st, "has no year and no earlier date gives one") };
    let key = |x: Date| i32::from(x.year()) * 372 + i32::from(x.month()) * 31 + i32::from(x.day());
    let years = [r.year() - 1, r.year(), r.year().saturating_add(1)];
    let near =
        years.iter().filter_map(|&y| Date::new(y, m as i8, d as i8).ok()).min_by_key(|x| (key(*x) - key(r)).abs());
    near.map_or_else(|| bad(c, st, "is not a calendar date"), Dated::Guess)
}

/// `YYYY-MM-DD`, `MM-DD-YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY`, `DD[.] Month [YYYY]`,
/// `Month DD[st][,] [YYYY]`. On `Dated::None` the cursor is unchanged.
pub(super) fn date_at(c: &mut Cur, reference: Option<Date>) -> Dated {
    let st = c.i;
    let numeric = c.attempt(|c| {
        let (a, da) = c.num()?;
        let sep = c.peek().filter(|s| matches!(s, '-' | '/' | '.'))?;
        c.bump();
        let (b, _) = c.num().filter(|n| n.1 <= 2)?;
        let (d, dd) = if c.eat(sep) { c.num()? } else { return None };
        match (da, dd) {
            (4, 1..=2) => Some(make_date(c, st, a, b, d)),
            // day first with dots, or when the first number cannot be a month
            (1..=2, 4) if sep == '.' || (a > 12 && b <= 12) => Some(make_date(c, st, d, b, a)),
            // `06/04/2023`: both readings are dates; the one nearer the date known so far wins
            (1..=2, 4) if sep == '/' && a != b && b <= 12 && reference.is_some() => {
                let near = |x: &Dated| -> Option<u32> { Some((x.get()? - reference?).get_days().unsigned_abs()) };
                let (us, eu) = (make_date(c, st, d, a, b), make_date(c, st, d, b, a));
                Some(if near(&eu).is_some_and(|e| near(&us).is_none_or(|u| e < u)) { eu } else { us })
            }
            (1..=2, 4) => Some(make_date(c, st, d, a, b)),
            (5.., 1..=2) => Some(bad(c, st, "has a year of more than four digits")),
            _ => None,
        }
    });
    let named = || {
        c.attempt(|c| {
            let (m, d) = match c.num() {
                Some((d, 1..=2)) => {
                    let _ = ["st", "nd", "rd", "th"].iter().any(|s| c.eat_word_ci(s));
                    c.eat('.');
                    c.ws();
                    (name_word(c, MONTHS)?, d)
                }
                Some(_) => return None,
                None => {
                    let m = name_word(c, MONTHS)?;
                    c.ws();
                    let Some((d, 1..=2)) = c.num().filter(|_| c.peek() != Some(':')) else { return None };
                    let _ = ["st", "nd", "rd", "th"].iter().any(|s| c.eat_word_ci(s));
                    (m, d)
                }
            };
            Some(year_tail(c, st, m as u32 + 1, d, reference))
        })
    };
    numeric.or_else(named).unwrap_or(Dated::None)
}

/// `HH:MM`, `HH:MM:SS(.fff)`, `H:MM am/pm`. On `None` the cursor is unchanged.
pub(super) fn time_at(c: &mut Cur) -> Option<Time> {
    c.attempt(|c| {
        let Some((h, 1..=2)) = c.num() else { return None };
        let Some((m, 2)) = c.eat(':').then(|| c.num()).flatten() else { return None };
        let s = c.attempt(|c| {
            let Some((s, 2)) = c.eat(':').then(|| c.num()).flatten() else { return None };
            c.opt(|c| c.eat('.') && c.num().is_some());
            Some(s)
        });
        let pm = c.attempt(|c| {
            c.ws();
            let pm = ["pm", "p.m."].iter().any(|w| c.eat_word_ci(w));
            (pm || ["am", "a.m."].iter().any(|w| c.eat_word_ci(w))).then_some(pm)
        });
        let h = match pm {
            Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
            // a 24-hour time written with PM (`13:55 PM`) is that time
            Some(true) if (13..=23).contains(&h) => h,
            Some(_) => return None,
            None => h,
        };
        Time::new(h as i8, m as i8, s.unwrap_or(0) as i8, 0).ok()
    })
}

/// `10.42` with a dot, only when a separator follows (`- 10.42: text`): `1.24.0` or `3.14 ms`
/// are not times.
pub(super) fn dotted_time(c: &mut Cur) -> Option<Time> {
    c.attempt(|c| {
        let Some((h, 1..=2)) = c.num() else { return None };
        let Some((m, 2)) = c.eat('.').then(|| c.num()).flatten() else { return None };
        let mut ahead = *c;
        ahead.ws();
        let sep = ahead.peek().is_some_and(|ch| matches!(ch, ':' | '-' | '–' | '—'));
        let digit_after = ahead.rest().get(1..).is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()));
        if !sep || digit_after {
            return None;
        }
        Time::new(h as i8, m as i8, 0, 0).ok()
    })
}

/// `03-26` (month-day, no year) followed by a space: only read inside `[03-26 23:04]`.
pub(super) fn month_day(c: &mut Cur, reference: Option<Date>) -> Dated {
    let st = c.i;
    let found = c.attempt(|c| {
        let Some((m, 1..=2)) = c.num() else { return None };
        let Some((d, 1..=2)) = c.eat('-').then(|| c.num()).flatten() else { return None };
        (c.peek() == Some(' ') && (1..=12).contains(&m)).then_some((m, d))
    });
    found.map_or(Dated::None, |(m, d)| year_tail(c, st, m, d, reference))
}
