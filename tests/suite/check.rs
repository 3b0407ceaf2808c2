//! `check`: every rule fires at the right place with a helpful message, in all three formats.

use crate::common;
use common::*;
use serde_json::Value;

fn diagnostics(book: &str, extra: &[&str]) -> (Vec<Value>, i32) {
    let path = fixture(book);
    let mut args = vec!["check", "--format", "json", "--book", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(&args);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("check --format json prints a JSON array");
    (v.as_array().unwrap().clone(), out.status.code().unwrap())
}

/// (file, rule, line, column, a part of the message)
const EXPECTED: &[(&str, &str, u32, u32, &str)] = &[
    ("yaml-syntax.md", "fm-syntax", 5, 5, "YAML syntax"),
    ("toml-syntax.md", "fm-syntax", 5, 12, "TOML syntax"),
    ("wrong-type.md", "fm-type", 7, 7, "`tags` should be a list of strings, found a map"),
    ("wrong-type.md", "fm-type", 8, 11, "`external` should be true or false, found a string"),
    (
        "missing-keys.md",
        "fm-required",
        1,
        1,
        "required key `severity` is missing; add `severity:` with one of SEV1, SEV2, SEV3, SEV4",
    ),
    ("missing-keys.md", "fm-required", 1, 1, "required key `date` is missing"),
    ("bad-id.md", "id-charset", 2, 5, "id `.hidden/escape` starts with a dot"),
    ("dup-a.md", "id-duplicate", 2, 5, "id `twin-id` is also used by retros/dup-b.md"),
    ("dup-b.md", "id-duplicate", 2, 5, "id `twin-id` is also used by retros/dup-a.md"),
    ("unknown-values.md", "fm-enum", 5, 11, "unknown severity `CRITICAL`; expected one of SEV1, SEV2, SEV3, SEV4"),
    ("unknown-values.md", "fm-enum", 6, 9, "unknown status `done`; expected one of draft, in-review, published"),
    ("unknown-values.md", "fm-enum", 9, 15, "unknown factor category `hardware`; expected one of people, process"),
    (
        "unknown-values.md",
        "fm-enum",
        14,
        13,
        "unknown action status `closed`; expected one of open, in-progress, done, wont-do",
    ),
    ("impossible-date.md", "fm-date", 4, 7, "impossible date `2025-02-30` in `date`: February 2025 has 28 days"),
    ("moments-order.md", "moments-order", 8, 13, "`detected` (2025-03-01T09:30:00Z) is before `started`"),
    (
        "timeline-disagrees.md",
        "timeline-moment",
        14,
        1,
        "the timeline's [detected] entry is at 2025-03-01T10:12:00Z but front matter says `impact.detected: 2025-03-01T10:05:00Z`",
    ),
    (
        "related-missing.md",
        "related-unresolved",
        6,
        21,
        "related id `good-tow` is not a retro in this book; did you mean `good-two`?",
    ),
    ("action-problems.md", "action-owner", 10, 9, "action `A1` is open but has no owner"),
    ("action-problems.md", "action-due", 13, 10, "impossible date `2025-13-40` in `due`: there is no month 13"),
    (
        "action-problems.md",
        "addresses-unknown",
        19,
        17,
        "addresses `missing-alerts`, which is not a factor of this retro; did you mean `missing-alert`?",
    ),
    ("action-problems.md", "addresses-unknown", 19, 33, "addresses `runbook-gap`"),
    (
        "factor-twin.md",
        "factor-twin",
        7,
        9,
        "factor `config-drfit` is new to the book but close to `config-drift` (used in 2 retros)",
    ),
    ("monitoring-paths.md", "monitoring-data", 9, 11, "names `latency.csv`, but `retros/latency.csv` does not exist"),
    ("monitoring-paths.md", "monitoring-data", 11, 11, "points outside the book"),
    (
        "monitoring-pulled.md",
        "monitoring-source",
        11,
        13,
        "names the source `graphite`, but book.toml has no [monitoring.sources.graphite]",
    ),
    (
        "monitoring-pulled.md",
        "monitoring-not-pulled",
        13,
        11,
        "series `5xx rate` has a `query`, but `retros/not-pulled-yet.csv` does not exist yet; run `retrobook monitoring pull retros/monitoring-pulled.md`",
    ),
    (
        "monitoring-pulled.md",
        "monitoring-not-pulled",
        14,
        15,
        "`retros/not-pulled-yet.baseline.csv` does not exist yet",
    ),
    (
        "monitoring-pulled.md",
        "monitoring-coverage",
        18,
        11,
        "runs from 2025-03-01T09:00:00Z to 2025-03-01T10:30:00Z, but the incident runs from 2025-03-01T10:00:00Z to 2025-03-01T11:00:00Z; run `retrobook monitoring pull --refresh",
    ),
    ("monitoring-pulled.md", "monitoring-data", 21, 15, "`baseline` of series `hand-made` is the duration `1w`"),
    ("unknown-key.md", "fm-unknown-key", 6, 1, "unknown key `servics`, ignored; did you mean `services`?"),
    ("empty.md", "file-empty", 1, 1, "the file is empty"),
    ("binary.md", "file-binary", 1, 1, "the file is binary"),
    ("latin1.md", "file-encoding", 3, 12, "not valid UTF-8"),
    (
        "timeline-problems.md",
        "timeline-kind",
        11,
        9,
        "unknown timeline kind `[detectd]`; valid kinds: started, detected, escalated, mitigated, resolved, comms, breakthrough, miscommunication, handoff; did you mean `[detected]`?",
    ),
    ("timeline-problems.md", "timeline-order", 12, 3, "09:50 is earlier than the previous entry at 10:20"),
];

#[test]
fn every_rule_fires_with_position_and_message() {
    let (diags, code) = diagnostics("rules", &[]);
    assert_eq!(code, 1, "a book with errors exits 1");
    for (file, rule, line, col, msg) in EXPECTED {
        let found = diags.iter().any(|d| {
            d["file"] == format!("retros/{file}")
                && d["rule"] == *rule
                && d["line"] == *line
                && d["column"] == *col
                && d["message"].as_str().unwrap().contains(msg)
        });
        assert!(
            found,
            "expected {file}:{line}:{col} [{rule}] containing {msg:?}\nall: {:#}",
            Value::Array(diags.clone())
        );
    }
    // A valid retro has nothing to report, and a syntax error is not followed by "missing key" noise.
    assert!(!diags.iter().any(|d| d["file"] == "retros/good-one.md"));
    assert!(!diags.iter().any(|d| d["file"] == "retros/yaml-syntax.md" && d["rule"] == "fm-required"));
}

#[test]
fn json_format_snapshot() {
    let (diags, _) = diagnostics("rules", &[]);
    insta::assert_json_snapshot!("rules_json", diags);
}

#[test]
fn github_format_snapshot() {
    let path = fixture("rules");
    let out = run(&["check", "--format", "github", "--book", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.starts_with("::error file=") || l.starts_with("::warning file=")), "{text}");
    insta::assert_snapshot!("rules_github", text);
}

#[test]
fn human_format_snapshot() {
    let path = fixture("rules");
    let out = run(&["check", "--book", path.to_str().unwrap(), "retros/unknown-values.md", "retros/factor-twin.md"]);
    let text = stdout(&out);
    assert!(text.contains("--> retros/unknown-values.md:5:11"), "{text}");
    assert!(text.contains("5 | severity: CRITICAL"), "{text}");
    insta::assert_snapshot!("rules_human", text);
    assert!(stderr(&out).contains("errors"), "a summary line on stderr");
}

#[test]
fn path_arguments_filter_reports_but_rules_see_the_whole_book() {
    let path = fixture("rules");
    let out = run(&["check", "--format", "json", "--book", path.to_str().unwrap(), "retros/factor-twin.md"]);
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["rule"], "factor-twin", "the twin is found in other files even when only one is reported");
}

#[test]
fn strict_turns_warnings_into_errors() {
    let (diags, code) = diagnostics("warnings", &[]);
    assert_eq!(code, 0, "warnings alone pass: {diags:?}");
    // Completeness suggestions are notes; everything else in this book is a warning.
    assert!(diags.iter().all(|d| d["level"] == "warning" || (d["level"] == "note" && d["rule"] == "completeness")));
    assert!(diags.iter().any(|d| d["level"] == "warning"));
    let (diags, code) = diagnostics("warnings", &["--strict"]);
    assert_eq!(code, 1);
    // --strict turns warnings into errors; suggestions stay suggestions.
    assert!(diags.iter().all(|d| d["level"] == "error" || d["level"] == "note"));
    assert!(diags.iter().any(|d| d["level"] == "error"));
}

#[test]
fn config_unknown_key_suggests_the_nearest() {
    let path = fixture("config-typo");
    let out = run(&["check", "--format", "json", "--book", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diags[0]["file"], "book.toml");
    assert_eq!((diags[0]["line"].as_u64(), diags[0]["column"].as_u64()), (Some(5), Some(1)));
    assert_eq!(diags[0]["message"], "unknown key `site-ulr` in [output.html]; did you mean `site-url`?");
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["check", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--today", "2025-02-30", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("February 2025 has 28 days"));
}

#[test]
fn sample_book_passes_check() {
    let out = run(&["check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let errors: Vec<&Value> = diags.iter().filter(|d| d["level"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(out.status.code(), Some(0));
}
