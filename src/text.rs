//! Small helpers shared by every layer: slugs, ids, plain text of Markdown, paths inside the book,
//! digests of JSON.
//! A leaf: nothing here imports the rest of the crate (see the layer table in `src/layers.rs`).

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// Lower-case; runs of characters other than `[a-z0-9._-]` become `-`; no leading dot or dash.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    let mut push = |c: char| {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut push);
        }
    }
    out.trim_start_matches(['.', '-']).to_string()
}

/// Factor ids: lower-case, spaces and underscores to `-`.
pub(crate) fn normalize_factor_id(s: &str) -> String {
    s.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '_' { '-' } else { c }).collect()
}

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// A book's folders: its root (where book.toml is), the retros folder and the theme overrides.
/// `serve` watches them; `git` finds them inside the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The book's folder.
    pub root: PathBuf,
    /// `[retros] dir` relative to the book, without a leading `./` and without slashes at either
    /// end: `retros`, `docs/retros`, or `""` when the retros are the book's folder itself.
    pub retros_dir: String,
}

impl Layout {
    /// The book at `root` whose retros live in `retros_dir` (`[retros] dir`, as written).
    pub(crate) fn new(root: &Path, retros_dir: &str) -> Layout {
        let retros_dir = retros_dir.trim_start_matches("./").trim_matches('/').to_string();
        Layout { root: root.to_path_buf(), retros_dir }
    }
    /// The retros folder.
    pub(crate) fn retros(&self) -> PathBuf {
        self.root.join(&self.retros_dir)
    }
    /// The book's theme overrides: `theme/` in the book's folder.
    pub(crate) fn theme(&self) -> PathBuf {
        self.root.join("theme")
    }
    /// A path relative to the retros folder (`/` separators), made relative to the book.
    pub(crate) fn book_path(&self, in_retros: &str) -> String {
        if self.retros_dir.is_empty() { in_retros.to_string() } else { format!("{}/{in_retros}", self.retros_dir) }
    }
}

/// A retro's text without a byte-order mark and with LF line ends (borrowed when it has neither):
/// CRLF (Windows) and a lone CR (classic Mac OS) both end a line.
pub(crate) fn normalize_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n").into() } else { text.into() }
}

/// Markdown options used everywhere: CommonMark + GFM tables, task lists, footnotes, strikethrough.
pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_GFM
}

/// The plain text of a Markdown fragment (for search records and summaries).
pub fn plain_text(markdown: &str) -> String {
    // A timeline entry is mostly one line of words; its plain text is the line itself.
    if is_inert_line(markdown) {
        let mut out = String::with_capacity(markdown.len() + 1);
        out.push_str(markdown);
        out.push('\n');
        return out;
    }
    parsed_plain_text(markdown)
}

/// [`plain_text`] by the Markdown parser, without the shortcut for one inert line.
fn parsed_plain_text(markdown: &str) -> String {
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

/// Whether `s` is one paragraph of one line that Markdown leaves as it is: it starts with a
/// letter (no list, heading, quote or indented code), ends without a space, and holds only
/// letters, digits, spaces and punctuation that no inline syntax uses (no `* _ ~ ` [ ] < > & \\ | ! #`).
pub(crate) fn is_inert_line(s: &str) -> bool {
    s.starts_with(char::is_alphabetic)
        && !s.ends_with(' ')
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | ',' | '.' | ':' | ';' | '\'' | '"' | '(' | ')' | '/' | '%' | '?' | '=' | '+' | '-' | '@'
                )
        })
}

/// Whether two factor ids look like the same thing: a small edit distance, or (almost) all
/// words shared, where a word also matches its prefix (`config` ~ `configuration`).
pub(crate) fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let d = strsim::damerau_levenshtein(a, b);
    if d <= 2 && a.len().min(b.len()) >= 6 {
        return true;
    }
    let wa: Vec<&str> = a.split('-').filter(|w| !w.is_empty()).collect();
    let wb: Vec<&str> = b.split('-').filter(|w| !w.is_empty()).collect();
    let word_match = |x: &str, y: &str| {
        x == y
            || (x.len().min(y.len()) >= 4 && (x.starts_with(y) || y.starts_with(x)))
            || (x.len().min(y.len()) >= 5 && strsim::levenshtein(x, y) <= 1)
    };
    let shared = wa.iter().filter(|x| wb.iter().any(|y| word_match(x, y))).count();
    let most = wa.len().max(wb.len());
    shared >= 1 && most > 0 && shared * 3 >= most * 2
}

/// Whether a book-relative path leaves the book (absolute, or `..` below the root at any point).
pub(crate) fn escapes_root(p: &str) -> bool {
    let path = Path::new(p);
    let mut depth = 0i32;
    path.is_absolute()
        || path.components().any(|c| {
            depth += match c {
                Component::ParentDir => -1,
                Component::Normal(_) => 1,
                _ => 0,
            };
            depth < 0
        })
}

/// The file written into every site: a folder that carries it may be replaced by a build.
pub(crate) const SITE_MARKER: &str = ".retrobook-site";

/// The byte ranges of `<!-- … -->` spans in Markdown, in order. An unterminated comment runs to
/// the end. Unlike CommonMark's HTML blocks, a span may cross blank lines: authors expect
/// everything between the markers to be a comment.
pub(crate) fn html_comment_spans(markdown: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + markdown.get(from..)?.find("<!--")?;
        let end = markdown[start + 4..].find("-->").map_or(markdown.len(), |e| start + 4 + e + 3);
        from = end;
        Some(start..end)
    })
}

/// `markdown` without its `<!-- … -->` spans.
pub(crate) fn strip_html_comments(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for span in html_comment_spans(markdown) {
        out.push_str(&markdown[at..span.start]);
        at = span.end;
    }
    out.push_str(&markdown[at..]);
    out
}

/// How [`human_duration`] writes a duration: the site and the terminal each have their style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DurationStyle {
    /// Pages and charts: "45 s", "12 min", "1 h 40 min", "2 d 3 h"; minutes and days drop what
    /// is smaller than the next unit down; negative with a minus sign, "−12 min".
    Prose,
    /// Terminal tables (`report`): "45s", "5m01s", "2h30m", "1d04h", two digits after the first
    /// unit; negative with a hyphen, "-1m30s".
    Compact,
}

/// A count with its noun in the right number: `plural(1, "retro", "retros")` is "1 retro",
/// `plural(2, "retro", "retros")` "2 retros" (and "0 retros").
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A number of seconds as a short human duration, in `style`.
pub(crate) fn human_duration(seconds: i64, style: DurationStyle) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let (minus, body) = match style {
        DurationStyle::Prose => (
            "−",
            match (d, h, m) {
                _ if s < 60 => format!("{s} s"),
                (0, 0, m) => format!("{m} min"),
                (0, h, 0) => format!("{h} h"),
                (0, h, m) => format!("{h} h {m} min"),
                (d, 0, _) => format!("{d} d"),
                (d, h, _) => format!("{d} d {h} h"),
            },
        ),
        DurationStyle::Compact => (
            "-",
            match (d, h, m) {
                _ if s < 60 => format!("{s}s"),
                (0, 0, m) if sec == 0 => format!("{m}m"),
                (0, 0, m) => format!("{m}m{sec:02}s"),
                (0, h, 0) => format!("{h}h"),
                (0, h, m) => format!("{h}h{m:02}m"),
                (d, 0, _) => format!("{d}d"),
                (d, h, _) => format!("{d}d{h:02}h"),
            },
        ),
    };
    if seconds < 0 { format!("{minus}{body}") } else { body }
}

/// The digest of what `h` holds followed by the JSON of `x`.
pub(crate) fn json_digest<T: serde::Serialize>(mut h: blake3::Hasher, x: &T) -> [u8; 32] {
    use std::io::Write;
    // serde_json writes token by token; blake3 hashes large updates several chunks at a time
    // (SIMD), so the tokens are gathered first. The bytes hashed, and so the digest, are the same.
    let mut w = std::io::BufWriter::with_capacity(64 << 10, &mut h);
    // Writing JSON of plain structs into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut w, x);
    let _ = w.flush();
    drop(w);
    *h.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buffered digest hashes exactly the JSON, also past the buffer's size.
    #[test]
    fn json_digest_is_the_digest_of_the_json() {
        let rows: Vec<(usize, String)> = (0..20_000).map(|i| (i, format!("row \"{i}\" é"))).collect();
        let json = serde_json::to_vec(&rows).unwrap();
        assert!(json.len() > 3 * (64 << 10));
        let mut h = blake3::Hasher::new();
        h.update(b"prefix");
        let expected = *h.clone().update(&json).finalize().as_bytes();
        assert_eq!(json_digest(h, &rows), expected);
    }

    #[test]
    fn one_inert_line_is_its_own_plain_text() {
        for s in [
            "Paged the on-call (alice@example.com): error rate 5% over 10:24, p99 = 2.5s; rolled back.",
            "Ann said \"it's the cache\" / retried +3 times?",
            "é ü 日本 ok",
            "a  b",
            "x",
            "See http://example.com/x and www.example.com today",
        ] {
            assert!(is_inert_line(s), "{s}");
            assert_eq!(plain_text(s), parsed_plain_text(s), "{s}");
        }
        // Markup, line starts Markdown reads, trailing spaces: parsed.
        for s in ["**b**", "1. list", "- item", "# h", "> q", "a `c`", "a &amp; b", "a\nb", "a ", " a", "", "a <b>"] {
            assert!(!is_inert_line(s), "{s:?}");
        }
        assert_eq!(plain_text("a &amp; *b*"), "a & b\n");
    }

    proptest::proptest! {
        #[test]
        fn the_shortcut_agrees_with_the_parser(s in "[a-zA-Zé][a-zA-Z0-9é ,.:;'\"()/%?=+@-]{0,40}") {
            proptest::prop_assert_eq!(plain_text(&s), parsed_plain_text(&s));
        }
    }

    #[test]
    fn layout_normalises_the_retros_folder() {
        let root = Path::new("/b");
        for written in ["retros", "./retros", "retros/", "/retros/"] {
            let l = Layout::new(root, written);
            assert_eq!(l.retros_dir, "retros", "{written}");
            assert_eq!(l.retros(), Path::new("/b/retros"));
            assert_eq!(l.book_path("2024/x.md"), "retros/2024/x.md");
        }
        for written in ["", "./", "/"] {
            let l = Layout::new(root, written);
            assert_eq!(l.retros_dir, "", "{written:?}");
            assert_eq!(l.retros(), Path::new("/b"));
            assert_eq!(l.book_path("x.md"), "x.md");
        }
        assert_eq!(Layout::new(root, "docs/retros").book_path("x.md"), "docs/retros/x.md");
        assert_eq!(Layout::new(root, "retros").theme(), Path::new("/b/theme"));
    }

    #[test]
    fn comments_across_blank_lines_and_unterminated_ones_are_removed() {
        assert_eq!(strip_html_comments("a <!-- x\n\ny --> b <!--c-->d"), "a  b d");
        assert_eq!(strip_html_comments("keep <!-- open\n\nto the end"), "keep ");
        assert_eq!(strip_html_comments("<!---->x"), "x");
        assert_eq!(strip_html_comments("no comment"), "no comment");
    }
}

#[cfg(test)]
mod duration_tests {
    use super::{DurationStyle, human_duration};

    #[test]
    fn durations_in_prose_for_pages() {
        let cases = [
            (0, "0 s"),
            (45, "45 s"),
            (60, "1 min"),
            (12 * 60 + 59, "12 min"),
            (3600, "1 h"),
            (6000, "1 h 40 min"),
            (86_400, "1 d"),
            (2 * 86_400 + 3 * 3600 + 59, "2 d 3 h"),
            (-720, "−12 min"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s, DurationStyle::Prose), want);
        }
    }

    #[test]
    fn compact_durations_for_the_terminal() {
        let cases = [
            (45, "45s"),
            (301, "5m01s"),
            (2400, "40m"),
            (9000, "2h30m"),
            (14_400, "4h"),
            (86_400, "1d"),
            (86_400 + 4 * 3600 + 59, "1d04h"),
            (-90, "-1m30s"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s, DurationStyle::Compact), want);
        }
    }

    #[test]
    fn the_extremes_do_not_overflow() {
        assert!(human_duration(i64::MIN, DurationStyle::Prose).starts_with('−'));
        assert!(human_duration(i64::MAX, DurationStyle::Compact).ends_with('h'));
    }
}
