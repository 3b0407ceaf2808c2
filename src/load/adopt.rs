//! Structure read from adopted files (docs/format.md, "Adoption"): bold-label sections, key
//! events, stated durations, actions from lists and tables, factors from a root-cause section.
//!
//! Runs only for files without retrobook front matter. Nothing is invented: each rule reads
//! what the file states and keeps the line it read it from.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Pos, rules};
use crate::load::sections::{SlugSet, classify, collapse, normalize_heading};
use crate::model::*;
use crate::text::markdown_options;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::LazyLock;

mod key_events;
mod labels;
mod lists;

use key_events::*;

pub(crate) use key_events::{Found, KeyEvents, key_events};
pub(crate) use labels::label_sections;
pub(crate) use lists::{actions, factors};

/// The diagnostics for key-event values without a time.
pub(crate) fn notes(rel: &str, ke: &KeyEvents, diags: &mut Vec<Diagnostic>) {
    for (line, message) in &ke.notes {
        diags.push(Diagnostic::note(rel, Pos::new(*line, 1), rules::KEY_EVENT_TIME, message.clone()));
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
pub(crate) fn marked_kinds(timeline: &mut [TimelineEntry]) {
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
    use super::labels::*;
    use super::lists::factor_slug;
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
            prose: Default::default(),
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
        let entry = |text: &str| TimelineEntry { at, local, kind: None, author: None, text: text.into(), line: 1 };
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
