//! A fast path for the YAML that front matter is almost always written in.
//!
//! yaml-rust2 is general and careful, and it costs ~100 µs for a typical 2 KB front matter; with
//! 10,000 retros that is most of the load time. This parser handles only the common subset — block
//! maps and sequences, one-line flow sequences, `{}`, plain and one-line quoted scalars, comments —
//! and builds exactly the tree (positions included) that `value::parse_yaml` builds from
//! yaml-rust2's events. Anything else, including every error, returns `None` so that the caller
//! falls back to yaml-rust2, which stays the reference for meaning and for error messages.
//!
//! Positions follow yaml-rust2's markers, found empirically (see the tests):
//! - a scalar or key: its first character (the quote of a quoted scalar);
//! - a block map: the `:` after its first key;
//! - a block sequence: the `-` of its first entry, except for a sequence written at the same
//!   indentation as its key ("indentless"), which starts where the first entry's content does;
//! - a flow sequence or `{}`: its bracket;
//! - an empty value: the next token — the next key, the content after the next `-` of the same
//!   sequence, the first character of a less indented line, or the end of the text (`next_token`).

use crate::diagnostic::Pos;
use crate::value::{Key, Node, NodeKind};

/// Parses the common subset of YAML front matter directly; `None` means "outside the subset: use yaml-rust2".
pub fn parse(text: &str, first_line: u32) -> Option<Node> {
    #[cfg(test)]
    if tests::FAST_PATH_OFF.get() {
        return None;
    }
    // Tabs, carriage returns, NULs (yaml-rust2 stops there), other control characters, a BOM and
    // the Unicode line separators all have special rules; none of them belongs in the fast path.
    // (Byte patterns: U+0085 is C2 85, U+2028/9 are E2 80 A8/A9, U+FEFF is EF BB BF.)
    let b = text.as_bytes();
    let special = |i: usize| match b[i] {
        b'\n' => false,
        0..0x20 | 0x7f => true,
        0xc2 => b.get(i + 1) == Some(&0x85),
        0xe2 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xa8 | 0xa9)),
        0xef => b.get(i + 1) == Some(&0xbb) && b.get(i + 2) == Some(&0xbf),
        _ => false,
    };
    // A branch-free test per chunk (it vectorises); the precise one only where it might matter.
    let suspect = |chunk: &[u8]| chunk.iter().fold(false, |acc, &x| acc | ((x < 0x20) & (x != b'\n')) | (x >= 0x7f));
    if b.chunks(32).enumerate().any(|(c, chunk)| suspect(chunk) && (c * 32..c * 32 + chunk.len()).any(special)) {
        return None;
    }
    let last_len = text.rsplit('\n').next().unwrap_or_default().chars().count();
    let (entries, items) = (Vec::with_capacity(32), Vec::with_capacity(32));
    let mut p = Parser { text, next: 0, next_no: 0, cur: None, first_line, last_len, entries, items, depth: 0 };
    p.advance()?;
    let Some(first) = p.cur else {
        // No document at all: `parse_yaml` makes this an empty map at the first line.
        return Some(Node { pos: Pos::new(first_line, 1), kind: NodeKind::Map(Vec::new()) });
    };
    // Front matter is a map; a root sequence or scalar is rare enough to leave to yaml-rust2.
    if first.is_dash() {
        return None;
    }
    let root = p.map(first.col, None)?;
    p.cur.is_none().then_some(root)
}

/// A line with content (blank and comment-only lines are skipped).
#[derive(Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    /// Byte offset of the content being parsed; moves right for the content of `- ` entries.
    start: usize,
    /// Character column of `start`, which is the indentation of the node starting there.
    col: usize,
    /// 0-based line number in the text.
    no: u32,
    ascii: bool,
}

impl Line<'_> {
    /// A block sequence entry: `-` followed by a space or the end of the line.
    fn is_dash(&self) -> bool {
        let r = &self.text.as_bytes()[self.start..];
        r.first() == Some(&b'-') && r.get(1).is_none_or(|&b| b == b' ')
    }

    /// The character column of a byte offset in this line.
    fn col_of(&self, byte: usize) -> usize {
        if self.ascii { byte } else { self.text[..byte].chars().count() }
    }

    /// Byte offset of the content after a `- ` at `start`; the line's end if only a comment follows.
    fn after_dash(&self) -> usize {
        let content = skip_spaces(self.text, self.start + 1);
        if self.text[content..].starts_with('#') { self.text.len() } else { content }
    }
}

/// A recursive-descent parser over lines. Only the current line is ever looked at, so lines are
/// read as they are needed rather than collected first.
struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next line; past the end when every line has been read.
    next: usize,
    /// The line number of the next line.
    next_no: u32,
    /// The current content line; `None` at the end of the text.
    cur: Option<Line<'a>>,
    first_line: u32,
    /// The character length of the text's last line (0 after a final `\n`).
    last_len: usize,
    /// Entries and items of the open maps and sequences, innermost last: each container is
    /// copied out once at its exact size when it closes, instead of growing a `Vec` of its own.
    entries: Vec<(Key, Node)>,
    items: Vec<Node>,
    /// Block maps and sequences open around the current line. Deeper than
    /// [`MAX_DEPTH`](crate::value::MAX_DEPTH) is yaml-rust2's to report.
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Moves to the next content line; `None` for lines that change the document structure.
    fn advance(&mut self) -> Option<()> {
        self.cur = None;
        let b = self.text.as_bytes();
        while self.next <= b.len() {
            let end = find2(b, self.next, b'\n', b'\n');
            let raw = &self.text[self.next..end];
            let no = self.next_no;
            (self.next, self.next_no) = (end + 1, no + 1);
            // Document markers and directives at column 0.
            if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
                return None;
            }
            let start = raw.bytes().position(|c| c != b' ').unwrap_or(raw.len());
            if start < raw.len() && raw.as_bytes()[start] != b'#' {
                self.cur = Some(Line { text: raw, start, col: start, no, ascii: raw.is_ascii() });
                break;
            }
        }
        Some(())
    }

    fn pos(&self, line: &Line, byte: usize) -> Pos {
        Pos::new(self.first_line + line.no, line.col_of(byte) as u32 + 1)
    }

    /// A block map or sequence starting on the current line, indented to `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        if self.cur?.is_dash() { self.seq(indent, false) } else { self.map(indent, None) }
    }

    /// A block map: `key: value` lines at exactly `indent`; `first` is its first key when the
    /// caller has parsed it already.
    fn map(&mut self, indent: usize, mut first: Option<(Key, usize)>) -> Option<Node> {
        self.enter()?;
        let base = self.entries.len();
        let mut map_pos = None;
        while let Some(line) = self.cur {
            if line.col < indent {
                break;
            }
            // Deeper lines here would be a multi-line scalar or an error; `-` needs an empty key.
            if line.col > indent || line.is_dash() {
                return None;
            }
            let (key, colon) = match first.take() {
                Some(k) => k,
                None => self.key(&line)?,
            };
            map_pos.get_or_insert(self.pos(&line, colon));
            if self.entries[base..].iter().any(|(k, _)| k.name == key.name) {
                return None; // let yaml-rust2 report the duplicate
            }
            let value_at = skip_spaces(line.text, colon + 1);
            let value = if value_at == line.text.len() || line.text[value_at..].starts_with('#') {
                self.advance()?;
                match self.cur {
                    Some(next) if next.col > indent => self.block(next.col)?,
                    // YAML lets a key's sequence sit at the key's own indentation.
                    Some(next) if next.col == indent && next.is_dash() => self.seq(indent, true)?,
                    _ => Node { pos: self.next_token(indent), kind: NodeKind::Null },
                }
            } else {
                self.inline_line(&line, value_at)?
            };
            self.entries.push((key, value));
        }
        self.depth -= 1;
        Some(Node { pos: map_pos?, kind: NodeKind::Map(self.entries.drain(base..).collect()) })
    }

    /// A block sequence: `- ` entries at exactly `indent`. `indentless` when it sits at the same
    /// indentation as its key, which moves its start marker to the first entry's content.
    fn seq(&mut self, indent: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let first = self.cur?;
        let seq_pos = self.pos(&first, if indentless { first.after_dash() } else { first.start });
        let base = self.items.len();
        while let Some(mut line) = self.cur {
            if line.col < indent || (line.col == indent && !line.is_dash()) {
                break; // the parent decides whether this line belongs to it
            }
            if line.col > indent {
                return None;
            }
            let content = line.after_dash();
            if content == line.text.len() {
                self.advance()?;
                // Content on the following lines of an empty `-` is left to yaml-rust2.
                if self.cur.is_some_and(|l| l.col > indent) {
                    return None;
                }
                self.items.push(Node { pos: self.next_token(indent), kind: NodeKind::Null });
                continue;
            }
            // The entry's content is parsed as if its line started there: a nested `- ` or
            // `key: value` opens a block indented to that column.
            line.col = line.col_of(content);
            line.start = content;
            self.cur = Some(line);
            let item = if line.is_dash() {
                self.seq(line.col, false)?
            } else if let Some(key) = self.key(&line) {
                self.map(line.col, Some(key))?
            } else {
                self.inline_line(&line, content)?
            };
            self.items.push(item);
        }
        self.depth -= 1;
        Some(Node { pos: seq_pos, kind: NodeKind::Seq(self.items.drain(base..).collect()) })
    }

    /// One level deeper, unless that is too deep for the fast path (`None` ends it: a failed
    /// parse is abandoned whole, so the count needs no unwinding).
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= crate::value::MAX_DEPTH).then_some(())
    }

    /// Where yaml-rust2 places an empty value that ends before the current line: see the module
    /// docs. `indent` is that of the innermost block holding the value.
    fn next_token(&self, indent: usize) -> Pos {
        match self.cur {
            None => {
                // At the end of the text yaml-rust2 first closes the blocks indented deeper than
                // where it stands, then moves to the start of the next line to end the stream.
                let (line, col) = (self.next_no - 1, self.last_len);
                let (line, col) = if indent > col || col == 0 { (line, col) } else { (line + 1, 0) };
                Pos::new(self.first_line + line, col as u32 + 1)
            }
            Some(l) if l.col == indent && l.is_dash() => self.pos(&l, l.after_dash()),
            Some(l) => self.pos(&l, l.start),
        }
    }

    /// A key at the start of `line`: the key and the byte offset of its `:`.
    fn key(&self, line: &Line) -> Option<(Key, usize)> {
        let (node, end) = match line.text.as_bytes()[line.start] {
            b'"' | b'\'' => self.quoted(line, line.start)?,
            _ => {
                let (node, end, stop) = self.plain(line, line.start, false)?;
                (node, if stop == Stop::Colon { end } else { return None })
            }
        };
        let colon = skip_spaces(line.text, end);
        let after = line.text.as_bytes().get(colon + 1);
        // yaml-rust2 limits implicit keys to 1024 characters.
        if line.text.as_bytes().get(colon) != Some(&b':')
            || after.is_some_and(|&b| b != b' ')
            || line.col_of(colon) - line.col > 1000
        {
            return None;
        }
        let name = match node.kind {
            NodeKind::Str(s) => s,
            _ => node.scalar_text().unwrap_or_default(),
        };
        Some((Key { name, pos: node.pos }, colon))
    }

    /// A value that must end its line (but for a comment), starting at byte `at` of `line`.
    fn inline_line(&mut self, line: &Line, at: usize) -> Option<Node> {
        let text = line.text;
        let (node, end) = match text.as_bytes()[at] {
            b'"' | b'\'' => self.quoted(line, at)?,
            b'[' => self.flow_seq(line, at, self.depth + 1)?,
            b'{' => self.empty_flow_map(line, at, self.depth + 1)?,
            _ => {
                let (node, end, stop) = self.plain(line, at, false)?;
                (node, if stop == Stop::End { end } else { return None })
            }
        };
        let rest = skip_spaces(text, end);
        // A comment needs a space before it; anything else after a value is beyond the subset.
        if rest < text.len() && !(rest > end && text.as_bytes()[rest] == b'#') {
            return None;
        }
        self.advance()?;
        Some(node)
    }

    /// A plain scalar starting at byte `at`; returns it, the byte where it ends (trailing spaces
    /// excluded) and what stopped it.
    fn plain(&self, line: &Line, at: usize, flow: bool) -> Option<(Node, usize, Stop)> {
        let text = line.text;
        let b = text.as_bytes();
        let next_blank = |j: usize| b.get(j + 1).is_none_or(|&c| c == b' ' || (flow && is_flow(c)));
        // Indicators cannot start a plain scalar (`-` can, before a non-blank); `?` and `:` can
        // in some contexts, but rarely enough that they go to yaml-rust2.
        match b[at] {
            b'-' if next_blank(at) => return None,
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@'
            | b'`' | b'?' | b':' => return None,
            _ => {}
        }
        let mut j = at;
        let stop = loop {
            // Only these bytes can end a plain scalar; skip the rest quickly.
            if flow {
                while j < b.len() && !matches!(b[j], b':' | b'#' | b',' | b'[' | b']' | b'{' | b'}') {
                    j += 1;
                }
            } else {
                j = find2(b, j, b':', b'#');
            }
            match b.get(j) {
                None => break Stop::End,
                Some(b':') if next_blank(j) => break Stop::Colon,
                Some(b'#') if b[j - 1] == b' ' => break Stop::End,
                Some(&c) if flow && is_flow(c) => break Stop::Flow,
                _ => j += 1,
            }
        };
        // In a flow sequence yaml-rust2 also rejects a `-` before a flow indicator after a space.
        if stop == Stop::Flow && text[at..j].ends_with(" -") {
            return None;
        }
        let value = text[at..j].trim_end_matches(' ');
        let end = at + value.len();
        // Only a digit, a sign or a dot can start an i64 or a finite f64, and no null or boolean
        // is longer than five characters: most words need no resolving.
        let kind = match value.as_bytes()[0] {
            b'0'..=b'9' | b'+' | b'-' | b'.' => super::plain_scalar(value),
            _ if value.len() > 5 => NodeKind::Str(value.to_string()),
            _ => super::plain_scalar(value),
        };
        Some((Node { pos: self.pos(line, at), kind }, end, stop))
    }

    /// A one-line single- or double-quoted scalar at byte `at`; returns it and the byte after it.
    fn quoted(&self, line: &Line, at: usize) -> Option<(Node, usize)> {
        let text = line.text;
        let quote = text.as_bytes()[at];
        let pos = self.pos(line, at);
        // Most quoted scalars have no escapes: take them as one slice.
        let body = &text[at + 1..];
        let k = find2(body.as_bytes(), 0, quote, if quote == b'"' { b'\\' } else { quote });
        if body.as_bytes().get(k) == Some(&quote) && !(quote == b'\'' && body[k + 1..].starts_with('\'')) {
            return Some((Node { pos, kind: NodeKind::Str(body[..k].to_string()) }, at + k + 2));
        }
        let mut out = String::new();
        let mut chars = body.char_indices();
        // A missing closing quote means a multi-line scalar (or an error): yaml-rust2's job.
        while let Some((k, c)) = chars.next() {
            match c {
                '\'' if quote == b'\'' => {
                    if body[k + 1..].starts_with('\'') {
                        chars.next();
                        out.push('\'');
                    } else {
                        return Some((Node { pos, kind: NodeKind::Str(out) }, at + k + 2));
                    }
                }
                '"' if quote == b'"' => return Some((Node { pos, kind: NodeKind::Str(out) }, at + k + 2)),
                '\\' if quote == b'"' => {
                    let hex = |chars: &mut std::str::CharIndices, n: usize| {
                        let digits: String = chars.take(n).map(|(_, c)| c).collect();
                        // (`from_str_radix` alone would accept a sign.)
                        if digits.len() != n || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return None;
                        }
                        u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
                    };
                    out.push(match chars.next()?.1 {
                        '\\' => '\\',
                        '"' => '"',
                        '/' => '/',
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        'x' => hex(&mut chars, 2)?,
                        'u' => hex(&mut chars, 4)?,
                        'U' => hex(&mut chars, 8)?,
                        // The rarer YAML escapes (`\e`, `\N`, `\_`, `\ `, …) are left to yaml-rust2.
                        _ => return None,
                    });
                }
                _ => out.push(c),
            }
        }
        None
    }

    /// A flow sequence that closes on its line: `[a, "b", [c], {}]`. Returns it and the byte
    /// after its `]`. `depth` counts it and the collections around it.
    fn flow_seq(&self, line: &Line, at: usize, depth: usize) -> Option<(Node, usize)> {
        if depth > crate::value::MAX_DEPTH {
            return None;
        }
        let text = line.text;
        let mut items = Vec::new();
        let mut j = skip_spaces(text, at + 1);
        if text.as_bytes().get(j) == Some(&b']') {
            return Some((Node { pos: self.pos(line, at), kind: NodeKind::Seq(items) }, j + 1));
        }
        loop {
            let (item, end) = match *text.as_bytes().get(j)? {
                b'"' | b'\'' => self.quoted(line, j)?,
                b'[' => self.flow_seq(line, j, depth + 1)?,
                b'{' => self.empty_flow_map(line, j, depth + 1)?,
                _ => {
                    let (node, end, stop) = self.plain(line, j, true)?;
                    (node, if stop == Stop::Flow { end } else { return None })
                }
            };
            items.push(item);
            // After an item only `,` (followed by another item: no trailing comma) or `]`.
            j = skip_spaces(text, end);
            match text.as_bytes().get(j) {
                Some(b',') => j = skip_spaces(text, j + 1),
                Some(b']') => return Some((Node { pos: self.pos(line, at), kind: NodeKind::Seq(items) }, j + 1)),
                _ => return None,
            }
        }
    }

    /// `{}` (spaces allowed inside); any other flow map is left to yaml-rust2.
    fn empty_flow_map(&self, line: &Line, at: usize, depth: usize) -> Option<(Node, usize)> {
        if depth > crate::value::MAX_DEPTH {
            return None;
        }
        let close = skip_spaces(line.text, at + 1);
        (line.text.as_bytes().get(close) == Some(&b'}'))
            .then(|| (Node { pos: self.pos(line, at), kind: NodeKind::Map(Vec::new()) }, close + 1))
    }
}

/// Why a plain scalar ended.
#[derive(PartialEq)]
enum Stop {
    /// The end of the line or a comment.
    End,
    /// A `:` followed by a blank: the scalar is a key.
    Colon,
    /// A flow indicator, in a flow sequence.
    Flow,
}

fn is_flow(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// The index of the first `x` or `y` in `b` from `j` on (or `b.len()`), eight bytes at a time:
/// finding line ends, the end of plain scalars (mostly prose) and of quoted ones is the bulk of
/// the work.
fn find2(b: &[u8], mut j: usize, x: u8, y: u8) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(j..j + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let (u, v) = (w ^ (LO * x as u64), w ^ (LO * y as u64));
        // A zero byte in `u` or `v` is a match; the lowest flagged byte is always a true one.
        let zero = ((u.wrapping_sub(LO) & !u) | (v.wrapping_sub(LO) & !v)) & HI;
        if zero != 0 {
            return j + (zero.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    j + b[j..].iter().position(|&c| c == x || c == y).unwrap_or(b.len() - j)
}

fn skip_spaces(text: &str, from: usize) -> usize {
    from + text.as_bytes()[from.min(text.len())..].iter().take_while(|&&b| b == b' ').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{SyntaxError, parse_yaml};
    use std::cell::Cell;
    use std::path::{Path, PathBuf};

    thread_local! {
        /// Set while computing the reference tree, so that `parse_yaml` takes the yaml-rust2 path.
        pub(super) static FAST_PATH_OFF: Cell<bool> = const { Cell::new(false) };
    }

    /// The tree yaml-rust2 builds (through `parse_yaml` with the fast path switched off).
    fn reference(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
        FAST_PATH_OFF.set(true);
        let r = parse_yaml(text, first_line);
        FAST_PATH_OFF.set(false);
        r
    }

    /// Checks one input; true when it took the fast path.
    fn check(name: &str, text: &str) -> bool {
        match parse(text, 2) {
            Some(fast) => {
                let slow = reference(text, 2);
                assert_eq!(slow.as_ref(), Ok(&fast), "fast path differs from yaml-rust2 on {name}:\n{text}");
                true
            }
            None => false,
        }
    }

    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() { files(&p, out) } else { out.push(p) }
        }
        out.sort();
    }

    /// The YAML front matter of a file, cut as `frontmatter::cut` does (between `---` lines).
    fn matter(text: &str) -> Option<&str> {
        let first = text.lines().next()?;
        if first.trim_end() != "---" {
            return None;
        }
        let start = first.len() + 1;
        let mut offset = start;
        for line in text.get(start..)?.split_inclusive('\n') {
            if matches!(line.trim_end(), "---" | "...") {
                return Some(&text[start..offset]);
            }
            offset += line.len();
        }
        None
    }

    /// Front matters under a folder: (checked, fast) counts. With `whole`, every file's whole text
    /// is an input as well (Markdown parsed as YAML makes a good stream of odd inputs).
    fn corpus(dir: &Path, whole: bool) -> (usize, usize) {
        let mut paths = Vec::new();
        files(dir, &mut paths);
        let (mut n, mut fast) = (0, 0);
        for p in &paths {
            let Ok(text) = std::fs::read_to_string(p) else { continue };
            let name = p.display().to_string();
            if let Some(m) = matter(&text) {
                n += 1;
                fast += check(&name, m) as usize;
            }
            if whole {
                check(&name, &text);
            }
        }
        (n, fast)
    }

    #[test]
    fn sample_and_synthetic_retros_all_take_the_fast_path() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (n, fast) = corpus(&root.join("retros"), false);
        eprintln!("sample retros: {fast}/{n} on the fast path");
        assert!(n >= 10 && fast == n, "{fast}/{n}");
        // A book written by `cargo run --release --example synth -- --retros 1000 --out DIR`, named
        // by RETROBOOK_SYNTH_BOOK=DIR (docs/benchmarks.md); without it this half is skipped.
        let Some(synth) = std::env::var_os("RETROBOOK_SYNTH_BOOK") else {
            eprintln!("note: RETROBOOK_SYNTH_BOOK is not set; skipping the synthetic retros");
            return;
        };
        let (n, fast) = corpus(&Path::new(&synth).join("retros"), false);
        eprintln!("synthetic retros: {fast}/{n} on the fast path");
        assert!(n > 0, "RETROBOOK_SYNTH_BOOK={} holds no retros", Path::new(&synth).display());
        assert_eq!(fast, n);
    }

    #[test]
    fn fixtures_and_real_corpus_agree_with_yaml_rust2() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut fixture_dirs = Vec::new();
        for e in std::fs::read_dir(root.join("tests/fixtures")).into_iter().flatten().flatten() {
            fixture_dirs.push(e.path().join("retros"));
        }
        let (mut n, mut fast) = (0, 0);
        for d in fixture_dirs {
            let (a, b) = corpus(&d, true);
            (n, fast) = (n + a, fast + b);
        }
        eprintln!("fixture front matters: {fast}/{n} on the fast path");
        assert!(n > 10, "the fixtures are missing");
        if let Some(real) = crate::test_corpus::corpus() {
            let (n, fast) = corpus(&real, true);
            eprintln!("real-world corpus front matters: {fast}/{n} on the fast path");
        }
    }

    /// Inputs the fast path must take, and get right.
    const FAST: &[&str] = &[
        "id: a\ntitle: Hello world\n",
        "a: \"x \\\" y \\\\ z \\n \\t \\r \\0 \\/ \\x41 \\u00e9 \\U0001F600\"\n",
        "a: 'it''s # not a comment'\nb: ''''\n",
        "a: \"# not a comment\" # a comment\n",
        "a: b#c\nb: b #c\nc: b  # c  \n",
        "k:\n  - - nested\n    - more\n  - x\n",
        "k:\n",
        "k:",
        "k: # c\n",
        "k:   \nj: 1",
        "a:\n- x\n- y\nb: 1\n",
        "a: 1   \nb: x y   \n",
        "a:\n  - x\n  # c\n\n  - y # c\n    # deeper comment\n",
        "a: 1.0\nb: 1e3\nc: 0x1F\nd: .5\ne: -3\nf: +4\ng: 1_000\nh: 0o17\ni: 1.5e-3\nj: inf\nk: .inf\nl: NaN\n",
        "m: 0\nn: 007\no: 99999999999999999999\np: -0\nq: 1.\nr: 1e400\ns: -.5e+2\n",
        "date: 2024-01-01\nat: 2024-01-01 10:00\nts: 2024-01-01T10:00:00Z\ntime: 10:00\n",
        "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nUll\n",
        "a: True\nb: TRUE\nc: true\nd: tRue\ne: no\nf: yes\ng: on\nh: off\ni: y\nj: n\nk: False\n",
        "título: café ☕\nemoji: 😀 x\nk: [é, \"ü\", 'ß']\n",
        "k: [a, \"b, c\", 'd', [e, f], {}, []]\n",
        "k: []\nl: [ ]\nm: {}\nn: { }\no: [ a , b ]\n",
        "\"quoted key\": 1\n'single key': 2\n\"k\\u00e9\": 3\n\"spaced\"  : 4\n",
        "k:\n  - id: x\n    v: 1\n  - id: y\n    v:\n      - a\n",
        "a:\n- k:\n  - x\n- j: 1\n",
        "a:\n  b:\n    c:\n      d: 1\n  e: 2\nf: 3\n",
        "# leading comment\n\na: 1 # trailing\n# between\nb: 2\n\n# end\n",
        "  a: 1\n  b: 2\n",
        "a:    spaced\na b : 1\n",
        "url: http://example.com/a?b=c#frag\n",
        "a: x-y\nb: -x\nc: --\nd: ---\ne: -1-\n",
        "a: [http://x, a:b, a :b, a - b]\n",
        "1: one\n2.0: two\ntrue: three\n~: four\n",
        "a:\n  -\n  - x\n  -\n",
        "a:\n-\n- x\n-\nb: 1\n",
        "a:\n-   # c\n- x\n",
        "a:\n  - k:\n    j: 1\n  - k:\n  - y\n",
        "a:\n- k:\n- y\n",
        "a: 'x'\nb: \"\"\nc: ''\n",
        "a: x\"y\nb: x'y\nc: it's\n",
        "a: [\"a]\", 'b,', \"c # d\"]\n",
        "key with spaces: value with spaces\n",
        "a: b,c\nb: x]y\nc: x}\nd: a[b]\ne: x{y\n",
        "a: 1\n\n\n",
        "a:\n  # only comment\n",
        "a:\n  # c\nb: 1\n",
        "a: [a,b,c]\n",
        "a:\n    - x\n    - y\nb:\n  - z\n",
        "a: \"\\x41\\u0042\"\n",
        "list:\n  - [a, b]\n  - []\n  - {}\n  - 'q'\n  - \"r\" # c\n",
        "a: x:y\nb: x::y\n",
        "é: ü\nü:\n  - é\n  - ü: é\n    ß: 1\n",
        "k: \"😀\" # é\nl: [😀, \"é\"]\nm: 😀 😀 # x\n",
        "a:\n  - - x\n    - y\n  - - z\n",
        "a:\n  - - - x\n      - y\n",
        "a:\n  - k: v\n    l:\n    - x\n    m: 1\n",
        "a: 'x' \nb: \"y\"   # c\n",
        "a-b_c.d: 1\n/path: 2\n",
        "a: x #\nb: y#\n",
        "a:\n\n\n  b: 1\n\n",
        "a:\n  b:\n  c:\n",
        "a:\n  b:\n    - x\n  c:\n  - y\n",
        "a: \"\\\\\"\nb: '\\'\nc: \"\\\"\"\n",
        "x: 1\n# c\n",
        "x: 1\n   ",
        "x: 1\n  # c",
        "a:\n  b:\n  c:\n#",
        "a:\n  b:\n  c:\n #",
        "a:\n  - x\n  -\n#",
        "a:\n  b:\n    c:\n #é",
        "a:\n  b:\n    c:\n   #é",
        "a: [a -x, b- ]\n",
        "",
        "\n\n# only comments\n",
    ];

    /// Inputs outside the subset: the fast path must hand them to yaml-rust2.
    const SLOW: &[&str] = &[
        "a: |\n  text\n",
        "a: >\n  folded\n",
        "a: &x 1\nb: *x\n",
        "a: !tag x\n",
        "a: {b: 1}\n",
        "a: multi\n  line\n",
        "a: [x,\n  y]\n",
        "? complex\n: v\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n",
        "a\n",
        "a: 1\na: 2\n",
        "1: a\n1.0: b\n",
        "a: b: c\n",
        "\ta: 1\n",
        "a:\n\t- x\n",
        "a: x\tb\n",
        "a: \"multi\n  line\"\n",
        "a: \"\\e\"\n",
        "a: \"\\x4\"\n",
        "a: \"\\x+1\"\n",
        "a: \"\\ud800\"\n",
        "a: 'unterminated\n",
        "a: [a, b,]\n",
        "a: [a, , b]\n",
        "a: - x\n",
        "a: -\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n  b: 2\n",
        "a: \"x\" y\n",
        "a: \"x\"#y\n",
        "a: x\r\nb: y\r\n",
        "- x\n- y\n",
        "a: [a: b]\n",
        "a: [a #b]\n",
        "a: [-]\n",
        "a: [- a]\n",
        "a: [a -]\n",
        "a: [x, a -, b]\n",
        "a: @x\n",
        "a: `x`\n",
        "a:\n  -\n    x\n",
        "a:\n  text on the next line\n",
        "a: 1\n- x\n",
        "\"a\":1\n",
        "a:x\n",
        "a: [x] y\n",
        "a: {} y\n",
        "a: ?x\n",
        "a: :x\n",
        "a:\n  - x\n - y\n",
        "a:\n  - k: v\n  - x\n   - y\n",
        "- k: v\n  - x\n",
        "\u{feff}a: 1\n",
        "a: x\u{2028}y\n",
        "a: nul\0\n",
        "\"a\nb\": 1\n",
        "a: \"x\" : y\n",
        "c: 'a': 1\n",
        "a: [x]: y\n",
        "a:\n  [x]\n",
    ];

    #[test]
    fn hand_written_edge_cases() {
        for (i, case) in FAST.iter().enumerate() {
            assert!(check(&format!("FAST[{i}]"), case), "FAST[{i}] took the fallback: {case:?}\n{:?}", {
                reference(case, 2)
            });
        }
        for (i, case) in SLOW.iter().enumerate() {
            assert!(parse(case, 2).is_none(), "SLOW[{i}] took the fast path: {case:?}");
        }
        // Long lines: values have no length limit, implicit keys do (1024 characters).
        let long = "x y".repeat(1000);
        assert!(check("long values", &format!("a: {long}\nb: \"{long}\"\nc:\n- {long}\n- k: {long}\n")));
        assert!(parse(&format!("{long}: 1\n"), 2).is_none());
        eprintln!("hand-written: {} on the fast path, {} sent to yaml-rust2", FAST.len() + 1, SLOW.len() + 1);
    }

    #[test]
    fn positions_match_yaml_rust2_markers() {
        // The marker rules the fast path relies on, spelt out (the other tests compare whole trees).
        let n = parse("a:\n- x\nb:\n  - k: v\n    j:\nc:\n", 1).unwrap();
        assert_eq!(n.pos, Pos::new(1, 2), "a block map starts at its first `:`");
        assert_eq!(n.get("a").unwrap().pos, Pos::new(2, 3), "an indentless sequence at its first content");
        let b = n.get("b").unwrap();
        assert_eq!(b.pos, Pos::new(4, 3), "a block sequence at its first `-`");
        let NodeKind::Seq(items) = &b.kind else { panic!("b is a list") };
        assert_eq!(items[0].pos, Pos::new(4, 6));
        assert_eq!(items[0].get("j").unwrap().pos, Pos::new(6, 1), "an empty value at the next token");
        assert_eq!(n.get("c").unwrap().pos, Pos::new(7, 1), "an empty value at the end of the stream");
    }

    /// A deterministic linear congruential generator (Knuth's MMIX constants).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    fn mutate(text: &str, rng: &mut Lcg) -> String {
        const ALPHABET: &[char] =
            &[' ', ' ', ' ', '\n', ':', '-', '#', '"', '\'', '[', ']', ',', '{', '}', '\\', 'a', '1', '.', 'é', '\t'];
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..1 + rng.next(3) {
            match rng.next(4) {
                0 => {
                    let at = rng.next(chars.len() + 1);
                    chars.insert(at, ALPHABET[rng.next(ALPHABET.len())]);
                }
                1 if !chars.is_empty() => {
                    chars.remove(rng.next(chars.len()));
                }
                2 => {
                    let s: String = chars.iter().collect();
                    let mut lines: Vec<&str> = s.split('\n').collect();
                    let (a, b) = (rng.next(lines.len()), rng.next(lines.len()));
                    lines.swap(a, b);
                    chars = lines.join("\n").chars().collect();
                }
                _ => {
                    // Indent or dedent a line by one space.
                    let starts: Vec<usize> = (0..chars.len()).filter(|&i| i == 0 || chars[i - 1] == '\n').collect();
                    let at = if starts.is_empty() { 0 } else { starts[rng.next(starts.len())] };
                    if chars.get(at) == Some(&' ') && rng.next(2) == 0 {
                        chars.remove(at);
                    } else {
                        chars.insert(at, ' ');
                    }
                }
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn random_mutations_never_disagree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut bases: Vec<String> = FAST.iter().chain(SLOW).map(|s| s.to_string()).collect();
        let mut paths = Vec::new();
        files(&root.join("retros"), &mut paths);
        bases.extend(paths.iter().filter_map(|p| matter(&std::fs::read_to_string(p).ok()?).map(str::to_string)));
        let mut rng = Lcg(0x5eed);
        let (mut n, mut fast) = (0, 0);
        for round in 0..40 {
            for (b, base) in bases.iter().enumerate() {
                let text = mutate(base, &mut rng);
                n += 1;
                fast += check(&format!("mutant {round}/{b}"), &text) as usize;
            }
        }
        eprintln!("mutants: {fast}/{n} on the fast path");
        assert!(fast > n / 4, "too few mutants exercise the fast path: {fast}/{n}");
    }
}
