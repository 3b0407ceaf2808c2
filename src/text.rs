//! Small text helpers shared by every layer (no dependency on the rest of the crate).

use std::ops::Range;

/// The byte ranges of `<!-- … -->` spans in Markdown, in order. An unterminated comment runs to
/// the end. Unlike CommonMark's HTML blocks, a span may cross blank lines: authors expect
/// everything between the markers to be a comment.
pub fn html_comment_spans(markdown: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + markdown.get(from..)?.find("<!--")?;
        let end = markdown[start + 4..].find("-->").map_or(markdown.len(), |e| start + 4 + e + 3);
        from = end;
        Some(start..end)
    })
}

/// `markdown` without its `<!-- … -->` spans.
pub fn strip_html_comments(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for span in html_comment_spans(markdown) {
        out.push_str(&markdown[at..span.start]);
        at = span.end;
    }
    out.push_str(&markdown[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_across_blank_lines_and_unterminated_ones_are_removed() {
        assert_eq!(strip_html_comments("a <!-- x\n\ny --> b <!--c-->d"), "a  b d");
        assert_eq!(strip_html_comments("keep <!-- open\n\nto the end"), "keep ");
        assert_eq!(strip_html_comments("<!---->x"), "x");
        assert_eq!(strip_html_comments("no comment"), "no comment");
    }
}
