//! Lines of a timeline section: code fences and HTML comments are recognised before anything
//! else; headings, list items and table cells are found by position.

pub(super) enum Mark {
    Text,
    /// A line of a fenced code block; `opens` for the opening fence.
    Code {
        opens: bool,
    },
    /// A line that held only (part of) an HTML comment.
    Hidden,
}

pub(super) struct Line {
    pub(super) text: String,
    pub(super) mark: Mark,
}

pub(super) fn preprocess(section: &str) -> Vec<Line> {
    let (mut out, mut fence, mut in_comment) = (Vec::new(), None, false);
    for raw in section.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some((ch, n)) = fence {
            let t = raw.trim();
            if t.len() >= n && t.chars().all(|c| c == ch) {
                fence = None;
            }
            out.push(Line { text: raw.to_string(), mark: Mark::Code { opens: false } });
            continue;
        }
        if !in_comment && let Some(f) = fence_open(raw) {
            fence = Some(f);
            out.push(Line { text: raw.to_string(), mark: Mark::Code { opens: true } });
            continue;
        }
        let (mut text, mut rest, mut had) = (String::new(), raw, in_comment);
        loop {
            if in_comment {
                let Some(e) = rest.find("-->") else { break };
                (rest, in_comment) = (&rest[e + 3..], false);
            } else if let Some(s) = rest.find("<!--") {
                text.push_str(&rest[..s]);
                (rest, in_comment, had) = (&rest[s + 4..], true, true);
            } else {
                text.push_str(rest);
                break;
            }
        }
        let mark = if had && text.trim().is_empty() { Mark::Hidden } else { Mark::Text };
        out.push(Line { text, mark });
    }
    out
}

pub(super) fn fence_open(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    let ch = t.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = t.len() - t.trim_start_matches(ch).len();
    (n >= 3 && !(ch == '`' && t[n..].contains('`'))).then_some((ch, n))
}

/// Labels of reference-link definitions (`[name]: https://…`): `[name]` after a time is a
/// link, not a misspelt kind.
pub(super) fn reference_labels(lines: &[Line]) -> Vec<String> {
    let defs = lines.iter().filter(|l| matches!(l.mark, Mark::Text));
    defs.filter_map(|l| {
        let inner = l.text.trim_start().strip_prefix('[')?;
        Some(inner[..inner.find("]:")?].to_ascii_lowercase())
    })
    .collect()
}

/// Indentation in columns (a tab advances to the next multiple of 4).
pub(super) fn indent_of(s: &str) -> usize {
    s.chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .fold(0, |col, c| if c == '\t' { (col / 4 + 1) * 4 } else { col + 1 })
}

/// `s` without up to `cols` columns of indentation.
pub(super) fn dedent(s: &str, cols: usize) -> &str {
    let mut col = 0;
    for (i, ch) in s.char_indices() {
        if col >= cols || !matches!(ch, ' ' | '\t') {
            return &s[i..];
        }
        col = if ch == '\t' { (col / 4 + 1) * 4 } else { col + 1 };
    }
    ""
}

/// An ATX heading: (level, text start, text end without a closing `#` sequence).
pub(super) fn heading(s: &str) -> Option<(u8, usize, usize)> {
    let lead = s.len() - s.trim_start_matches(' ').len();
    let rest = &s[lead..];
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[hashes..];
    if lead > 3 || !(1..=6).contains(&hashes) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let start = lead + hashes + (after.len() - after.trim_start().len());
    let body = s.trim_end();
    let open = body.trim_end_matches('#');
    let end = if open.len() < body.len() && open.ends_with([' ', '\t']) { open.len() } else { body.len() };
    Some((hashes as u8, start.min(end), end))
}

/// A list item: (content start in bytes, content indent in columns). A task box is skipped.
pub(super) fn list_item(s: &str) -> Option<(usize, usize)> {
    let lead = s.len() - s.trim_start_matches([' ', '\t']).len();
    let rest = &s[lead..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mlen = match digits {
        0 if rest.starts_with(['-', '*', '+']) => 1,
        1..=9 if rest[digits..].starts_with(['.', ')']) => digits + 1,
        _ => return None,
    };
    let after = &rest[mlen..];
    let sp = after.len() - after.trim_start_matches([' ', '\t']).len();
    if sp == 0 && !after.is_empty() {
        return None;
    }
    let mut start = lead + mlen + sp;
    let ci = indent_of(s) + mlen + if (1..=4).contains(&sp) { sp } else { 1 };
    let body = &s[start..];
    if ["[ ]", "[x]", "[X]"].iter().any(|b| body.starts_with(b)) && !body[3..].starts_with(|c: char| !c.is_whitespace())
    {
        start += 3 + (body[3..].len() - body[3..].trim_start().len());
    }
    Some((start, ci))
}

pub(super) fn is_separator(s: &str) -> bool {
    let t = s.trim();
    t.contains('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | ':' | '-' | ' ' | '\t'))
}

/// Byte ranges of a table row's cells, trimmed; outer pipes and escaped `\|` are handled.
pub(super) fn split_cells(s: &str) -> Vec<(usize, usize)> {
    let (mut cells, mut start, mut code, mut prev) = (Vec::new(), 0, false, '\0');
    for (i, ch) in s.char_indices() {
        if ch == '`' {
            code = !code;
        } else if ch == '|' && !code && prev != '\\' {
            cells.push((start, i));
            start = i + 1;
        }
        prev = ch;
    }
    cells.push((start, s.len()));
    if s.trim_start().starts_with('|') {
        cells.remove(0);
    }
    if s.trim_end().ends_with('|') && cells.last().is_some_and(|&(a, b)| s[a..b].trim().is_empty()) {
        cells.pop();
    }
    let trim = |(a, b): (usize, usize)| {
        let cell = &s[a..b];
        let l = cell.len() - cell.trim_start().len();
        (a + l, a + cell.trim_end().len().max(l))
    };
    cells.into_iter().map(trim).collect()
}

/// 1-based column, in characters, of byte `pos` of `line`.
pub(super) fn column(line: &str, pos: usize) -> u32 {
    let chars = line.get(..pos).map_or(0, |p| p.chars().count());
    u32::try_from(chars).unwrap_or(u32::MAX - 1) + 1
}
