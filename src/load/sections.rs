//! Splits a retro body into sections by heading (docs/format.md, "Sections"), detecting the level
//! the document uses.

use crate::model::{Section, SectionKind};
use crate::text::markdown_options;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// A heading found in the body.
#[derive(Debug, Clone)]
struct Heading {
    level: u8,
    text: String,
    /// `classify(text)`, computed once: the level detection and the split both ask.
    kind: Option<SectionKind>,
    /// Byte range of the heading line(s).
    start: usize,
    end: usize,
}

/// The parts of a body: an optional leading title heading, the preamble and the sections.
#[derive(Debug, Default)]
pub(crate) struct Split {
    pub title: Option<String>,
    pub preamble: String,
    pub sections: Vec<Section>,
    /// First paragraph of the body, as plain text with its whitespace as written (summary
    /// fallback; pass it through `collapse`).
    pub first_paragraph: Option<String>,
    /// For each section, the first paragraph directly under its heading (raw, like `first_paragraph`).
    pub section_paragraphs: Vec<Option<String>>,
}

/// Splits `body` (starting at file line `first_line`) into sections.
pub(crate) fn split(body: &str, first_line: u32) -> Split {
    let (headings, paragraphs) = scan(body);
    let first_paragraph = paragraphs.first().map(|(_, p)| p.clone());
    let lines = crate::load::value::LineIndex::new(body, first_line);
    let line_of = |offset: usize| lines.line(offset);

    // A first-level heading that opens the document is its title, not a section.
    let mut rest: &[Heading] = &headings;
    let mut title = None;
    let mut body_start = 0;
    // So is a heading of any level that opens the document and stands above all the others
    // (`## February 11, 2016 incident report` over `###` sections).
    if let Some(h) = headings.first()
        && (h.level == 1 || (headings.len() > 1 && headings[1..].iter().all(|o| o.level > h.level)))
        && body[..h.start].trim().is_empty()
        && h.kind.is_none()
    {
        title = Some(h.text.clone());
        body_start = h.end;
        rest = &headings[1..];
    }

    let level = section_level(rest);
    let mut sections = Vec::new();
    let mut seen_kinds = Vec::new();
    let mut used_slugs = SlugSet::default();
    // A heading of the section level that holds only a date, right after the timeline (or after
    // another such day), is a day of the timeline (`## Timeline`, `## May 12`, `## May 13`).
    let mut in_timeline = false;
    let bounds: Vec<&Heading> = rest
        .iter()
        .filter(|h| h.level <= level)
        .filter(|h| {
            let day = in_timeline && h.level == level && h.kind.is_none() && super::timeline::is_date_only(&h.text);
            in_timeline = day || h.kind == Some(SectionKind::Timeline);
            !day
        })
        .collect();
    let mut section_paragraphs = Vec::with_capacity(bounds.len());
    for (i, h) in bounds.iter().enumerate() {
        let end = bounds.get(i + 1).map_or(body.len(), |n| n.start);
        let mut kind = h.kind;
        if let Some(k) = kind {
            if seen_kinds.contains(&k) {
                kind = None; // the first heading of a kind wins; later ones are rendered as they are
            } else {
                seen_kinds.push(k);
            }
        }
        let slug = used_slugs.unique(&h.text);
        let content_start = h.end.min(end);
        // the first paragraph under this heading, before any sub-heading
        // (both lists are in text order: binary searches keep thousands of headings linear-ish)
        let next_heading =
            rest.get(rest.partition_point(|x| x.start < content_start)).map_or(end, |x| x.start.min(end));
        let para = paragraphs.get(paragraphs.partition_point(|(at, _)| *at < content_start));
        section_paragraphs.push(para.filter(|(at, _)| *at < next_heading).map(|(_, p)| p.clone()));
        sections.push(Section {
            heading: h.text.clone(),
            kind,
            slug,
            level: h.level,
            markdown: body[content_start..end].to_string(),
            line: line_of(h.start),
            body_line: line_of(content_start),
            bold_label: false,
            prose: Default::default(),
        });
    }
    let pre_end = bounds.first().map_or(body.len(), |h| h.start);
    let pre_start = body_start.min(pre_end);
    Split { title, preamble: body[pre_start..pre_end].to_string(), sections, first_paragraph, section_paragraphs }
}

/// Headings, and the first top-level paragraph after the start and after each heading (plain text,
/// with its byte offset): summary candidates.
fn scan(body: &str) -> (Vec<Heading>, Vec<(usize, String)>) {
    let mut headings = Vec::new();
    let mut paragraphs: Vec<(usize, String)> = Vec::new();
    let mut want = true;
    let mut current: Option<(u8, String, usize)> = None;
    let mut para: Option<(usize, String)> = None;
    let mut depth_in_block = 0usize; // inside lists/quotes/tables the first paragraph is not a summary
    for (ev, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((heading_level(level), String::new(), range.start))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, start)) = current.take() {
                    // include the line break after the heading (setext ranges already end with it)
                    let end = if body[..range.end].ends_with('\n') {
                        range.end
                    } else {
                        match body[range.end..].find('\n') {
                            Some(i) if body[range.end..range.end + i].trim().is_empty() => range.end + i + 1,
                            Some(_) => range.end,
                            None => body.len(),
                        }
                    };
                    let text = collapse(&text);
                    headings.push(Heading { level, kind: classify(&text), text, start, end });
                    // summaries come from sections, not from the per-entry headings of a timeline
                    want = level <= 3;
                }
            }
            Event::Start(Tag::Paragraph) if want && depth_in_block == 0 => para = Some((range.start, String::new())),
            Event::End(TagEnd::Paragraph) => {
                if let Some((at, p)) = para.take() {
                    // a lone "(based on …)" note or an HTML comment is no summary; the text is
                    // kept raw (whitespace collapsed only for the one paragraph that gets used)
                    let t = p.trim();
                    if !(t.is_empty() || t.starts_with('(') && t.ends_with(')')) {
                        paragraphs.push((at, p));
                        want = false;
                    }
                }
            }
            Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_)) => {
                depth_in_block += 1
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition) => {
                depth_in_block = depth_in_block.saturating_sub(1)
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, s, _)) = current.as_mut() {
                    s.push_str(&t);
                } else if let Some((_, p)) = para.as_mut() {
                    p.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, p)) = para.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
    }
    (headings, paragraphs)
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The heading level the document uses for its sections: the level with the most headings that
/// name one of the seven elements; without any, the shallowest level present.
fn section_level(headings: &[Heading]) -> u8 {
    let mut best = None;
    for level in 1..=3u8 {
        let n = headings.iter().filter(|h| h.level == level && h.kind.is_some()).count();
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((level, n));
        }
    }
    best.map(|(l, _)| l).or_else(|| headings.iter().map(|h| h.level).min()).unwrap_or(2)
}

/// Collapses whitespace runs to one space and trims.
pub(crate) fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        // the common case, without Unicode whitespace tables
        for word in s.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        return out;
    }
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Normalises a heading for matching: lower-case, no parenthesised suffix, no trailing
/// punctuation, no leading numbering.
pub(crate) fn normalize_heading(text: &str) -> String {
    let mut s = collapse(&text.replace(['*', '_', '`'], "")).to_lowercase();
    s = s.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')').trim_end().to_string();
    if s.ends_with(')')
        && let Some(i) = s.rfind('(')
        && i > 0
    {
        s.truncate(i);
    }
    let s = s.trim().trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')').trim();
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')').trim();
    s.to_string()
}

/// Whether a heading names the stakeholder message itself, not one of its aliases ("Customer
/// impact" is often internal): only such a section is published on the external site.
pub(crate) fn is_explicit_stakeholder_heading(heading: &str) -> bool {
    matches!(normalize_heading(heading).as_str(), "stakeholder message" | "message to stakeholders")
}

/// Which of the seven elements a heading names, by the aliases of docs/format.md ("Sections") and
/// those seen in real postmortems.
pub(crate) fn classify(heading: &str) -> Option<SectionKind> {
    use SectionKind::*;
    let h = normalize_heading(heading);
    let exact = |list: &[&str]| list.contains(&h.as_str());
    if exact(&[
        "stakeholder message",
        "customer impact",
        "external summary",
        "message to customers",
        "message to stakeholders",
        "public summary",
    ]) {
        return Some(StakeholderMessage);
    }
    if exact(&[
        "narrative",
        "summary",
        "issue summary",
        "what happened",
        "incident summary",
        "overview",
        "executive summary",
    ]) {
        return Some(Narrative);
    }
    if h.starts_with("timeline") || exact(&["incident timeline", "communication timeline", "chronology"]) {
        return Some(Timeline);
    }
    if exact(&["monitoring", "monitoring context", "detection", "metrics"]) {
        return Some(Monitoring);
    }
    if h.starts_with("root cause")
        || h.starts_with("contributing factor")
        || h.contains("five whys")
        || h.contains("5 whys")
        || exact(&["causes", "fault", "cause", "trigger"])
    {
        return Some(ContributingFactors);
    }
    if exact(&[
        "technical analysis",
        "technical details",
        "analysis",
        "resolution",
        "resolution and recovery",
        "recovery",
    ]) {
        return Some(TechnicalAnalysis);
    }
    if h.starts_with("action item")
        || h.starts_with("follow-up action")
        || h.starts_with("followup action")
        || exact(&[
            "actions",
            "follow-ups",
            "follow ups",
            "followups",
            "corrective actions",
            "remediation",
            "future measures",
            "future actions",
            "next steps",
            "action plan",
            "follow-up improvements",
            "corrective and preventative measures",
            "corrective and preventive measures",
            "preventative measures",
            "what we're doing to fix this",
            "what we’re doing to fix this",
            "what we're doing differently",
            "what we’re doing differently",
        ])
    {
        return Some(FollowUpActions);
    }
    None
}

/// Anchor slugs handed out so far in one document.
#[derive(Debug, Default)]
pub(crate) struct SlugSet {
    used: std::collections::HashSet<String>,
    /// Per base slug, the suffix to try next: a document with thousands of equal headings
    /// would otherwise probe `-1`, `-2`, … from the start each time (cubic time).
    next: std::collections::HashMap<String, usize>,
}

impl SlugSet {
    /// An anchor slug for a heading, unique in this set: the heading's slug, or with `-1`, `-2`, … added.
    pub(crate) fn unique(&mut self, text: &str) -> String {
        let base = crate::text::slugify(text);
        let base = if base.is_empty() { "section".to_string() } else { base };
        let mut slug = base.clone();
        // Every suffix below `n` was taken when it was tried, and slugs are never given back.
        let mut n = self.next.get(&base).copied().unwrap_or(1);
        while self.used.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        self.next.insert(base, n);
        self.used.insert(slug.clone());
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_normalisation() {
        assert_eq!(classify("**Root Cause(s)**:"), Some(SectionKind::ContributingFactors));
        assert_eq!(classify("Timeline of events"), Some(SectionKind::Timeline));
        assert_eq!(classify("Action Items"), Some(SectionKind::FollowUpActions));
        assert_eq!(classify("What we’re doing differently"), Some(SectionKind::FollowUpActions));
        assert_eq!(classify("Corrective and Preventative Measures"), Some(SectionKind::FollowUpActions));
        assert_eq!(classify("Customer impact (external)"), Some(SectionKind::StakeholderMessage));
        assert_eq!(classify("Resolution and recovery"), Some(SectionKind::TechnicalAnalysis));
        assert_eq!(classify("Lessons learned"), None);
    }

    #[test]
    fn title_heading_and_level_detection() {
        let body = "# A title\n\nIntro para.\n\n### Summary\n\nText.\n\n### Timeline\n\n- 10:00 x\n\n### Action items\n\n1. do\n";
        let s = split(body, 10);
        assert_eq!(s.title.as_deref(), Some("A title"));
        assert_eq!(s.sections.len(), 3);
        assert_eq!(s.sections[1].kind, Some(SectionKind::Timeline));
        assert_eq!(s.sections[1].line, 18);
        assert_eq!(s.sections[1].body_line, 19);
        assert!(s.sections[1].markdown.contains("- 10:00 x"));
        assert_eq!(s.preamble.trim(), "Intro para.");
        assert_eq!(s.first_paragraph.as_deref(), Some("Intro para."));
    }

    #[test]
    fn a_later_first_level_heading_is_a_section_not_lost() {
        let s = split("# Title\n\n## Summary\n\nx\n\n# Stats\n\n- a\n", 1);
        assert_eq!(s.title.as_deref(), Some("Title"));
        assert_eq!(s.sections.iter().map(|x| x.heading.as_str()).collect::<Vec<_>>(), ["Summary", "Stats"]);
    }

    #[test]
    fn subsections_stay_inside_their_section() {
        let body = "## Timeline\n\n### 2024-01-01 10:00\n\nStart.\n\n## Lessons learned\n\n### What went well\n\n- a\n";
        let s = split(body, 1);
        assert_eq!(s.sections.len(), 2);
        assert!(s.sections[0].markdown.contains("### 2024-01-01 10:00"));
        assert_eq!(s.sections[1].kind, None);
        assert_eq!(s.sections[1].slug, "lessons-learned");
    }

    #[test]
    fn a_heading_over_all_others_that_opens_the_document_is_its_title() {
        let s =
            split("## June 5 incident report\n\nIntro.\n\n### What happened\n\nA.\n\n### Timeline\n\n- 10:00 x\n", 1);
        assert_eq!(s.title.as_deref(), Some("June 5 incident report"));
        assert_eq!(s.sections.len(), 2);
        // Not when another heading is as high: then it is a section.
        let s = split("## Summary\n\nA.\n\n## Timeline\n\n- 10:00 x\n", 1);
        assert_eq!(s.title, None);
        let s = split("## Background notes\n\nA.\n\n## Timeline\n\n- 10:00 x\n", 1);
        assert_eq!(s.title, None);
    }

    #[test]
    fn day_headings_after_the_timeline_stay_in_it() {
        let body = "## Timeline\n\n## May 12\n\n### 08:52 PM\nA\n\n## 15 May\n\n### 09:00\nB\n\n## Lessons\n\nC\n\n## May 20\n";
        let s = split(body, 1);
        let headings: Vec<&str> = s.sections.iter().map(|x| x.heading.as_str()).collect();
        // A day heading only continues a timeline: after "Lessons" it is a section of its own.
        assert_eq!(headings, ["Timeline", "Lessons", "May 20"]);
        assert!(s.sections[0].markdown.contains("## 15 May") && s.sections[0].markdown.contains("B"));
    }

    #[test]
    fn repeated_headings_get_numbered_slugs() {
        let mut set = SlugSet::default();
        let got: Vec<String> = ["Notes", "Notes 1", "Notes", "Notes", "", "?"].iter().map(|t| set.unique(t)).collect();
        assert_eq!(got, ["notes", "notes-1", "notes-2", "notes-3", "section", "section-1"]);
    }

    #[test]
    fn first_paragraphs_belong_to_their_section() {
        let s = split("## Summary\n\n### Detail\n\nDeep.\n\n## Timeline\n\nTop.\n\n## Other\n", 1);
        let paras: Vec<Option<&str>> = s.section_paragraphs.iter().map(|p| p.as_deref()).collect();
        assert_eq!(paras, [None, Some("Top."), None]);
    }

    #[test]
    fn headings_in_code_blocks_are_not_sections() {
        let s = split("## Narrative\n\n```\n## Timeline\n```\n", 1);
        assert_eq!(s.sections.len(), 1);
    }
}
