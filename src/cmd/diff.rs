//! `retrobook diff BASE [HEAD]`: Markdown for a pull-request comment.

use super::{EXIT_OK, Outcome, exit, usage};
use retrobook::text::plural;
use std::path::Path;

/// Runs `diff`: loads the book at the merge base of `base` and `head` and at `head` from git
/// trees (nothing is checked out), compares them and prints Markdown. Returns the exit code.
pub(crate) fn run(root: &Path, base: &str, head: &str) -> Outcome {
    let current = super::config_or_report(root)?;
    let books = retrobook::git::book_at(root, base, Some(head), &current)
        .and_then(|b| Ok((b, retrobook::git::book_at(root, head, None, &current)?)));
    let (before, after) = books.map_err(usage)?;
    let mut diags = after.diagnostics;
    diags.extend(retrobook::check::check_book(&after.book));
    let d = retrobook::diff::diff(&before.book, &after.book, &diags);
    print!("{}", retrobook::diff::to_markdown(&d, &after.book.config.output.html.site_url));
    let retros = |n: usize| plural(n, "retro", "retros");
    eprintln!(
        "compared commits: {} at the merge base of {base} and {head}, {} at {head}",
        retros(before.book.retros.len()),
        retros(after.book.retros.len())
    );
    let uncommitted = retrobook::git::uncommitted(root, &current);
    if !uncommitted.is_empty() {
        let shown: Vec<&str> = uncommitted.iter().take(3).map(String::as_str).collect();
        let more = uncommitted.len().saturating_sub(shown.len());
        eprintln!(
            "note: uncommitted changes are not included ({}{}); commit them to see what they do to the book",
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    exit(EXIT_OK)
}
