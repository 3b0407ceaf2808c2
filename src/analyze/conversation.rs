//! What the conversation shows (issue 14): who took part and how much, how fast a person answered
//! the first alert, whether stakeholders heard often enough, and the turning points. Pure, over
//! one retro's timeline (imported or written) and its `roles:`.

use crate::model::{EntryKind, Retro};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// One person (or bot) who wrote in the timeline, or holds a role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Participant {
    pub name: String,
    /// Timeline entries with this author.
    pub entries: usize,
    /// Roles from `roles:` held by this person (`incident-commander`), in map order.
    pub roles: Vec<String>,
}

/// The first person to answer after the first alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FirstResponse {
    /// When the alert came (the first `[detected]` entry, else `impact.detected`).
    pub alert: Timestamp,
    pub at: Timestamp,
    pub author: String,
    /// Whole seconds from the alert to the answer.
    pub after_secs: i64,
}

/// A stretch of the incident without a stakeholder update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct UpdateGap {
    pub from: Timestamp,
    pub to: Timestamp,
    pub secs: i64,
}

/// A timeline entry worth seeing again: a breakthrough or a miscommunication.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Highlight {
    /// 1-based position in the timeline, as numbered on the page.
    pub n: usize,
    pub at: Timestamp,
    pub kind: EntryKind,
    pub author: Option<String>,
    pub text: String,
}

/// The conversation of one retro.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Conversation {
    /// Most entries first, then by name; people with a role and no entry last.
    pub participants: Vec<Participant>,
    pub first_response: Option<FirstResponse>,
    /// `[comms]` entries during the incident window.
    pub updates: Vec<Timestamp>,
    /// Gaps longer than the update interval between the start of the window (detection, else
    /// the start of impact), the updates and its end (resolved, else mitigated).
    pub gaps: Vec<UpdateGap>,
    pub interval_secs: i64,
    pub highlights: Vec<Highlight>,
}

impl Conversation {
    /// Nothing to show: no author, no role, no update gap, no highlight.
    pub(crate) fn is_empty(&self) -> bool {
        self.participants.is_empty()
            && self.first_response.is_none()
            && self.gaps.is_empty()
            && self.highlights.is_empty()
    }
}

/// Reads the conversation of `r`; `interval` is `[timeline] update-interval`.
pub(crate) fn conversation(r: &Retro, interval: SignedDuration) -> Conversation {
    let timeline = &r.timeline;
    let mut participants: Vec<Participant> = Vec::new();
    for e in timeline {
        let Some(author) = e.author.as_deref() else { continue };
        match participants.iter_mut().find(|p| p.name == author) {
            Some(p) => p.entries += 1,
            None => participants.push(Participant { name: author.to_string(), entries: 1, roles: Vec::new() }),
        }
    }
    for (role, person) in &r.roles {
        match participants.iter_mut().find(|p| same_person(&p.name, person)) {
            Some(p) => p.roles.push(role.clone()),
            None => participants.push(Participant { name: person.clone(), entries: 0, roles: vec![role.clone()] }),
        }
    }
    participants.sort_by(|a, b| b.entries.cmp(&a.entries).then_with(|| a.name.cmp(&b.name)));

    let first_alert = timeline.iter().find(|e| e.kind == Some(EntryKind::Detected));
    let alert_at = first_alert.map(|e| e.at).or_else(|| r.impact.detected.as_ref().map(|m| m.at));
    let first_response = alert_at.and_then(|alert| {
        let alerter = first_alert.and_then(|e| e.author.as_deref());
        timeline
            .iter()
            .filter(|e| e.at >= alert && e.kind != Some(EntryKind::Detected))
            .find_map(|e| e.author.as_deref().filter(|a| Some(*a) != alerter).map(|a| (e.at, a)))
            .map(|(at, author)| FirstResponse {
                alert,
                at,
                author: author.to_string(),
                after_secs: at.duration_since(alert).as_secs(),
            })
    });

    let start = alert_at.or_else(|| r.impact.started.as_ref().map(|m| m.at));
    let end = r.impact.resolved.as_ref().or(r.impact.mitigated.as_ref()).map(|m| m.at).or_else(|| {
        let kinds = [EntryKind::Resolved, EntryKind::Mitigated];
        kinds.iter().find_map(|k| timeline.iter().find(|e| e.kind == Some(*k)).map(|e| e.at))
    });
    let mut updates = Vec::new();
    let mut gaps = Vec::new();
    if let (Some(start), Some(end)) = (start, end)
        && end > start
    {
        updates = timeline
            .iter()
            .filter(|e| e.kind == Some(EntryKind::Comms) && e.at >= start && e.at <= end)
            .map(|e| e.at)
            .collect();
        updates.sort();
        let mut points = vec![start];
        points.extend(&updates);
        points.push(end);
        for w in points.windows(2) {
            let secs = w[1].duration_since(w[0]).as_secs();
            if secs > interval.as_secs() {
                gaps.push(UpdateGap { from: w[0], to: w[1], secs });
            }
        }
    }

    let highlights = timeline
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let kind = e.kind.filter(|k| matches!(k, EntryKind::Breakthrough | EntryKind::Miscommunication))?;
            let text = crate::load::timeline::entry_author(&e.text).map_or(e.text.as_str(), |(_, rest)| rest);
            Some(Highlight { n: i + 1, at: e.at, kind, author: e.author.clone(), text: text.to_string() })
        })
        .collect();
    Conversation { participants, first_response, updates, gaps, interval_secs: interval.as_secs(), highlights }
}

/// `Raj Patel` in `roles:` is the author `Raj Patel`, `raj patel`, or `Raj` (a first name as a
/// chat display name); `Lena` in `roles:` is the author `Lena Hoffmann`.
fn same_person(author: &str, person: &str) -> bool {
    let (a, p) = (author.trim().to_lowercase(), person.trim().to_lowercase());
    if a.is_empty() || p.is_empty() {
        return false;
    }
    a == p
        || p.strip_prefix(&a).is_some_and(|r| r.starts_with(' '))
        || a.strip_prefix(&p).is_some_and(|r| r.starts_with(' '))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn retro(text: &str) -> Retro {
        let config = Config::parse("[retros]\ntimezone = \"UTC\"\n").unwrap();
        let (mut v, _) = crate::load::load_retro(text.as_bytes(), "r.md", std::path::Path::new("r.md"), &config);
        v.remove(0)
    }

    const TEXT: &str = "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\nroles:\n  incident-commander: Raj Patel\n  \
        comms-lead: Lena Hoffmann\n  scribe: Ola\nimpact:\n  started: \"2026-03-14 09:00\"\n  resolved: \"2026-03-14 11:00\"\n---\n\n\
        ## Timeline\n\n\
        - 09:05 [detected] **alertmanager:** [FIRING] checkout 5xx\n\
        - 09:06 **alertmanager:** [FIRING] still\n\
        - 09:09:30 **Lena:** looking\n\
        - 09:15 [comms] **Lena:** status page: investigating\n\
        - 09:20 **Raj Patel:** I'm IC\n\
        - 09:40 [miscommunication] **Raj Patel:** **Lena:** I meant the *other* cluster\n\
        - 10:30 [comms] **Lena:** update: fixed, monitoring\n\
        - 10:31 [breakthrough] pool size typo found\n";

    #[test]
    fn participants_first_response_gaps_and_highlights() {
        let c = conversation(&retro(TEXT), SignedDuration::from_mins(30));
        let rows: Vec<(&str, usize, Vec<&str>)> = c
            .participants
            .iter()
            .map(|p| (p.name.as_str(), p.entries, p.roles.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            rows,
            [
                ("Lena", 3, vec!["comms-lead"]),
                ("Raj Patel", 2, vec!["incident-commander"]),
                ("alertmanager", 2, vec![]),
                ("Ola", 0, vec!["scribe"]),
            ]
        );
        let fr = c.first_response.unwrap();
        assert_eq!((fr.author.as_str(), fr.after_secs), ("Lena", 270));
        // Window 09:05 (detected) → 11:00 (resolved); updates at 09:15 and 10:30.
        let gaps: Vec<(String, i64)> = c.gaps.iter().map(|g| (g.from.to_string(), g.secs)).collect();
        assert_eq!(gaps, [("2026-03-14T09:15:00Z".to_string(), 75 * 60)]);
        let hl: Vec<(usize, &str)> = c.highlights.iter().map(|h| (h.n, h.kind.as_str())).collect();
        assert_eq!(hl, [(6, "miscommunication"), (8, "breakthrough")]);
        assert_eq!(c.highlights[0].text, "**Lena:** I meant the *other* cluster");
        // A longer interval: no gap is marked.
        assert!(conversation(&retro(TEXT), SignedDuration::from_mins(90)).gaps.is_empty());
    }

    #[test]
    fn an_incident_without_updates_is_one_gap_and_without_a_window_none() {
        let no_comms = TEXT.replace("[comms] ", "");
        let c = conversation(&retro(&no_comms), SignedDuration::from_mins(30));
        assert_eq!(c.gaps.len(), 1);
        assert_eq!(c.gaps[0].secs, 115 * 60);
        let no_end = TEXT.replace("  resolved: \"2026-03-14 11:00\"\n", "");
        assert!(conversation(&retro(&no_end), SignedDuration::from_mins(30)).gaps.is_empty());
    }

    #[test]
    fn people_match_by_full_or_first_name() {
        assert!(same_person("Raj", "Raj Patel"));
        assert!(same_person("lena hoffmann", "Lena"));
        assert!(!same_person("Rajesh", "Raj Patel"));
    }
}
