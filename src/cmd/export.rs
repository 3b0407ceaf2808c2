//! `retrobook export`: the parsed book as JSON.

use super::{EXIT_ERRORS, EXIT_OK};
use std::path::Path;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// one JSON object (docs/export.md)
    Json,
}

/// Runs `export` and returns the exit code.
pub fn run(root: &Path, today: Option<jiff::civil::Date>) -> i32 {
    let loaded = match super::load_with_history(root) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let today = crate::analyze::today(today, &loaded.book);
    let doc = crate::export::export(&loaded.book, today);
    match serde_json::to_string_pretty(&doc) {
        Ok(s) => {
            println!("{s}");
            // The same errors `check` reports: those found while loading and by the rules.
            let errors =
                super::error_count(&loaded.diagnostics) + super::error_count(&crate::check::check_book(&loaded.book));
            if errors > 0 {
                eprintln!(
                    "exported {} retros; the book has {errors} errors (run `retrobook check`)",
                    loaded.book.retros.len()
                );
                EXIT_ERRORS
            } else {
                eprintln!("exported {} retros", loaded.book.retros.len());
                EXIT_OK
            }
        }
        Err(e) => {
            eprintln!("error: cannot serialise the export: {e}");
            EXIT_ERRORS
        }
    }
}
