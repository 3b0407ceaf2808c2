//! Incident logs (docs/format.md, "Incident logs"): one file holding many incidents becomes one
//! retro per incident.
//!
//! The fixture `tests/fixtures/incident-log` holds `retros/platform-log.md`: a title, an intro, six
//! incidents (`### Incident on <date> - <title>`) under `## 2024 Q3` and `## 2024 Q4`, each with a
//! key-events list and a `#### Timeline`, then `## Template` with a placeholder heading
//! `### Incident on YYYY-MM-DD - [Brief description]`. Incident headings are on lines 8, 27, 41,
//! 57, 71 and 83; the template's on line 99.

use crate::common;
use common::*;
use serde_json::Value;
use std::path::Path;

const IDS: [&str; 6] = [
    "platform-log-2024-07-08-payment-webhook-queue-backed-up",
    "platform-log-2024-08-14-stale-dns-records-after-migration",
    "platform-log-2024-09-20-eks-subnet-route-tables-destroyed",
    "platform-log-2024-10-03-certificate-expired-on-the-status-page",
    "platform-log-2024-11-19-nightly-export-filled-the-disk",
    "platform-log-2024-12-02-login-rate-limiter-too-strict",
];

fn export(book: &Path) -> Value {
    let out = run(&["--book", book.to_str().unwrap(), "export", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("valid JSON")
}

fn check_json(book: &Path) -> Vec<Value> {
    let out = run(&["--book", book.to_str().unwrap(), "check", "--format", "json"]);
    serde_json::from_str::<Value>(&stdout(&out)).expect("valid JSON").as_array().unwrap().clone()
}

/// A copy of the fixture in a temporary folder, with `edit` applied to the log's text.
fn copy_with(edit: impl Fn(String) -> String, toml_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("incident-log");
    let toml = std::fs::read_to_string(src.join("book.toml")).unwrap() + toml_extra;
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    std::fs::create_dir(dir.path().join("retros")).unwrap();
    let log = std::fs::read_to_string(src.join("retros/platform-log.md")).unwrap();
    std::fs::write(dir.path().join("retros/platform-log.md"), edit(log)).unwrap();
    dir
}

#[test]
fn a_log_becomes_one_retro_per_incident() {
    let v = export(&fixture("incident-log"));
    let retros = v["retros"].as_array().unwrap();
    let ids: Vec<&str> = retros.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, IDS, "six incidents, oldest first; the template heading is skipped");
    let field = |k: &str| retros.iter().map(|r| r[k].clone()).collect::<Vec<_>>();
    assert_eq!(
        field("title"),
        [
            "Payment webhook queue backed up",
            "Stale DNS records after migration",
            "EKS subnet route tables destroyed",
            "Certificate expired on the status page",
            "Nightly export filled the disk",
            "Login rate limiter too strict",
        ]
    );
    assert_eq!(field("date"), ["2024-07-08", "2024-08-14", "2024-09-20", "2024-10-03", "2024-11-19", "2024-12-02"]);
    // The quarter headings above are tags; the document title (`# Platform incident log`) is not.
    let q3 = serde_json::json!(["2024 Q3"]);
    let q4 = serde_json::json!(["2024 Q4"]);
    assert_eq!(field("tags"), [q3.clone(), q3.clone(), q3, q4.clone(), q4.clone(), q4]);
    assert!(retros.iter().all(|r| r["path"] == "retros/platform-log.md"));
    // Each incident's own timeline (4 entries, 3 for the one without a mitigation) and moments.
    let entries: Vec<usize> = retros.iter().map(|r| r["timeline"].as_array().unwrap().len()).collect();
    assert_eq!(entries, [4, 4, 4, 4, 3, 4]);
    let eks = &retros[2];
    assert_eq!(eks["timeline"][1]["at"], "2024-09-20T11:02:00Z");
    assert_eq!(eks["timeline"][1]["text"], "Pods lost their way to the database; error rate alert fired");
    assert_eq!(eks["impact"]["started"], "2024-09-20T11:00:00Z");
    assert_eq!(eks["impact"]["resolved"], "2024-09-20T13:01:00Z");
    assert_eq!(eks["durations"]["detect"], 120);
    assert_eq!(eks["durations"]["resolve"], 7260);
    let login = &retros[5];
    assert_eq!(login["impact"]["detected"], "2024-12-02T10:01:05Z", "seconds kept");
    assert_eq!(retros[4]["impact"]["mitigated"], Value::Null);
}

#[test]
fn every_incident_has_its_own_page() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("site");
    let book = fixture("incident-log");
    let out = run(&["--book", book.to_str().unwrap(), "build", "--dest-dir", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for id in IDS {
        let page = std::fs::read_to_string(dest.join("retros").join(id).join("index.html"))
            .unwrap_or_else(|e| panic!("no page for {id}: {e}"));
        assert!(page.contains("2024"), "{id}");
    }
    let eks = std::fs::read_to_string(dest.join("retros").join(IDS[2]).join("index.html")).unwrap();
    assert!(eks.contains("EKS subnet route tables destroyed"));
    assert!(eks.contains("Route tables restored from the previous plan"), "its own timeline");
    assert!(!eks.contains("Webhook deliveries to the payment provider"), "no other incident's text");
    assert!(!dest.join("retros/platform-log").exists(), "no page for the log as a whole");
    let entries: Vec<String> = std::fs::read_dir(dest.join("retros"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("yyyy") || n.contains("brief"))
        .collect();
    assert!(entries.is_empty(), "no page for the template: {entries:?}");
}

#[test]
fn diagnostics_point_at_the_incident_lines() {
    // A typo in the fourth incident's timeline (file line 67) and a missing severity per incident.
    let dir = copy_with(|t| t.replace("07:30 [detected]", "07:30 [detectd]"), "");
    let diags = check_json(dir.path());
    let kind: Vec<(u64, u64)> = diags
        .iter()
        .filter(|d| d["rule"] == "timeline-kind")
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(kind, [(67, 9)], "{diags:#?}");
    let text = std::fs::read_to_string(dir.path().join("retros/platform-log.md")).unwrap();
    assert!(text.lines().nth(66).unwrap().starts_with("- 07:30 [detectd]"));
    let severity: Vec<u64> = diags
        .iter()
        .filter(|d| d["rule"] == "fm-required" && d["message"].as_str().unwrap().contains("severity"))
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(severity, [8, 27, 41, 57, 71, 83], "each at its incident's heading");
    assert!(diags.iter().all(|d| d["level"] != "error"), "{diags:#?}");
}

#[test]
fn ids_are_stable() {
    // The same file twice gives the same ids; adding an incident or editing another's body leaves
    // the others' ids alone.
    assert_eq!(export(&fixture("incident-log"))["retros"], export(&fixture("incident-log"))["retros"]);
    let dir = copy_with(
        |t| {
            t.replace("## Template", "### Incident on 2024-12-20 - Backups paused\n\n- 09:00 x\n\n## Template")
                .replace("A customer reported", "A customer wrote about")
        },
        "",
    );
    let v = export(dir.path());
    let ids: Vec<&str> = v["retros"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut want = IDS.to_vec();
    want.push("platform-log-2024-12-20-backups-paused");
    assert_eq!(ids, want);
}

#[test]
fn split_never_and_retrobook_front_matter_keep_the_file_whole() {
    let dir = copy_with(|t| t, "\n[retros.adopt]\nsplit = \"never\"\n");
    let v = export(dir.path());
    let retros = v["retros"].as_array().unwrap();
    assert_eq!(retros.len(), 1);
    assert_eq!(
        (retros[0]["id"].as_str(), retros[0]["title"].as_str()),
        (Some("platform-log"), Some("Platform incident log"))
    );

    let fm = "---\nid: platform-log\ntitle: Platform log\ndate: 2024-12-31\nseverity: SEV3\n---\n\n";
    let dir = copy_with(|t| format!("{fm}{t}"), "");
    let retros = export(dir.path())["retros"].as_array().unwrap().clone();
    assert_eq!(retros.len(), 1);
    assert_eq!(retros[0]["id"], "platform-log");

    // A foreign (Jekyll) front matter does not stop the split.
    let dir = copy_with(|t| format!("---\nlayout: post\n---\n\n{t}"), "");
    assert_eq!(export(dir.path())["retros"].as_array().unwrap().len(), 6);

    // An unknown value of `split` is a config error naming the choices.
    let dir = copy_with(|t| t, "\n[retros.adopt]\nsplit = \"always\"\n");
    let out = run(&["--book", dir.path().to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out) + &stdout(&out);
    assert!(err.contains("book.toml") && err.contains("`auto`") && err.contains("`never`"), "{err}");
}

/// No file of the real corpus is an incident log, however many dated headings it has; in
/// particular the Hackney "living document" (several `##` incidents, none with a date) stays whole:
/// without dates there are no ids, no order and no statistics to gain from a split.
#[test]
fn corpus_files_are_never_split() {
    let Some(corpus) = corpus() else { return };
    let config = retrobook::config::Config::default();
    let mut seen = 0;
    for path in files_under(&corpus) {
        if !retrobook::load::is_retro_file(&path) || path.file_name().is_some_and(|n| n == "SOURCES.md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let rel = path.strip_prefix(&corpus).unwrap().to_string_lossy().into_owned();
        let (retros, _) = retrobook::load::load_retro(&bytes, &rel, &path, &config);
        assert!(retros.len() <= 1, "{rel} was split into {} retros", retros.len());
        seen += 1;
    }
    assert!(seen > 50, "{seen} files");
    let hackney = corpus.join("hackney-addresses-api");
    // The corpus folders have no book.toml (the command line needs one): read with the library.
    let book = retrobook::load::load_book(&hackney).unwrap().book;
    assert_eq!(book.retros.len(), 1);
}

/// The stats page of the log: every month counts its incident (none states a severity), and the
/// quarter-by-quarter section has medians and 90th percentiles, both quarters marked as having few
/// incidents.
#[test]
fn stats_page_counts_unstated_incidents_and_shows_quarters() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("site");
    let book = fixture("incident-log");
    let out = run(&["--book", book.to_str().unwrap(), "build", "--dest-dir", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(dest.join("stats/index.html")).unwrap();
    let zero = r#"<td class="rb-num">0</td>"#;
    let one = r#"<td class="rb-num">1</td>"#;
    for m in ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"] {
        let row = format!(r#"<tr><th scope="row">{m}</th>{}{one}{one}</tr>"#, zero.repeat(4));
        assert!(page.contains(&row), "{m}: SEV1–SEV4 0, not stated 1, total 1");
    }
    assert!(page.contains(r#"<th scope="col" class="rb-num">Not stated</th>"#));
    assert!(page.contains("severity not stated"), "the chart stacks them too");
    // Q3 resolve 5400, 7200, 7260 → median 2 h, p90 (3rd of 3) 2 h 1 min; detect 120, 300, 600 →
    // 5 min, 10 min. Q4 resolve 2760, 7200, 7200 → 2 h, 2 h; detect 65, 1200, 5400 → 20 min,
    // 1 h 30 min. Three incidents each: the figures are marked as resting on few incidents.
    let few = |v: &str| format!(r#"<td class="rb-num rb-few-value">{v}</td>"#);
    let head = |q: &str| {
        format!(
            r#"<tr class="rb-few"><th scope="row">{q} <span class="rb-muted">(few incidents)</span></th><td class="rb-num">3</td>"#
        )
    };
    let n3 = r#"<td class="rb-num">3</td>"#;
    let q3 =
        format!("{}{n3}{}{}{n3}{}{}</tr>", head("2024-Q3"), few("2 h"), few("2 h 1 min"), few("5 min"), few("10 min"));
    let q4 =
        format!("{}{n3}{}{}{n3}{}{}</tr>", head("2024-Q4"), few("2 h"), few("2 h"), few("20 min"), few("1 h 30 min"));
    assert!(page.contains(&q3), "{page}");
    assert!(page.contains(&q4));
    assert!(page.contains(
        "2024-Q4: median time to resolve 2 h (mean 1 h 35 min, 3 incidents), against 2 h (mean 1 h 50 min, 3 incidents) in 2024-Q3."
    ));
    assert!(page.contains("2024-Q3 (only 3 incidents)"), "the chart marks few quarters too");
}

/// A quarter with five incidents is not marked; an empty quarter between two is listed with dashes.
#[test]
fn quarters_with_enough_incidents_are_not_marked() {
    let dir = tempfile::tempdir().unwrap();
    let retros = dir.path().join("retros");
    std::fs::create_dir(&retros).unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Q\"\n").unwrap();
    let days = ["2025-01-05", "2025-01-20", "2025-02-03", "2025-03-01", "2025-03-30", "2025-07-01"];
    for (i, day) in days.iter().enumerate() {
        let text = format!(
            "---\nid: r{i}\ntitle: R{i}\ndate: {day}\nseverity: SEV2\nimpact:\n  started: {day}T10:00:00Z\n  \
             resolved: {day}T1{i}:00:00Z\n---\n\n## Narrative\n\nText.\n"
        );
        std::fs::write(retros.join(format!("r{i}.md")), text).unwrap();
    }
    let dest = dir.path().join("site");
    let out = run(&["--book", dir.path().to_str().unwrap(), "build", "--dest-dir", dest.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(dest.join("stats/index.html")).unwrap();
    // Q1: resolve 0, 1, 2, 3, 4 h → median 2 h, p90 (⌈4.5⌉ = 5th) 4 h, over five incidents: not
    // marked. Q2: none. Q3: 5 h.
    assert!(page.contains(r#"<tr><th scope="row">2025-Q1</th><td class="rb-num">5</td><td class="rb-num">5</td><td class="rb-num">2 h</td><td class="rb-num">4 h</td>"#), "{page}");
    assert!(page.contains(r#"<th scope="row">2025-Q2 <span class="rb-muted">(few incidents)</span></th><td class="rb-num">0</td><td class="rb-num">0</td><td class="rb-num">—</td>"#));
    assert!(page.contains(
        "2025-Q3: median time to resolve 5 h (mean 5 h, 1 incident), against 2 h (mean 2 h, 5 incidents) in 2025-Q1."
    ));
}

/// `adopt --write --split` writes one file per incident that loads as the same incident: id,
/// title, date, moments, timeline and tags, once the log itself is removed (which retrobook never
/// does on its own).
#[test]
fn adopt_split_writes_files_that_load_as_the_same_incidents() {
    let dir = copy_with(|t| t, "");
    let before = export(dir.path());
    let b = dir.path().to_str().unwrap();
    let out = run(&["--book", b, "adopt", "--write", "--split"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("retros/platform-log.md").is_file(), "the log is kept");
    for id in IDS {
        assert!(dir.path().join(format!("retros/{id}.md")).is_file(), "{id} written: {}", stderr(&out));
    }
    std::fs::remove_file(dir.path().join("retros/platform-log.md")).unwrap();
    let after = export(dir.path());
    let key = |v: &Value| {
        let mut rs: Vec<Value> = v["retros"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r["id"], "title": r["title"], "date": r["date"], "impact": r["impact"],
                    "durations": r["durations"], "timeline": r["timeline"], "tags": r["tags"],
                })
            })
            .collect();
        rs.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_string());
        rs
    };
    assert_eq!(key(&before), key(&after));
    assert!(after["retros"].as_array().unwrap().iter().all(|r| !r["timeline"].as_array().unwrap().is_empty()));
    let errors: Vec<Value> = check_json(dir.path()).into_iter().filter(|d| d["level"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
