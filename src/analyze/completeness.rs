//! Completeness of a retro: the seven elements, each present and substantive. A pure function
//! over a [`Retro`] and the configuration, shown by `check` (as suggestions, or errors where
//! `[retros.required]` says so), on the retro page, the incident list and the statistics page.

use crate::config::Config;
use crate::diagnostic::Pos;
use crate::model::{ActionStatus, Moment, Retro, Section, SectionKind, SectionProse};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A plain section needs at least this many words to count as written.
pub(crate) const MIN_WORDS: usize = 8;

/// A why chain has at least this many whys.
pub(crate) const MIN_WHYS: usize = 2;

/// One element of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Item {
    /// The `[retros.required]` key of the element, e.g. `follow-up-actions`.
    pub key: &'static str,
    pub label: &'static str,
    pub ok: bool,
    /// What is missing, as short phrases ("no owner on action A2").
    pub missing: Vec<String>,
    /// Where to point a diagnostic: the section's heading, a factor, an action, or line 1.
    #[serde(skip)]
    pub pos: Pos,
    /// The `[retros.required]` key that makes this element mandatory for the retro's severity.
    pub required_by: Option<&'static str>,
}

/// The checklist of one retro.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Completeness {
    pub items: Vec<Item>,
    /// Number of elements that are complete.
    pub done: usize,
    pub complete: bool,
}

/// The checklist of the seven elements for `r`.
pub(crate) fn completeness(r: &Retro, config: &Config) -> Completeness {
    let sev = r.severity.as_deref().unwrap_or("");
    let required = |key: &str| config.retros.required.get(key).is_some_and(|s| s.iter().any(|x| x == sev));
    let five_whys_required = required("five-whys");
    let whys_expected = five_whys_required
        || (!config.retros.required.contains_key("five-whys") && !sev.is_empty() && config.severity_rank(sev) < 2);
    let mut items = Vec::with_capacity(7);
    let mut item =
        |key: &'static str, label: &'static str, pos: Pos, missing: Vec<String>, req: Option<&'static str>| {
            let required_by = if required(key) { Some(key) } else { req };
            items.push(Item { key, label, ok: missing.is_empty(), missing, pos, required_by });
        };
    let at = |s: Option<&Section>| s.map_or(Pos::START, |s| Pos::new(s.line, 1));

    for (kind, key, label) in [
        (SectionKind::StakeholderMessage, "stakeholder-message", "Stakeholder message"),
        (SectionKind::Narrative, "narrative", "Narrative"),
    ] {
        let s = r.section(kind);
        item(key, label, at(s), section_gaps(kind, s), None);
    }

    let s = r.section(SectionKind::Timeline);
    let mut missing = section_gaps(SectionKind::Timeline, s);
    if r.timeline.is_empty() {
        missing.push("no timeline entries (`- HH:MM [kind] what happened`)".into());
    }
    let absent: Vec<&str> = Moment::ALL.iter().filter(|m| r.impact.moment(**m).is_none()).map(|m| m.as_str()).collect();
    if !absent.is_empty() {
        missing.push(format!("moments not known: {}", absent.join(", ")));
    }
    item("timeline", "Communication timeline", at(s), missing, None);

    let s = r.section(SectionKind::Monitoring);
    let mut missing = Vec::new();
    // A series or a stated gap in front matter, or a written Monitoring section, shows that
    // someone looked at what the signals said.
    if r.monitoring.is_empty() && !section_gaps(SectionKind::Monitoring, s).is_empty() {
        missing.push("no monitoring series or stated gap under `monitoring:`, and no Monitoring section".into());
    }
    item("monitoring", "Monitoring", at(s), missing, None);

    let s = r.section(SectionKind::ContributingFactors);
    let mut missing = Vec::new();
    let mut pos = at(s);
    let mut whys_missing = false;
    if r.factors.is_empty() {
        missing.push("no contributing factors under `factors:`".into());
    }
    for f in &r.factors {
        if f.category.is_none() {
            missing.push(format!("factor `{}` has no category", f.id));
            pos = f.pos;
        }
        if whys_expected && f.whys.len() < MIN_WHYS {
            missing.push(format!("factor `{}` has no why chain ({MIN_WHYS} or more whys)", f.id));
            pos = f.pos;
            whys_missing = true;
        }
    }
    let by = (five_whys_required && whys_missing).then_some("five-whys");
    item("contributing-factors", "Contributing factors", pos, missing, by);

    let s = r.section(SectionKind::TechnicalAnalysis);
    item("technical-analysis", "Technical analysis", at(s), section_gaps(SectionKind::TechnicalAnalysis, s), None);

    let s = r.section(SectionKind::FollowUpActions);
    let mut missing = Vec::new();
    let mut pos = at(s);
    if r.actions.is_empty() {
        missing.push("no follow-up actions under `actions:`".into());
    }
    for a in &r.actions {
        let mut lacks = Vec::new();
        if a.owner.is_none() {
            lacks.push("owner");
        }
        if a.due.is_none() && a.status != ActionStatus::WontDo {
            lacks.push("due date");
        }
        if a.why.as_deref().is_none_or(|w| w.trim().is_empty()) {
            lacks.push("why");
        }
        if !lacks.is_empty() {
            missing.push(format!("action `{}` has no {}", a.id, lacks.join(", ")));
            pos = a.pos;
        }
    }
    for f in &r.factors {
        if !r.actions.iter().any(|a| a.addresses.iter().any(|x| x.value == f.id)) {
            missing.push(format!(
                "factor `{}` is not addressed by an action (or accepted as a risk with a `wont-do` action)",
                f.id
            ));
        }
    }
    item("follow-up-actions", "Follow-up actions", pos, missing, None);

    let done = items.iter().filter(|i| i.ok).count();
    Completeness { complete: done == items.len(), done, items }
}

/// What is missing from a prose section: the section itself, or real text in it.
fn section_gaps(kind: SectionKind, s: Option<&Section>) -> Vec<String> {
    match s {
        None => vec![format!("no `## {}` section", kind.canonical_heading())],
        Some(s) => match prose(kind, s) {
            SectionProse::Template => {
                vec![format!("the {} section still holds only the template's guidance", kind.canonical_heading())]
            }
            SectionProse::Short => {
                vec![format!("the {} section has fewer than {MIN_WORDS} words", kind.canonical_heading())]
            }
            SectionProse::Written => Vec::new(),
        },
    }
}

/// Whether `s`, read as a section of `kind`, holds only the template, too few words, or prose.
/// Reading it takes a Markdown parse; the answer is kept on the section with a hash of the kind
/// and the Markdown it came from, so asking again about the same text is cheap and a section
/// whose text changed is read again.
fn prose(kind: SectionKind, s: &Section) -> SectionProse {
    let key = prose_key(kind, &s.markdown);
    if let Some(&(k, p)) = s.prose.get()
        && k == key
    {
        return p;
    }
    let plain = crate::text::plain_text(&s.markdown);
    let p = if template_text(kind, &s.markdown, &plain) {
        SectionProse::Template
    } else if plain.split_whitespace().nth(MIN_WORDS - 1).is_none() {
        SectionProse::Short
    } else {
        SectionProse::Written
    };
    s.prose.keep((key, p));
    p
}

/// The hash [`prose`] keeps its answer under.
fn prose_key(kind: SectionKind, markdown: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same text gives the same key in every run and thread.
    let mut h = std::hash::DefaultHasher::new();
    (kind, markdown).hash(&mut h);
    h.finish()
}

/// Whitespace-collapsed, lower-case text without comment markers, for comparing with the template.
fn normalize(s: &str) -> String {
    s.replace("<!--", " ").replace("-->", " ").split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The guidance that `retrobook new` writes under each section (src/scaffold.rs), normalised.
static TEMPLATE: LazyLock<BTreeMap<SectionKind, String>> = LazyLock::new(|| {
    let text = crate::scaffold::new_retro("x", "x", jiff::civil::date(2000, 1, 1), "SEV1", &[]);
    let body = text.splitn(3, "---\n").nth(2).unwrap_or("");
    crate::load::sections::split(body, 1)
        .sections
        .into_iter()
        .filter_map(|s| Some((s.kind?, normalize(&s.markdown))))
        .collect()
});

/// Whether a section holds nothing but the template's guidance of `kind`: no text outside
/// comments, or the guidance itself with the comment markers removed.
pub(crate) fn is_template_text(kind: SectionKind, s: &Section) -> bool {
    prose(kind, s) == SectionProse::Template
}

fn template_text(kind: SectionKind, markdown: &str, plain: &str) -> bool {
    if plain.trim().is_empty() {
        return true;
    }
    let guidance = TEMPLATE.get(&kind).map(String::as_str).unwrap_or("");
    // Cheap test first: the guidance's opening words must be there at all.
    let head: String = guidance.chars().take(24).collect();
    !guidance.is_empty() && markdown.to_lowercase().contains(head.trim()) && normalize(markdown).contains(guidance)
}

/// Share of complete retros per quarter (`2025-Q1` → (complete, total)), for the statistics page.
pub(crate) fn per_quarter(retros: &[Retro], config: &Config) -> BTreeMap<String, (usize, usize)> {
    let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in retros {
        let Some(d) = r.date else { continue };
        let e = out.entry(format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)).or_default();
        e.1 += 1;
        if completeness(r, config).complete {
            e.0 += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn narrative(markdown: &str) -> Section {
        Section {
            heading: "Narrative".into(),
            kind: Some(SectionKind::Narrative),
            slug: "narrative".into(),
            level: 2,
            markdown: markdown.into(),
            line: 3,
            body_line: 4,
            bold_label: false,
            prose: Default::default(),
        }
    }

    const WRITTEN: &str = "The cache warmed slowly because every node restarted at once after the deploy.";

    #[test]
    fn a_kept_reading_serves_only_the_text_it_was_read_from() {
        let n = SectionKind::Narrative;
        let mut s = narrative("Too short to count.");
        assert_eq!(section_gaps(n, Some(&s)).len(), 1);
        assert_eq!(s.prose.get().map(|p| p.1), Some(SectionProse::Short));
        // Equal to a section that never computed it.
        assert_eq!(s, narrative("Too short to count."));
        // The text changes after the first reading: read again, not the kept answer.
        s.markdown = WRITTEN.into();
        assert!(section_gaps(n, Some(&s)).is_empty());
        s.markdown = "<!-- only a comment -->\n".into();
        assert!(is_template_text(n, &s));
        assert!(section_gaps(n, Some(&s))[0].contains("template"));
        // Another kind is another question.
        let t = narrative(WRITTEN);
        t.prose.keep((prose_key(SectionKind::TechnicalAnalysis, WRITTEN), SectionProse::Template));
        assert!(!is_template_text(n, &t));
    }

    #[test]
    fn a_kept_reading_is_used_for_the_same_text() {
        // A planted answer under the right key is what comes back: the parse is not repeated.
        let s = narrative(WRITTEN);
        s.prose.keep((prose_key(SectionKind::Narrative, WRITTEN), SectionProse::Short));
        assert_eq!(prose(SectionKind::Narrative, &s), SectionProse::Short);
        assert_eq!(prose(SectionKind::Narrative, &narrative(WRITTEN)), SectionProse::Written);
    }
}
