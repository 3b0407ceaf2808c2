//! One function per subcommand, part of the binary (not the library). Each parses nothing itself:
//! `main.rs` hands it its flags; it calls the library and prints. Every `run` returns
//! [`Outcome`]: an exit code, or an error that [`finish`] prints once.

pub(crate) mod actions;
pub(crate) mod adopt;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod monitoring;
pub(crate) mod new;
pub(crate) mod report;
pub(crate) mod schema;
pub(crate) mod serve;

use retrobook::diagnostic::{self, Diagnostic};
use retrobook::load::{self, Loaded};
use std::fmt;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

/// Exit codes (README.md, "Commands"): success.
pub(crate) const EXIT_OK: u8 = 0;
/// The book has errors (also: an operational failure such as a file that cannot be written).
pub(crate) const EXIT_ERRORS: u8 = 1;
/// A usage error (clap uses the same code).
const EXIT_USAGE: u8 = 2;

/// What a subcommand returns: its exit code, or an error for [`finish`] to print.
pub(crate) type Outcome = anyhow::Result<ExitCode>;

/// Ends a command with `code` and no error.
pub(crate) fn exit(code: u8) -> Outcome {
    Ok(ExitCode::from(code))
}

/// An error that ends the command with a chosen exit code. Without a message it is silent: the
/// problem was already printed (diagnostics of a broken book.toml).
#[derive(Debug)]
struct Failure {
    code: u8,
    error: Option<anyhow::Error>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(e) => write!(f, "{e:#}"),
            None => write!(f, "exit code {}", self.code),
        }
    }
}

impl std::error::Error for Failure {}

/// An error that exits with [`EXIT_USAGE`].
pub(crate) fn usage(error: impl Into<anyhow::Error>) -> anyhow::Error {
    Failure { code: EXIT_USAGE, error: Some(error.into()) }.into()
}

/// Exits with `code` without printing anything more.
pub(crate) fn quiet(code: u8) -> anyhow::Error {
    Failure { code, error: None }.into()
}

/// Prints an error of a command once (`error: …`, with its causes) and gives its exit code:
/// the one a [`Failure`] carries, else [`EXIT_ERRORS`].
pub(crate) fn finish(err: anyhow::Error) -> ExitCode {
    let (code, error) = match err.downcast::<Failure>() {
        Ok(Failure { code, error }) => (code, error),
        Err(err) => (EXIT_ERRORS, Some(err)),
    };
    if let Some(e) = error {
        eprintln!("error: {e:#}");
    }
    ExitCode::from(code)
}

/// Whether to colour output written to `stream`: only on a terminal, never with NO_COLOR.
pub(crate) fn use_color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Stops a command (exit 2) when `root` is not a book, saying how to start one or where the
/// nearest book above is. Every command but `init` and `schema` needs a book.toml.
pub(crate) fn require_book(root: &Path) -> anyhow::Result<()> {
    use retrobook::load::find::NotABook;
    let shown = root.display();
    let why = match retrobook::load::find::require_book(root) {
        Ok(()) => return Ok(()),
        Err(NotABook::NoFolder) => format!(
            "the book folder `{shown}` does not exist; pass the folder that holds book.toml to --book, \
             or run `retrobook init {shown}` to start a book there"
        ),
        Err(NotABook::NotAFolder) => {
            format!("`{shown}` is a file, not a folder; pass the folder that holds book.toml to --book")
        }
        Err(NotABook::NoConfig { above: Some(above) }) => format!(
            "no book.toml in `{shown}`; the nearest book is {}: run the command there or pass `--book {}`",
            above.display(),
            above.display()
        ),
        Err(NotABook::NoConfig { above: None }) => format!(
            "no book.toml in `{shown}`, so there is no book here; run `retrobook init` to start one, or pass \
             the book's folder to --book. A folder of existing postmortems becomes a book with a book.toml \
             that says where they are: `[retros]` and `dir = \".\"` on the next line"
        ),
    };
    Err(usage(anyhow::anyhow!(why)))
}

/// Loads a book; a broken book.toml is printed as diagnostics and ends the command (exit 1).
pub(crate) fn load_or_report(root: &Path) -> anyhow::Result<Loaded> {
    load::load_book(root).map_err(|diags| {
        print_human_stderr(root, &diags);
        quiet(EXIT_ERRORS)
    })
}

/// Loads a book and its git history (one walk), printing each note about the history once.
pub(crate) fn load_with_history(root: &Path) -> anyhow::Result<Loaded> {
    let mut loaded = load_or_report(root)?;
    loaded.book.history = retrobook::git::read_history(&loaded.book);
    print_notes(&loaded.book.history.notes);
    Ok(loaded)
}

/// Prints notes of the library (about the git history) as warnings on stderr.
pub(crate) fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("warning: {note}");
    }
}

/// Reads book.toml; a broken one is printed as diagnostics and ends the command (exit 1).
pub(crate) fn config_or_report(root: &Path) -> anyhow::Result<retrobook::config::Config> {
    retrobook::config::Config::load(root).map_err(|diags| {
        print_human_stderr(root, &diags);
        quiet(EXIT_ERRORS)
    })
}

/// Prints diagnostics in the human format to stderr (for commands whose stdout is data).
pub(crate) fn print_human_stderr(root: &Path, diags: &[Diagnostic]) {
    let text =
        diagnostic::render_human(diags, use_color(&std::io::stderr()), &|f| std::fs::read_to_string(root.join(f)).ok());
    eprint!("{text}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::{Context, anyhow};

    #[test]
    fn errors_end_with_the_exit_code_they_carry() {
        assert_eq!(finish(usage(anyhow!("unknown revision `x`"))), ExitCode::from(EXIT_USAGE));
        assert_eq!(finish(quiet(EXIT_ERRORS)), ExitCode::from(EXIT_ERRORS));
        // An operational failure without a code (a file that cannot be written) exits with 1.
        let io = Err::<(), _>(std::io::Error::other("disk full")).context("cannot write site/index.html");
        assert_eq!(finish(io.expect_err("an error")), ExitCode::from(EXIT_ERRORS));
    }

    #[test]
    fn a_failure_shows_the_whole_cause_once() {
        let inner = Err::<(), _>(std::io::Error::other("permission denied")).context("cannot create retros");
        let err = usage(inner.expect_err("an error"));
        assert_eq!(err.to_string(), "cannot create retros: permission denied");
        assert_eq!(err.chain().count(), 1, "main prints the message once, not once per cause");
    }
}
