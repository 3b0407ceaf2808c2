//! Timeline section parser (docs/format.md, "Timelines").
//!
//! Turns the body of a retro's timeline section into dated entries. The shapes accepted are the
//! ones found in real postmortems:
//!
//! * list items: `- 09:14 [detected] Alert paged on-call`, `* **01:38:** text`, `- [x] 10:02 …`;
//! * table rows: `| 2024-03-14 09:14 | text |` or `| 2024-03-14 | 09:14 | text |`;
//! * sub-headings, one per time, whose text runs until the next entry: `### Sep 27 2017 13:06`,
//!   `### ~13:30-13:45`, `### 19. April, 11:00`, `### 07:30am - First report`;
//! * sub-headings, list items, rows or paragraphs holding only a date (`### 2023-07-19`,
//!   `**Date: 2023-11-22**`): they set the date of the entries that follow;
//! * paragraphs starting with a date and a time: `07-27-2023 2:14 pm - text`.
//!
//! A date carries forward. A zone stated once outside the entries ("All times in PST", a table
//! header "Time (UTC)") applies to the whole section; an entry's own zone wins.

use crate::diagnostic::rules;
use crate::model::{EntryKind, TimelineEntry};
use jiff::{
    Timestamp,
    civil::{Date, DateTime, Time},
    tz::{Offset, TimeZone},
};

mod cursor;
mod dates;
mod lines;
mod pass;
mod stamp;
mod zones;

use cursor::*;
use dates::*;
use lines::*;
use pass::*;
use stamp::*;
use zones::*;

pub(crate) use stamp::is_date_only;
pub(crate) use zones::stated_zone;

#[derive(Debug, Clone, Copy)]
pub(crate) struct TimelineContext<'a> {
    /// The retro's date, used when no date was written.
    pub date: Option<Date>,
    /// The book's default zone, used unless the section states one.
    pub tz: &'a TimeZone,
    /// The section's heading text, read for a zone or a date stated in it
    /// (`Timeline (all times in PST)`).
    pub heading: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimelineIssue {
    pub line: u32,
    pub column: u32,
    pub rule: &'static str,
    pub message: String,
    /// The fix, when there is one: `[detected]` for an unknown kind `[detectd]`.
    pub suggestion: Option<String>,
}

/// Characters separating the time (and kind) from the text: `09:14 - text`, `09:14: text`.
const SEPARATORS: [char; 6] = ['-', '–', '—', ':', '|', ','];
/// Zone abbreviations with fixed offsets, matched case-sensitively; read like `UTC+5:30`.
const ABBREVIATIONS: &str = "PST-8 PDT-7 MST-7 MDT-6 CST-6 CDT-5 EST-5 EDT-4 BST+1 CET+1 CEST+2 EET+2 EEST+3 IST+5:30 \
                             JST+9 AEST+10";
/// US zone words follow daylight saving time: IANA zones, with a standard offset as fallback
/// when the system has no time zone database.
const US_ZONES: [(&str, &str, &str); 4] = [
    ("eastern", "America/New_York", "EST"),
    ("central", "America/Chicago", "CST"),
    ("mountain", "America/Denver", "MST"),
    ("pacific", "America/Los_Angeles", "PST"),
];
/// Areas tried for a bare city name after a time (`16:37 Denver - text`).
const CITY_AREAS: [&str; 6] = ["America", "Europe", "Asia", "Australia", "Africa", "Pacific"];
const MONTHS: &str = "january february march april may june july august september october november december";
const WEEKDAYS: &str = "monday tuesday wednesday thursday friday saturday sunday";

/// Parses a timeline section. `section` is the text AFTER the section's heading line,
/// `first_line` the 1-based file line of its first line, `heading_level` the level of the
/// section's heading: entry sub-headings are deeper than it.
pub(crate) fn parse_timeline(
    section: &str,
    first_line: u32,
    heading_level: u8,
    ctx: &TimelineContext,
) -> (Vec<TimelineEntry>, Vec<TimelineIssue>) {
    let lines = preprocess(section);
    let refs = reference_labels(&lines);
    let mut pass =
        Pass { level: heading_level, first_line, refs, carried: ctx.date, prev_blank: true, ..Pass::default() };
    if let Some(h) = ctx.heading {
        pass.zone = heading_zone(h);
        if let Some(d) = prose_date(h) {
            pass.set_date(d);
        }
    }
    for idx in 0..lines.len() {
        pass.step(idx, &lines);
    }
    pass.flush();
    pass.finish(ctx.tz)
}

/// The author of an entry's text, `**Lena Hoffmann:** Status page updated.` (or `**Lena**:`),
/// and the text after it; `None` when the text does not start with a bold name and a colon.
pub(crate) fn entry_author(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix("**")?;
    let end = rest.find("**")?;
    let (name, after) = (&rest[..end], &rest[end + 2..]);
    let (name, after) = match name.strip_suffix(':') {
        Some(n) => (n, after),
        None => (name, after.strip_prefix(':')?),
    };
    let name = name.replace("\\*", "*").replace("\\\\", "\\");
    let name = name.trim();
    // A name, not a bold sentence: short, no sentence punctuation.
    if name.is_empty() || name.chars().count() > 60 || name.ends_with('.') || name.contains(['!', '?', '\n']) {
        return None;
    }
    Some((name.to_string(), after.trim_start()))
}

fn issue(line: u32, column: u32, rule: &'static str, message: String) -> TimelineIssue {
    TimelineIssue { line, column, rule, message, suggestion: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }
    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }
    fn dt(s: &str) -> DateTime {
        s.parse().unwrap()
    }
    /// Parses `section` as if it followed a `## Timeline` heading on file line 9.
    fn run(section: &str, day: Option<&str>) -> (Vec<TimelineEntry>, Vec<TimelineIssue>) {
        run_in(section, day, 2, None)
    }
    /// Like `run`, with the section heading's level and text.
    fn run_in(
        section: &str,
        day: Option<&str>,
        level: u8,
        heading: Option<&str>,
    ) -> (Vec<TimelineEntry>, Vec<TimelineIssue>) {
        let ctx = TimelineContext { date: day.map(date), tz: &TimeZone::UTC, heading };
        parse_timeline(section, 10, level, &ctx)
    }
    fn locals(entries: &[TimelineEntry]) -> Vec<String> {
        entries.iter().map(|e| e.local.strftime("%Y-%m-%dT%H:%M").to_string()).collect()
    }
    fn ats(entries: &[TimelineEntry]) -> Vec<String> {
        entries.iter().map(|e| e.at.to_string()).collect()
    }
    fn rules(issues: &[TimelineIssue]) -> Vec<&str> {
        issues.iter().map(|i| i.rule).collect()
    }
    fn texts(entries: &[TimelineEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn kinds_round_trip() {
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::parse(k.as_str()), Some(k));
            assert_eq!(EntryKind::parse(&format!(" {} ", k.as_str().to_uppercase())), Some(k));
        }
        assert_eq!(EntryKind::parse("detect"), None);
    }

    #[test]
    fn list_items_with_kinds() {
        let s = "\n- 09:14 [detected] Pager fired for the checkout error rate\n\
                 * 09:20 [Escalated] — Called in the database on-call\n\
                 + 09:41 [mitigated]: Rolled back the release\n\
                 1. 10:05 Error rate back to baseline\n\
                 - [x] 10:30 [resolved] Incident closed\n";
        let (e, i) = run(s, Some("2024-03-14"));
        assert!(i.is_empty(), "{i:?}");
        let kinds: Vec<_> = e.iter().map(|e| e.kind).collect();
        use EntryKind::*;
        assert_eq!(kinds, [Some(Detected), Some(Escalated), Some(Mitigated), None, Some(Resolved)]);
        assert_eq!(
            texts(&e),
            [
                "Pager fired for the checkout error rate",
                "Called in the database on-call",
                "Rolled back the release",
                "Error rate back to baseline",
                "Incident closed"
            ]
        );
        assert_eq!(e[0].line, 11);
        assert_eq!(e[4].line, 15);
        assert_eq!(e[0].at, ts("2024-03-14T09:14:00Z"));
        assert_eq!(e[0].local, dt("2024-03-14T09:14"));
    }

    #[test]
    fn table_rows() {
        let s = "All times in UTC.\n\n| Time | Event |\n|:---|---|\n\
                 | 2024-03-14 09:14 | Queue depth alarm |\n\
                 | 09:30 | [mitigated] Drained the queue |\n\
                 | 2024-03-14 --:-- | Unknown time, only a date |\n\n\
                 | Date | Time | What | Who |\n| --- | --- | --- | --- |\n\
                 | 2024-03-15 | 08:00 | Replay finished | ops |\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(texts(&e), ["Queue depth alarm", "Drained the queue", "Replay finished | ops"]);
        assert_eq!(e[1].kind, Some(EntryKind::Mitigated));
        assert_eq!(e[1].at, ts("2024-03-14T09:30:00Z"));
        assert_eq!(e[2].at, ts("2024-03-15T08:00:00Z"));
        assert_eq!(e[2].line, 20);

        // a zone stated in the header row applies to the section
        let (e, _) = run("| When (CEST) | Event |\n|--|--|\n| 2024-06-01 12:00 | Switch-over |\n", None);
        assert_eq!(e[0].at, ts("2024-06-01T10:00:00Z"));
        assert_eq!(e[0].local, dt("2024-06-01T12:00"));
    }

    #[test]
    fn headings_with_carried_date_and_stated_zone() {
        let s = "\nAll times in PST\n\n### Mar 2 2023 10:00\n\nThe nightly job stalled on the\nsecond shard.\n\n\
                 ### 10:45 - Paged storage\n\nStorage joined.\n\n- checked disks\n- rotated a node\n\n\
                 #### Notes\n\nStill part of 10:45.\n\n### 2023-03-03 09:00\n\nFollow-up.\n";
        let (e, i) = run(s, Some("2020-01-01"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].local, dt("2023-03-02T10:00"));
        assert_eq!(e[0].at, ts("2023-03-02T18:00:00Z")); // 10:00 PST = 18:00 UTC
        assert_eq!(e[0].text, "The nightly job stalled on the\nsecond shard.");
        assert_eq!(e[0].line, 13);
        assert_eq!(e[1].at, ts("2023-03-02T18:45:00Z"));
        assert_eq!(
            e[1].text,
            "Paged storage\n\nStorage joined.\n\n- checked disks\n- rotated a node\n\n#### Notes\n\nStill part of 10:45."
        );
        assert_eq!(e[2].at, ts("2023-03-03T17:00:00Z"));
    }

    #[test]
    fn date_only_subheadings_and_paragraphs() {
        let s = "### 2023-07-19\n\n- 12:30 UTC – Opened the change\n- 17:40 UTC – Merged it\n\n\
                 ### 2023-07-20 Thursday\n\n- 10:00 UTC – Deployed\n\n**Date: 2023-07-22**\n\n- 08:00 Reverted\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        let at: Vec<_> = e.iter().map(|e| e.at).collect();
        assert_eq!(
            at,
            [
                ts("2023-07-19T12:30:00Z"),
                ts("2023-07-19T17:40:00Z"),
                ts("2023-07-20T10:00:00Z"),
                ts("2023-07-22T08:00:00Z")
            ]
        );
        assert_eq!(e[0].text, "Opened the change");
    }

    #[test]
    fn am_pm() {
        let s = "### 07:30am - First report\n\n### 12:00 pm noon check\n\n### 7:30 PM - Evening\n\n- 11:58 p.m. late\n";
        let (e, i) = run(s, Some("2020-07-09"));
        assert!(i.is_empty(), "{i:?}");
        let times: Vec<_> = e.iter().map(|e| e.local.time()).collect();
        let want: Vec<Time> = ["07:30", "12:00", "19:30", "23:58"].iter().map(|t| t.parse().unwrap()).collect();
        assert_eq!(times, want);
        assert_eq!(texts(&e), ["First report", "noon check", "Evening", "late"]);
        let (e, _) = run("- 12:10 am just after midnight", Some("2020-07-09"));
        assert_eq!(e[0].local, dt("2020-07-09T00:10"));
    }

    #[test]
    fn month_name_dates() {
        let s = "### Apr 18 2018 12:35\n\nA\n\n### 19. April, 11:00\n\nB\n\n### Mon Apr 23, 2018 09:00\n\nC\n\n\
                 ### 30 April 2018 08:00\n\n### Tuesday, May 1st, 2018 07:00\n\n### Dec 31 2018 23:00\n\n### Jan 1, 00:30\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        let got: Vec<_> = e.iter().map(|e| e.local).collect();
        let want = [
            "2018-04-18T12:35",
            "2018-04-19T11:00",
            "2018-04-23T09:00",
            "2018-04-30T08:00",
            "2018-05-01T07:00",
            "2018-12-31T23:00",
            "2019-01-01T00:30", // the year rolls over to the nearest date
        ];
        assert_eq!(got, want.map(dt));
    }

    #[test]
    fn ranges_take_the_start() {
        let s = "### 8:20 - 8:24\n\nTwo people synced.\n\n### ~13:30-13:45\n\nSuccess rate fell.\n\n- 14:00 to 14:30 – Slow recovery\n";
        let (e, i) = run(s, Some("2018-04-18"));
        assert!(i.is_empty(), "{i:?}");
        let got: Vec<_> = e.iter().map(|e| e.local).collect();
        assert_eq!(got, ["2018-04-18T08:20", "2018-04-18T13:30", "2018-04-18T14:00"].map(dt));
        assert_eq!(texts(&e), ["Two people synced.", "Success rate fell.", "Slow recovery"]);
    }

    #[test]
    fn paragraphs_starting_with_date_and_time() {
        let s = "Intro prose mentioning 2:50 pm is not an entry.\n\n\
                 07-27-2023 2:14 pm - Vendor reported failures\n\n\
                 07-27-2023 2:30 pm - Paused the sync\n\
                 07/27/2023 2:41 PM - Next line, same paragraph\nand its continuation\n\n\
                 28.07.2023 09:00 Cleanup\n\n2023-07-28T09:15Z Recovered\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(
            texts(&e),
            [
                "Vendor reported failures",
                "Paused the sync",
                "Next line, same paragraph\nand its continuation",
                "Cleanup",
                "Recovered"
            ]
        );
        assert_eq!(e[0].local, dt("2023-07-27T14:14"));
        assert_eq!(e[3].local, dt("2023-07-28T09:00"));
        assert_eq!(e[4].at, ts("2023-07-28T09:15:00Z"));
        assert_eq!(e[0].line, 12);
    }

    #[test]
    fn bold_times() {
        let s = "- **09:14** [detected] First\n- **09:20 UTC** Second\n\
                 - **2019-10-20 00:55: whole item in bold**\n- **01:38: bold that\n  continues** here\n";
        let (e, i) = run(s, Some("2019-10-19"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(e[0].kind, Some(EntryKind::Detected));
        assert_eq!(texts(&e), ["First", "Second", "**whole item in bold**", "**bold that\ncontinues** here"]);
        assert_eq!(e[3].local, dt("2019-10-20T01:38"));
    }

    #[test]
    fn explicit_zone_per_entry() {
        let s = "Times are UTC.\n\n- 2024-05-01 10:00 +02:00 a\n- 2024-05-01 09:30 -0700 b\n\
                 - 2024-05-01 20:00 CEST c\n- 2024-05-01T20:30:00Z d\n- 2024-05-01 21:00 e\n\
                 - 2024-05-01 17:30 EDT (21:30 UTC): f\n- 2024-05-01 22:00 GMT+1 g\n";
        let (e, i) = run(s, None);
        let at: Vec<_> = e.iter().map(|e| e.at).collect();
        let want = ["08:00", "16:30", "18:00", "20:30", "21:00", "21:30", "21:00"];
        assert_eq!(at, want.map(|t| ts(&format!("2024-05-01T{t}:00Z"))));
        assert_eq!(e[1].local, dt("2024-05-01T09:30"));
        assert_eq!(texts(&e), ["a", "b", "c", "d", "e", "f", "g"]);
        // only the out-of-order 22:00 GMT+1 (21:00 UTC) after 21:30 UTC
        assert_eq!(rules(&i), [rules::TIMELINE_ORDER]);
    }

    #[test]
    fn authors_are_a_bold_name_and_a_colon() {
        assert_eq!(
            entry_author("**Lena Hoffmann:** Status page updated."),
            Some(("Lena Hoffmann".into(), "Status page updated."))
        );
        assert_eq!(entry_author("**Raj**: paged"), Some(("Raj".into(), "paged")));
        assert_eq!(entry_author("**a\\*b:** x"), Some(("a*b".into(), "x")));
        assert_eq!(entry_author("**Outage begins.** Then: x"), None);
        assert_eq!(entry_author("Lena: hi"), None);
    }

    #[test]
    fn stated_zone_variants() {
        let cases = [
            ("(times in BST)", "2024-06-01T09:00:00Z"),
            ("_all times are in UTC_", "2024-06-01T10:00:00Z"),
            ("All times in Central European Time (CET)", "2024-06-01T09:00:00Z"),
            ("Date and Time in EET", "2024-06-01T08:00:00Z"),
        ];
        for (stmt, want) in cases {
            let (e, _) = run(&format!("{stmt}\n\n- 2024-06-01 10:00 x\n"), None);
            assert_eq!(e[0].at, ts(want), "{stmt}");
        }
        // IANA zones, when the system has a time zone database
        if TimeZone::get("America/Denver").is_ok() {
            let (e, _) = run("* 16:37 Denver - Upgraded plugins\n* 18:00 Pacific - Other\n", Some("2021-05-29"));
            assert_eq!(e[0].at, ts("2021-05-29T22:37:00Z"));
            assert_eq!(e[0].text, "Upgraded plugins");
            assert_eq!(e[1].at, ts("2021-05-30T01:00:00Z"));
            let (e, _) = run("- 09:14 Central auth failed\n- 09:20 Eastern Time: paged\n", Some("2021-05-29"));
            assert_eq!((e[0].at, e[0].text.as_str()), (ts("2021-05-29T09:14:00Z"), "Central auth failed"));
            assert_eq!((e[1].at, e[1].text.as_str()), (ts("2021-05-29T13:20:00Z"), "paged"));
            let (e, _) = run("All times in US/Pacific\n\n### 07:30am - x\n", Some("2020-07-09"));
            assert_eq!(e[0].at, ts("2020-07-09T14:30:00Z"));
        }
    }

    #[test]
    fn unknown_kind_is_reported_with_column() {
        let s = "- 09:14 [detcted] Pager fired\n\t- 09:20 [oops] x\n- 09:30: [alice] joined\n- 09:40 [bob] left\n\n[bob]: https://example.com/bob\n";
        let (e, i) = run(s, Some("2024-03-14"));
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].kind, None);
        assert_eq!(e[0].text, "[detcted] Pager fired");
        assert_eq!(rules(&i), [rules::TIMELINE_KIND, rules::TIMELINE_KIND]);
        assert_eq!((i[0].line, i[0].column), (10, 9));
        assert_eq!((i[1].line, i[1].column), (11, 10));
        assert!(i[0].message.contains("detected, escalated"), "{}", i[0].message);
    }

    #[test]
    fn out_of_order_times() {
        let s = "### 2024-03-14 23:50\n\nA\n\n### 00:10\n\nB\n\n### 2024-03-15 00:20\n\nC\n";
        let (e, i) = run(s, None);
        assert_eq!(e.len(), 3);
        assert_eq!(e[1].local, dt("2024-03-14T00:10")); // stays on the carried date
        assert_eq!(rules(&i), [rules::TIMELINE_ORDER]);
        assert_eq!(i[0].line, 14);
        assert_eq!(
            i[0].message,
            "00:10 is earlier than the previous entry at 23:50; write the date (2024-03-15 00:10) when the timeline crosses midnight"
        );
        // an explicitly written earlier time on the same date is out of order too
        let (_, i) = run("- 2024-03-14 11:08 x\n- 2024-03-14 11:07 y\n", None);
        assert_eq!(rules(&i), [rules::TIMELINE_ORDER]);
        assert!(i[0].message.contains("out of order"));
    }

    #[test]
    fn no_date_anywhere() {
        let (e, i) = run("- 09:00 first\n- 10:00 second\n", None);
        assert!(e.is_empty());
        assert_eq!(rules(&i), [rules::TIMELINE_NO_DATE]);
        // a date written later also dates the entries before it
        let (e, i) = run("- 09:00 first\n- 2024-01-02 10:00 second\n", None);
        assert!(i.is_empty());
        assert_eq!(e[0].local, dt("2024-01-02T09:00"));
    }

    #[test]
    fn invalid_dates_are_skipped() {
        let s = "- 2025-02-30 10:00 impossible\n- 2025-02-28 11:00 fine\n| 20202-01-16 12:00 | typo |\n";
        let (e, i) = run(s, None);
        assert_eq!(texts(&e), ["fine"]);
        assert_eq!(rules(&i), [rules::TIMELINE_DATE, rules::TIMELINE_DATE]);
        assert_eq!((i[0].line, i[0].column), (10, 3));
        assert!(i[0].message.contains("2025-02-30"));
        assert_eq!((i[1].line, i[1].column), (12, 3));
        // a year-less date without anything to take the year from
        let (e, i) = run("### 19. April 10:00\n", None);
        assert!(e.is_empty());
        assert_eq!(rules(&i), [rules::TIMELINE_DATE]);
    }

    #[test]
    fn code_fences_and_comments_are_skipped() {
        let s = "```\n- 09:00 not an entry\n### 09:05\n```\n<!-- - 09:30 hidden\n- 09:40 also hidden -->\n\
                 - 10:00 real <!-- note --> entry\n~~~text\n| 10:30 | no |\n~~~\n\n### 11:00\n\nLogs:\n\n```\n2024-03-14 11:01 ERROR\n```\n";
        let (e, i) = run(s, Some("2024-03-14"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].text, "real  entry");
        assert_eq!(e[1].text, "Logs:\n\n```\n2024-03-14 11:01 ERROR\n```");
    }

    #[test]
    fn continuation_lines() {
        let s = "- 14:33, someone wrote in\n  from another address:\n\n    > quoted text\n\n\
                 - 14:40 next\nlazy continuation\n\nNot part of it.\n\n- 14:50 last\n";
        let (e, i) = run(s, Some("2023-11-22"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(
            texts(&e),
            ["someone wrote in\nfrom another address:\n\n  > quoted text", "next\nlazy continuation", "last"]
        );
    }

    #[test]
    fn stated_default_date_is_not_overridden_by_entry_dates() {
        let s = "Unless noted otherwise, every event is on 2019-10-21; all times are in\nUTC.\n\n\
                 - 2019-10-20 23:55 Earlier day\n- 00:10 Main day\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(e[0].local, dt("2019-10-20T23:55"));
        assert_eq!(e[1].local, dt("2019-10-21T00:10"));
    }

    #[test]
    fn plain_lines_and_paragraphs_starting_with_a_time() {
        let s = "All times in PST\n\nSaturday Oct 30th\n\n12:45 PM PST: First wave begins\n\n13:55 PM Second wave\n\n\
                 7:32 PM - The chain stalled\nand stayed down\n\n2021-10-31 01:10: recovered\n";
        let (e, i) = run(s, Some("2021-10-29"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2021-10-30T12:45", "2021-10-30T13:55", "2021-10-30T19:32", "2021-10-31T01:10"]);
        assert_eq!(
            ats(&e),
            ["2021-10-30T20:45:00Z", "2021-10-30T21:55:00Z", "2021-10-31T03:32:00Z", "2021-10-31T09:10:00Z"]
        );
        assert_eq!(texts(&e), ["First wave begins", "Second wave", "The chain stalled\nand stayed down", "recovered"]);
        assert_eq!(e[2].line, 18);
        // a time inside a sentence, or on a wrapped line of a prose paragraph, is not an entry
        let s = "Detected at 10:00 the alert was ignored.\n\nThe on-call engineer waited until\n10:30 before paging.\n\n\
                 Version 1.24.0 was rolled out.\n";
        let (e, i) = run(s, Some("2021-10-29"));
        assert!(e.is_empty() && i.is_empty(), "{e:?} {i:?}");
    }

    #[test]
    fn weekday_or_month_date_after_the_time() {
        let s = "- 12:45 PM PST Saturday Oct 30th: First wave begins\n- 01:00 PM PST: Second\n\
                 - 2:00 PM March 3, 2022 - later\n- 09:14 May 5 pods crashed\n";
        let (e, i) = run(s, Some("2021-10-01"));
        assert_eq!(rules(&i), [rules::TIMELINE_ORDER]); // 09:14 on 2022-03-03 after 14:00: not rolled over
        assert_eq!(locals(&e), ["2021-10-30T12:45", "2021-10-30T13:00", "2022-03-03T14:00", "2022-03-03T09:14"]);
        assert_eq!(e[1].at, ts("2021-10-30T21:00:00Z"));
        assert_eq!(texts(&e), ["First wave begins", "Second", "later", "May 5 pods crashed"]);
    }

    #[test]
    fn date_only_lines_set_the_date() {
        let s = "01-10-2024\n\n- 09:00 a\n\nMarch 3, 2024\n\n- 10:00 b\n\n### 15 May\n\n- 11:00 c\n\nJuly 22\n\n\
                 - 12:00 d\n\nSaturday Oct 26th\n\n13:00 e\n";
        let (e, i) = run(s, Some("2024-01-09"));
        assert!(i.is_empty(), "{i:?}");
        let want = ["2024-01-10T09:00", "2024-03-03T10:00", "2024-05-15T11:00", "2024-07-22T12:00", "2024-10-26T13:00"];
        assert_eq!(locals(&e), want);
        // a day heading at the section's own level (`## Timeline` then `## May 12`)
        let s = "## May 12\n\n1:03\nAlert\n\n## May 13\n\n00:40\nFixed\n\n## Later 10:00\n";
        let (e, i) = run(s, Some("2025-05-11"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2025-05-12T01:03", "2025-05-13T00:40"]);
        // `## May 12` under a `# Timeline` heading; a year-less date takes the retro's year
        let s = "## May 12\n\n### 08:52 PM\n\nPaged.\n\n## May 13\n\n### 00:40\n\nFixed.\n";
        let (e, i) = run_in(s, Some("2025-05-12"), 1, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2025-05-12T20:52", "2025-05-13T00:40"]);
        assert_eq!(texts(&e), ["Paged.", "Fixed."]);
        // a date with words after it is not a date line
        let (e, _) = run("May 5 we deployed\n\n- 10:00 x\n", Some("2024-01-09"));
        assert_eq!(locals(&e), ["2024-01-09T10:00"]);
    }

    #[test]
    fn zone_abbreviations_are_fixed_offsets() {
        let zones = [
            ("UTC", 0),
            ("GMT", 0),
            ("PST", -8),
            ("PDT", -7),
            ("EST", -5),
            ("EDT", -4),
            ("CST", -6),
            ("CDT", -5),
            ("MST", -7),
            ("MDT", -6),
            ("BST", 1),
            ("CET", 1),
            ("CEST", 2),
            ("JST", 9),
            ("AEST", 10),
        ];
        for (z, h) in zones {
            // the same offset in January and in July: fixed, as written
            for day in ["2024-01-15", "2024-07-15"] {
                let (e, _) = run(&format!("- {day} 12:00 {z} x\n"), None);
                assert_eq!(e[0].at, ts(&format!("{day}T{:02}:00:00Z", 12 - h)), "{z}");
            }
        }
        let (e, _) = run("- 2024-01-15 12:00 IST x\n", None);
        assert_eq!(e[0].at, ts("2024-01-15T06:30:00Z"));
    }

    #[test]
    fn zone_stated_once_for_the_section() {
        let cases = [
            ("All times in PST", "2024-06-01T18:00:00Z"),
            ("(times in BST)", "2024-06-01T09:00:00Z"),
            ("_All times in EEST_", "2024-06-01T07:00:00Z"),
            ("All times PDT.", "2024-06-01T17:00:00Z"),
            ("All times in PDT (UTC-7).", "2024-06-01T17:00:00Z"),
            ("All times in UTC+1", "2024-06-01T09:00:00Z"),
            ("UTC+1", "2024-06-01T09:00:00Z"),
            ("_(CEST)_", "2024-06-01T08:00:00Z"),
        ];
        for (stmt, want) in cases {
            let (e, _) = run(&format!("{stmt}\n\n- 2024-06-01 10:00 x\n"), None);
            assert_eq!(e[0].at, ts(want), "{stmt}");
            // or on the line right under the heading, without a blank line
            let (e, _) = run(&format!("{stmt}\n2024-06-01 10:00 x\n"), None);
            assert_eq!(e.first().map(|e| e.at), Some(ts(want)), "{stmt} (no blank line)");
        }
        // in the section's heading
        let headings = [
            ("Timeline (all times in PST)", "2024-06-01T18:00:00Z"),
            ("Timeline (UTC+2)", "2024-06-01T08:00:00Z"),
            ("Timeline, CEST", "2024-06-01T08:00:00Z"),
            ("Timeline: Central database", "2024-06-01T10:00:00Z"), // a name, not the US zone
            ("Timeline", "2024-06-01T10:00:00Z"),
        ];
        for (h, want) in headings {
            let (e, _) = run_in("- 2024-06-01 10:00 x\n", None, 2, Some(h));
            assert_eq!(e[0].at, ts(want), "{h}");
        }
        // a zone word in a prose paragraph that is not a statement does not set it
        let (e, _) = run("The PST team was paged.\n\n- 2024-06-01 10:00 x\n", None);
        assert_eq!(e[0].at, ts("2024-06-01T10:00:00Z"));
    }

    #[test]
    fn timestamped_list_under_a_bold_label() {
        let s = "- **Context**:\n  - 2024-09-20 11:21: pipeline unpaused\n    - 11:30: nested deeper\n\
                 - **Impact**: started 2024-09-20 11:00, nothing else\n\n**Details**\n\n* 12:00 - later\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2024-09-20T11:21", "2024-09-20T11:30", "2024-09-20T12:00"]);
        assert_eq!(texts(&e), ["pipeline unpaused", "nested deeper", "later"]);
        assert_eq!(e[1].line, 12);
    }

    #[test]
    fn bracketed_times() {
        let s = "All times in PST, on February 8th 2019\n\n* [13:20] Merged the bump\n          and it rolled out\n\
                 * [???] Nobody knows when\n* [16:04] Slow responses\n* [see 16:10] not a stamp\n* [16:20 unclosed\n";
        let (e, i) = run(s, Some("2019-02-01"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2019-02-08T13:20", "2019-02-08T16:04"]);
        assert_eq!(e[0].at, ts("2019-02-08T21:20:00Z"));
        assert_eq!(texts(&e)[0], "Merged the bump\nand it rolled out");
        // `[MM-DD HH:MM]`: month and day; the year nearest the retro's date; a same-date earlier
        // time is out of order (the date was written, it does not roll over)
        let s = "- [12-05 16:21] A\n- [03-26 23:04] B\n- [03-26 02:50] C\n";
        let (e, i) = run(s, Some("2019-03-26"));
        assert_eq!(locals(&e), ["2018-12-05T16:21", "2019-03-26T23:04", "2019-03-26T02:50"]);
        assert_eq!(rules(&i), [rules::TIMELINE_ORDER]);
        assert_eq!(i[0].line, 12);
        // a date-only line before the items
        let s = "All times in PST\n\n2019-01-22\n\n- 2:54 PM PST: merged\n\n2019-01-23\n\n- 4:49 AM: first report\n";
        let (e, i) = run(s, Some("2019-01-23"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(ats(&e), ["2019-01-22T22:54:00Z", "2019-01-23T12:49:00Z"]);
    }

    #[test]
    fn time_headings_and_bare_lines() {
        let s = "_All times in EDT_\n\n## July 22\n1:03\nFirst alert fires\n\n5:05\nIncident declared.\nNotes follow\n\n\
                 5:10 AM\nTeam checks\n\nJuly 23 4:10 AM\nResolved\n";
        let (e, i) = run_in(s, Some("2025-07-21"), 1, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2025-07-22T01:03", "2025-07-22T05:05", "2025-07-22T05:10", "2025-07-23T04:10"]);
        assert_eq!(e[0].at, ts("2025-07-22T05:03:00Z"));
        assert_eq!(texts(&e), ["First alert fires", "Incident declared.\nNotes follow", "Team checks", "Resolved"]);
        assert_eq!(e[3].line, 23);
        let s = "### July 11, 2025, 12:42 PM\n\nAlert.\n\n### 08:52 PM\n\nPaged.\n";
        let (e, _) = run(s, None);
        assert_eq!(locals(&e), ["2025-07-11T12:42", "2025-07-11T20:52"]);
    }

    #[test]
    fn emphasised_and_day_first_dates() {
        let s = "(times in UTC)\n\n- **2020-09-03 13:57**: first\n- **13:59**: second\n- *14:03* third\n";
        let (e, i) = run(s, None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2020-09-03T13:57", "2020-09-03T13:59", "2020-09-03T14:03"]);
        // DD/MM/YYYY when that reading is nearer the retro's date, MM/DD/YYYY otherwise
        let s = "- 06/04/2023 21:42 - a\n- 07/04/2023 01:00 - b\n- 13/04/2023 09:21 - c\n";
        let (e, _) = run(s, Some("2023-04-12"));
        assert_eq!(locals(&e), ["2023-04-06T21:42", "2023-04-07T01:00", "2023-04-13T09:21"]);
        let (e, _) = run("- 06/04/2023 21:42 - a\n", Some("2023-06-05"));
        assert_eq!(locals(&e), ["2023-06-04T21:42"]);
        let (e, _) = run("* 2024-03-19 10:36 x\n", None);
        assert_eq!(locals(&e), ["2024-03-19T10:36"]);
    }

    #[test]
    fn approximate_time_opening_a_paragraph() {
        let s = "Around **09:50** (CEST), we ran a deployment. Some pages failed.\nAround\n10:00, we patched it.\n\n\
                 Later, around 11:00 we looked again.\n";
        let (e, i) = run(s, Some("2019-06-13"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].at, ts("2019-06-13T07:50:00Z"));
        assert_eq!(e[0].text, "we ran a deployment. Some pages failed.\nAround\n10:00, we patched it.");
    }

    #[test]
    fn dotted_times() {
        let s = "This is the timeline of events that occurred on Thursday February 11 2016, starting at 10.42am:\n\n \
                 - 10.42: the app went down\n - 10.46 - engineers alerted\n";
        let (e, i) = run(s, Some("2016-02-01"));
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2016-02-11T10:42", "2016-02-11T10:46"]);
        assert_eq!(texts(&e), ["the app went down", "engineers alerted"]);
        let (e, i) =
            run("- 1.24.0: released\n- 3.14 ms latency\n- 10.42 units sold\n- 10.42:30 odd\n", Some("2016-02-01"));
        assert!(e.is_empty() && i.is_empty(), "{e:?} {i:?}");
    }

    #[test]
    fn dates_without_times_are_not_entries() {
        let s = "| Date | Event |\n|---|---|\n| 2021-05-08 | Change merged |\n| 2021-06-16 | Released |\n";
        let (e, i) = run(s, None);
        assert!(e.is_empty());
        assert_eq!(rules(&i), [rules::TIMELINE_NO_TIME]);
        assert_eq!((i[0].line, i[0].column), (12, 3));
        assert!(
            i[0].message.contains("2 lines of this timeline have a date but no time, so they are"),
            "{}",
            i[0].message
        );
        let (e, i) = run("- 2023-02-01 - [Summary](https://example.com/1) updated\n", None);
        assert!(e.is_empty());
        assert_eq!(rules(&i), [rules::TIMELINE_NO_TIME]);
        // a date alone sets the date, and an explicitly unknown time is no warning
        let (e, i) = run("- 2023-02-01\n- 10:00 x\n| 2023-02-02 --:-- | unknown |\n", None);
        assert!(i.is_empty(), "{i:?}");
        assert_eq!(locals(&e), ["2023-02-01T10:00"]);
    }

    #[test]
    fn garbage_never_panics() {
        const FRAGS: &[&str] = &[
            "0",
            "1",
            "2",
            "7",
            "9",
            ":",
            "-",
            "/",
            ".",
            ",",
            " ",
            "  ",
            "    ",
            "\t",
            "\n",
            "\n\n",
            "\r\n",
            "#",
            "### ",
            "## ",
            "# ",
            "| ",
            "|---|",
            "- ",
            "* ",
            "1. ",
            "+ ",
            "- [x] ",
            "**",
            "__",
            "_",
            "~",
            "`",
            "```",
            "~~~",
            "<!--",
            "-->",
            "[",
            "]",
            "(",
            ")",
            "[detected]",
            "[bogus]",
            "UTC",
            "Z",
            "PST",
            "+02:00",
            "-0700",
            "GMT+1",
            "am",
            "pm",
            "T",
            "2023-07-19",
            "2025-02-30",
            "20202-01-16",
            "13:45",
            "7:30 pm",
            "23:59:59",
            "19. April",
            "Sep 27 2017",
            "Monday",
            "All times in CEST",
            "é",
            "—",
            "–",
            "🦀",
            "ß",
            "\u{feff}",
            "\u{3000}",
            "[^1]:",
            "[a]: http://x",
            "Denver",
            "US/Pacific",
            "Date:",
            "12/31/9999",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for round in 0..4000u32 {
            let mut s = String::new();
            for _ in 0..next() % 48 {
                s.push_str(FRAGS[next() % FRAGS.len()]);
            }
            let tz = TimeZone::fixed(Offset::constant((round % 5) as i8 - 2));
            let ctx = TimelineContext { date: (round % 3 != 0).then(|| date("9999-12-31")), tz: &tz, heading: None };
            let first = if round % 11 == 0 { u32::MAX - 2 } else { 1 };
            let (entries, issues) = parse_timeline(&s, first, (round % 7) as u8, &ctx);
            assert!(entries.iter().all(|e| e.line >= first));
            assert!(issues.iter().all(|i| i.line >= first && i.column >= 1));
        }
    }

    /// The timeline section of a Markdown file: (text after the heading, its first line, level,
    /// heading text). A heading of the section's level that holds only a date (`## May 12` right
    /// after `## Timeline`) does not end it: 2i2c reports write their day headings so (as
    /// `sections::split` does).
    fn timeline_section(src: &str) -> Option<(String, u32, u8, String)> {
        let lines: Vec<&str> = src.lines().collect();
        let mut fence = false;
        let mut found: Option<(usize, u8)> = None;
        let date_only = |l: &str, start: usize| {
            let st = parse_stamp(l, start, Some(date("2000-01-01")));
            st.date.get().is_some() && st.time.is_none() && !l[st.end..].contains(char::is_alphanumeric)
        };
        let done = |start: usize, lv: u8, end: usize| {
            let (_, a, b) = heading(lines[start]).unwrap();
            Some((lines[start + 1..end].join("\n"), start as u32 + 2, lv, lines[start][a..b].to_string()))
        };
        for (i, l) in lines.iter().enumerate() {
            if l.trim_start().starts_with("```") || l.trim_start().starts_with("~~~") {
                fence = !fence;
            }
            let h = heading(l).filter(|_| !fence);
            match (found, h) {
                (None, Some((lv, _, _))) if l.to_lowercase().contains("timeline") => found = Some((i, lv)),
                (Some((start, lv)), Some((this, a, _))) if this <= lv && !(this == lv && date_only(l, a)) => {
                    return done(start, lv, i);
                }
                _ => {}
            }
        }
        found.and_then(|(start, lv)| done(start, lv, lines.len()))
    }

    /// The retro's date as the loader would find it: front matter, else a `YYYY-MM-DD` in the
    /// file name; else a stand-in for the file's first commit.
    fn retro_date(name: &str, src: &str) -> Date {
        let fm = src.lines().skip(1).take_while(|l| !matches!(l.trim(), "---" | "+++"));
        let from_fm = fm.filter_map(|l| l.strip_prefix("date")).find_map(|v| {
            let v = v.trim_start_matches([' ', '=', ':', '"']);
            v.get(..10)?.parse().ok()
        });
        let from_name = || (0..name.len().saturating_sub(9)).find_map(|i| name.get(i..i + 10)?.parse().ok());
        from_fm.or_else(from_name).unwrap_or(date("2000-01-01"))
    }

    /// Corpus timelines in shapes of docs/format.md ("Timelines in adopted files") that are not
    /// read yet. Every shape is read now; the two files whose timelines hold dates without times
    /// (etcd's Date-only table, a 2i2c `- 2023-02-01 - …` line) are explained by a
    /// `timeline-no-time` warning instead.
    const NOT_READ_YET: &[&str] = &[];

    #[test]
    fn corpus_timelines() {
        let Some(root) = crate::test_corpus::corpus() else { return };
        let root = &root;
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() { dirs.push(p) } else { files.push(p) }
            }
        }
        files.sort();
        let mut with_timeline = 0;
        for path in files {
            let Ok(src) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Some((section, first_line, level, heading)) = timeline_section(&src) else {
                continue;
            };
            with_timeline += 1;
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let ctx =
                TimelineContext { date: Some(retro_date(&name, &src)), tz: &TimeZone::UTC, heading: Some(&heading) };
            let (entries, issues) = parse_timeline(&section, first_line, level, &ctx);
            println!("{name}: {} entries, {} issues", entries.len(), issues.len());
            if std::env::var_os("TIMELINE_DUMP").is_some() {
                for e in &entries {
                    let t: String = e.text.chars().take(60).collect();
                    println!("  L{} {} @{} {:?} {:?}", e.line, e.local, e.at, e.kind, t);
                }
            }
            for i in &issues {
                println!("    {}:{} {} {}", i.line, i.column, i.rule, i.message);
            }
            // every entry's line is in the file and shows its time
            let file_lines: Vec<&str> = src.lines().collect();
            for e in &entries {
                let line = file_lines[e.line as usize - 1];
                let (h, m) = (e.local.hour(), e.local.minute());
                let h12 = if h % 12 == 0 { 12 } else { h % 12 };
                let shown = [format!("{h}:{m:02}"), format!("{h12}:{m:02}")];
                assert!(shown.iter().any(|s| line.contains(s.as_str())), "{name}:{}: {line}", e.line);
            }
            // a file without entries must say why: every candidate row had an unusable date, or
            // its shape is one this parser does not read yet (listed, so that reading it fails
            // this test until the list is updated)
            let explained = !issues.is_empty()
                && issues.iter().all(|i| [rules::TIMELINE_DATE, rules::TIMELINE_NO_TIME].contains(&i.rule));
            let unread = NOT_READ_YET.contains(&name.as_str());
            assert_eq!(entries.is_empty() && !explained, unread, "{name}: {} timeline entries", entries.len());
        }
        assert!(with_timeline > 0);
    }
}
