//! `retrobook init [DIR]`: a starter book. Refuses to overwrite anything.

use super::{EXIT_ERRORS, EXIT_OK};
use std::path::Path;

/// Writes the starter book into `dir`; returns the exit code.
pub fn run(dir: &Path) -> i32 {
    let files: [(&str, String); 4] = [
        ("book.toml", crate::scaffold::INIT_BOOK_TOML.to_string()),
        ("retros/2025-01-15-example-checkout-errors.md", crate::scaffold::init_example_retro()),
        (".github/workflows/retros.yml", crate::scaffold::INIT_GITHUB_WORKFLOW.to_string()),
        (".gitlab-ci.example.yml", crate::scaffold::INIT_GITLAB_CI.to_string()),
    ];
    let existing: Vec<&str> = files.iter().map(|(p, _)| *p).filter(|p| dir.join(p).exists()).collect();
    if !existing.is_empty() {
        eprintln!(
            "error: {} already exist{} in {}; init never overwrites — move {} away or init another folder",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" },
            dir.display(),
            if existing.len() == 1 { "it" } else { "them" }
        );
        return EXIT_ERRORS;
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::OpenOptions::new().write(true).create_new(true).open(&path))
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_ERRORS;
        }
        println!("{}", path.display());
    }
    eprintln!("a new book is ready: `retrobook new \"Title\"` writes a retro, `retrobook check` validates the book");
    EXIT_OK
}
