//! The real-browser suite: headless Chromium (Debian's package, installed when missing) driven by
//! playwright-core from `tests/browser/`, against `retrobook serve` on copies of the sample book
//! and of the XSS fixture. Search, facets, shared search links, the incident list's filter and
//! sort, live reload and the error overlay, no injected script on any page type, and an axe-core
//! audit of every page type in both colour schemes. Never skipped: a missing browser is installed,
//! a failing check fails the test with the script's output.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const CHROMIUM: &str = "/usr/bin/chromium";

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `retrobook serve --port 0` on `book`; returns it and its URL.
fn serve(book: &Path) -> (Serve, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(["--today", "2026-11-28", "serve", "--port", "0", "--book"])
        .arg(book)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start retrobook serve");
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).expect("read the URL");
    assert!(url.starts_with("http://127.0.0.1:"), "serve printed {url:?}");
    (Serve(child), url.trim().to_string())
}

fn sh(cmd: &mut Command) -> bool {
    cmd.status().is_ok_and(|s| s.success())
}

/// Debian's Chromium, installed with apt-get when it is missing (CI runs as root on a fresh Debian).
fn ensure_chromium() {
    if Path::new(CHROMIUM).exists() {
        return;
    }
    eprintln!("{CHROMIUM} is missing: installing Debian's chromium");
    let install = || sh(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "chromium"]));
    if !install() {
        assert!(sh(Command::new("apt-get").arg("update")), "apt-get update failed");
        assert!(install(), "apt-get install chromium failed");
    }
    assert!(Path::new(CHROMIUM).exists(), "chromium was installed but {CHROMIUM} is missing");
}

/// `npm ci` in tests/browser/ unless its node_modules already match the lock file. The tests of
/// this file run side by side: one at a time here, so that two `npm ci` never share the folder.
fn ensure_node_modules(dir: &Path) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let lock = std::fs::read(dir.join("package-lock.json")).expect("tests/browser/package-lock.json");
    let stamp = dir.join("node_modules/.rb-lock");
    if std::fs::read(&stamp).is_ok_and(|s| s == lock) && dir.join("node_modules/playwright-core").is_dir() {
        return;
    }
    let ok = sh(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"));
    assert!(ok, "npm ci in {} failed", dir.display());
    std::fs::write(stamp, lock).unwrap();
}

fn copy(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// A copy of the sample book (book.toml and retros/): the suite edits it to test live reload.
fn sample_copy() -> tempfile::TempDir {
    let sample = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("book.toml"), sample.path().join("book.toml")).unwrap();
    std::fs::create_dir_all(sample.path().join("retros")).unwrap();
    copy(&repo().join("retros"), &sample.path().join("retros"));
    sample
}

#[test]
fn browser_suite() {
    ensure_chromium();
    let dir = repo().join("tests/browser");
    ensure_node_modules(&dir);

    let sample = sample_copy();
    let xss = tempfile::tempdir().unwrap();
    copy(&fixture("xss"), xss.path());
    let (_s1, url) = serve(sample.path());
    let (_s2, xss_url) = serve(xss.path());
    // The same book built with the default site-url "/", for the 404 page under a prefix.
    let built = tempfile::tempdir().unwrap();
    let site = built.path().join("site");
    let out = run(&[
        "--today",
        "2026-11-28",
        "build",
        "--no-search",
        "--book",
        sample.path().to_str().unwrap(),
        "--dest-dir",
        site.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "build: {}", stderr(&out));

    let out = node(
        &dir,
        &[("RB_URL", url.as_str()), ("RB_XSS_URL", xss_url.as_str()), ("RB_SITE", site.to_str().unwrap())],
        sample.path(),
    );
    let text = format!("{}{}", stdout(&out), stderr(&out));
    println!("{text}");
    assert!(out.status.success(), "the browser suite failed:\n{text}");
}

/// The built-in scripts ship minified: each must parse to the same program as its source
/// (tests/browser/same-program.mjs), and be smaller than it.
#[test]
fn shipped_scripts_are_their_sources_programs() {
    let dir = repo().join("tests/browser");
    ensure_node_modules(&dir);
    let built = tempfile::tempdir().unwrap();
    let site = built.path().join("site");
    let out = run(&["build", "--no-search", "--book", repo().to_str().unwrap(), "--dest-dir", site.to_str().unwrap()]);
    assert!(out.status.success(), "build: {}", stderr(&out));
    let (source, shipped) = (repo().join("theme/js"), site.join("js"));
    let out = Command::new("node")
        .arg(dir.join("same-program.mjs"))
        .args([&source, &shipped])
        .current_dir(&dir)
        .output()
        .expect("run node (Node.js 20 or later is needed for the browser suite)");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "a shipped script is not its source's program:\n{text}");
    for e in std::fs::read_dir(&source).unwrap() {
        let name = e.unwrap().file_name();
        let size = |d: &Path| std::fs::metadata(d.join(&name)).unwrap().len();
        assert!(size(&shipped) < size(&source), "{name:?} ships unminified:\n{text}");
    }
}

/// Runs tests/browser/run.mjs with `env` and `RB_BOOK`.
fn node(dir: &Path, env: &[(&str, &str)], book: &Path) -> std::process::Output {
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("run.mjs")).current_dir(dir).env("RB_BOOK", book).env("CHROMIUM", CHROMIUM);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run node (Node.js 20 or later is needed for the browser suite)")
}

/// The README's screenshots, written to docs/screenshots/ (CONTRIBUTING.md, "Screenshots"): the
/// key pages of the sample book at phone 390×844 and desktop 1280×800, light and dark, as of the
/// pinned date. Run on purpose only: `cargo test --test browser -- --ignored screenshots`.
#[test]
#[ignore = "writes docs/screenshots/; run with --ignored screenshots"]
fn screenshots() {
    ensure_chromium();
    let dir = repo().join("tests/browser");
    ensure_node_modules(&dir);
    let sample = sample_copy();
    let (_s, url) = serve(sample.path());
    let shots = repo().join("docs/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = node(&dir, &[("RB_URL", url.as_str()), ("RB_SCREENSHOTS", shots.to_str().unwrap())], sample.path());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    println!("{text}");
    assert!(out.status.success(), "taking the screenshots failed:\n{text}");
}
