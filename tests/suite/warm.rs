//! Warm builds: a build reuses the retro pages of the previous one (listed in the cache folder
//! beside the site) when their inputs did not change. Every warm result here is compared byte for
//! byte with a cold build of the same input into a fresh folder, and the number of pages reused
//! (from `build -v`) shows that the warm path was taken.

use crate::common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample book (16 retros, monitoring CSVs, related retros, tracker states), copied out of
/// the repository so that its git history is not part of the pages.
fn sample_book(tmp: &Path) -> PathBuf {
    let book = tmp.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::copy(repo().join("book.toml"), book.join("book.toml")).unwrap();
    super::digest::copy_tree(&repo().join("retros"), &book.join("retros"));
    super::digest::copy_tree(&repo().join(".retrobook"), &book.join(".retrobook"));
    book
}

const RETROS: usize = 16;

/// The sample book in `tmp`, built once (cold, without search) into `tmp/site`.
fn built_sample(tmp: &Path) -> (PathBuf, PathBuf) {
    let book = sample_book(tmp);
    let site = tmp.join("site");
    assert_eq!(build(&book, &site, DAY, &["--no-search"]), 0);
    (book, site)
}

/// Builds `book` into `dest` with `-v`; returns how many retro pages were reused.
fn build(book: &Path, dest: &Path, today: &str, extra: &[&str]) -> usize {
    build_counts(book, dest, today, extra).0
}

/// Builds `book` into `dest` with `-v`; returns how many retro pages and other pages were reused.
fn build_counts(book: &Path, dest: &Path, today: &str, extra: &[&str]) -> (usize, usize) {
    let mut args = vec!["--today", today, "build", "-v", "--book", book.to_str().unwrap()];
    args.extend_from_slice(&["--dest-dir", dest.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let out = run(&args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let line = err.lines().find(|l| l.trim_start().starts_with("reused ")).unwrap_or_else(|| panic!("{err}"));
    // "reused 16 retro pages and 40 other pages from the last build: …"
    let count =
        |n: usize| line.split_whitespace().nth(n).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{line}"));
    (count(1), count(5))
}

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&p).unwrap()))
        .collect()
}

/// A warm build of `book` into `site`, checked against a cold build of the same input into a fresh
/// folder (with no cache beside it); returns the pages reused.
fn warm_equals_cold(book: &Path, site: &Path, today: &str, extra: &[&str]) -> usize {
    let reused = build(book, site, today, extra);
    let cold_dir = tempfile::tempdir().unwrap();
    let cold = cold_dir.path().join("site");
    assert_eq!(build(book, &cold, today, extra), 0, "a fresh folder has no cache");
    let (warm, cold) = (files(site), files(&cold));
    assert_eq!(warm.keys().collect::<Vec<_>>(), cold.keys().collect::<Vec<_>>(), "the same files");
    for (path, bytes) in &warm {
        assert!(bytes == &cold[path], "{path} differs from a cold build ({reused} pages reused)");
    }
    reused
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

const DAY: &str = "2026-11-28";

#[test]
fn a_warm_build_after_editing_deleting_or_adding_a_retro_equals_a_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), RETROS, "nothing changed: every page is reused");

    // One retro's text: its page and those that show it (neighbours, related) are rendered.
    let address = book.join("retros/2025-09-16-address-lookup-hang.md");
    edit(&address, "## ", "Edited in a test.\n\n## ");
    let page = site.join("retros/2025-09-16-address-lookup-hang/index.html");
    let before = std::fs::read(&page).unwrap();
    let reused = warm_equals_cold(&book, &site, DAY, &no_search);
    assert!((1..RETROS).contains(&reused), "{reused}");
    assert_ne!(std::fs::read(&page).unwrap(), before, "the edited retro's page was rendered again");

    // A monitoring CSV beside a folder retro: its chart changes, the Markdown does not.
    let csv = book.join("retros/2025-02-27-payment-acquirer-latency/checkout-p99.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let last = text.trim_end().rsplit_once(',').unwrap().1.to_string();
    std::fs::write(&csv, format!("{}{}\n", &text.trim_end()[..text.trim_end().len() - last.len()], "9999")).unwrap();
    let page = site.join("retros/2025-02-27-payment-acquirer-latency/index.html");
    let before = std::fs::read(&page).unwrap();
    let reused = warm_equals_cold(&book, &site, DAY, &no_search);
    assert!(reused < RETROS, "{reused}");
    assert_ne!(std::fs::read(&page).unwrap(), before, "the chart of the edited CSV was drawn again");

    // Deleting a retro (one no other lists as related) removes its page and re-renders its neighbours.
    std::fs::remove_file(book.join("retros/2026-09-29-search-stale-prices.md")).unwrap();
    let reused = warm_equals_cold(&book, &site, DAY, &no_search);
    assert!((1..RETROS - 2).contains(&reused), "{reused}");
    assert!(!site.join("retros/2026-09-29-search-stale-prices").exists());

    // Adding one back (under another id) gives it a page.
    let added = std::fs::read_to_string(book.join("retros/2025-04-09-nl-delivery-fee-drift.md")).unwrap().replacen(
        "id: ",
        "id: added-",
        1,
    );
    std::fs::write(book.join("retros/2025-04-10-added.md"), added).unwrap();
    let reused = warm_equals_cold(&book, &site, DAY, &no_search);
    assert!((1..RETROS - 1).contains(&reused), "{reused}");
    assert!(site.join("retros/added-2025-04-09-nl-delivery-fee-drift/index.html").is_file());
}

#[test]
fn book_toml_the_theme_the_date_tracker_states_and_search_invalidate_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];

    edit(&book.join("book.toml"), "title = \"", "title = \"Renamed ");
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), 0, "book.toml changed");
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), RETROS);

    // A template override that changes every retro page.
    let retro_html = std::fs::read_to_string(repo().join("theme/templates/retro.html")).unwrap();
    let theme = book.join("theme/templates");
    std::fs::create_dir_all(&theme).unwrap();
    let (head, tail) = retro_html.split_at(retro_html.rfind("{% endblock").unwrap());
    std::fs::write(theme.join("retro.html"), format!("{head}<p>theme edit</p>\n{tail}")).unwrap();
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), 0, "the theme changed");
    assert!(
        String::from_utf8(std::fs::read(site.join("retros/2025-09-16-address-lookup-hang/index.html")).unwrap())
            .unwrap()
            .contains("theme edit")
    );

    assert_eq!(warm_equals_cold(&book, &site, "2027-03-01", &no_search), 0, "another day");

    let trackers = book.join(".retrobook/trackers.json");
    let text = std::fs::read_to_string(&trackers).unwrap();
    assert!(text.contains("\"closed\""), "{text}");
    std::fs::write(&trackers, text.replace("\"closed\"", "\"open\"")).unwrap();
    assert_eq!(warm_equals_cold(&book, &site, "2027-03-01", &no_search), 0, "tracker states changed");

    assert_eq!(warm_equals_cold(&book, &site, "2027-03-01", &[]), 0, "search on: other pages");
    edit(&book.join("retros/2026-04-07-payments-double-capture.md"), "## ", "Edited in a test.\n\n## ");
    assert!(warm_equals_cold(&book, &site, "2027-03-01", &[]) > 0, "with search, warm too");
}

#[test]
fn a_page_edited_in_the_previous_site_is_rendered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];
    // Twice, so that the pages are links of the previous site's files.
    assert_eq!(build(&book, &site, DAY, &no_search), RETROS);
    let grown = site.join("retros/2025-09-16-address-lookup-hang/index.html");
    let mut bytes = std::fs::read(&grown).unwrap();
    bytes.extend_from_slice(b"<!-- edited by hand -->");
    std::fs::write(&grown, bytes).unwrap();
    // Same size, same modification time: only the bytes tell.
    let same_size = site.join("retros/2026-04-07-payments-double-capture/index.html");
    let file = std::fs::OpenOptions::new().read(true).write(true).open(&same_size).unwrap();
    let modified = file.metadata().unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&same_size).unwrap();
    let at = bytes.windows(6).position(|w| w == b"<body ").unwrap();
    bytes[at + 1] = b'B';
    std::fs::write(&same_size, &bytes).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), RETROS - 2);
}

#[test]
fn index_pages_are_kept_while_their_whole_context_is_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];
    let retro_page = regex::Regex::new(r"^retros/[^/]+/index\.html$").unwrap();
    let others = files(&site)
        .into_keys()
        .filter(|p| (p.ends_with(".html") || p == "feed.xml") && !retro_page.is_match(p))
        .count();
    assert!(others > 20, "{others}");
    assert_eq!(build_counts(&book, &site, DAY, &no_search), (RETROS, others), "nothing changed: every page is kept");

    // A retro's title is on the lists and the pages of its services, tags and factors, not on
    // the statistics: those are rendered again, the rest is kept, and all equals a cold build.
    edit(&book.join("retros/2025-09-16-address-lookup-hang.md"), "title: ", "title: Renamed, ");
    let list = std::fs::read(site.join("retros/index.html")).unwrap();
    let stats = std::fs::read(site.join("stats/index.html")).unwrap();
    warm_equals_cold(&book, &site, DAY, &no_search);
    let list_now = std::fs::read_to_string(site.join("retros/index.html")).unwrap();
    assert!(list_now.contains("Renamed, ") && list_now.as_bytes() != list);
    assert_eq!(std::fs::read(site.join("stats/index.html")).unwrap(), stats);
    let (_, kept) = build_counts(&book, &site, DAY, &no_search);
    assert_eq!(kept, others, "and the next build keeps them all again");

    // An action's status is on the board (keyed by its plain contexts, see `plain_key`).
    let board_before = std::fs::read(site.join("actions/index.html")).unwrap();
    edit(&book.join("retros/2025-09-16-address-lookup-hang.md"), "    status: done", "    status: open");
    warm_equals_cold(&book, &site, DAY, &no_search);
    assert_ne!(std::fs::read(site.join("actions/index.html")).unwrap(), board_before, "the board is rendered again");
    let (_, kept) = build_counts(&book, &site, DAY, &no_search);
    assert_eq!(kept, others);

    // An index page edited by hand in the previous site is rendered again.
    let board = site.join("actions/index.html");
    let mut bytes = std::fs::read(&board).unwrap();
    bytes.extend_from_slice(b"<!-- edited by hand -->");
    std::fs::write(&board, bytes).unwrap();
    let (_, kept) = build_counts(&book, &site, DAY, &no_search);
    assert_eq!(kept, others - 1);
    assert!(!std::fs::read_to_string(&board).unwrap().contains("edited by hand"));
}

#[test]
fn the_cache_is_beside_the_site_and_a_broken_one_gives_a_cold_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];
    let cache = tmp.path().join(".site-cache/pages.json");
    assert!(cache.is_file());
    assert!(files(&site).keys().all(|p| !p.contains("cache") && !p.ends_with(".json")), "nothing of it in the site");

    std::fs::write(&cache, "{ not json").unwrap();
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), 0, "an unreadable cache: a cold build");
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), RETROS, "and the next one is warm again");

    // Without what each file looked like (another platform, a copied cache), every page is read
    // and checked against its hash.
    let text = std::fs::read_to_string(&cache).unwrap();
    let blind = regex::Regex::new(r#","seen":\{[^}]*\}"#).unwrap().replace_all(&text, "");
    assert!(blind.len() < text.len());
    std::fs::write(&cache, blind.as_bytes()).unwrap();
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), RETROS);

    std::fs::remove_file(&cache).unwrap();
    std::fs::create_dir(&cache).unwrap();
    assert_eq!(build(&book, &site, DAY, &no_search), 0, "a folder where the cache should be");
    let _ = std::fs::remove_dir(&cache);
}

#[test]
fn the_external_audience_never_takes_internal_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let (book, site) = built_sample(tmp.path());
    let no_search = ["--no-search"];
    assert_eq!(build(&book, &site, DAY, &no_search), RETROS);
    let external = ["--no-search", "--audience", "external"];
    assert_eq!(warm_equals_cold(&book, &site, DAY, &external), 0);
    assert!(!tmp.path().join(".site-cache/pages.json").exists(), "the external site keeps no page cache");
    assert_eq!(warm_equals_cold(&book, &site, DAY, &no_search), 0, "internal again: nothing to reuse");
}

#[test]
fn a_warm_build_that_fails_leaves_the_previous_site_and_its_linked_pages_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let book = sample_book(tmp.path());
    let site = tmp.path().join("site");
    assert_eq!(build(&book, &site, DAY, &[]), 0);
    let before = files(&site);
    // The edited retro's page was linked from the previous site, then rendered again: the new
    // page must not be written through the link into the previous site.
    edit(&book.join("retros/2025-09-16-address-lookup-hang.md"), "## ", "Edited in a test.\n\n## ");
    // The search index fails after every page is written: its cache folder is a file.
    let search_cache = tmp.path().join(".site-cache/search");
    std::fs::remove_dir_all(&search_cache).unwrap();
    std::fs::write(&search_cache, "not a folder").unwrap();
    let args = ["--today", DAY, "build", "--book", book.to_str().unwrap(), "--dest-dir", site.to_str().unwrap()];
    let out = run(&args);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("previous site is untouched"), "{}", stderr(&out));
    assert!(files(&site) == before, "the previous site changed");
    std::fs::remove_file(&search_cache).unwrap();
    assert!(warm_equals_cold(&book, &site, DAY, &[]) > 0);
}

/// The blameless warnings a build of `book` into `dest` prints, each with its place.
fn build_warnings(book: &Path, dest: &Path) -> Vec<String> {
    let out = run(&["--today", DAY, "build", "-v", "--no-search", "--book", book.to_str().unwrap(), "--dest-dir"]
        .into_iter()
        .chain([dest.to_str().unwrap()])
        .collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // "warning[rule]: message" and, on the next line, "--> file:line:column".
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    let at = |i: usize| lines.get(i + 1).map_or("", |l| l.trim());
    (0..lines.len()).filter(|&i| lines[i].contains("blameless")).map(|i| format!("{} {}", lines[i], at(i))).collect()
}

#[test]
fn the_writing_rules_findings_of_an_unchanged_retro_are_taken_from_the_last_build() {
    let tmp = tempfile::tempdir().unwrap();
    let book = sample_book(tmp.path());
    let site = tmp.path().join("site");
    let retro = book.join("retros/2025-09-16-address-lookup-hang.md");
    edit(&retro, "## Narrative\n", "## Narrative\n\nIt was human error.\n");
    let cold = build_warnings(&book, &site);
    assert_eq!(cold.len(), 1, "{cold:?}");
    assert!(cold[0].contains("ends the inquiry"), "{cold:?}");
    assert_eq!(build_warnings(&book, &site), cold, "the same findings from the cache");

    // Proof that they come from the cache: a message changed in it is printed as it is there.
    let cache = tmp.path().join(".site-cache/findings.json");
    let stored = std::fs::read_to_string(&cache).unwrap();
    assert!(stored.contains("ends the inquiry"));
    std::fs::write(&cache, stored.replace("ends the inquiry", "came from the cache")).unwrap();
    let recalled = build_warnings(&book, &site);
    assert!(recalled[0].contains("came from the cache"), "{recalled:?}");

    // The retro's file changed: its findings are made again, at the new place.
    edit(&retro, "It was human error.", "Some text first.\n\nIt was human error.");
    let again = build_warnings(&book, &site);
    assert_eq!(again.len(), 1, "{again:?}");
    assert!(again[0].contains("ends the inquiry") && again[0] != cold[0], "{again:?} {cold:?}");

    // book.toml changed: every retro is checked again.
    std::fs::write(&cache, std::fs::read_to_string(&cache).unwrap().replace("ends the inquiry", "stale")).unwrap();
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(book.join("book.toml"), format!("{toml}\n# edited\n")).unwrap();
    assert_eq!(build_warnings(&book, &site), again);
    std::fs::write(&cache, "not json").unwrap();
    assert_eq!(build_warnings(&book, &site), again, "a broken cache is ignored");
}
