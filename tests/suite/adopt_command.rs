//! `retrobook adopt`: printing what was read from adopted files, and `--write`.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// A postmortem written without retrobook in mind: a title, a timeline with kinds, actions.
const PLAIN: &str = "# Queue workers stalled after a broker upgrade\n\
\n\
The billing queue stopped draining for most of an afternoon.\n\
\n\
## Timeline\n\
\n\
- 13:02 [started] Broker upgrade rolled out to the second zone\n\
- 13:20 [detected] Queue depth alert paged the on-call engineer\n\
- 14:05 [mitigated] Workers restarted against the old broker\n\
- 15:40 [resolved] Backlog drained\n\
\n\
## Lessons learned\n\
\n\
Upgrades of shared brokers need a canary zone.\n";

/// Front matter written for Jekyll: its keys must survive.
const JEKYLL: &str = "---\n\
layout: post\n\
title: \"Search index went stale\"\n\
description: \"Stale search results for six hours.\"\n\
categories: [ops]\n\
---\n\
\n\
Search results lagged by six hours on 2023-11-08.\n\
\n\
## What happened\n\
\n\
The indexer's cron job was disabled during a migration and nobody turned it back on.\n";

/// Front matter written for Hugo, in TOML, with a table at the end.
const HUGO: &str = "+++\n\
title = \"Login page served stale assets\"\n\
draft = false\n\
\n\
[params]\n\
author = \"ops\"\n\
+++\n\
\n\
## Summary\n\
\n\
A CDN rule cached the login bundle for a week after a deploy on 2022-05-17.\n";

/// A retro that already has retrobook front matter.
const NATIVE: &str = "---\n\
id: 2024-02-02-native\n\
title: Already adopted\n\
date: 2024-02-02\n\
severity: SEV3\n\
---\n\
\n\
## Narrative\n\
\n\
Nothing to do here.\n";

fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    std::fs::create_dir(dir.path().join("retros")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("retros").join(name), text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("retros").join(name)).unwrap()
}

fn export(dir: &Path) -> Value {
    let out = run(&["--book", dir.to_str().unwrap(), "--today", "2025-01-01", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What must be the same before and after `adopt --write`: everything a reader of the site sees
/// of a retro except the fields that front matter legitimately changes (the `adopted` flag and
/// where the summary and git data come from).
fn comparable(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for r in v["retros"].as_array().unwrap() {
        let mut r = r.clone();
        let m = r.as_object_mut().unwrap();
        for k in ["adopted", "git", "front_matter", "front-matter"] {
            m.remove(k);
        }
        // File lines move down by the inserted front matter: everything else must stay.
        drop_lines(&mut r);
        out.push(r);
    }
    out
}

fn drop_lines(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("line");
            m.values_mut().for_each(drop_lines);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_lines),
        _ => {}
    }
}

#[test]
fn prints_the_front_matter_read_from_the_file() {
    let dir = book(&[("2024-06-11-queue-stall.md", PLAIN), ("native.md", NATIVE)]);
    let out = run(&["--book", dir.path().to_str().unwrap(), "adopt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("# retros/2024-06-11-queue-stall.md\n---\n"), "{text}");
    assert!(text.contains("id: \"2024-06-11-queue-stall\"\n"), "{text}");
    assert!(text.contains("title: \"Queue workers stalled after a broker upgrade\"\n"), "{text}");
    assert!(text.contains("date: 2024-06-11\n"), "{text}");
    assert!(text.contains("  started: \"2024-06-11T13:02:00Z\"\n"), "{text}");
    assert!(text.contains("  resolved: \"2024-06-11T15:40:00Z\"\n"), "{text}");
    assert!(
        text.contains("severity: ~   # not stated in the file; one of SEV1, SEV2, SEV3, SEV4\n"),
        "a placeholder says what is missing: {text}"
    );
    assert!(!text.contains("native.md"), "a retro with front matter is not shown: {text}");
    // Printing writes nothing.
    assert_eq!(read(dir.path(), "2024-06-11-queue-stall.md"), PLAIN);
    assert!(stderr(&out).contains("nothing was written"), "{}", stderr(&out));
}

#[test]
fn write_keeps_the_body_byte_for_byte_and_a_second_run_changes_nothing() {
    let crlf = PLAIN.replace('\n', "\r\n");
    let bom = format!("\u{feff}{PLAIN}");
    let dir = book(&[("2024-06-11-queue-stall.md", PLAIN), ("2024-06-12-crlf.md", &crlf), ("2024-06-13-bom.md", &bom)]);
    let b = dir.path().to_str().unwrap();
    let out = run(&["--book", b, "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = read(dir.path(), "2024-06-11-queue-stall.md");
    assert!(after.starts_with("---\nid: \"2024-06-11-queue-stall\"\n"), "{after}");
    assert!(after.ends_with(&format!("---\n{PLAIN}")), "the body is kept byte for byte: {after}");
    let after_crlf = read(dir.path(), "2024-06-12-crlf.md");
    assert!(after_crlf.starts_with("---\r\nid: "), "{after_crlf:?}");
    assert!(after_crlf.ends_with(&format!("---\r\n{crlf}")), "{after_crlf:?}");
    let after_bom = read(dir.path(), "2024-06-13-bom.md");
    assert!(after_bom.starts_with("\u{feff}---\nid: "), "{after_bom:?}");
    assert!(after_bom.ends_with(&format!("---\n{PLAIN}")), "{after_bom:?}");

    let out = run(&["--book", b, "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(dir.path(), "2024-06-11-queue-stall.md"), after, "a second run changes nothing");
    assert_eq!(read(dir.path(), "2024-06-12-crlf.md"), after_crlf);
    assert_eq!(read(dir.path(), "2024-06-13-bom.md"), after_bom);
    assert!(stderr(&out).contains("0 files adopted, 3 already with retrobook front matter"), "{}", stderr(&out));
}

#[test]
fn foreign_front_matter_keeps_every_line_and_gets_its_own_syntax() {
    let dir = book(&[("search-stale.md", JEKYLL), ("login-assets.md", HUGO)]);
    let b = dir.path().to_str().unwrap();
    let out = run(&["--book", b, "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let jekyll = read(dir.path(), "search-stale.md");
    for line in JEKYLL.lines() {
        assert!(jekyll.lines().any(|l| l == line), "line {line:?} kept: {jekyll}");
    }
    assert_eq!(jekyll.matches("title:").count(), 1, "title is not repeated: {jekyll}");
    assert!(jekyll.contains("\nid: \"search-stale\"\n"), "{jekyll}");
    assert!(jekyll.ends_with(JEKYLL.split_once("---\n\n").unwrap().1), "body kept: {jekyll}");

    let hugo = read(dir.path(), "login-assets.md");
    for line in HUGO.lines() {
        assert!(hugo.lines().any(|l| l == line), "line {line:?} kept: {hugo}");
    }
    assert!(hugo.contains("\nid = \"login-assets\"\n"), "TOML syntax in a TOML block: {hugo}");
    assert_eq!(hugo.matches("title =").count(), 1, "{hugo}");
    let block = hugo.split("+++").nth(1).unwrap();
    let parsed: toml::Table = toml::from_str(block).expect("still valid TOML");
    assert_eq!(parsed["params"]["author"].as_str(), Some("ops"), "the table keeps its keys: {hugo}");
    assert_eq!(parsed["id"].as_str(), Some("login-assets"), "our keys are not swallowed by [params]: {hugo}");

    let check = run(&["--book", b, "check"]);
    assert_eq!(check.status.code(), Some(0), "{}{}", stdout(&check), stderr(&check));
    assert!(!stdout(&check).contains("error"), "{}", stdout(&check));
}

#[test]
fn after_write_check_is_clean_and_the_export_is_the_same() {
    let dir = book(&[
        ("2024-06-11-queue-stall.md", PLAIN),
        ("search-stale.md", JEKYLL),
        ("login-assets.md", HUGO),
        ("native.md", NATIVE),
    ]);
    let b = dir.path().to_str().unwrap();
    let before = export(dir.path());
    let out = run(&["--book", b, "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 files written"), "{}", stderr(&out));
    let after = export(dir.path());
    assert_eq!(comparable(&before), comparable(&after));
    assert_eq!(before["factors"], after["factors"]);
    assert_eq!(before["actions"], after["actions"]);
    let check = run(&["--book", b, "check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let diags: Vec<Value> = serde_json::from_slice(&check.stdout).unwrap();
    assert!(diags.iter().all(|d| d["level"] != "error"), "{diags:#?}");
}

#[test]
fn text_with_quotes_colons_and_escapes_survives_the_round_trip() {
    let hostile = "# Deploy \"v2: the sequel\" # broke `prod` \\ again: 100% {x} [y] & *z*\n\n\
                   ## Narrative\n\nIt happened on 2021-01-05.\n";
    let dir = book(&[("2021-01-05-hostile.md", hostile)]);
    let b = dir.path().to_str().unwrap();
    let before = export(dir.path());
    let out = run(&["--book", b, "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = export(dir.path());
    assert_eq!(before["retros"][0]["title"], after["retros"][0]["title"]);
    assert_eq!(comparable(&before), comparable(&after));
}

#[test]
fn paths_choose_files_and_a_missing_path_is_a_usage_error() {
    let dir = book(&[("2024-06-11-queue-stall.md", PLAIN), ("search-stale.md", JEKYLL)]);
    let b = dir.path().to_str().unwrap();
    let one = dir.path().join("retros/search-stale.md");
    let out = run(&["--book", b, "adopt", "--write", one.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(dir.path(), "2024-06-11-queue-stall.md"), PLAIN, "only the named file is written");
    assert_ne!(read(dir.path(), "search-stale.md"), JEKYLL);

    let out = run(&["--book", b, "adopt", "retros/nope.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    let out = run(&["--book", b, "adopt", "--split"]);
    assert_eq!(out.status.code(), Some(2), "--split needs --write: {}", stderr(&out));
}

/// Four adopted files, two of them under `retros/legacy/`: none states a severity.
fn noisy_book(lint: &str) -> tempfile::TempDir {
    let dir = book(&[("2024-06-11-queue-stall.md", PLAIN), ("2024-06-12-queue-stall-again.md", PLAIN)]);
    std::fs::create_dir(dir.path().join("retros/legacy")).unwrap();
    for name in ["2019-01-02-old.md", "2019-03-04-older.md"] {
        std::fs::write(dir.path().join("retros/legacy").join(name), PLAIN).unwrap();
    }
    std::fs::write(dir.path().join("book.toml"), format!("[book]\ntitle = \"T\"\n{lint}")).unwrap();
    dir
}

fn json_diags(dir: &Path) -> Vec<Value> {
    let out = run(&["--book", dir.to_str().unwrap(), "check", "--format", "json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count(diags: &[Value], rule: &str) -> usize {
    diags.iter().filter(|d| d["rule"] == rule).count()
}

#[test]
fn check_groups_a_message_repeated_on_every_adopted_file_and_sums_up_by_rule() {
    let dir = noisy_book("");
    let b = dir.path().to_str().unwrap();
    let out = run(&["--book", b, "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let grouped: Vec<&str> = text.lines().filter(|l| l.starts_with("warning[fm-required]")).collect();
    assert_eq!(grouped.len(), 1, "one line for the repeated message: {text}");
    assert!(grouped[0].contains("— in 4 files: retros/2024-06-11-queue-stall.md, "), "{}", grouped[0]);
    assert!(!text.contains("--> retros/legacy/2019-01-02-old.md:1:1\n  |\n1 | # Queue"), "{text}");
    let err = stderr(&out);
    assert!(err.contains("by rule:\n"), "{err}");
    assert!(err.lines().any(|l| l.trim_start().starts_with("fm-required") && l.ends_with("4 warnings")), "{err}");
    // The machine formats keep one diagnostic per file.
    assert_eq!(count(&json_diags(dir.path()), "fm-required"), 4);
    let gh = stdout(&run(&["--book", b, "check", "--format", "github"]));
    assert_eq!(gh.lines().filter(|l| l.contains("title=fm-required")).count(), 4, "{gh}");
}

#[test]
fn lint_levels_by_rule_id_and_by_path_glob() {
    let off = noisy_book("[lint]\nfm-required = \"off\"\n");
    assert_eq!(count(&json_diags(off.path()), "fm-required"), 0);

    let legacy = noisy_book("[lint.paths.\"retros/legacy/**\"]\nfm-required = \"off\"\n");
    let diags = json_diags(legacy.path());
    assert_eq!(count(&diags, "fm-required"), 2, "{diags:#?}");
    assert!(
        diags.iter().all(|d| !d["file"].as_str().unwrap().starts_with("retros/legacy/") || d["rule"] != "fm-required")
    );

    let strict =
        noisy_book("[lint]\nfm-required = \"error\"\n[lint.paths.\"retros/legacy/**\"]\nfm-required = \"note\"\n");
    let out = run(&["--book", strict.path().to_str().unwrap(), "check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "an error level fails the run");
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let levels: Vec<(&str, &str)> = diags
        .iter()
        .filter(|d| d["rule"] == "fm-required")
        .map(|d| (d["file"].as_str().unwrap(), d["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [
            ("retros/2024-06-11-queue-stall.md", "error"),
            ("retros/2024-06-12-queue-stall-again.md", "error"),
            ("retros/legacy/2019-01-02-old.md", "note"),
            ("retros/legacy/2019-03-04-older.md", "note"),
        ]
    );
    // The build follows the same levels.
    let out = run(&["--book", strict.path().to_str().unwrap(), "build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn an_unknown_rule_id_in_lint_is_a_config_error_naming_the_nearest() {
    let dir = noisy_book("[lint]\n\"timeline-ordr\" = \"off\"\n");
    let out = run(&["--book", dir.path().to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out) + &stderr(&out);
    assert!(text.contains("unknown rule `timeline-ordr` in [lint]; did you mean `timeline-order`?"), "{text}");
    assert!(text.contains("book.toml:4:1"), "{text}");
}

#[test]
fn a_file_without_any_date_is_left_alone_with_what_to_do() {
    let undated = "# Notes from the cache incident\n\n## Summary\n\nNo date anywhere.\n";
    let dir = book(&[("cache-notes.md", undated), ("2024-06-11-queue-stall.md", PLAIN)]);
    let out = run(&["--book", dir.path().to_str().unwrap(), "adopt", "--write"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("retros/cache-notes.md: no date found"), "{}", stderr(&out));
    assert!(stderr(&out).contains("add a line `date: YYYY-MM-DD`"), "{}", stderr(&out));
    assert_eq!(read(dir.path(), "cache-notes.md"), undated, "left alone");
    assert_ne!(read(dir.path(), "2024-06-11-queue-stall.md"), PLAIN, "the other files are still written");
}
