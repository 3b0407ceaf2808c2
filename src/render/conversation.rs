//! "What the conversation shows" on a retro page: the context of its partial template
//! (`conversation.html`) and the update-gap marks drawn on the visual timeline.

use crate::analyze::conversation::{self, Conversation};
use crate::model::Retro;
use crate::render::markdown;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::fmt::Write;

/// The conversation as the page shows it: times in the book's zone, durations in words.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ConversationCtx {
    pub participants: Vec<ParticipantCtx>,
    pub first_response: Option<FirstResponseCtx>,
    /// How many `[comms]` updates during the incident.
    pub updates: usize,
    /// `[timeline] update-interval` in words ("30 min").
    pub interval: String,
    pub gaps: Vec<GapCtx>,
    pub highlights: Vec<HighlightCtx>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ParticipantCtx {
    pub name: String,
    pub entries: usize,
    pub roles: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FirstResponseCtx {
    pub author: String,
    pub after: String,
    pub alert_time: String,
    pub alert_datetime: String,
    pub time: String,
    pub datetime: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GapCtx {
    pub from: String,
    pub to: String,
    pub from_datetime: String,
    pub to_datetime: String,
    pub duration: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HighlightCtx {
    pub n: usize,
    pub time: String,
    pub datetime: String,
    pub kind: &'static str,
    pub author: Option<String>,
    pub html: String,
}

/// The conversation of `r` for its page, or `None` when there is nothing to show.
pub(crate) fn context(c: &Conversation, tz: &TimeZone, md: markdown::MarkdownOptions) -> Option<ConversationCtx> {
    if c.is_empty() {
        return None;
    }
    let local = |t: jiff::Timestamp| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let words = |s: i64| crate::text::human_duration(s, crate::text::DurationStyle::Prose);
    Some(ConversationCtx {
        participants: c
            .participants
            .iter()
            .map(|p| ParticipantCtx { name: p.name.clone(), entries: p.entries, roles: p.roles.join(", ") })
            .collect(),
        first_response: c.first_response.as_ref().map(|f| FirstResponseCtx {
            author: f.author.clone(),
            after: short(f.after_secs),
            alert_time: local(f.alert),
            alert_datetime: f.alert.to_string(),
            time: local(f.at),
            datetime: f.at.to_string(),
        }),
        updates: c.updates.len(),
        interval: words(c.interval_secs),
        gaps: c
            .gaps
            .iter()
            .map(|g| GapCtx {
                from: local(g.from),
                to: local(g.to),
                from_datetime: g.from.to_string(),
                to_datetime: g.to.to_string(),
                duration: words(g.secs),
            })
            .collect(),
        highlights: c
            .highlights
            .iter()
            .map(|h| HighlightCtx {
                n: h.n,
                time: local(h.at),
                datetime: h.at.to_string(),
                kind: h.kind.as_str(),
                author: h.author.clone(),
                html: markdown::render_inline(&h.text, md),
            })
            .collect(),
    })
}

/// A response time to the second while it is short (`2 min 53 s`), in words after that.
fn short(secs: i64) -> String {
    if (60..600).contains(&secs) && secs % 60 != 0 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        crate::text::human_duration(secs, crate::text::DurationStyle::Prose)
    }
}

/// The update gaps of `r` as (start, end) Unix seconds, for the visual timeline.
pub(crate) fn gap_spans(r: &Retro, config: &crate::config::Config) -> Vec<(i64, i64)> {
    conversation::conversation(r, config.timeline.update_interval())
        .gaps
        .iter()
        .map(|g| (g.from.as_second(), g.to.as_second()))
        .collect()
}

/// Shaded bands over the timeline's entry area, one per update gap, with a tooltip; `x` maps
/// Unix seconds to the chart's x, `top`/`bottom` bound the band.
pub(crate) fn gap_marks(gaps: &[(i64, i64)], x: impl Fn(i64) -> f64, top: f64, bottom: f64) -> String {
    let mut o = String::new();
    for &(a, b) in gaps {
        let (xa, xb) = (x(a), x(b).max(x(a) + 1.0));
        let title = format!(
            "No stakeholder update for {}",
            crate::text::human_duration(b - a, crate::text::DurationStyle::Prose)
        );
        let _ = write!(
            o,
            r#"<rect class="rb-update-gap" x="{xa:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill-opacity="0.12"><title>{title}</title></rect>"#,
            xb - xa,
            (bottom - top).max(0.0)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn gap_marks_are_bands_with_a_tooltip() {
        let svg = super::gap_marks(&[(100, 2800)], |t| t as f64 / 10.0, 20.0, 80.0);
        assert_eq!(
            svg,
            r#"<rect class="rb-update-gap" x="10.0" y="20.0" width="270.0" height="60.0" fill-opacity="0.12"><title>No stakeholder update for 45 min</title></rect>"#
        );
    }
}
