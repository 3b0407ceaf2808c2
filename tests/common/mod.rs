//! Shared helpers for integration tests: run the binary on a fixture book.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

mod corpus;
#[allow(unused_imports)] // not every suite reads the corpus
pub(crate) use corpus::corpus;

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture book under tests/fixtures/.
pub(crate) fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `retrobook` with `args` (colour off) and returns the output.
pub(crate) fn run(args: &[&str]) -> Output {
    run_in(&repo(), args)
}

/// Runs `retrobook` in `dir`.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Report tables follow COLUMNS; the terminal running the tests must not change them.
        .env_remove("COLUMNS")
        // The fixture books live inside this project's repository; without a ceiling their git
        // history (which changes with every commit) would leak into snapshots.
        .env("GIT_CEILING_DIRECTORIES", repo())
        .output()
        .expect("run retrobook")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir`, recursively, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

/// Writes a book of two retros of the `clean` fixture into `book` (created): for tests that change
/// the book or its theme and need only a small valid one.
pub(crate) fn two_clean_retros(book: &Path) {
    std::fs::create_dir_all(book.join("retros")).unwrap();
    std::fs::copy(fixture("clean/book.toml"), book.join("book.toml")).unwrap();
    for f in ["2024-03-14-checkout-outage.md", "2024-06-01-search-slow.md"] {
        std::fs::copy(fixture("clean/retros").join(f), book.join("retros").join(f)).unwrap();
    }
}
