//! Timelines of adopted postmortems (no front matter), in the shapes of docs/format.md
//! ("Timelines in adopted files"), read end to end through `retrobook export` (the fixture book
//! tests/fixtures/adopt-timelines).

use crate::common;

use common::{fixture, run, stdout};
use serde_json::Value;

fn export() -> Value {
    let book = fixture("adopt-timelines");
    let out = run(&["--book", book.to_str().unwrap(), "export", "--format", "json"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("valid JSON")
}

/// The retro `id`'s timeline as (at, text) pairs.
fn timeline(all: &Value, id: &str) -> Vec<(String, String)> {
    let retro = all["retros"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id}"));
    let entries = retro["timeline"].as_array().unwrap();
    entries.iter().map(|e| (e["at"].as_str().unwrap().to_string(), e["text"].as_str().unwrap().to_string())).collect()
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(a, t)| (a.to_string(), t.to_string())).collect()
}

#[test]
fn plain_lines_with_pm_times_weekday_dates_and_a_stated_zone() {
    let got = timeline(&export(), "2024-10-30-gateway-brownout");
    let want = [
        ("2024-10-30T20:45:00Z", "Latency alarms start on the gateway"),
        ("2024-10-30T21:55:00Z", "The second region follows"),
        ("2024-10-31T03:32:00Z", "Retries pile up and the queue stalls\nuntil the workers are restarted by hand"),
        ("2024-10-31T09:10:00Z", "Queue drained, error rate back to normal"),
    ];
    // "Detected at 10:00 …" inside a sentence is not an entry
    assert_eq!(got, pairs(&want));
}

#[test]
fn bracketed_times_with_the_zone_in_the_heading() {
    let got = timeline(&export(), "2019-02-08-runner-bump");
    let want = [
        ("2019-02-08T21:20:00Z", "The automatic bump merged and rolled out\nto every runner"),
        ("2019-02-09T00:04:00Z", "Builds are reported slow"),
        ("2019-02-09T08:15:00Z", "The previous runner image is restored"),
    ];
    // `[???]` has no time: skipped
    assert_eq!(got, pairs(&want));
}

#[test]
fn time_headings_under_year_less_date_headings_zone_in_the_heading() {
    let got = timeline(&export(), "2025-05-12-hub-eviction");
    let want = [
        ("2025-05-12T17:52:00Z", "A user reports that servers take a long time to start."),
        ("2025-05-12T20:05:00Z", "The hub is redeployed."),
        ("2025-05-12T21:40:00Z", "Node pressure found to be the cause."),
    ];
    assert_eq!(got, pairs(&want));
}

#[test]
fn bold_label_list_dotted_times_and_an_approximate_paragraph() {
    let got = timeline(&export(), "2016-02-11-platform-restart");
    let want = [
        ("2016-02-11T10:42:00Z", "the booking service stops answering"),
        ("2016-02-11T10:46:00Z", "platform engineers are alerted"),
        ("2016-02-11T10:56:00Z", "the platform healed itself\nand the service came back."),
    ];
    // `1.24.0` is a version, not a time; the Date-only table row is not an entry
    assert_eq!(got, pairs(&want));
}

#[test]
fn a_date_without_a_time_is_a_warning_not_an_entry() {
    let book = fixture("adopt-timelines");
    let out = run(&["--book", book.to_str().unwrap(), "check", "--format", "json"]);
    let diags: Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let no_time: Vec<&Value> = diags.as_array().unwrap().iter().filter(|d| d["rule"] == "timeline-no-time").collect();
    assert_eq!(no_time.len(), 1, "{diags:#}");
    assert_eq!(no_time[0]["file"], "retros/2016-02-11-platform-restart.md");
    assert_eq!((no_time[0]["line"].as_u64(), no_time[0]["column"].as_u64()), (Some(15), Some(3)));
    assert_eq!(no_time[0]["level"], "warning");
    // nothing in the fixture is out of order or undated
    let rules: Vec<&str> = diags.as_array().unwrap().iter().filter_map(|d| d["rule"].as_str()).collect();
    assert!(!rules.iter().any(|r| r.starts_with("timeline-") && *r != "timeline-no-time"), "{rules:?}");
}
