//! `timeline-no-conversation`: an incident whose impact lasted over an hour and whose
//! communication timeline is empty (the timeline section holds no entry, or there is none). Over
//! an hour, people talked; `retrobook import` fills the timeline from their chat.

use crate::diagnostic::{Diagnostic, Pos};
use crate::model::{Retro, SectionKind};

use crate::diagnostic::rules::TIMELINE_NO_CONVERSATION as RULE;

/// Impact longer than this without a recorded conversation gets a note.
const LONG: i64 = 3600;

pub(super) fn check(r: &Retro, out: &mut Vec<Diagnostic>) {
    let Some(started) = r.impact.started.as_ref().map(|m| m.at) else { return };
    let Some(end) = r.impact.resolved.as_ref().or(r.impact.mitigated.as_ref()).map(|m| m.at) else { return };
    let lasted = end.duration_since(started).as_secs();
    if lasted <= LONG {
        return;
    }
    if !r.timeline.is_empty() {
        return;
    }
    let line = r.sections.iter().find(|s| s.kind == Some(SectionKind::Timeline)).map_or(1, |s| s.line);
    let hours = lasted / 3600;
    let minutes = lasted % 3600 / 60;
    out.push(Diagnostic::note(
        &r.path,
        Pos::new(line, 1),
        RULE,
        format!(
            "impact lasted {hours} h {minutes} min but the communication timeline is empty; import the incident \
             channel (`retrobook import slack EXPORT --channel NAME --into {}`, or teams, or csv) or write the \
             entries by hand (`- HH:MM [kind] **Name:** what happened`)",
            r.path
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(text: &str) -> Vec<Diagnostic> {
        let config = crate::config::Config::parse("").unwrap();
        let (mut v, _) = crate::load::load_retro(text.as_bytes(), "r.md", std::path::Path::new("r.md"), &config);
        let mut out = Vec::new();
        check(&v.remove(0), &mut out);
        out
    }

    const HEAD: &str =
        "---\nid: r\ntitle: R\ndate: 2026-03-14\nseverity: SEV2\nimpact:\n  started: \"2026-03-14 09:00\"\n";

    #[test]
    fn a_long_incident_without_conversation_gets_a_note() {
        let text = format!("{HEAD}  resolved: \"2026-03-14 10:30\"\n---\n\n## Timeline\n\n<!-- to do -->\n");
        let d = notes(&text);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].rule, d[0].line), (RULE, 11));
        let m = &d[0].message;
        assert!(m.starts_with("impact lasted 1 h 30 min but the communication timeline is empty"), "{m}");
        // Without a timeline section too; one entry is a timeline; an hour or less is not long.
        assert_eq!(notes(&text.replace("## Timeline", "## Narrative")).len(), 1);
        assert!(notes(&format!("{text}- 09:10 **Ana:** paged\n")).is_empty());
        assert!(notes(&text.replace("10:30", "10:00")).is_empty());
    }
}
