//! Markdown → HTML for retro bodies: GFM, classed syntax highlighting, safe links, and raw HTML
//! sanitised with ammonia unless the book allows it.

use crate::load::sections::markdown_options;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};
use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// CSS classes of highlighted code are prefixed so they never clash with the theme's.
pub const HIGHLIGHT_PREFIX: &str = "rb-hl-";

/// Options for rendering one Markdown fragment.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownOptions {
    /// Keep raw HTML as written (`[output.html] allow-raw-html`); otherwise it is sanitised.
    pub allow_raw_html: bool,
}

/// Renders Markdown to HTML that is safe to embed in a page.
pub fn render(markdown: &str, opts: MarkdownOptions) -> String {
    let mut events: Vec<Event> = Vec::new();
    let mut has_raw_html = false;
    let mut code: Option<(String, String)> = None; // (language, text)
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    events.push(Event::Html(CowStr::from(highlight(&lang, &text))));
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                events.push(ev);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                events.push(Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id }))
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                events.push(Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id }))
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Without raw HTML, pulldown-cmark's output is safe by construction (text is escaped, link
    // URLs were filtered above), so the comparatively slow sanitiser only runs when needed.
    if has_raw_html && !opts.allow_raw_html { sanitize(&html) } else { html }
}

/// Renders a short inline Markdown string (a timeline entry, a why) without the wrapping `<p>`.
pub fn render_inline(markdown: &str, opts: MarkdownOptions) -> String {
    let html = render(markdown, opts);
    let trimmed = html.trim();
    match trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

/// Link targets with a scheme other than http(s), mailto or tel are replaced by `#`:
/// `javascript:` and `data:` URLs never reach a page.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower: String = url
        .trim_start()
        .chars()
        .take(12)
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match lower.find(':') {
        Some(i) if !lower[..i].contains(['/', '?', '#']) => {
            if matches!(&lower[..i], "http" | "https" | "mailto" | "tel") { url } else { CowStr::from("#") }
        }
        _ => url,
    }
}

/// Removes scripts, event handlers and unsafe URLs from HTML, keeping what Markdown produces
/// (including our highlighting classes, heading ids and task-list checkboxes).
pub fn sanitize(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["class", "id", "title", "align"])
            .add_tags(["input", "details", "summary", "figure", "figcaption", "mark", "kbd", "abbr"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("ol", ["start"])
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .link_rel(Some("noopener noreferrer"));
        b
    });
    CLEANER.clean(html).to_string()
}

/// Highlights a code block with CSS classes (so both colour schemes can style it).
pub fn highlight(lang: &str, code: &str) -> String {
    let ss = &*SYNTAXES;
    let syntax = (!lang.is_empty())
        .then(|| ss.find_syntax_by_token(lang))
        .flatten()
        .unwrap_or_else(|| ss.find_syntax_plain_text());
    let class = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape_attr(lang)) };
    if syntax.name == "Plain Text" {
        return format!("<pre class=\"rb-code\"{class}><code>{}</code></pre>\n", escape_text(code));
    }
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, ss, ClassStyle::SpacedPrefixed { prefix: HIGHLIGHT_PREFIX });
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"rb-code\"{class}><code>{}</code></pre>\n", escape_text(code));
        }
    }
    format!("<pre class=\"rb-code\"{class}><code>{}</code></pre>\n", generator.finalize())
}

/// Escapes text for HTML element content.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for an HTML attribute value.
pub fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;").replace('\'', "&#39;")
}

/// The plain text of a Markdown fragment (for search records and summaries).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    const SAFE: MarkdownOptions = MarkdownOptions { allow_raw_html: false };

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = render(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">x</a>",
            SAFE,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn markdown_links_with_bad_schemes_are_neutralised() {
        let html = render(
            "[a](javascript:alert(1)) [b]( JaVa\tScRiPt:alert(1)) [c](data:text/html,x) [d](https://ok.example/) [e](../x/)",
            SAFE,
        );
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://ok.example/\""));
        assert!(html.contains("href=\"../x/\""));
    }

    #[test]
    fn raw_html_is_kept_when_allowed() {
        let html = render("<kbd onclick=\"x()\">K</kbd>", MarkdownOptions { allow_raw_html: true });
        assert!(html.contains("onclick"));
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let html = render("```rust\nfn main() { let x = \"<b>\"; }\n```\n", SAFE);
        assert!(html.contains("class=\"rb-code\""), "{html}");
        assert!(html.contains("rb-hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        let plain = render("```\n<b>x</b>\n```\n", SAFE);
        assert!(plain.contains("&lt;b&gt;x&lt;/b&gt;"), "{plain}");
    }

    #[test]
    fn gfm_features_render() {
        let html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n", SAFE);
        assert!(html.contains("<table>"));
        assert!(html.contains("checkbox"));
        assert!(html.contains("<del>"));
        assert!(html.contains("footnote"));
    }
}
