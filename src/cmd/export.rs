//! `retrobook export`: the parsed book as JSON.

use super::{EXIT_ERRORS, EXIT_OK, Outcome, exit};
use anyhow::Context;
use retrobook::diagnostic::error_count;
use retrobook::text::plural;
use std::path::Path;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// one JSON object (docs/export.md)
    Json,
}

/// Runs `export` and returns the exit code.
pub(crate) fn run(root: &Path, today: Option<jiff::civil::Date>) -> Outcome {
    let loaded = super::load_with_history(root)?;
    let today = retrobook::analyze::today(today, &loaded.book);
    let doc = retrobook::export::export(&loaded.book, today);
    let s = serde_json::to_string_pretty(&doc).context("cannot serialise the export")?;
    println!("{s}");
    // The same errors `check` reports: those found while loading and by the rules.
    let errors = error_count(&loaded.diagnostics) + error_count(&retrobook::check::check_book(&loaded.book));
    if errors > 0 {
        eprintln!(
            "exported {}; the book has {} (run `retrobook check`)",
            plural(loaded.book.retros.len(), "retro", "retros"),
            plural(errors, "error", "errors")
        );
        exit(EXIT_ERRORS)
    } else {
        eprintln!("exported {}", plural(loaded.book.retros.len(), "retro", "retros"));
        exit(EXIT_OK)
    }
}
