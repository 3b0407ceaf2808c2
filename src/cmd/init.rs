//! `retrobook init [DIR]`: a starter book. Refuses to overwrite anything.

use super::{EXIT_OK, Outcome, exit};
use anyhow::{Context, bail};
use std::path::Path;

/// Writes the starter book into `dir`; returns the exit code.
pub(crate) fn run(dir: &Path) -> Outcome {
    let files: [(&str, String); 4] = [
        ("book.toml", retrobook::scaffold::INIT_BOOK_TOML.to_string()),
        ("retros/2025-01-15-example-checkout-errors.md", retrobook::scaffold::init_example_retro()),
        (".github/workflows/retros.yml", retrobook::scaffold::INIT_GITHUB_WORKFLOW.to_string()),
        (".gitlab-ci.example.yml", retrobook::scaffold::INIT_GITLAB_CI.to_string()),
    ];
    let existing: Vec<&str> = files.iter().map(|(p, _)| *p).filter(|p| dir.join(p).exists()).collect();
    if !existing.is_empty() {
        bail!(
            "{} already exist{} in {}; init never overwrites — move {} away or init another folder",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" },
            dir.display(),
            if existing.len() == 1 { "it" } else { "them" }
        );
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        path.parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::OpenOptions::new().write(true).create_new(true).open(&path))
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    eprintln!("a new book is ready: `retrobook new \"Title\"` writes a retro, `retrobook check` validates the book");
    exit(EXIT_OK)
}
