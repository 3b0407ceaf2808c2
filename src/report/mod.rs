//! The cross-incident reports of `retrobook report factors|actions|stats`: their data and their
//! text as an aligned terminal table, JSON, CSV or Markdown (docs/report.md documents every field).
//!
//! Layer: beside `render`; uses `analyze`, `model`, `config` and `diagnostic`, never `render` or
//! the command line. The computations the site shares (the factor and action indexes, the open
//! actions per factor, the statistics) live in `analyze`; this module only shapes and prints them.
//!
//! - `factors`: recurring factors, the categories roll-up and possible duplicates.
//! - `actions`: follow-up actions by owner, overdue first.
//! - `stats`: time to detect, mitigate and resolve; incidents per month.
//! - `table`: the terminal table engine the three share.

pub(crate) mod actions;
pub(crate) mod factors;
pub(crate) mod stats;
mod table;

pub use actions::ActionFilter;

use crate::diagnostic::printable;
use crate::model::Book;
use anyhow::Context as _;
use jiff::civil::Date;
use serde::Serialize;

/// Output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for the terminal, coloured when asked.
    Table,
    /// One JSON document (shapes in docs/report.md).
    Json,
    /// One CSV table with a header row.
    Csv,
    /// GitHub-flavoured Markdown tables, for pasting into a document.
    Markdown,
}

/// Which report.
#[derive(Debug, Clone)]
pub enum Report {
    /// Recurring contributing factors, the roll-up by category, and ids that may be duplicates.
    Factors,
    /// Follow-up actions by owner, overdue first.
    Actions(ActionFilter),
    /// Time to detect, mitigate, resolve by severity, service, year; incidents per month.
    Stats,
}

/// Where the table format is shown: whether to paint it with terminal escape codes, and the
/// width its columns fit in (ids are never cut, so a row may still be wider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Paint the table with terminal escape codes.
    pub color: bool,
    /// The width the columns fit in, in characters (at least [`Terminal::MIN_WIDTH`] is used).
    pub width: usize,
}

impl Terminal {
    /// The width used when the output is not a terminal and `COLUMNS` is not set.
    pub const DEFAULT_WIDTH: usize = 100;
    /// The narrowest width honoured: below it, columns would be cut to nothing.
    pub const MIN_WIDTH: usize = 40;

    /// Plain text at the default width (files, pipes, tests).
    pub fn plain() -> Terminal {
        Terminal { color: false, width: Self::DEFAULT_WIDTH }
    }
}

/// The text of `report` on `book` in `format`, with overdue actions judged against `today`;
/// `term` says how the table format is shown.
pub fn render(book: &Book, report: &Report, format: Format, today: Date, term: Terminal) -> anyhow::Result<String> {
    let term = Terminal { width: term.width.max(Terminal::MIN_WIDTH), ..term };
    match report {
        Report::Factors => factors::render(book, format, today, term),
        Report::Actions(filter) => actions::render(book, format, today, filter, term),
        Report::Stats => stats::render(book, format, term),
    }
}

fn json<T: Serialize>(v: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(v).context("cannot serialise the report")? + "\n")
}

fn line(out: &mut String, s: impl AsRef<str>) {
    out.push_str(s.as_ref());
    out.push('\n');
}

/// "1 action", "2 actions": a count with a noun that takes an `s`.
fn plural(n: usize, word: &str) -> String {
    crate::text::plural(n, word, &format!("{word}s"))
}

fn date_str(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// One CSV record (RFC 4180): fields with a comma, quote or line break are quoted, quotes doubled.
/// A field that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return, and not a plain number) gets a leading `'`, so it stays text.
fn csv_row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        let f = f.as_ref();
        if i > 0 {
            out.push(',');
        }
        let guarded;
        let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) && f.parse::<f64>().is_err() {
            guarded = format!("'{f}");
            guarded.as_str()
        } else {
            f
        };
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
    out
}

/// Text safe inside a GitHub table cell: pipes escaped, line breaks as spaces, other control
/// characters shown escaped.
fn md_escape(s: &str) -> String {
    printable(&s.replace('|', "\\|").replace(['\r', '\n'], " ")).into_owned()
}

/// A GitHub Markdown table; `true` in a column spec right-aligns it.
fn md_table(out: &mut String, cols: &[(&str, bool)], rows: impl Iterator<Item = Vec<String>>) {
    let cell_line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
    line(out, cell_line(cols.iter().map(|(h, _)| md_escape(h)).collect()));
    line(out, format!("|{}|", cols.iter().map(|(_, r)| if *r { "--:" } else { "---" }).collect::<Vec<_>>().join("|")));
    for r in rows {
        line(out, cell_line(r.iter().map(|c| md_escape(c)).collect()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_row(&["a", "b, c", "say \"hi\"", "x\ny", ""]), "a,\"b, c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
    }

    #[test]
    fn csv_cells_are_never_formulas() {
        let row = csv_row(&[
            "=HYPERLINK(\"https://evil.example\",\"x\")",
            "+1+cmd",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "-3",
            "+4.5",
            "ok",
        ]);
        assert_eq!(
            row,
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",'+1+cmd,'-2+3,'@SUM(A1),'\tx,-3,+4.5,ok\n"
        );
    }

    #[test]
    fn markdown_cells_show_control_characters_escaped() {
        assert_eq!(md_escape("a|b\u{1b}[31m"), "a\\|b\\u{1b}[31m");
        assert_eq!(md_escape("two\r\nlines"), "two  lines");
    }
}
