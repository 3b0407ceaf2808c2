//! The sample book's site, byte for byte: every file of a build (pages, feed, sitemap, assets and
//! the search index) is compared with the hashes committed in `tests/fixtures/sample-site.digest`.
//! Speed work must not change a byte of output; a change that is meant to (a new feature, a theme
//! edit, a new sample retro) updates the file with `RB_BLESS=1 cargo test --test suite digest`
//! and shows the changed lines in its diff.
//!
//! The book is copied out of the repository first, so that its git history (which moves with every
//! commit) is not part of the pages.

use crate::common;
use common::*;
use std::path::Path;

const DIGEST: &str = "tests/fixtures/sample-site.digest";

/// `path  blake3` for every file under `site`, sorted by path.
fn digest(site: &Path) -> String {
    let mut out = String::new();
    for p in files_under(site) {
        let rel = p.strip_prefix(site).unwrap().to_string_lossy().replace('\\', "/");
        let hash = blake3::hash(&std::fs::read(&p).unwrap());
        out.push_str(&format!("{rel}  {}\n", hash.to_hex()));
    }
    out
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_sample_site_matches_its_committed_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::copy(repo().join("book.toml"), book.join("book.toml")).unwrap();
    copy_tree(&repo().join("retros"), &book.join("retros"));
    copy_tree(&repo().join(".retrobook"), &book.join(".retrobook"));
    let site = tmp.path().join("site");
    let out = run(&[
        "--today",
        "2026-11-28",
        "build",
        "--book",
        book.to_str().unwrap(),
        "--dest-dir",
        site.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = digest(&site);
    let path = repo().join(DIGEST);
    if std::env::var_os("RB_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
        let changed: Vec<String> = g
            .iter()
            .filter(|l| !w.contains(l))
            .map(|l| format!("+ {l}"))
            .chain(w.iter().filter(|l| !g.contains(l)).map(|l| format!("- {l}")))
            .collect();
        panic!(
            "the sample site differs from {DIGEST} in {} lines (- committed, + built):\n{}\n\
             If the change is intended, run `RB_BLESS=1 cargo test --test suite digest` and commit the file.",
            changed.len(),
            changed.join("\n")
        );
    }
}
