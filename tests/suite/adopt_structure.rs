//! Structure read from adopted files (docs/format.md, "Adoption"), end to end through `export`
//! and `check`: bold-label sections, key events, stated durations, actions from lists and
//! tables, factors from a root-cause section. Fixture book: tests/fixtures/adopt-structure (text
//! written here).

use crate::common;
use common::*;
use serde_json::Value;

fn export() -> Value {
    let o = run_in(&fixture("adopt-structure"), &["export", "--format", "json", "--today", "2025-06-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

fn retro<'a>(e: &'a Value, id: &str) -> &'a Value {
    e["retros"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no retro {id}"))
}

fn check() -> Vec<Value> {
    let o = run_in(&fixture("adopt-structure"), &["check", "--format", "json", "--today", "2025-06-01"]);
    serde_json::from_slice::<Vec<Value>>(&o.stdout).expect("json")
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn bold_label_paragraphs_become_sections_and_the_impact_statement() {
    let e = export();
    let r = retro(&e, "2024-05-14-search-latency");
    assert_eq!(r["adopted"], true);
    let labels: Vec<(String, Value, u64)> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["bold_label"] == true)
        .map(|s| (s["heading"].as_str().unwrap().to_string(), s["kind"].clone(), s["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("Impact".to_string(), Value::Null, 13),
            ("Root Causes".to_string(), "contributing-factors".into(), 15),
            ("Trigger".to_string(), "contributing-factors".into(), 17),
            ("Resolution".to_string(), "technical-analysis".into(), 19),
            ("Detection".to_string(), "monitoring".into(), 21),
        ],
        "`**Date**:` and the `**What went well?**` pseudo-headings are not sections"
    );
    assert_eq!(r["impact"]["users"], "Searches took up to 40 seconds for about three hours.");
}

#[test]
fn bold_label_items_give_a_timeline_actions_and_impact() {
    let e = export();
    let r = retro(&e, "2024-09-20-subnet-routes");
    let kinds: Vec<String> = strs(&r["sections"], "kind");
    assert_eq!(kinds, ["", "timeline", "technical-analysis", "follow-up-actions"]);
    let at: Vec<String> = strs(&r["timeline"], "at");
    assert_eq!(at, ["2024-09-20T10:58:00Z", "2024-09-20T11:06:00Z", "2024-09-20T11:21:00Z"]);
    assert_eq!(strs(&r["actions"], "status"), ["open", "done"]);
    assert_eq!(r["impact"]["users"], "Jobs in two regions could not reach the package mirror.");
}

#[test]
fn key_events_set_moments_and_a_declared_entry() {
    let e = export();
    let r = retro(&e, "2021-07-12-queue-backlog");
    let i = &r["impact"];
    assert_eq!(i["detected"], "2021-07-12T15:44:00Z", "not the 15:40 or 15:30 written inside sentences");
    assert_eq!(i["mitigated"], "2021-07-12T15:51:00Z");
    assert_eq!(i["resolved"], "2021-07-12T18:47:00Z");
    assert_eq!(i["started"], Value::Null, "`Fault occurs 2021-07-12 (Time TBC)` has no time");
    let tl = r["timeline"].as_array().unwrap();
    assert_eq!(tl.len(), 1);
    assert_eq!((tl[0]["at"].as_str(), tl[0]["kind"].as_str()), (Some("2021-07-12T15:46:00Z"), Some("escalated")));
    assert_eq!(tl[0]["text"], "Incident declared");
}

#[test]
fn stated_durations_are_kept_and_checked_but_not_used() {
    let e = export();
    let r = retro(&e, "2021-07-12-queue-backlog");
    assert_eq!(r["stated_durations"], serde_json::json!({"repair": 420, "resolve": 7200}));
    assert_eq!(r["durations"]["resolve"], Value::Null, "no `started`: durations are computed, never taken as stated");
    let diags = check();
    let stated: Vec<&Value> = diags.iter().filter(|d| d["rule"] == "duration-stated").collect();
    assert_eq!(stated.len(), 1, "the repair time agrees (7 minutes), the resolve time does not: {stated:?}");
    assert_eq!((stated[0]["line"].as_u64(), stated[0]["level"].as_str()), (Some(11), Some("note")));
    assert!(stated[0]["message"].as_str().unwrap().contains("3h 03m"), "{stated:?}");
    let tbc: Vec<&Value> = diags.iter().filter(|d| d["rule"] == "key-event-time").collect();
    assert_eq!(tbc.len(), 1);
    assert_eq!(
        (tbc[0]["file"].as_str(), tbc[0]["line"].as_u64()),
        (Some("retros/2021-07-12-queue-backlog.md"), Some(5))
    );
}

#[test]
fn actions_from_lists_with_statuses_and_tracker_links() {
    let e = export();
    let a = &retro(&e, "2024-05-14-search-latency")["actions"];
    assert_eq!(strs(a, "id"), ["A1", "A2", "A3"]);
    assert_eq!(strs(a, "status"), ["done", "open", "open"]);
    assert_eq!(
        strs(a, "link"),
        ["https://github.com/example/search/issues/812", "https://github.com/example/search/pull/815", ""],
        "a bare #2127 is not a link"
    );
    assert_eq!(a[2]["title"], "Document the reindex runbook (#2127)");
    assert_eq!(a[0]["owner"], Value::Null);

    let a = &retro(&e, "2021-07-12-queue-backlog")["actions"];
    assert_eq!(strs(a, "status"), ["done", "done", "open"], "struck through, `(done)`, plain");
    assert_eq!(a[2]["link"], "https://tracker.example.org/issues/77");
    assert_eq!(a[0]["title"], "Restart consumers automatically");
}

#[test]
fn actions_from_a_status_table_and_not_from_lessons_learned() {
    let e = export();
    let r = retro(&e, "2023-02-01-lease-expiry");
    let a = &r["actions"];
    assert_eq!(strs(a, "title"), ["Use a monotonic clock for lease checks", "Add a clock-jump failure test"]);
    assert_eq!(strs(a, "status"), ["done", "open"]);
    assert_eq!(a[0]["link"], "https://github.com/example/kv/issues/101");
    let titles = strs(a, "title").join(" ");
    assert!(!titles.contains("NTP"), "the Lessons learned list is not an action list");
}

#[test]
fn factors_from_a_root_cause_list_and_label() {
    let e = export();
    let f = &retro(&e, "2023-02-01-lease-expiry")["factors"];
    assert_eq!(strs(f, "id"), ["clock-jump-on-the-hosts", "lease-checks"]);
    assert_eq!(f[0]["summary"], "Clock jump on the hosts after an NTP server change");
    assert_eq!(f[0]["category"], Value::Null);
    let f = &retro(&e, "2024-05-14-search-latency")["factors"];
    assert_eq!(strs(f, "id"), ["the-reindex-job-doubled-the", "a-scheduled-reindex-after-the"]);
    // the factor index lists them
    let index: Vec<String> = strs(&e["factors"], "id");
    assert!(index.contains(&"lease-checks".to_string()), "{index:?}");
    // a summary paragraph in prose makes no factor
    assert_eq!(retro(&e, "2024-09-20-subnet-routes")["factors"], serde_json::json!([]));
}

#[test]
fn files_with_front_matter_are_not_read_this_way() {
    let e = export();
    let r = retro(&e, "native-key-events");
    assert_eq!(r["adopted"], false);
    assert_eq!(r["impact"]["detected"], Value::Null);
    assert_eq!(r["actions"], serde_json::json!([]));
}

#[test]
fn adopted_files_load_with_warnings_only() {
    let errors: Vec<Value> = check().into_iter().filter(|d| d["level"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
