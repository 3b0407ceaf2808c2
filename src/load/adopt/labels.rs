//! Bold-label sections: `**Root cause:** …` paragraphs and list items that stand for a heading.

use super::*;

/// A top-level block of the body: a paragraph, a list item of a top-level list, a heading or
/// anything else (table, code, quote, HTML), with its byte range and its bold label, if any.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) heading: bool,
    /// (label text, byte offset where the content after the label starts, list item?)
    pub(super) label: Option<(String, usize, bool)>,
}

/// The top-level blocks of `body`.
pub(super) fn blocks(body: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut depth = 0usize; // block nesting; 0 = top level
    let mut list_depth = 0usize;
    // A block whose label is being read: (index in out, strong text so far, strong open?)
    let mut reading: Option<(usize, String, bool)> = None;
    let mut expect_label = false;
    for (ev, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match &ev {
            Event::Start(tag) => {
                let top_item = matches!(tag, Tag::Item) && list_depth == 1 && depth == 1;
                let top_block = depth == 0 && !matches!(tag, Tag::List(_));
                if top_item || top_block {
                    out.push(Block {
                        start: range.start,
                        end: range.end,
                        heading: matches!(tag, Tag::Heading { .. }),
                        label: None,
                    });
                    expect_label = matches!(tag, Tag::Paragraph | Tag::Item);
                    reading = None;
                } else if expect_label {
                    match tag {
                        Tag::Paragraph => {} // a loose item's paragraph
                        Tag::Strong if reading.is_none() => reading = Some((out.len() - 1, String::new(), true)),
                        _ => expect_label = false,
                    }
                }
                if matches!(tag, Tag::List(_)) {
                    list_depth += 1;
                }
                if is_block(tag) {
                    depth += 1;
                }
            }
            Event::End(tag) => {
                if matches!(tag, TagEnd::List(_)) {
                    list_depth = list_depth.saturating_sub(1);
                }
                if is_block_end(tag) {
                    depth = depth.saturating_sub(1);
                }
                match (&mut reading, tag) {
                    (Some((_, _, open @ true)), TagEnd::Strong) => *open = false,
                    (Some((i, text, false)), TagEnd::Paragraph | TagEnd::Item) => {
                        // The label stands alone on its line: `**What went well?**`, `- **Review actions**:`.
                        set_label(&mut out[*i], text, range.start.min(range.end), body);
                        reading = None;
                        expect_label = false;
                    }
                    _ => {}
                }
            }
            Event::Text(t) | Event::Code(t) => match &mut reading {
                Some((_, text, true)) => text.push_str(t),
                Some((i, text, false)) => {
                    let label_ends_colon = text.trim_end().ends_with(':');
                    if t.trim_start().starts_with(':') || label_ends_colon || t.trim().is_empty() {
                        let after = if label_ends_colon {
                            range.start
                        } else {
                            // skip the `:` after the closing `**`
                            let lead = t.len() - t.trim_start().len();
                            range.start + (lead + 1).min(range.end - range.start)
                        };
                        set_label(&mut out[*i], text, after, body);
                    }
                    reading = None;
                    expect_label = false;
                }
                None => expect_label = false,
            },
            Event::TaskListMarker(_) => {}
            Event::SoftBreak | Event::HardBreak => {
                if let Some((i, text, false)) = &mut reading {
                    set_label(&mut out[*i], text, range.start, body);
                }
                if !matches!(reading, Some((_, _, true))) {
                    reading = None;
                    expect_label = false;
                }
            }
            _ => {
                if !matches!(reading, Some((_, _, true))) {
                    reading = None;
                    expect_label = false;
                }
            }
        }
        if let Some(last) = out.last_mut()
            && range.end > last.end
            && depth > 0
        {
            last.end = range.end;
        }
    }
    out
}

pub(super) fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::DefinitionList
            | Tag::MetadataBlock(_)
    )
}

pub(super) fn is_block_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::DefinitionList
            | TagEnd::MetadataBlock(_)
    )
}

/// Records a label unless it is a time or date (`**11:11**:`, `**2020-09-03 13:57**:`), which
/// are timeline entries, not labels.
pub(super) fn set_label(b: &mut Block, text: &str, after: usize, body: &str) {
    let label = collapse(text.trim().trim_end_matches(':').trim());
    if label.is_empty() || label.starts_with(|c: char| c.is_ascii_digit()) || label.chars().count() > 60 {
        return;
    }
    let item = !body[b.start..].starts_with("**") && !body[b.start..].starts_with("__");
    b.label = Some((label, after.min(b.end.max(after)), item));
}

/// What a bold label makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum LabelRole {
    /// A section of one of the seven kinds.
    Section(SectionKind),
    /// The impact statement: a section (of no kind) and `impact.users`.
    Impact,
    /// Not a section (`**Date**:`, `**What went well?**`): it only ends the label before it.
    None,
}

pub(super) static TIMED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:[-*+]|\d+[.)])?\s*(?:\[[ xX]\]\s*)?[*_]*(?:\d{4}-\d{2}-\d{2}[ T]+)?\d{1,2}[:.]\d{2}\b")
        .expect("valid regex")
});

/// The role of a bold label, given its content (a `Context` label is a timeline only when it
/// holds timed entries).
pub(super) fn label_role(label: &str, content: &str) -> LabelRole {
    let h = normalize_heading(label);
    match h.as_str() {
        "impact" | "user impact" | "impact on users" => return LabelRole::Impact,
        "context" => {
            return if TIMED_LINE.is_match(content) {
                LabelRole::Section(SectionKind::Timeline)
            } else {
                LabelRole::None
            };
        }
        "identified" | "how it was detected" | "how was it detected" | "how we detected it" => {
            return LabelRole::Section(SectionKind::Monitoring);
        }
        "review actions" | "lessons and actions" | "remedial action" | "remedial actions" => {
            return LabelRole::Section(SectionKind::FollowUpActions);
        }
        _ => {}
    }
    classify(label).or_else(|| misspelt_actions_label(&h)).map_or(LabelRole::None, LabelRole::Section)
}

/// A follow-up actions label written with a typo (`Remeidal action`, `Remidial action`): two
/// edits at most, on labels long enough that two edits cannot turn one word into another.
pub(super) fn misspelt_actions_label(h: &str) -> Option<SectionKind> {
    const LABELS: [&str; 6] = [
        "remedial action",
        "remedial actions",
        "action items",
        "follow-up actions",
        "corrective actions",
        "review actions",
    ];
    (h.len() >= 10 && LABELS.iter().any(|l| strsim::damerau_levenshtein(h, l) <= 2))
        .then_some(SectionKind::FollowUpActions)
}

/// The sections written as bold labels in `body` (file line `first_line`), after the heading
/// sections already found; sets `impact_users` from an `Impact` label.
pub(crate) fn label_sections(body: &str, first_line: u32, headed: &[Section]) -> (Vec<Section>, Option<(String, u32)>) {
    // Cheap exit: no bold text at all.
    if !body.contains("**") && !body.contains("__") {
        return (Vec::new(), None);
    }
    let lines = crate::load::value::LineIndex::new(body, first_line);
    let blocks = blocks(body);
    let mut slugs = SlugSet::default();
    for s in headed {
        slugs.unique(&s.slug);
    }
    let mut out = Vec::new();
    let mut users = None;
    for (i, b) in blocks.iter().enumerate() {
        let Some((label, after, item)) = &b.label else { continue };
        // up to the next label or heading
        let end = blocks[i + 1..].iter().find(|n| n.heading || n.label.is_some()).map_or(body.len(), |n| n.start);
        let content = content_markdown(body, b, *after, end, *item);
        let role = label_role(label, &content);
        let line = lines.line(b.start);
        // inside a heading section of the same kind it is only a sub-heading of it
        let parent = headed.iter().rev().find(|s| s.line <= line).and_then(|s| s.kind);
        let kind = match role {
            LabelRole::None => continue,
            LabelRole::Impact => None,
            LabelRole::Section(k) if parent == Some(k) => continue,
            LabelRole::Section(k) => Some(k),
        };
        if role == LabelRole::Impact && users.is_none() {
            let text = crate::text::plain_text(&content);
            let text = collapse(&text);
            if !text.is_empty() {
                users = Some((text, line));
            }
        }
        out.push(Section {
            heading: label.clone(),
            kind,
            slug: slugs.unique(label),
            level: 6,
            markdown: content,
            line,
            body_line: line,
            bold_label: true,
            prose: Default::default(),
        });
    }
    (out, users)
}

/// A label's content as Markdown: the rest of its line, the rest of the item (dedented by the
/// item's indent), and the blocks after it up to `end`. Lines are kept one for one, so that the
/// first line of the result is the label's line.
pub(super) fn content_markdown(body: &str, b: &Block, after: usize, end: usize, item: bool) -> String {
    let line_start = body[..b.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = if item {
        let l = &body[line_start..];
        let spaces = l.len() - l.trim_start_matches(' ').len();
        let rest = &l[spaces..];
        let marker =
            rest.find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '*' | '+' | '.' | ')'))).unwrap_or(0);
        let gap = rest[marker..].len() - rest[marker..].trim_start_matches(' ').len();
        spaces + marker + gap.clamp(1, 4)
    } else {
        0
    };
    let after = after.clamp(b.start, end.max(b.start));
    let item_end = b.end.min(end).max(after);
    let mut out = String::with_capacity(end.saturating_sub(after) + 1);
    let mut first = true;
    for l in body[after..item_end].split_inclusive('\n') {
        if first {
            out.push_str(l.trim_start_matches([' ', '\t']));
            first = false;
        } else {
            let spaces = l.len() - l.trim_start_matches(' ').len();
            out.push_str(&l[spaces.min(indent)..]);
        }
    }
    if item_end < end {
        out.push_str(&body[item_end..end]);
    }
    out
}
