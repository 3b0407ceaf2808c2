//! Diagnostics: what is wrong, where, and what would be right — and the three printers.

use serde::Serialize;
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
            escape_property(&d.file),
            d.line,
            d.column,
            escape_property(d.rule),
            escape_data(&d.message)
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
            paint("1", &d.message)
        );
        let width = d.line.to_string().len();
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad}{} {}:{}:{}", paint("1;34", "-->"), d.file, d.line, d.column);
        let text = cache.entry(d.file.as_str()).or_insert_with(|| source(&d.file));
        if let Some(line) = text.as_deref().and_then(|t| t.lines().nth(d.line as usize - 1)) {
            let line = line.trim_end_matches('\r');
            let bar = paint("1;34", "|");
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {}", paint("1;34", &d.line.to_string()), line.replace('\t', " "));
            let caret_at = (d.column as usize).saturating_sub(1).min(line.chars().count());
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
