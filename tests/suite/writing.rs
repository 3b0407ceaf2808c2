//! The writing aids in `check`: stakeholder-message rules for external retros, blameless
//! language, and completeness of the seven elements — each at the offending word, with a
//! message that says what would be right, and silent on well-written text.

use crate::common;
use common::*;
use serde_json::Value;

fn diagnostics(book: &std::path::Path) -> (Vec<Value>, i32) {
    let out = run(&["check", "--format", "json", "--book", book.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("a JSON array");
    (v.as_array().unwrap().clone(), out.status.code().unwrap())
}

/// (file, rule, level, line, column, a part of the message)
const EXPECTED: &[(&str, &str, &str, u32, u32, &str)] = &[
    (
        "stakeholder-bad.md",
        "stakeholder-data-loss",
        "error",
        23,
        1,
        "add `data-loss: false` (or `true`) under `impact:`",
    ),
    ("stakeholder-bad.md", "stakeholder-name", "error", 25, 1, "names `Ana Ruiz`, who is on this retro's team"),
    ("stakeholder-bad.md", "stakeholder-name", "error", 25, 67, "names `Okafor`"),
    ("stakeholder-bad.md", "stakeholder-internal-id", "error", 25, 34, "`db-3.prod.internal`, an internal host name"),
    ("stakeholder-bad.md", "stakeholder-internal-id", "error", 26, 1, "`10.0.3.17`, an IP address"),
    ("stakeholder-bad.md", "stakeholder-internal-id", "error", 26, 56, "`OPS-123`, a ticket key"),
    ("stakeholder-bad.md", "stakeholder-internal-id", "error", 26, 70, "`config-drift`, a contributing-factor id"),
    ("stakeholder-bad.md", "stakeholder-plain-language", "note", 27, 5, "`latency` → \"slowness\""),
    (
        "stakeholder-bad.md",
        "stakeholder-internal-id",
        "error",
        15,
        9,
        "the title of action `A1`, shown on the external site, contains `db-3.prod.internal`",
    ),
    ("stakeholder-template.md", "stakeholder-template", "warning", 12, 1, "still holds only the template's guidance"),
    ("stakeholder-missing.md", "stakeholder-missing", "warning", 2, 5, "has no `## Stakeholder message` section"),
    ("blameless-bad.md", "blameless-human-error", "warning", 19, 28, "describe what made the action reasonable"),
    ("blameless-bad.md", "blameless-should-have", "warning", 20, 13, "\"should have\" judges with hindsight"),
    ("blameless-bad.md", "blameless-failed-to", "warning", 20, 63, "\"we failed to\""),
    ("blameless-bad.md", "blameless-person", "warning", 21, 1, "`Ben Okafor` is the subject of \"forgot\""),
    ("blameless-bad.md", "blameless-careless", "warning", 22, 8, "\"careless\""),
    ("blameless-bad.md", "blameless-fault", "warning", 22, 48, "\"our fault\""),
    ("blameless-bad.md", "blameless-blame", "warning", 22, 72, "\"to blame\""),
    ("blameless-bad.md", "blameless-blame", "warning", 9, 9, "in the why of action `A1`: \"to blame\""),
    ("blameless-bad.md", "blameless-allow-reason", "warning", 25, 6, "needs a reason"),
    ("blameless-bad.md", "blameless-human-error", "warning", 26, 12, "\"human error\""),
    (
        "incomplete-required.md",
        "completeness",
        "error",
        14,
        9,
        "Contributing factors is required for SEV1 retros ([retros.required] five-whys) but incomplete: factor `retry-without-idempotency` has no why chain",
    ),
    (
        "incomplete-required.md",
        "completeness",
        "error",
        22,
        9,
        "Follow-up actions is required for SEV1 retros ([retros.required] follow-up-actions) but incomplete: action `A1` has no why",
    ),
    ("incomplete-draft.md", "completeness", "note", 14, 9, "Contributing factors is incomplete: factor"),
    ("incomplete-draft.md", "completeness", "note", 22, 9, "Follow-up actions is incomplete: action `A1` has no why"),
    ("stakeholder-template.md", "completeness", "note", 12, 1, "the Stakeholder message section still holds only"),
];

#[test]
fn every_writing_rule_fires_at_the_word_with_its_advice() {
    let (diags, code) = diagnostics(&fixture("writing"));
    assert_eq!(code, 1, "names, internal ids, a missing data-loss statement and required elements are errors");
    for (file, rule, level, line, col, msg) in EXPECTED {
        let found = diags.iter().any(|d| {
            d["file"] == format!("retros/{file}")
                && d["rule"] == *rule
                && d["level"] == *level
                && d["line"] == *line
                && d["column"] == *col
                && d["message"].as_str().unwrap().contains(msg)
        });
        assert!(
            found,
            "expected {file}:{line}:{col} {level}[{rule}] containing {msg:?}\nall: {:#}",
            Value::Array(diags.clone())
        );
    }
}

#[test]
fn no_false_positives() {
    let (diags, _) = diagnostics(&fixture("writing"));
    let of = |file: &str| -> Vec<&Value> { diags.iter().filter(|d| d["file"] == format!("retros/{file}")).collect() };
    // A complete retro, with an accepted risk (a wont-do action), has nothing to report.
    assert!(of("complete.md").is_empty(), "{:#?}", of("complete.md"));
    // A good stakeholder message: web addresses, version numbers and percentages are not internal.
    assert!(of("stakeholder-good.md").iter().all(|d| d["rule"] == "completeness"), "{:#?}", of("stakeholder-good.md"));
    let blameless: Vec<&Value> =
        of("blameless-bad.md").into_iter().filter(|d| d["rule"].as_str().unwrap().starts_with("blameless")).collect();
    // Quotes, code blocks, inline code, a silenced line and a system that "failed to start" are not reported.
    for line in [23, 24, 28, 31, 34, 35] {
        assert!(!blameless.iter().any(|d| d["line"] == line), "line {line}: {blameless:#?}");
    }
    assert_eq!(blameless.len(), 10, "{blameless:#?}");
}

#[test]
fn the_sample_book_has_no_writing_problems() {
    let out = run(&["check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let writing: Vec<&Value> = diags
        .iter()
        .filter(|d| {
            let r = d["rule"].as_str().unwrap();
            r.starts_with("stakeholder") || r.starts_with("blameless")
        })
        .collect();
    assert!(writing.is_empty(), "{writing:#?}");
}

#[test]
fn blameless_level_follows_the_lint_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path();
    std::fs::create_dir_all(book.join("retros")).unwrap();
    std::fs::copy(fixture("writing/retros/blameless-bad.md"), book.join("retros/blameless-bad.md")).unwrap();
    let count = |level: &str| {
        std::fs::write(book.join("book.toml"), format!("[lint]\nblameless = \"{level}\"\ncompleteness = false\n"))
            .unwrap();
        let (diags, code) = diagnostics(book);
        let levels: Vec<String> = diags
            .iter()
            .filter(|d| d["rule"].as_str().unwrap().starts_with("blameless"))
            .map(|d| d["level"].as_str().unwrap().to_string())
            .collect();
        (levels, code)
    };
    let (levels, code) = count("off");
    assert!(levels.is_empty());
    assert_eq!(code, 0);
    let (levels, code) = count("error");
    assert!(levels.iter().filter(|l| *l == "error").count() >= 8, "{levels:?}");
    assert_eq!(code, 1);
}

#[test]
fn the_checklist_is_on_the_retro_page_the_incident_list_and_the_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("site");
    let out = run(&["--today", "2026-11-28", "build", "--no-search", "--dest-dir", dest.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dest.join("retros/2026-04-07-payments-double-capture/index.html")).unwrap();
    assert!(page.contains("Checklist: 7 of 7 elements complete"), "a checklist block on the retro page");
    assert!(page.contains("<li class=\"rb-check-ok\"><span aria-hidden=\"true\">✓</span> Communication timeline</li>"));
    let list = std::fs::read_to_string(dest.join("retros/index.html")).unwrap();
    assert!(list.contains("data-completeness=\"complete\""), "the list's rows carry the filter value");
    assert!(list.contains("data-filter=\"completeness\""), "and the filter bar offers it");
    assert!(list.contains(">7/7</span>"), "a checklist column");
    let stats = std::fs::read_to_string(dest.join("stats/index.html")).unwrap();
    assert!(stats.contains("Complete retros per quarter"));
    assert!(
        stats.contains("<th scope=\"row\">2026-Q2</th><td>2</td><td>2</td>"),
        "two retros in Q2 2026, both complete"
    );
}
