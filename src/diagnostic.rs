//! Diagnostics: what is wrong, where, and what would be right — and the three printers.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

/// How serious a diagnostic is. `--strict` turns warnings into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    /// A suggestion (e.g. an incomplete retro): shown by `check`, never fails a run, even with
    /// `--strict` (unless `[retros.required]` makes it an error), not printed by `build`.
    Note,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
    /// The start of a file: used for problems that concern a whole file.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// One problem found in a book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the book root, with `/` separators.
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &str, pos: Pos, rule: &'static str, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            rule,
            level,
            message: message.into(),
        }
    }
    pub fn error(file: &str, pos: Pos, rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(file, pos, rule, Level::Error, message)
    }
    pub fn warning(file: &str, pos: Pos, rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(file, pos, rule, Level::Warning, message)
    }
    pub fn note(file: &str, pos: Pos, rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(file, pos, rule, Level::Note, message)
    }
}

/// Sort diagnostics by file, line, column, rule, so output is stable whatever the load order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, a.level, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, b.level, &b.message))
    });
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like: a snippet of the file with a caret under the problem
    Human,
    /// GitHub Actions workflow commands, shown as annotations on a pull request
    Github,
    /// one JSON array of diagnostics
    Json,
}

/// Text from a book made safe to print on a terminal: control characters (ESC starting ANSI and
/// OSC sequences, CR, C1 codes…) and the bidirectional overrides that reorder what a reader sees
/// are shown escaped, as `\u{1b}`, instead of acting. Tabs become a space.
pub fn printable(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if bad(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Renders diagnostics in GitHub Actions' workflow-command syntax.
pub fn render_github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},title={}::{}",
            escape_property(&printable(&d.file)),
            d.line,
            d.column,
            escape_property(d.rule),
            escape_data(&printable(&d.message))
        );
    }
    out
}

// GitHub's escaping rules for workflow commands: data escapes % CR LF; properties also , and :
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders diagnostics as one pretty JSON array.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let mut s = serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// Renders diagnostics like rustc: header, location, the source line and a caret.
/// `source` returns the text of a file (relative path) when it can be read.
pub fn render_human(diags: &[Diagnostic], color: bool, source: &dyn Fn(&str) -> Option<String>) -> String {
    let paint = |code: &str, s: &str| {
        if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    };
    let mut out = String::new();
    let mut cache: std::collections::HashMap<&str, Option<String>> = Default::default();
    for d in diags {
        let (label, code) = match d.level {
            Level::Error => ("error", "1;31"),
            Level::Warning => ("warning", "1;33"),
            Level::Note => ("note", "1;36"),
        };
        let _ = writeln!(
            out,
            "{}{} {}",
            paint(code, &format!("{label}[{}]", d.rule)),
            paint("1", ":"),
            paint("1", &printable(&d.message))
        );
        let width = d.line.to_string().len();
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad}{} {}:{}:{}", paint("1;34", "-->"), printable(&d.file), d.line, d.column);
        let text = cache.entry(d.file.as_str()).or_insert_with(|| source(&d.file));
        if let Some(line) = text.as_deref().and_then(|t| t.lines().nth(d.line as usize - 1)) {
            let line = line.trim_end_matches('\r');
            let bar = paint("1;34", "|");
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {}", paint("1;34", &d.line.to_string()), printable(line));
            // The caret goes under the column as printed, escapes widening what precedes it.
            let before: String = line.chars().take((d.column as usize).saturating_sub(1)).collect();
            let caret_at = printable(&before).chars().count();
            let _ = writeln!(out, "{pad} {bar} {}{}", " ".repeat(caret_at), paint(code, "^"));
        }
        out.push('\n');
    }
    out
}

/// One line that sums up a run: "3 errors, 1 warning in 2 files".
pub fn summary(diags: &[Diagnostic], retros: usize) -> String {
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let notes = diags.iter().filter(|d| d.level == Level::Note).count();
    let warnings = diags.len() - errors - notes;
    let files = diags.iter().map(|d| d.file.as_str()).collect::<std::collections::BTreeSet<_>>().len();
    let plural = |n: usize, w: &str| if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") };
    if diags.is_empty() {
        format!("checked {}: no problems", plural(retros, "retro"))
    } else {
        format!(
            "checked {}: {}, {} in {}",
            plural(retros, "retro"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        ) + &if notes > 0 { format!(" ({})", plural(notes, "suggestion")) } else { String::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Diagnostic {
        Diagnostic::error(
            "retros/a\u{1b}]8;;x\u{7}.md",
            Pos::new(1, 20),
            "rule",
            "unknown severity `\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}`",
        )
    }

    #[test]
    fn terminal_escapes_from_a_book_are_shown_not_run() {
        let src = |_: &str| Some("severity: \"\u{1b}[2J\u{1b}]0;owned\u{7}\"".to_string());
        // Our own colour codes (ESC [ digits ; m) aside, no control character may reach the terminal.
        let strip_ours = |s: &str| {
            let mut out = String::new();
            let mut rest = s;
            while let Some(i) = rest.find("\u{1b}[") {
                out.push_str(&rest[..i]);
                let after = &rest[i + 2..];
                let n = after.chars().take_while(|c| c.is_ascii_digit() || *c == ';').count();
                if after[n..].starts_with('m') {
                    rest = &after[n + 1..];
                } else {
                    out.push_str("\u{1b}[");
                    rest = after;
                }
            }
            out + rest
        };
        for out in [
            render_human(&[hostile()], false, &src),
            render_human(&[hostile()], true, &src),
            render_github(&[hostile()]),
        ] {
            let left = strip_ours(&out);
            assert!(!left.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{out:?}");
            assert!(out.contains("\\u{1b}[2J"), "the escape is shown: {out:?}");
        }
    }

    #[test]
    fn caret_follows_escapes() {
        let d = Diagnostic::error("f.md", Pos::new(1, 3), "r", "m");
        let out = render_human(&[d], false, &|_| Some("\u{1b}xy".into()));
        assert!(out.contains("| \\u{1b}xy\n"), "{out}");
        assert!(out.contains(&format!("| {}^", " ".repeat(7))), "{out}");
    }
}
