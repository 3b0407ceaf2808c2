//! `report factors|actions|stats` on a book whose every figure was computed by hand.
//!
//! The fixture `tests/fixtures/indexes`, run with `--today 2025-12-01`. Its six retros (UTC):
//!
//! | retro | date | sev | services | detect | mitigate | resolve | factors |
//! |---|---|---|---|---|---|---|---|
//! | R1 cache-stampede | 2024-11-05 | SEV2 | api | 600 | 2400 | 7200 | config-drift, missing-alert |
//! | R2 checkout-payments-down | 2024-12-20 | SEV1 | checkout, payments | 301 | 1800 | 3600 | config-mismatch (alias of config-drift), deploy-freeze |
//! | R3 api-pool-exhausted | 2025-02-14 | SEV2 | api | — (no detected) | 3600 | 7200 | missing-alert, connection-limit |
//! | R4 search-reindex | 2025-02-27 | SEV3 | search | — | — | — (no moments) | deploy-freze |
//! | R5 payment-config-drift | 2025-06-10 | SEV2 | payments | 1200 | 3600 | 10800 | config-drift, db-connection-limit |
//! | R6 search-db-saturation | 2025-06-25 | SEV1 | search | 1800 | 4800 | 14400 | db-connection-limit |
//!
//! Actions (owner, status, due → overdue on 2025-12-01):
//! R1#A1 platform done 2024-12-01 (addresses config-drift); R1#A2 sre open 2025-01-15 → 320 days
//! (Jan 15 → Nov 15 is 31+28+31+30+31+30+31+31+30+31 = 304 days, + 16 to Dec 1);
//! R2#A1 payments in-progress 2025-11-20 → 11 days; R2#A2 sre wont-do;
//! R3#A1 platform open 2025-12-01 → not overdue (due today is not before today);
//! R4#A1 sre open 2026-01-10; R5#A1 payments open 2025-07-01 → 153 days (31+31+30+31+30);
//! R5#A2 platform done 2025-06-30 (addresses db-connection-limit); R6#A1 sre open, no due date;
//! R6#A2 no owner, wont-do.

use crate::common;
use common::*;
use serde_json::{Value, json};

const TODAY: &str = "2025-12-01";

/// Runs `retrobook --book tests/fixtures/indexes --today 2025-12-01 report ARGS…`; checks exit 0.
fn report(args: &[&str]) -> String {
    let book = fixture("indexes");
    let mut all = vec!["--book", book.to_str().unwrap(), "--today", TODAY, "report"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.status.code(), Some(0), "report {args:?}: {}", stderr(&out));
    stdout(&out)
}

fn report_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&report(&all)).expect("valid JSON")
}

fn d(n: usize, median: Option<i64>, p90: Option<i64>, mean: Option<i64>) -> Value {
    json!({ "n": n, "median": median, "p90": p90, "mean": mean })
}

/// Asserts that `needles` occur in `text` in this order (serde_json's `Value` sorts keys, so the
/// order of keys is checked on the text).
fn in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        let at = text[from..].find(n).unwrap_or_else(|| panic!("`{n}` not found after byte {from} in:\n{text}"));
        from += at + n.len();
    }
}

#[test]
fn stats_json_is_computed_by_the_spec_rules() {
    let text = report(&["stats", "--format", "json"]);
    // Top-level keys in the order of docs/report.md (pretty-printed: two spaces of indent), then
    // the severities in book.toml order, and each month's keys in that order too.
    in_order(
        &text,
        &[
            "\n  \"incidents\"",
            "\n  \"by_severity\"",
            "\n  \"by_service\"",
            "\n  \"by_year\"",
            "\n  \"by_quarter\"",
            "\n  \"per_month\"",
            "\n  \"completeness\"",
        ],
    );
    in_order(&text, &["\"by_severity\"", "\"SEV1\": {", "\"SEV2\": {", "\"SEV3\": {", "\"by_service\""]);
    in_order(
        &text,
        &[
            "\"month\": \"2024-11\",\n      \"SEV1\": 0,\n      \"SEV2\": 1,\n      \"SEV3\": 0,\n      \"unstated\": 0\n",
        ],
    );
    let s: Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(s["incidents"], 6);

    // By severity (SEV3 listed with n = 0 and nulls).
    assert_eq!(keys(&s["by_severity"]), ["SEV1", "SEV2", "SEV3"]);
    // SEV1 = R2, R6. detect 301, 1800 → median (301 + 1800) / 2 = 1050.5 → 1050; p90 ⌈0.9·2⌉ = 2nd = 1800.
    // mitigate 1800, 4800 → 3300 / 4800; resolve 3600, 14400 → 9000 / 14400.
    assert_eq!(
        s["by_severity"]["SEV1"],
        json!({ "incidents": 2, "detect": d(2, Some(1050), Some(1800), Some(1050)),
                "mitigate": d(2, Some(3300), Some(4800), Some(3300)), "resolve": d(2, Some(9000), Some(14400), Some(9000)) })
    );
    // SEV2 = R1, R3, R5. detect: R3 has no `detected` → n 2: 600, 1200 → 900 / 1200.
    // mitigate 2400, 3600, 3600 → median the 2nd = 3600; p90 ⌈2.7⌉ = 3rd = 3600.
    // resolve 7200, 7200, 10800 → 7200 / 10800.
    assert_eq!(
        s["by_severity"]["SEV2"],
        json!({ "incidents": 3, "detect": d(2, Some(900), Some(1200), Some(900)),
                "mitigate": d(3, Some(3600), Some(3600), Some(3200)), "resolve": d(3, Some(7200), Some(10800), Some(8400)) })
    );
    // SEV3 = R4, which records no moment: n 0, nulls.
    assert_eq!(
        s["by_severity"]["SEV3"],
        json!({ "incidents": 1, "detect": d(0, None, None, None), "mitigate": d(0, None, None, None), "resolve": d(0, None, None, None) })
    );

    // By service, by name; R2 counts under checkout and under payments (7 = 6 retros + 1).
    assert_eq!(keys(&s["by_service"]), ["api", "checkout", "payments", "search"]);
    let total: u64 = s["by_service"].as_object().unwrap().values().map(|g| g["incidents"].as_u64().unwrap()).sum();
    assert_eq!(total, 7);
    // api = R1, R3: detect only R1 (n 1) 600; mitigate 2400, 3600 → 3000 / 3600; resolve 7200, 7200.
    assert_eq!(
        s["by_service"]["api"],
        json!({ "incidents": 2, "detect": d(1, Some(600), Some(600), Some(600)),
                "mitigate": d(2, Some(3000), Some(3600), Some(3000)), "resolve": d(2, Some(7200), Some(7200), Some(7200)) })
    );
    // checkout = R2 alone: n 1, median = p90 = the value.
    assert_eq!(
        s["by_service"]["checkout"],
        json!({ "incidents": 1, "detect": d(1, Some(301), Some(301), Some(301)),
                "mitigate": d(1, Some(1800), Some(1800), Some(1800)), "resolve": d(1, Some(3600), Some(3600), Some(3600)) })
    );
    // payments = R2, R5: detect 301, 1200 → 1501 / 2 = 750.5 → 750; mitigate 1800, 3600 → 2700;
    // resolve 3600, 10800 → 7200.
    assert_eq!(
        s["by_service"]["payments"],
        json!({ "incidents": 2, "detect": d(2, Some(750), Some(1200), Some(750)),
                "mitigate": d(2, Some(2700), Some(3600), Some(2700)), "resolve": d(2, Some(7200), Some(10800), Some(7200)) })
    );
    // search = R4 (no moments) + R6: n 1 each.
    assert_eq!(
        s["by_service"]["search"],
        json!({ "incidents": 2, "detect": d(1, Some(1800), Some(1800), Some(1800)),
                "mitigate": d(1, Some(4800), Some(4800), Some(4800)), "resolve": d(1, Some(14400), Some(14400), Some(14400)) })
    );

    // By year. 2024 = R1, R2: detect 301, 600 → 450.5 → 450; mitigate 1800, 2400 → 2100;
    // resolve 3600, 7200 → 5400.
    assert_eq!(keys(&s["by_year"]), ["2024", "2025"]);
    assert_eq!(
        s["by_year"]["2024"],
        json!({ "incidents": 2, "detect": d(2, Some(450), Some(600), Some(450)),
                "mitigate": d(2, Some(2100), Some(2400), Some(2100)), "resolve": d(2, Some(5400), Some(7200), Some(5400)) })
    );
    // 2025 = R3, R4, R5, R6: detect 1200, 1800 → 1500; mitigate 3600, 3600, 4800 → 3600 / 4800;
    // resolve 7200, 10800, 14400 → 10800 / 14400.
    assert_eq!(
        s["by_year"]["2025"],
        json!({ "incidents": 4, "detect": d(2, Some(1500), Some(1800), Some(1500)),
                "mitigate": d(3, Some(3600), Some(4800), Some(4000)), "resolve": d(3, Some(10800), Some(14400), Some(10800)) })
    );

    // By quarter, in the same shape. 2024-Q4 = R1, R2 (as 2024). 2025-Q1 = R3, R4: detect none;
    // mitigate and resolve R3 only. 2025-Q2 = R5, R6: detect 1200, 1800 → 1500 (mean 1500);
    // mitigate 3600, 4800 → 4200; resolve 10800, 14400 → 12600. No incident in 2025-Q3 or later.
    assert_eq!(keys(&s["by_quarter"]), ["2024-Q4", "2025-Q1", "2025-Q2"]);
    assert_eq!(s["by_quarter"]["2024-Q4"], s["by_year"]["2024"]);
    assert_eq!(
        s["by_quarter"]["2025-Q1"],
        json!({ "incidents": 2, "detect": d(0, None, None, None),
                "mitigate": d(1, Some(3600), Some(3600), Some(3600)), "resolve": d(1, Some(7200), Some(7200), Some(7200)) })
    );
    assert_eq!(
        s["by_quarter"]["2025-Q2"],
        json!({ "incidents": 2, "detect": d(2, Some(1500), Some(1800), Some(1500)),
                "mitigate": d(2, Some(4200), Some(4800), Some(4200)), "resolve": d(2, Some(12600), Some(14400), Some(12600)) })
    );

    // Every month from 2024-11 to 2025-06 (8), empty ones included, every severity key present.
    let zero = |m: &str| json!({ "month": m, "SEV1": 0, "SEV2": 0, "SEV3": 0, "unstated": 0 });
    assert_eq!(
        s["per_month"],
        json!([
            { "month": "2024-11", "SEV1": 0, "SEV2": 1, "SEV3": 0, "unstated": 0 },
            { "month": "2024-12", "SEV1": 1, "SEV2": 0, "SEV3": 0, "unstated": 0 },
            zero("2025-01"),
            { "month": "2025-02", "SEV1": 0, "SEV2": 1, "SEV3": 1, "unstated": 0 },
            zero("2025-03"),
            zero("2025-04"),
            zero("2025-05"),
            { "month": "2025-06", "SEV1": 1, "SEV2": 1, "SEV3": 0, "unstated": 0 },
        ])
    );

    // R3 lacks detected; R4 lacks all four; R1, R2, R5, R6 are complete.
    assert_eq!(
        s["completeness"],
        json!({ "missing": { "started": 1, "detected": 2, "mitigated": 1, "resolved": 1 }, "complete": 4 })
    );
}

/// `tests/fixtures/incident-log`: one incident log split into six retros (incident_log.rs),
/// none with a severity. Durations in seconds (detect, mitigate, resolve):
///
/// | incident | quarter | detect | mitigate | resolve |
/// |---|---|---|---|---|
/// | 2024-07-08 | Q3 | 600 | 2400 | 5400 |
/// | 2024-08-14 | Q3 | 300 | 2700 | 7200 |
/// | 2024-09-20 | Q3 | 120 | 5400 | 7260 |
/// | 2024-10-03 | Q4 | 5400 | 6600 | 7200 |
/// | 2024-11-19 | Q4 | 1200 | — | 7200 |
/// | 2024-12-02 | Q4 | 65 | 1860 | 2760 |
#[test]
fn stats_of_an_incident_log_per_quarter_and_without_severities() {
    let book = fixture("incident-log");
    let out = run(&["--book", book.to_str().unwrap(), "report", "stats", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(s["incidents"], 6);
    // Q3: detect 120, 300, 600 → median 300, p90 ⌈2.7⌉ = 3rd = 600, mean 1020 / 3 = 340;
    // mitigate 2400, 2700, 5400 → 2700 / 5400 / 10500 / 3 = 3500;
    // resolve 5400, 7200, 7260 → 7200 / 7260 / 19860 / 3 = 6620.
    assert_eq!(
        s["by_quarter"]["2024-Q3"],
        json!({ "incidents": 3, "detect": d(3, Some(300), Some(600), Some(340)),
                "mitigate": d(3, Some(2700), Some(5400), Some(3500)), "resolve": d(3, Some(7200), Some(7260), Some(6620)) })
    );
    // Q4: detect 65, 1200, 5400 → 1200 / 5400 / 6665 / 3 = 2221.67 → 2221 (rounded down);
    // mitigate 1860, 6600 (n 2) → (1860 + 6600) / 2 = 4230 / 6600 / 4230;
    // resolve 2760, 7200, 7200 → 7200 / 7200 / 17160 / 3 = 5720.
    assert_eq!(
        s["by_quarter"]["2024-Q4"],
        json!({ "incidents": 3, "detect": d(3, Some(1200), Some(5400), Some(2221)),
                "mitigate": d(2, Some(4230), Some(6600), Some(4230)), "resolve": d(3, Some(7200), Some(7200), Some(5720)) })
    );
    // The year: detect 65, 120, 300, 600, 1200, 5400 → (300 + 600) / 2 = 450, p90 ⌈5.4⌉ = 6th =
    // 5400, mean 7685 / 6 = 1280.8 → 1280; mitigate 1860, 2400, 2700, 5400, 6600 → 2700 / 6600 /
    // 18960 / 5 = 3792; resolve 2760, 5400, 7200, 7200, 7200, 7260 → 7200 / 7260 / 37020 / 6 = 6170.
    assert_eq!(
        s["by_year"]["2024"],
        json!({ "incidents": 6, "detect": d(6, Some(450), Some(5400), Some(1280)),
                "mitigate": d(5, Some(2700), Some(6600), Some(3792)), "resolve": d(6, Some(7200), Some(7260), Some(6170)) })
    );
    // No severity anywhere: every month counts its incident as unstated, and its total is 1.
    let months = s["per_month"].as_array().unwrap();
    assert_eq!(months.len(), 6);
    for (m, want) in months.iter().zip(["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]) {
        assert_eq!(m, &json!({ "month": want, "SEV1": 0, "SEV2": 0, "SEV3": 0, "SEV4": 0, "unstated": 1 }));
    }
    // The table and the Markdown report show the unstated column and a total of 1 per month.
    let table = stdout(&run(&["--book", book.to_str().unwrap(), "report", "stats"]));
    assert!(table.contains("UNSTATED  TOTAL"), "{table}");
    assert!(table.contains("  2024-07     0     0     0     0         1      1\n"), "{table}");
    assert!(table.contains("  2024-Q4          3  3     20m  1h30m  2   1h10m  1h50m  3      2h     2h\n"), "{table}");
    let md = stdout(&run(&["--book", book.to_str().unwrap(), "report", "stats", "--format", "markdown"]));
    assert!(md.contains("| 2024-07 | 0 | 0 | 0 | 0 | 1 | 1 |"), "{md}");
    let csv = stdout(&run(&["--book", book.to_str().unwrap(), "report", "stats", "--format", "csv"]));
    assert!(csv.contains("quarter,2024-Q4,3,3,1200,5400,2,4230,6600,3,7200,7200,2221,4230,5720,\n"), "{csv}");
    assert!(csv.contains("month,2024-07,1,,,,,,,,,,,,,1\n"), "{csv}");
}

#[test]
fn factors_json_has_recurrence_categories_and_duplicates() {
    let f = report_json(&["factors"]);
    let factors = f["factors"].as_array().unwrap();
    // Most incidents first, then by id.
    let ids: Vec<&str> = factors.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["config-drift", "db-connection-limit", "missing-alert", "connection-limit", "deploy-freeze", "deploy-freze"]
    );

    // config-drift: R1, R2 (written `config-mismatch`, an alias), R5. R1#A1 addressing it was done
    // (due 2024-12-01) and R2 (2024-12-20) cites it again: recurred after remediation.
    // Open actions addressing it: R2#A1 and R5#A1, both overdue.
    assert_eq!(
        factors[0],
        json!({
            "id": "config-drift",
            "title": "Configuration drift between environments",
            "category": "process",
            "incidents": ["2024-11-05-cache-stampede", "2024-12-20-checkout-payments-down", "2025-06-10-payment-config-drift"],
            "first_seen": "2024-11-05",
            "last_seen": "2025-06-10",
            "recurring": true,
            "recurred_after_remediation": true,
            "open_actions": ["2024-12-20-checkout-payments-down#A1", "2025-06-10-payment-config-drift#A1"],
            "overdue_actions": ["2024-12-20-checkout-payments-down#A1", "2025-06-10-payment-config-drift#A1"],
        })
    );
    // db-connection-limit: R5 and R6 (2025-06-25) cite it; R5#A2 was done on 2025-06-30, after both
    // incidents: no recurrence after remediation.
    assert_eq!(factors[1]["incidents"].as_array().unwrap().len(), 2);
    assert_eq!(factors[1]["recurred_after_remediation"], false);
    assert_eq!(factors[1]["open_actions"], json!(["2025-06-25-search-db-saturation#A1"]));
    // missing-alert: R1, R3; two open actions, one overdue; no done action, so no recurrence flag.
    assert_eq!(factors[2]["first_seen"], "2024-11-05");
    assert_eq!(factors[2]["last_seen"], "2025-02-14");
    assert_eq!(factors[2]["recurred_after_remediation"], false);
    assert_eq!(factors[2]["overdue_actions"], json!(["2024-11-05-cache-stampede#A2"]));
    assert!(factors[3..].iter().all(|x| x["recurring"] == false && x["incidents"].as_array().unwrap().len() == 1));

    // Incidents with at least one factor of each category, book.toml order:
    // process R1, R2, R4, R5 = 4; tooling R1, R3 = 2; technology R3, R5, R6 = 3; communication 0.
    assert_eq!(
        f["categories"],
        json!([
            { "category": "process", "incidents": 4 },
            { "category": "tooling", "incidents": 2 },
            { "category": "technology", "incidents": 3 },
            { "category": "communication", "incidents": 0 },
        ])
    );

    // connection-limit ~ db-connection-limit share both words of the shorter id; deploy-freeze ~
    // deploy-freze are one letter apart. The id with more incidents (or first by name) is kept.
    assert_eq!(
        f["possible_duplicates"],
        json!([
            { "a": "db-connection-limit", "b": "connection-limit", "a_incidents": 2, "b_incidents": 1,
              "reason": "shares words connection, limit; same category technology",
              "hint": "[factors.db-connection-limit] aliases = [\"connection-limit\"]" },
            { "a": "deploy-freeze", "b": "deploy-freze", "a_incidents": 1, "b_incidents": 1,
              "reason": "edit distance 1; same category process",
              "hint": "[factors.deploy-freeze] aliases = [\"deploy-freze\"]" },
        ])
    );
}

fn action_keys(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}#{}", a["retro"].as_str().unwrap(), a["id"].as_str().unwrap()))
        .collect()
}

#[test]
fn actions_json_has_overdue_days_and_index_order() {
    let a = report_json(&["actions"]);
    // Open first (overdue on top, soonest due first, no due date last), then done / won't do.
    assert_eq!(
        action_keys(&a),
        [
            "2024-11-05-cache-stampede#A2",
            "2025-06-10-payment-config-drift#A1",
            "2024-12-20-checkout-payments-down#A1",
            "2025-02-14-api-pool-exhausted#A1",
            "2025-02-27-search-reindex#A1",
            "2025-06-25-search-db-saturation#A1",
            "2024-11-05-cache-stampede#A1",
            "2025-06-10-payment-config-drift#A2",
            "2024-12-20-checkout-payments-down#A2",
            "2025-06-25-search-db-saturation#A2",
        ]
    );
    let days: Vec<Value> = a.as_array().unwrap().iter().map(|x| x["days_overdue"].clone()).collect();
    // 320, 153, 11 days (see the module comment); due today (R3#A1) is not overdue.
    assert_eq!(
        days,
        [
            json!(320),
            json!(153),
            json!(11),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );
    assert_eq!(
        a[0],
        json!({ "retro": "2024-11-05-cache-stampede", "id": "A2", "title": "Page on cache miss rate",
                "owner": "sre", "status": "open", "priority": "high", "due": "2025-01-15",
                "overdue": true, "days_overdue": 320, "addresses": ["missing-alert"] })
    );
    assert_eq!(a[3]["overdue"], false);
    assert_eq!(a[3]["due"], TODAY);
    assert_eq!(a[2]["status"], "in-progress");
    assert_eq!(a[9]["owner"], Value::Null);
}

#[test]
fn actions_filters() {
    let overdue = report_json(&["actions", "--overdue"]);
    assert_eq!(
        action_keys(&overdue),
        ["2024-11-05-cache-stampede#A2", "2025-06-10-payment-config-drift#A1", "2024-12-20-checkout-payments-down#A1"]
    );
    // sre owns R1#A2, R4#A1, R6#A1 and R2#A2 (wont-do); the owner matches case-insensitively.
    let sre = report_json(&["actions", "--owner", "SRE"]);
    assert_eq!(
        action_keys(&sre),
        [
            "2024-11-05-cache-stampede#A2",
            "2025-02-27-search-reindex#A1",
            "2025-06-25-search-db-saturation#A1",
            "2024-12-20-checkout-payments-down#A2"
        ]
    );
    let both = report_json(&["actions", "--overdue", "--owner", "sre"]);
    assert_eq!(action_keys(&both), ["2024-11-05-cache-stampede#A2"]);
    assert_eq!(report_json(&["actions", "--owner", "nobody"]), json!([]));
}

#[test]
fn today_pins_the_clock() {
    // On 2025-11-21 R2#A1 (due 2025-11-20) is 1 day overdue; on 2025-11-20 it is not yet.
    let book = fixture("indexes");
    let at = |today: &str| {
        let out = run(&[
            "--book",
            book.to_str().unwrap(),
            "--today",
            today,
            "report",
            "actions",
            "--owner",
            "payments",
            "--format",
            "json",
        ]);
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        v.as_array().unwrap().iter().map(|a| a["days_overdue"].clone()).collect::<Vec<_>>()
    };
    // R5#A1 due 2025-07-01: 143 days to Nov 21 (31+31+30+31+20), 142 to Nov 20.
    assert_eq!(at("2025-11-21"), [json!(143), json!(1)]);
    assert_eq!(at("2025-11-20"), [json!(142), Value::Null]);
}

#[test]
fn table_fits_100_columns_and_has_no_colour_off_a_terminal() {
    let book = fixture("indexes");
    for kind in ["factors", "actions", "stats"] {
        // NO_COLOR unset, but stdout is a pipe: no escape codes.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
            .args(["--book", book.to_str().unwrap(), "--today", TODAY, "report", kind])
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(!text.contains('\x1b'), "{kind}: colour written to a pipe");
        for l in text.lines() {
            assert!(l.chars().count() <= 100, "{kind}: line wider than 100 columns: {l}");
            assert_eq!(l, l.trim_end(), "{kind}: trailing spaces");
        }
    }
}

#[test]
fn snapshots_of_every_format() {
    for kind in ["factors", "actions", "stats"] {
        for format in ["table", "csv", "markdown"] {
            let out = report(&[kind, "--format", format]);
            insta::assert_snapshot!(format!("report_{kind}_{format}"), out);
        }
    }
    insta::assert_snapshot!("report_actions_overdue_table", report(&["actions", "--overdue"]));
}

#[test]
fn usage_errors_and_broken_books() {
    let book = fixture("indexes");
    let b = book.to_str().unwrap();
    // Unknown format, filter on the wrong report, missing report kind: usage errors (2).
    for args in [
        vec!["--book", b, "report", "stats", "--format", "xml"],
        vec!["--book", b, "report", "factors", "--overdue"],
        vec!["--book", b, "report"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // A book with errors still gets its report, and exits 1 with a note on stderr.
    let out = run(&["--book", fixture("rules").to_str().unwrap(), "report", "stats", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("still valid JSON");
    assert!(v["incidents"].as_u64().unwrap() > 0);
    assert!(stderr(&out).contains("retrobook check"));
}

/// `report` in a terminal `columns` wide (stdout is a pipe, so COLUMNS decides).
fn report_in_columns(book: &std::path::Path, columns: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args([&["--book", book.to_str().unwrap(), "--today", TODAY, "report"][..], args].concat())
        .env("NO_COLOR", "1")
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn tables_follow_columns_and_never_cut_an_id() {
    let book = fixture("indexes");
    let ids = ["2025-06-10-payment-config-drift#A1", "2024-12-20-checkout-payments-down#A2"];
    let title = "Reconcile the payment provider";
    let wide = report_in_columns(&book, "200", &["actions"]);
    let narrow = report_in_columns(&book, "60", &["actions"]);
    for id in ids {
        assert!(wide.contains(id) && narrow.contains(id), "{id} is shown whole\n{wide}\n{narrow}");
    }
    // Wide: titles are not cut either; narrow: titles give way, ids do not.
    assert!(wide.lines().any(|l| l.contains(title) && !l.contains('…')), "{wide}");
    assert!(wide.lines().map(|l| l.chars().count()).max().unwrap() > 100, "uses the width\n{wide}");
    let narrow_rows: Vec<&str> = narrow.lines().filter(|l| l.contains("#A")).collect();
    assert!(narrow_rows.iter().any(|l| l.ends_with('…')), "{narrow}");
    // The factors table keeps the factor ids whole too.
    let factors = report_in_columns(&book, "40", &["factors"]);
    let v = report_json(&["factors"]);
    for f in v["factors"].as_array().unwrap() {
        let id = f["id"].as_str().unwrap();
        assert!(factors.contains(&format!("  {id}  ")), "{id}\n{factors}");
    }
}

#[test]
fn stats_collapse_runs_of_empty_months() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    std::fs::create_dir_all(dir.path().join("retros")).unwrap();
    for (id, date) in [("a", "2024-01-10"), ("b", "2024-02-03"), ("c", "2024-04-01"), ("d", "2025-03-01")] {
        let text = format!("---\nid: {id}\ntitle: Retro {id}\ndate: {date}\nseverity: SEV2\nstatus: draft\n---\n");
        std::fs::write(dir.path().join(format!("retros/{id}.md")), text).unwrap();
    }
    let text = report_in_columns(dir.path(), "100", &["stats"]);
    let months: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("Incidents per month")).collect();
    let rows: Vec<&str> = months.iter().map(|l| l.trim()).filter(|l| l.starts_with("20")).collect();
    // One empty month stays a row (2024-03); the ten from 2024-05 to 2025-02 are one line.
    assert_eq!(rows.len(), 6, "{text}");
    assert!(rows[2].starts_with("2024-03 "), "{rows:?}");
    assert_eq!(rows[4], "2024-05 to 2025-02: no incidents (10 months)");
    assert!(rows[5].starts_with("2025-03 "), "{rows:?}");
    // JSON keeps every month.
    let out = run(&["--book", dir.path().to_str().unwrap(), "report", "stats", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["per_month"].as_array().unwrap().len(), 15);
}
