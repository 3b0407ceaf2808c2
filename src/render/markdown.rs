//! Markdown → HTML for retro bodies: GFM, classed syntax highlighting, safe links, and raw HTML
//! sanitised with ammonia unless the book allows it.

use crate::text::markdown_options;
/// Re-exported: the plain text of Markdown lives in [`crate::text`] (below every layer).
pub use crate::text::plain_text;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};
use std::sync::LazyLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
/// The YAML syntax without a back-reference (see [`super::yaml_syntax`]). Making it costs about as
/// much as highlighting forty block scalars with the stock syntax, so it is made only once a
/// process has met [`YAML_STOCK_BLOCKS`] YAML blocks that might hold one: a small book never pays.
static YAML: LazyLock<Option<SyntaxSet>> = LazyLock::new(super::yaml_syntax::syntax_set);
const YAML_STOCK_BLOCKS: usize = 8;
static YAML_BLOCKS_SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// CSS classes of highlighted code are prefixed so they never clash with the theme's.
pub(crate) const HIGHLIGHT_PREFIX: &str = "rb-hl-";

/// Options for rendering one Markdown fragment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MarkdownOptions {
    /// Keep raw HTML as written (`[output.html] allow-raw-html`); otherwise it is sanitised.
    pub allow_raw_html: bool,
}

/// Renders Markdown to HTML that is safe to embed in a page.
pub(crate) fn render(markdown: &str, opts: MarkdownOptions) -> String {
    let (html, has_raw_html) = render_events(markdown, false);
    // Without raw HTML, pulldown-cmark's output is safe by construction (text is escaped, link
    // URLs were filtered above), so the comparatively slow sanitiser only runs when needed.
    if !has_raw_html || opts.allow_raw_html {
        return html;
    }
    // The sanitiser's HTML parser takes time quadratic in the depth of nested elements (every
    // start tag looks through the open ones): HTML nested deeper than any real document is shown
    // as text instead, which is linear and loses nothing a reader could see.
    if max_nesting(&html) > MAX_NESTING {
        return render_events(markdown, true).0;
    }
    sanitize(&html)
}

/// Raw HTML nested deeper than this is shown as text rather than sanitised (see [`render`]).
pub(crate) const MAX_NESTING: usize = 512;

/// Markdown to HTML; `raw_as_text` turns raw HTML into escaped text. Also says whether the
/// output holds raw HTML.
fn render_events(markdown: &str, raw_as_text: bool) -> (String, bool) {
    let mut events: Vec<Event> = Vec::new();
    let mut has_raw_html = false;
    let mut code: Option<(String, String)> = None; // (language, text)
    // Whether each open link was written by hand (an external link with its `rel`).
    let mut links: Vec<bool> = Vec::new();
    // Bytes of code the highlighter may still take in this fragment (see `highlight`).
    let mut budget = HIGHLIGHT_MAX_BYTES;
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
                    events.push(Event::Html(CowStr::from(highlight_within(&lang, &text, &mut budget))));
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) if raw_as_text => events.push(Event::Text(t)),
            Event::Html(_) | Event::InlineHtml(_) => {
                has_raw_html = true;
                events.push(ev);
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = safe_url(dest_url);
                if is_external(&dest_url) {
                    // Another site gets neither the page's address nor a handle on its window.
                    let title =
                        if title.is_empty() { String::new() } else { format!(" title=\"{}\"", escape_attr(&title)) };
                    events.push(Event::InlineHtml(CowStr::from(format!(
                        "<a href=\"{}\" rel=\"noopener noreferrer\"{title}>",
                        escape_attr(&dest_url)
                    ))));
                    links.push(true);
                } else {
                    events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                    links.push(false);
                }
            }
            Event::End(TagEnd::Link) => {
                if links.pop() == Some(true) {
                    events.push(Event::InlineHtml(CowStr::from("</a>")));
                } else {
                    events.push(ev);
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                events.push(Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id }))
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (html, has_raw_html)
}

/// Whether a (filtered) link target points to another site: an absolute http(s) URL or `//host`.
fn is_external(url: &str) -> bool {
    let url = url.trim_start();
    super::context::is_http(url) || url.starts_with("//")
}

/// How deeply elements nest in `html`, counted from its tags (void elements and comments aside).
/// An estimate that errs high (an unclosed `<p>` counts), which is what a limit needs.
fn max_nesting(html: &str) -> usize {
    const VOID: [&str; 14] =
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "!"];
    let (mut depth, mut max) = (0usize, 0usize);
    let b = html.as_bytes();
    for i in memchr::memchr_iter(b'<', b) {
        let rest = &b[i + 1..];
        if rest.first() == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name_len = rest.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if name_len == 0 {
            continue;
        }
        let name = std::str::from_utf8(&rest[..name_len]).unwrap_or("").to_ascii_lowercase();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        max = max.max(depth);
    }
    max
}

/// Renders a short inline Markdown string (a timeline entry, a why) without the wrapping `<p>`.
pub(crate) fn render_inline(markdown: &str, opts: MarkdownOptions) -> String {
    // One line of words and plain punctuation (most timeline entries) is its own HTML: nothing
    // in it is markup or needs escaping in text.
    if crate::text::is_inert_line(markdown) {
        return markdown.to_string();
    }
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
pub(crate) fn sanitize(html: &str) -> String {
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

/// Highlights a code block with CSS classes (so both colour schemes can style it), taking at most
/// `budget` bytes of code (and lowering it by what it took).
fn highlight_within(lang: &str, code: &str, budget: &mut usize) -> String {
    let ss = &*SYNTAXES;
    let syntax = (!lang.is_empty())
        .then(|| ss.find_syntax_by_token(lang))
        .flatten()
        .unwrap_or_else(|| ss.find_syntax_plain_text());
    let class = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape_attr(lang)) };
    if syntax.name == "Plain Text" {
        return format!("<pre class=\"rb-code\"{class}><code>{}</code></pre>\n", escape_text(code));
    }
    // Only a block scalar (`key: |`, `key: >`) meets the stock YAML syntax's slow pattern.
    let yaml = (syntax.name == super::yaml_syntax::NAME
        && code.contains(['|', '>'])
        && YAML_BLOCKS_SEEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= YAML_STOCK_BLOCKS)
        .then(|| YAML.as_ref())
        .flatten();
    let (ss, syntax) = match yaml {
        Some(yaml) => (yaml, &yaml.syntaxes()[0]),
        None => (ss, syntax),
    };
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, ss, ClassStyle::SpacedPrefixed { prefix: HIGHLIGHT_PREFIX });
    // The highlighter's regular expressions can take time quadratic in a line's length: lines
    // past a length, and code past a total size, are shown plain (the rest of the block from there).
    let mut done = 0;
    for line in LinesWithEndings::from(code) {
        if line.len() > HIGHLIGHT_MAX_LINE || done + line.len() > *budget {
            break;
        }
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"rb-code\"{class}><code>{}</code></pre>\n", escape_text(code));
        }
        done += line.len();
    }
    *budget -= done;
    let mut html = generator.finalize();
    html.push_str(&escape_text(&code[done..]));
    format!("<pre class=\"rb-code\"{class}><code>{html}</code></pre>\n")
}

/// Lines longer than this (bytes) are not highlighted, nor is anything after them in the block.
pub(crate) const HIGHLIGHT_MAX_LINE: usize = 1_000;
/// At most this much code (bytes) of one Markdown fragment is highlighted; the rest is shown plain.
pub(crate) const HIGHLIGHT_MAX_BYTES: usize = 64 * 1024;

/// Escapes text for HTML element content.
pub(crate) fn escape_text(s: &str) -> String {
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
pub(crate) fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;").replace('\'', "&#39;")
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

    #[test]
    fn links_to_other_sites_get_rel() {
        let html = render(
            "[a](https://x.example/?a=1&b=\"2\" \"T <t>\") [b](//cdn.example/) [c](../y/) [d](#h) <http://auto.example>",
            SAFE,
        );
        assert!(
            html.contains("<a href=\"https://x.example/?a=1&amp;b=%222%22\" rel=\"noopener noreferrer\" title=\"T &lt;t&gt;\">a</a>")
                || html.contains("<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer\" title=\"T &lt;t&gt;\">a</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"//cdn.example/\" rel=\"noopener noreferrer\">b</a>"), "{html}");
        assert!(html.contains("<a href=\"../y/\">c</a>") && html.contains("<a href=\"#h\">d</a>"), "{html}");
        assert!(
            html.contains("<a href=\"http://auto.example\" rel=\"noopener noreferrer\">http://auto.example</a>"),
            "{html}"
        );
        // Through the sanitiser too.
        let raw = render("<b>x</b> [a](https://x.example/)", SAFE);
        assert!(raw.contains("rel=\"noopener noreferrer\""), "{raw}");
    }

    #[test]
    fn nesting_past_the_limit_is_text() {
        let ok = format!("{}x{}", "<div>".repeat(MAX_NESTING - 1), "</div>".repeat(MAX_NESTING - 1));
        assert!(render(&ok, SAFE).starts_with("<div><div>"));
        let deep =
            format!("{}<script>x()</script>{}", "<div>".repeat(MAX_NESTING + 1), "</div>".repeat(MAX_NESTING + 1));
        let html = render(&deep, SAFE);
        assert!(
            html.contains("&lt;div&gt;&lt;div&gt;") && !html.contains("<div>") && !html.contains("<script"),
            "{}",
            &html[..200]
        );
        assert_eq!(max_nesting("<p><br><img src=x><b>a</b><i>b</i></p><!-- c -->"), 2);
    }

    /// [`render_inline`] without its shortcut for one inert line.
    fn parsed_inline(markdown: &str) -> String {
        let html = render(markdown, SAFE);
        let trimmed = html.trim();
        trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")).unwrap_or(trimmed).to_string()
    }

    #[test]
    fn an_inert_line_renders_as_itself() {
        let line = "Ann said \"it's the cache\" at 10:24 (p99 = 2.5s, 5% errors); rolled back / retried +3?";
        assert_eq!(render_inline(line, SAFE), parsed_inline(line));
        assert_eq!(render_inline(line, SAFE), line);
        let url = "See http://example.com/x and www.example.com today";
        assert_eq!((render_inline(url, SAFE), parsed_inline(url)), (url.to_string(), url.to_string()));
        assert_eq!(render_inline("a *b* & c", SAFE), "a <em>b</em> &amp; c");
    }

    proptest::proptest! {
        #[test]
        fn the_inline_shortcut_agrees_with_the_renderer(s in "[a-zA-Zé][a-zA-Z0-9é ,.:;'\"()/%?=+@-]{0,40}") {
            proptest::prop_assert_eq!(render_inline(&s, SAFE), parsed_inline(&s));
        }
    }

    #[test]
    fn yaml_block_scalars_look_the_same_before_and_after_the_patched_syntax_takes_over() {
        let block = "```yaml\nsteps:\n  - run: |\n      cargo test\n      echo done\n    name: test\n```\n";
        // More blocks than the stock syntax is used for: the later ones take the patched syntax.
        let html: Vec<String> = (0..=YAML_STOCK_BLOCKS + 2).map(|_| render(block, SAFE)).collect();
        assert!(YAML_BLOCKS_SEEN.load(std::sync::atomic::Ordering::Relaxed) > YAML_STOCK_BLOCKS);
        assert!(html[0].contains("rb-hl-string"), "{}", html[0]);
        assert!(html.iter().all(|h| h == &html[0]));
    }

    #[test]
    fn highlighting_is_bounded() {
        let long = format!("let s = \"{}\";\n", "a".repeat(HIGHLIGHT_MAX_LINE));
        let md = format!("```rust\nfn a() {{}}\n{long}fn b() {{}}\n```\n");
        let html = render(&md, SAFE);
        // Highlighted up to the long line, plain from there, with all the text and balanced spans.
        let (before, after) = html.split_once("let s").unwrap();
        assert!(before.contains("rb-hl-") && !after.contains("rb-hl-"), "{html}");
        assert!(after.contains("fn b() {}"), "{html}");
        assert_eq!(html.matches("<span").count(), html.matches("</span>").count());
        // The budget is shared by the code blocks of a fragment.
        let block = format!("```rust\n{}```\n\n", "fn f() { let x = 1; }\n".repeat(HIGHLIGHT_MAX_BYTES / 22 / 2 + 1));
        let html = render(&block.repeat(3), SAFE);
        let blocks: Vec<&str> = html.split("<pre").skip(1).collect();
        assert_eq!(blocks.len(), 3);
        assert!(blocks[0].contains("rb-hl-") && blocks[1].contains("rb-hl-") && !blocks[2].contains("rb-hl-"));
        assert_eq!(
            crate::text::plain_text(&block.repeat(3)).matches("let x = 1;").count(),
            3 * (HIGHLIGHT_MAX_BYTES / 22 / 2 + 1)
        );
    }
}
