//! Diagnostics: what is wrong, where, and what would be right — and the three printers.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

pub mod rules;

pub use rules::RULES;

/// How serious a diagnostic is. `--strict` turns warnings into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something is wrong: `check` and `build` fail.
    Error,
    /// Probably wrong: shown, fails only with `--strict`.
    Warning,
    /// A suggestion (e.g. an incomplete retro): shown by `check`, never fails a run, even with
    /// `--strict` (unless `[retros.required]` makes it an error), not printed by `build`.
    Note,
}

impl Level {
    /// The level as printed: `error`, `warning` or `note`.
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
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Pos {
    /// A 1-based line and column.
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
    /// 1-based line in `file`.
    pub line: u32,
    /// 1-based column in `file`.
    pub column: u32,
    /// The rule id (docs/check.md), one of the constants of [`rules`].
    pub rule: &'static str,
    /// How serious it is (`[lint]` in book.toml may change it, see `check::apply_levels`).
    pub level: Level,
    /// What is wrong and what would be right, in a sentence.
    pub message: String,
    /// What the text at the position should be instead, when the code knows it: the nearest
    /// known key, kind, value or id (`services` for `servics`, `[detected]` for `[detectd]`).
    /// The message already says it in words; this is the same fix for code to read (an editor's
    /// quick fix, `adopt`), so nothing has to parse a message. Not part of the printed output.
    #[serde(skip)]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of any level.
    pub fn new(file: &str, pos: Pos, rule: &'static str, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            rule,
            level,
            message: message.into(),
            suggestion: None,
        }
    }
    /// The same diagnostic with a [`suggestion`](Self::suggestion) (or none).
    pub fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// An error: the book does not check.
    pub fn error(file: &str, pos: Pos, rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(file, pos, rule, Level::Error, message)
    }
    /// A warning: printed, fails only with `--strict`.
    pub fn warning(file: &str, pos: Pos, rule: &'static str, message: impl Into<String>) -> Self {
        Self::new(file, pos, rule, Level::Warning, message)
    }
    /// A note: a suggestion, never a failure.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rustc-like: a snippet of the file with a caret under the problem.
    Human,
    /// GitHub Actions workflow commands, shown as annotations on a pull request.
    Github,
    /// One JSON array of diagnostics.
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

/// A message repeated in many files, printed once (human format only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The rule id shared by the grouped diagnostics.
    pub rule: &'static str,
    /// Their level.
    pub level: Level,
    /// The message they all carry.
    pub message: String,
    /// The files, in diagnostic order, each once.
    pub files: Vec<String>,
}

/// From how many files on a message is grouped: an adopted folder repeats the same few messages
/// on every file, and one line says that better than a hundred snippets.
pub(crate) const GROUP_MIN_FILES: usize = 3;
/// How many files a group line names.
const GROUP_SHOWN_FILES: usize = 5;

/// Splits diagnostics into those printed one by one and the groups of one message (same rule,
/// level and text) found in at least `GROUP_MIN_FILES` files. Order is kept.
pub fn group_repeats(diags: &[Diagnostic]) -> (Vec<Diagnostic>, Vec<Group>) {
    use std::collections::{HashMap, HashSet};
    let mut files: HashMap<(&str, Level, &str), Vec<&str>> = HashMap::new();
    // (message, file) pairs already counted: one set lookup instead of a scan per diagnostic.
    let mut seen: HashSet<(&str, Level, &str, &str)> = HashSet::new();
    for d in diags {
        if seen.insert((d.rule, d.level, d.message.as_str(), d.file.as_str())) {
            files.entry((d.rule, d.level, d.message.as_str())).or_default().push(&d.file);
        }
    }
    let grouped = |d: &Diagnostic| files[&(d.rule, d.level, d.message.as_str())].len() >= GROUP_MIN_FILES;
    let single = diags.iter().filter(|d| !grouped(d)).cloned().collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut made = HashSet::new();
    for d in diags.iter().filter(|d| grouped(d)) {
        if made.insert((d.rule, d.level, d.message.as_str())) {
            let f = &files[&(d.rule, d.level, d.message.as_str())];
            groups.push(Group {
                rule: d.rule,
                level: d.level,
                message: d.message.clone(),
                files: f.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    // Most severe first, then the most widespread.
    groups.sort_by(|a, b| {
        (a.level, std::cmp::Reverse(a.files.len()), a.rule).cmp(&(b.level, std::cmp::Reverse(b.files.len()), b.rule))
    });
    (single, groups)
}

/// Renders groups, one line each: the message, then in how many files and the first few.
pub fn render_groups(groups: &[Group], color: bool) -> String {
    let mut out = String::new();
    for g in groups {
        let (label, code) = match g.level {
            Level::Error => ("error", "1;31"),
            Level::Warning => ("warning", "1;33"),
            Level::Note => ("note", "1;36"),
        };
        let head = format!("{label}[{}]", g.rule);
        let head = if color { format!("\x1b[{code}m{head}\x1b[0m") } else { head };
        let shown: Vec<String> = g.files.iter().take(GROUP_SHOWN_FILES).map(|f| printable(f).into_owned()).collect();
        let more = g.files.len().saturating_sub(GROUP_SHOWN_FILES);
        let _ = writeln!(
            out,
            "{head}: {} — in {} files: {}{}",
            printable(&g.message),
            g.files.len(),
            shown.join(", "),
            if more > 0 { format!(", … and {more} more") } else { String::new() }
        );
    }
    if !groups.is_empty() {
        out.push('\n');
    }
    out
}

/// How many diagnostics each rule gave, most severe and most frequent first:
/// `  fm-required      12 warnings`.
pub fn rule_summary(diags: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<&str, [usize; 3]> = Default::default();
    for d in diags {
        let i = match d.level {
            Level::Error => 0,
            Level::Warning => 1,
            Level::Note => 2,
        };
        counts.entry(d.rule).or_default()[i] += 1;
    }
    let mut rows: Vec<(&str, [usize; 3])> = counts.into_iter().collect();
    rows.sort_by(|a, b| {
        let key =
            |r: &(&str, [usize; 3])| (std::cmp::Reverse(r.1[0]), std::cmp::Reverse(r.1[1]), std::cmp::Reverse(r.1[2]));
        key(a).cmp(&key(b)).then(a.0.cmp(b.0))
    });
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let plural = |n: usize, w: &str| if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") };
    let mut out = String::new();
    for (rule, [e, w, n]) in rows {
        let parts: Vec<String> = [(e, "error"), (w, "warning"), (n, "note")]
            .into_iter()
            .filter(|(c, _)| *c > 0)
            .map(|(c, word)| plural(c, word))
            .collect();
        let _ = writeln!(out, "  {rule:<width$}  {}", parts.join(", "));
    }
    out
}

/// Number of errors in a list of diagnostics.
pub fn error_count(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.level == Level::Error).count()
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
    fn repeated_messages_are_grouped_and_the_rest_kept() {
        let mut diags: Vec<Diagnostic> = (0..7)
            .map(|i| Diagnostic::warning(&format!("retros/{i}.md"), Pos::START, "fm-required", "no `severity`"))
            .collect();
        diags.push(Diagnostic::warning("retros/a.md", Pos::START, "fm-unknown-key", "unknown key `x`"));
        diags.push(Diagnostic::warning("retros/b.md", Pos::START, "fm-unknown-key", "unknown key `x`"));
        let (single, groups) = group_repeats(&diags);
        assert_eq!(single.len(), 2, "two files are not a group: {single:?}");
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].files.len(), 7);
        let text = render_groups(&groups, false);
        assert_eq!(
            text,
            "warning[fm-required]: no `severity` — in 7 files: retros/0.md, retros/1.md, retros/2.md, retros/3.md, \
             retros/4.md, … and 2 more\n\n"
        );
    }

    #[test]
    fn rule_summary_counts_each_rule() {
        let diags = vec![
            Diagnostic::warning("a", Pos::START, "fm-required", "m"),
            Diagnostic::warning("b", Pos::START, "fm-required", "m"),
            Diagnostic::note("b", Pos::START, "completeness", "m"),
            Diagnostic::error("b", Pos::START, "id-duplicate", "m"),
        ];
        assert_eq!(
            rule_summary(&diags),
            "  id-duplicate  1 error\n  fm-required   2 warnings\n  completeness  1 note\n"
        );
    }

    #[test]
    fn caret_follows_escapes() {
        let d = Diagnostic::error("f.md", Pos::new(1, 3), "r", "m");
        let out = render_human(&[d], false, &|_| Some("\u{1b}xy".into()));
        assert!(out.contains("| \\u{1b}xy\n"), "{out}");
        assert!(out.contains(&format!("| {}^", " ".repeat(7))), "{out}");
    }
}
