//! One function per subcommand. Each loads the book, runs the shared pipeline and prints.

pub mod adopt;
pub mod build;
pub mod check;
pub mod diff;
pub mod export;
pub mod init;
pub mod monitoring;
pub mod new;
pub mod report;
pub mod schema;
pub mod serve;

use crate::diagnostic::{self, Diagnostic, Level};
use crate::load::{self, Loaded};
use std::io::IsTerminal;
use std::path::Path;

/// Exit codes (spec §3).
pub const EXIT_OK: i32 = 0;
/// The book has errors.
pub const EXIT_ERRORS: i32 = 1;
/// A usage error (clap uses the same code).
pub const EXIT_USAGE: i32 = 2;

/// Whether to colour output written to `stream`: only on a terminal, never with NO_COLOR.
pub fn use_color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Loads a book; a broken book.toml is printed as diagnostics and gives `Err(exit code)`.
pub fn load_or_report(root: &Path) -> Result<Loaded, i32> {
    match load::load_book(root) {
        Ok(l) => Ok(l),
        Err(diags) => {
            print_human_stderr(root, &diags);
            Err(EXIT_ERRORS)
        }
    }
}

/// Loads a book and its git history (one walk), printing each note about the history once.
pub fn load_with_history(root: &Path) -> Result<Loaded, i32> {
    let mut loaded = load_or_report(root)?;
    attach_history(&mut loaded.book);
    Ok(loaded)
}

/// Reads the book's git history into `book.history` and prints its notes as warnings on stderr.
pub fn attach_history(book: &mut crate::model::Book) {
    book.history = crate::git::read_history(book);
    for note in &book.history.notes {
        eprintln!("warning: {note}");
    }
}

/// Prints diagnostics in the human format to stderr (for commands whose stdout is data).
pub fn print_human_stderr(root: &Path, diags: &[Diagnostic]) {
    let text =
        diagnostic::render_human(diags, use_color(&std::io::stderr()), &|f| std::fs::read_to_string(root.join(f)).ok());
    eprint!("{text}");
}

/// Number of errors in a list of diagnostics.
pub fn error_count(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.level == Level::Error).count()
}
