//! The customer-facing build (`build --audience external`) leaks nothing: the fixture book
//! `tests/fixtures/external` plants a unique `zz…qq7` canary in every internal value (front
//! matter, sections, file names, book.toml), and no output file — pages, feed, sitemap, assets,
//! and the Pagefind bundle decompressed — may contain one.

use crate::common;
use common::*;
use std::io::Read;
use std::path::Path;

fn build_external(book: &Path, dest: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--today",
        "2026-11-28",
        "build",
        "--book",
        book.to_str().unwrap(),
        "--audience",
        "external",
        "--dest-dir",
        dest.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The file's text, gunzipped when it is gzip (Pagefind's index, fragments, filters, meta),
/// lower-cased because Pagefind indexes words in lower case.
fn readable(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap();
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut out).expect("gunzip");
        out
    } else {
        bytes
    };
    String::from_utf8_lossy(&bytes).to_lowercase()
}

/// Every canary planted in the fixture, read back from its files (so a new one cannot be
/// forgotten in this list).
fn canaries(book: &Path) -> Vec<String> {
    let re = regex::Regex::new(r"zz[a-z]+qq7").unwrap();
    let mut found: Vec<String> = common::files_under(book)
        .iter()
        .flat_map(|p| {
            let text = format!("{} {}", p.to_string_lossy(), String::from_utf8_lossy(&std::fs::read(p).unwrap()));
            re.find_iter(&text).map(|m| m.as_str().to_string()).collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_canary_in_any_output_file() {
    let book = fixture("external");
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("public");
    let out = build_external(&book, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let canaries = canaries(&book);
    assert!(canaries.len() > 50, "the fixture plants canaries everywhere: {canaries:?}");
    let files = common::files_under(&dest);
    assert!(files.iter().any(|p| p.to_string_lossy().ends_with(".pf_fragment")), "search bundle was built");
    let mut leaks = Vec::new();
    for p in &files {
        let text = readable(p);
        let name = p.strip_prefix(&dest).unwrap().to_string_lossy().to_lowercase();
        for c in &canaries {
            if text.contains(c.as_str()) || name.contains(c.as_str()) {
                leaks.push(format!("{c} in {name}"));
            }
        }
    }
    assert!(leaks.is_empty(), "internal values leaked into the external site:\n{}", leaks.join("\n"));
    // The scan reads the search bundle as text: the public message is found in a fragment.
    assert!(
        files.iter().any(|p| p.to_string_lossy().ends_with(".pf_fragment")
            && readable(p).contains("we now keep checkout working when one payment provider is slow")),
        "decompressed fragments hold the indexed text"
    );
}

#[test]
fn the_public_fields_are_there() {
    let book = fixture("external");
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("public");
    let out = build_external(&book, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dest.join("incidents/2025-03-01-checkout-unavailable/index.html")).unwrap();
    for want in [
        "Checkout was unavailable for 42 minutes",
        "Major outage",
        "1 March 2025",
        "Customers could not place orders.",
        "42 min",
        "No customer data was lost.",
        "<strong>no data was lost</strong>",
        "Checkout keeps working when one payment provider is slow",
        "Greengrocer status history",
    ] {
        assert!(page.contains(want), "missing {want:?} in the incident page");
    }
    assert!(!page.contains("SEV1"), "internal severity names stay internal");
    let index = std::fs::read_to_string(dest.join("index.html")).unwrap();
    assert!(index.contains("incidents/2025-03-01-checkout-unavailable/"));
    assert!(index.contains("Incidents that affected Greengrocer customers."));
    let feed = std::fs::read_to_string(dest.join("feed.xml")).unwrap();
    assert!(feed.contains("https://status.example/history/incidents/2025-03-01-checkout-unavailable/"));
    let sitemap = std::fs::read_to_string(dest.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://status.example/history/incidents/2025-03-01-checkout-unavailable/</loc>"));
    assert!(dest.join("404.html").is_file());
    assert!(dest.join("search/index.html").is_file());
    assert!(dest.join("css/status.css").is_file());
    assert!(dest.join("pagefind/shards.json").is_file());
    // Nothing of the internal site: no internal pages, no internal stylesheet or script.
    for internal in ["retros", "factors", "actions", "stats", "css/retrobook.css", "js/retrobook.js"] {
        assert!(!dest.join(internal).exists(), "{internal} is internal");
    }
}

#[test]
fn the_sample_book_builds_an_external_site_of_its_external_retros() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("public");
    let out = build_external(&repo(), &dest, &["--no-search"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages: Vec<String> = common::files_under(&dest.join("incidents"))
        .iter()
        .map(|p| p.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(pages.len() >= 3, "{pages:?}");
    for id in &pages {
        let text = std::fs::read_to_string(repo().join("retros").join(format!("{id}.md")))
            .or_else(|_| std::fs::read_to_string(repo().join(format!("retros/{id}/index.md"))))
            .or_else(|_| std::fs::read_to_string(repo().join(format!("retros/2025/{id}.md"))))
            .or_else(|_| std::fs::read_to_string(repo().join(format!("retros/2025/{id}/index.md"))))
            .unwrap();
        assert!(text.contains("external: true") && text.contains("status: published"), "{id}");
    }
}

#[test]
fn the_default_destination_is_site_external_beside_the_internal_site() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("book");
    two_clean_retros(&book);
    let out = run(&["--today", "2026-11-28", "build", "--book", book.to_str().unwrap(), "--audience", "external"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(book.join("site-external/index.html").is_file());
    assert!(!book.join("site").exists(), "the internal site is not touched");
    assert!(stderr(&out).contains("site-external"), "{}", stderr(&out));
}

#[test]
fn only_a_section_headed_stakeholder_message_is_published() {
    let book = fixture("external");
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("public");
    let out = build_external(&book, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The retro whose only message-like section is "Customer impact" still has its page, with the
    // public fields and without that section or its sub-sections.
    let page = std::fs::read_to_string(dest.join("incidents/2025-06-10-search-slow/index.html")).unwrap();
    assert!(page.contains("Product search was slow for an hour"), "{page}");
    assert!(!page.contains("zzaliasqq7") && !page.contains("zzaliassubqq7"), "an alias section was published");
    // `check` says why, at the alias heading.
    let check = run(&["check", "--book", book.to_str().unwrap(), "--format", "json"]);
    let diags: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let alias = diags
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "stakeholder-alias")
        .unwrap_or_else(|| panic!("no stakeholder-alias warning: {diags:#}"));
    assert_eq!(alias["file"], "retros/2025-06-10-search-slow.md");
    assert_eq!(alias["line"], 14);
    assert_eq!(alias["level"], "warning");
    assert!(alias["message"].as_str().unwrap().contains("## Stakeholder message"));
}

#[test]
fn comments_are_removed_even_across_blank_lines() {
    let book = fixture("external");
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("public");
    assert!(build_external(&book, &dest, &[]).status.success());
    let page = std::fs::read_to_string(dest.join("incidents/2025-03-01-checkout-unavailable/index.html")).unwrap();
    assert!(page.contains("no data was lost"), "the message itself is there");
    for leak in ["zzblanklinecommentqq7", "template prompt", "&lt;!--", "--&gt;"] {
        assert!(!page.contains(leak), "{leak:?} published");
    }
}
