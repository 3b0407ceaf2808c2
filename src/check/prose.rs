//! Helpers for rules that read the prose of a section: byte offsets → file positions, the text
//! ranges that are prose (not code, not block quotes), and the people a retro names.

use crate::diagnostic::Pos;
use crate::model::{Retro, Section};
use crate::text::markdown_options;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::ops::Range;

/// The file position of byte `offset` of a section's Markdown (1-based line and column, the
/// column counted in characters).
pub(super) fn pos_at(s: &Section, offset: usize) -> Pos {
    let offset = offset.min(s.markdown.len());
    let before = s.markdown.get(..offset).unwrap_or("");
    let line = s.body_line + before.matches('\n').count() as u32;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Pos::new(line, column)
}

/// Byte ranges of prose text: paragraphs, list items, headings, table cells, link texts — not
/// code blocks, inline code, block quotes or HTML (comments included).
pub(super) fn prose_ranges(markdown: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut code, mut quote) = (0usize, 0usize);
    for (ev, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::End(TagEnd::CodeBlock) => code = code.saturating_sub(1),
            Event::Start(Tag::BlockQuote(_)) => quote += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote = quote.saturating_sub(1),
            Event::Text(_) if code == 0 && quote == 0 => out.push(range),
            _ => {}
        }
    }
    out
}

/// The Markdown with every HTML comment replaced by spaces (newlines kept), so offsets still
/// match the file.
pub(super) fn blank_comments(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for span in crate::text::html_comment_spans(markdown) {
        out.push_str(&markdown[at..span.start]);
        out.extend(markdown[span.clone()].bytes().map(|b| if b == b'\n' { '\n' } else { ' ' }));
        at = span.end;
    }
    out.push_str(&markdown[at..]);
    out
}

/// The people a retro names: authors, reviewers, role holders and action owners, each with
/// the single words of a full name ("Ana Ruiz" → "Ana Ruiz", "Ruiz", "Ana"), longest first.
pub(super) fn people(r: &Retro) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let all =
        r.authors.iter().chain(&r.reviewers).chain(r.roles.values()).chain(r.actions.iter().flat_map(|a| &a.owner));
    for n in all {
        let n = n.trim().trim_start_matches('@');
        // People and handles: letters, digits, spaces and `.-_'`; anything else is not a name.
        let plausible = n.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '\''));
        if n.chars().count() < 3 || !plausible {
            continue;
        }
        names.push(n.to_string());
        if n.contains(' ') {
            names.extend(
                n.split_whitespace()
                    .filter(|w| w.chars().count() >= 3 && w.chars().next().is_some_and(char::is_uppercase))
                    .map(String::from),
            );
        }
    }
    names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    names.dedup();
    names
}

/// Offsets where `needle` occurs in `hay` as a whole word (case-sensitive when the needle has
/// an upper-case letter, as names do; otherwise case-insensitive, as handles are).
pub(super) fn find_word(hay: &str, needle: &str) -> Vec<usize> {
    let sensitive = needle.chars().any(char::is_uppercase);
    // Case-sensitive needles (and the fallback below) search the text as it is, without a copy.
    let lowered = (!sensitive).then(|| (hay.to_lowercase(), needle.to_lowercase()));
    let (h, n) = match &lowered {
        // Lower-casing can change byte lengths outside ASCII; then only exact matches are safe.
        Some((h, n)) if h.len() == hay.len() => (h.as_str(), n.as_str()),
        _ => (hay, needle),
    };
    // A hyphen joins words: `config` is not a word of `config-drift`.
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = h[from..].find(n) {
        let at = from + i;
        let end = at + n.len();
        if !word(h[..at].chars().next_back()) && !word(h[end..].chars().next()) {
            out.push(at);
        }
        from = at + n.len().max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(markdown: &str) -> Section {
        Section {
            heading: "Narrative".into(),
            kind: None,
            slug: "narrative".into(),
            level: 2,
            markdown: markdown.into(),
            line: 10,
            body_line: 11,
            bold_label: false,
            prose: Default::default(),
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let s = section("first line\n€€ blame here\n");
        let at = s.markdown.find("blame").unwrap();
        assert_eq!(pos_at(&s, at), Pos::new(12, 4));
    }

    #[test]
    fn code_quotes_and_comments_are_not_prose() {
        let md = "Plain words.\n\n> quoted words\n\n```\ncode words\n```\n\nInline `code` and <!-- hidden -->.\n";
        let prose: String = prose_ranges(md).into_iter().map(|r| &md[r]).collect::<Vec<_>>().join("|");
        assert!(prose.contains("Plain words."));
        assert!(!prose.contains("quoted") && !prose.contains("code words") && !prose.contains("hidden"), "{prose}");
        assert!(!prose.contains("code|") && !prose.contains("|code"), "{prose}");
        let blanked = blank_comments("a <!-- x\ny --> b");
        assert_eq!(blanked.len(), "a <!-- x\ny --> b".len());
        assert_eq!(blanked.split_whitespace().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(blanked.matches('\n').count(), 1);
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_word("Ana and Anabel met ana", "Ana"), vec![0]);
        assert_eq!(find_word("see config-drift, config", "config"), vec![18]);
        assert_eq!(find_word("ops-bot said", "OPS-BOT".to_lowercase().as_str()), vec![0]);
    }
}
