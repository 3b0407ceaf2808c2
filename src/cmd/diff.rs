//! `retrobook diff BASE [HEAD]`: Markdown for a pull-request comment.

use super::{EXIT_OK, EXIT_USAGE};
use std::path::Path;

/// Runs `diff`: loads the book at the merge base of `base` and `head` and at `head` from git
/// trees (nothing is checked out), compares them and prints Markdown. Returns the exit code.
pub fn run(root: &Path, base: &str, head: &str) -> i32 {
    let current = match crate::config::Config::load(root) {
        Ok(c) => c,
        Err(diags) => {
            super::print_human_stderr(root, &diags);
            return super::EXIT_ERRORS;
        }
    };
    let books = crate::git::book_at(root, base, Some(head), &current)
        .and_then(|b| Ok((b, crate::git::book_at(root, head, None, &current)?)));
    let (before, after) = match books {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut diags = after.diagnostics;
    diags.extend(crate::check::check_book(&after.book));
    let d = crate::diff::diff(&before.book, &after.book, &diags);
    print!("{}", crate::diff::to_markdown(&d, &after.book.config.output.html.site_url));
    eprintln!(
        "compared {} retros at the merge base of {base} with {} at {head}",
        before.book.retros.len(),
        after.book.retros.len()
    );
    EXIT_OK
}
