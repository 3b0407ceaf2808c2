//! `retrobook report factors|actions|stats`: flags to a [`report::Report`], its text to stdout.
//! The reports themselves are `retrobook::report` (docs/report.md documents every field).

use super::{EXIT_ERRORS, EXIT_OK, Outcome, exit, use_color};
use anyhow::Context;
use jiff::civil::Date;
use retrobook::analyze;
use retrobook::report::{self, ActionFilter, Format, Report};
use std::io::Write as _;
use std::path::Path;

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// aligned columns for the terminal (colour on a terminal unless NO_COLOR)
    Table,
    /// one JSON document (shapes in docs/report.md)
    Json,
    /// one CSV table with a header row
    Csv,
    /// GitHub-flavoured Markdown tables, for pasting into a document
    Markdown,
}

/// What `report` shows.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum ReportKind {
    /// Recurring contributing factors, the roll-up by category, and ids that may be duplicates
    Factors {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Follow-up actions by owner, overdue first (`--today` pins the clock)
    Actions {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Only actions that are open or in progress and past their due date
        #[arg(long)]
        overdue: bool,
        /// Only actions of this owner (case-insensitive)
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
    },
    /// Time to detect, mitigate, resolve by severity, service, year; incidents per month
    Stats {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
}

impl From<ReportFormat> for Format {
    fn from(f: ReportFormat) -> Format {
        match f {
            ReportFormat::Table => Format::Table,
            ReportFormat::Json => Format::Json,
            ReportFormat::Csv => Format::Csv,
            ReportFormat::Markdown => Format::Markdown,
        }
    }
}

impl ReportKind {
    /// The report asked for and its format.
    fn report(&self) -> (Report, Format) {
        match self {
            ReportKind::Factors { format } => (Report::Factors, (*format).into()),
            ReportKind::Actions { format, overdue, owner } => {
                (Report::Actions(ActionFilter { overdue: *overdue, owner: owner.clone() }), (*format).into())
            }
            ReportKind::Stats { format } => (Report::Stats, (*format).into()),
        }
    }
}

/// The width tables fit in: `COLUMNS` when set to a number, else the width of the terminal
/// stdout is, else (a pipe, a file) the default.
fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
    columns
        .or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0)))
        .unwrap_or(report::Terminal::DEFAULT_WIDTH)
}

/// Runs `report` and returns the exit code.
pub(crate) fn run(root: &Path, kind: &ReportKind, today: Option<Date>) -> Outcome {
    let loaded = super::load_with_history(root)?;
    let book = &loaded.book;
    let today = analyze::today(today, book);
    let (what, format) = kind.report();
    let term = report::Terminal { color: use_color(&std::io::stdout()), width: terminal_width() };
    let out = report::render(book, &what, format, today, term)?;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        // `retrobook report … | head` closes the pipe early; that is not a failure.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("cannot write the report");
        }
    }
    let errors = retrobook::diagnostic::error_count(&loaded.diagnostics);
    if errors > 0 {
        eprintln!(
            "the book has {}, so the report may be incomplete (run `retrobook check`)",
            retrobook::text::plural(errors, "error", "errors")
        );
        exit(EXIT_ERRORS)
    } else {
        exit(EXIT_OK)
    }
}
