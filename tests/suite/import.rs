//! `import slack|teams|csv` as a user runs them, on the chat fixtures in tests/fixtures/chat/:
//! per entry the UTC time to the second, the kind, the author and the text; what is dropped;
//! idempotency; every original line kept; clear errors that write nothing.

use crate::common;
use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

const RETRO: &str = "retros/2026-03-14-checkout-5xx.md";

fn chat(p: &str) -> PathBuf {
    fixture("chat").join(p)
}

/// A copy of the fixture book (zone Europe/Berlin) in a temporary folder.
fn book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&chat("book"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn import(book: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--book", book.to_str().unwrap(), "import"];
    all.extend_from_slice(args);
    run(&all)
}

type Entry = (String, Option<String>, Option<String>, String);

/// The timeline of retro `id` as `export` reads it: (UTC time, kind, author, text).
fn timeline(book: &Path, id: &str) -> Vec<Entry> {
    let out = run(&["--book", book.to_str().unwrap(), "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let retro = v["retros"].as_array().unwrap().iter().find(|r| r["id"] == id).expect("the retro");
    let s = |v: &Value| v.as_str().map(str::to_string);
    retro["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (s(&e["at"]).unwrap(), s(&e["kind"]), s(&e["author"]), s(&e["text"]).unwrap()))
        .collect()
}

fn entry(at: &str, kind: Option<&str>, author: Option<&str>, text: &str) -> Entry {
    (at.into(), kind.map(Into::into), author.map(Into::into), text.into())
}

fn slack_expected() -> Vec<Entry> {
    vec![
        entry("2026-03-14T21:38:00Z", Some("started"), None, "Deploy 4411 of checkout-api reached all pods"),
        entry(
            "2026-03-14T21:40:12Z",
            Some("detected"),
            Some("alertmanager"),
            "[FIRING:1] CheckoutErrorRate checkout-api\n5xx ratio 12% > 5% for 5m on checkout-api",
        ),
        entry(
            "2026-03-14T21:43:05Z",
            None,
            Some("Lena"),
            "@Raj Patel are you seeing this? checkout 5xx on #inc-2026-03-14-checkout",
        ),
        entry(
            "2026-03-14T21:45:30Z",
            Some("escalated"),
            Some("Raj Patel"),
            "Declaring SEV2, I'm IC. @here please keep chatter in this channel",
        ),
        entry(
            "2026-03-14T21:49:00Z",
            None,
            None,
            "Raj asked for a rollback in the hallway\n(not written in the channel)",
        ),
        entry(
            "2026-03-14T21:50:44Z",
            None,
            Some("Tomás Ortega"),
            "Rollback of checkout-api 4411 started:\n```kubectl rollout undo deploy/checkout-api -n shop```",
        ),
        entry(
            "2026-03-14T21:52:10Z",
            None,
            Some("mia.k"),
            "Rollback blocked: the PDB allows 0 disruptions & the canary holds the lock",
        ),
        entry("2026-03-14T21:53:00Z", None, Some("mia.k"), "error panel for the last hour"),
        entry(
            "2026-03-14T21:56:40Z",
            None,
            Some("Lena"),
            "ignore that, wrong channel — looking at the pool settings now",
        ),
        entry(
            "2026-03-14T21:58:20Z",
            None,
            Some("mia.k"),
            "Found it: the new connection pool size is 2, not 20 (typo in values.yaml)",
        ),
        entry(
            "2026-03-14T22:05:00Z",
            None,
            Some("statuspage"),
            "Investigating - Some customers cannot complete checkout. View incident",
        ),
        entry(
            "2026-03-14T22:10:00Z",
            None,
            Some("Priya Raman (Acquirer)"),
            "Acquirer side looks clean, no declines from us",
        ),
        entry(
            "2026-03-14T22:20:30Z",
            Some("mitigated"),
            Some("Raj Patel"),
            "Pool size fixed and rolled out; error rate back to baseline, mitigated.",
        ),
        entry(
            "2026-03-14T22:50:00Z",
            Some("comms"),
            Some("Lena"),
            "Update for stakeholders:\n• impact 21:40–22:20 UTC, about 1 in 8 checkouts failed\n• no payment was taken twice & no data was lost",
        ),
        entry(
            "2026-03-14T23:59:30Z",
            Some("resolved"),
            Some("Raj Patel"),
            "All clear from payments @channel; resolved.",
        ),
        entry(
            "2026-03-15T06:30:00Z",
            None,
            Some("mia.k"),
            "Retro doc started, thanks all :pray: (mail sre@acme.example)",
        ),
        entry("2026-03-15T08:10:00Z", None, Some("Lena"), "Retro scheduled for Tuesday 10:00"),
    ]
}

/// Every line of `before` is in `after`, in order and byte for byte.
fn keeps_every_line(before: &str, after: &str) {
    let mut rest = after.split_inclusive('\n');
    for line in before.split_inclusive('\n') {
        assert!(rest.any(|l| l == line), "line {line:?} is gone or moved out of order in:\n{after}");
    }
}

#[test]
fn slack_export_entries_times_authors_texts_and_drops() {
    let dir = book();
    let before = std::fs::read_to_string(dir.path().join(RETRO)).unwrap();
    let slack = chat("slack");
    let out = import(
        dir.path(),
        &["slack", slack.to_str().unwrap(), "--channel", "#inc-2026-03-14-checkout", "--into", RETRO],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "imported 15 entries into retros/2026-03-14-checkout-5xx.md (0 already there, 4 dropped: 1 deleted, \
         2 joins and leaves, 1 system events)"
    );
    assert_eq!(timeline(dir.path(), "2026-03-14-checkout-5xx"), slack_expected());
    let after = std::fs::read_to_string(dir.path().join(RETRO)).unwrap();
    keeps_every_line(&before, &after);
    // The book's zone is Europe/Berlin: 23:59:30 UTC is written on the next local day.
    assert!(after.contains("- 2026-03-15 00:59:30 [resolved] **Raj Patel:** All clear"), "{after}");
    // Nothing from the other channels, the private group or the direct messages.
    for other in ["lunch anyone", "private channel", "a DM"] {
        assert!(!after.contains(other), "{other} was imported");
    }

    // Idempotent: a second import adds nothing and changes no byte.
    let out = import(
        dir.path(),
        &["slack", slack.to_str().unwrap(), "--channel", "inc-2026-03-14-checkout", "--into", RETRO],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("imported 0 entries into retros/2026-03-14-checkout-5xx.md (15 already there"));
    assert_eq!(std::fs::read_to_string(dir.path().join(RETRO)).unwrap(), after);

    // The imported retro checks without errors.
    let out = run(&["--book", dir.path().to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Zips the export folder the way Slack hands it out (deflated, files at the top).
fn zip_of(folder: &Path, to: &Path) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![folder.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { files.push(p) }
        }
    }
    files.sort();
    for f in files {
        let name = f.strip_prefix(folder).unwrap().to_str().unwrap().replace('\\', "/");
        w.start_file(name, opts).unwrap();
        w.write_all(&std::fs::read(&f).unwrap()).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn a_zip_and_a_folder_export_give_the_same_retro() {
    let (a, b) = (book(), book());
    let zip = b.path().join("export.zip");
    zip_of(&chat("slack"), &zip);
    let slack = chat("slack");
    let out =
        import(a.path(), &["slack", slack.to_str().unwrap(), "--channel", "inc-2026-03-14-checkout", "--into", RETRO]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out =
        import(b.path(), &["slack", zip.to_str().unwrap(), "--channel", "inc-2026-03-14-checkout", "--into", RETRO]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |d: &Path| std::fs::read_to_string(d.join(RETRO)).unwrap();
    assert_eq!(read(a.path()), read(b.path()));
}

#[test]
fn from_and_to_keep_a_window_and_dry_run_writes_nothing() {
    let dir = book();
    let before = std::fs::read_to_string(dir.path().join(RETRO)).unwrap();
    let slack = chat("slack");
    let out = import(
        dir.path(),
        &[
            "slack",
            slack.to_str().unwrap(),
            "--channel",
            "inc-2026-03-14-checkout",
            "--from",
            "2026-03-14 22:45",
            "--to",
            "2026-03-14T21:53:00Z",
            "--into",
            RETRO,
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "- 2026-03-14 22:45:30 [escalated] **Raj Patel:** Declaring SEV2, I'm IC. @here please keep chatter in this channel\n\
         - 2026-03-14 22:50:44 **Tomás Ortega:** Rollback of checkout-api 4411 started:\n  \
         ```kubectl rollout undo deploy/checkout-api -n shop```\n\
         - 2026-03-14 22:52:10 **mia.k:** Rollback blocked: the PDB allows 0 disruptions & the canary holds the lock\n"
    );
    // The message at 21:53:00.0001 is after --to 21:53:00: Slack's microseconds count.
    assert!(stderr(&out).contains("would import 3 entries"), "{}", stderr(&out));
    assert!(stderr(&out).contains("12 outside --from/--to"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join(RETRO)).unwrap(), before);
}

#[test]
fn teams_pages_with_inline_and_separate_replies() {
    let dir = book();
    let pages: Vec<String> = ["replies-1773590520000.json", "messages-page2.json", "messages-page1.json"]
        .iter()
        .map(|p| chat("teams").join(p).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["teams"];
    args.extend(pages.iter().map(String::as_str));
    args.extend(["--new", "Payments latency"]);
    let out = import(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "imported 7 entries into retros/2026-03-15-payments-latency.md, a new retro (0 already there, 4 dropped: \
         1 deleted, 1 duplicates, 1 messages of other types (typing, unknownFutureValue), 1 system events)"
    );
    let out = import(dir.path(), &[&args[..args.len() - 2], &["--into", "2026-03-15-payments-latency"]].concat());
    assert!(stdout(&out).starts_with("imported 0 entries into retros/2026-03-15-payments-latency.md (7 already there"));
    let text = std::fs::read_to_string(dir.path().join("retros/2026-03-15-payments-latency.md")).unwrap();
    assert!(text.contains("date: 2026-03-15\n"), "{text}");
    assert!(text.contains("  # started: \"2026-03-15 17:00\"    # the first imported message\n"), "{text}");
    assert_eq!(
        timeline(dir.path(), "2026-03-15-payments-latency"),
        vec![
            entry(
                "2026-03-15T16:00:00Z",
                Some("detected"),
                Some("Azure Monitor"),
                "Fired: p99 latency on payments-gateway\np99 2.4s over 10 min (threshold 800ms)"
            ),
            entry(
                "2026-03-15T16:02:00Z",
                None,
                Some("Ana Ruiz"),
                "@Ben Okafor payments p99 is up, can you look? Dashboard: payments overview"
            ),
            entry(
                "2026-03-15T16:03:00Z",
                None,
                Some("Ben Okafor"),
                "Looking. Connection pool to the acquirer is at 100% & queueing"
            ),
            entry("2026-03-15T16:05:00Z", Some("escalated"), Some("Chloé Martin"), "Declaring SEV2. I'll run comms."),
            entry(
                "2026-03-15T16:10:00Z",
                None,
                Some("Ben Okafor"),
                "Raised the pool to 64:\n```\nkubectl -n pay set env deploy/gateway POOL_MAX=64\n```"
            ),
            entry(
                "2026-03-15T16:15:00Z",
                None,
                Some("Chloé Martin"),
                "Status page: investigating elevated payment latency.\nNext update 16:45."
            ),
            entry(
                "2026-03-15T17:30:00Z",
                Some("resolved"),
                Some("Ben Okafor"),
                "p99 back under 300ms for 30 min, resolved from our side 👍"
            ),
        ]
    );
}

#[test]
fn csv_with_quoting_offsets_and_the_book_zone() {
    let dir = book();
    let csv = chat("csv/timeline.csv");
    let out = import(dir.path(), &["csv", csv.to_str().unwrap(), "--into", RETRO]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported 5 entries") && stdout(&out).contains("1 dropped: 1 empty"),
        "{}",
        stdout(&out)
    );
    let again = import(dir.path(), &["csv", csv.to_str().unwrap(), "--into", RETRO]);
    assert!(stdout(&again).starts_with("imported 0 entries into retros/2026-03-14-checkout-5xx.md (5 already there"));
    let t = timeline(dir.path(), "2026-03-14-checkout-5xx");
    let imported: Vec<&Entry> = t.iter().filter(|e| e.0.as_str() >= "2026-03-16").collect();
    assert_eq!(
        imported,
        [
            &entry("2026-03-16T22:50:00Z", None, Some("Noor Haddad"), "Queue depth on orders-eu above 50k, paging"),
            &entry(
                "2026-03-16T23:05:30Z",
                Some("escalated"),
                Some("Sam Lee"),
                "Declaring SEV3; I am IC, Noor on comms"
            ),
            &entry(
                "2026-03-16T23:20:00Z",
                None,
                Some("Noor Haddad"),
                "Consumer lag graph attached, see \"orders lag\" panel"
            ),
            &entry(
                "2026-03-16T23:40:00Z",
                Some("mitigated"),
                Some("Sam Lee"),
                "Consumers restarted with the old image.\nLag falling, mitigated."
            ),
            &entry("2026-03-17T00:15:00Z", Some("resolved"), Some("Noor Haddad"), "All clear: lag under 1k for 30 min"),
        ]
    );
}

/// Runs an import that must fail: exit 1, `expected` in the message, the book unchanged.
fn fails(dir: &Path, args: &[&str], expected: &[&str]) {
    let before: Vec<(PathBuf, Vec<u8>)> =
        files_under(dir).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    let out = import(dir, args);
    assert_ne!(out.status.code(), Some(0), "{args:?} succeeded");
    let err = stderr(&out);
    for e in expected {
        assert!(err.contains(e), "{args:?}: expected {e:?} in:\n{err}");
    }
    let after: Vec<(PathBuf, Vec<u8>)> =
        files_under(dir).into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    assert!(before == after, "{args:?} changed the book");
}

#[test]
fn bad_input_is_named_and_writes_nothing() {
    let dir = book();
    let slack = chat("slack");
    let slack = slack.to_str().unwrap();
    fails(
        dir.path(),
        &["slack", slack, "--channel", "incident", "--into", RETRO],
        &["no channel `incident`", "the channels there are: D01LENARAJ, inc-2026-03-14-checkout, random, sre-leads"],
    );
    fails(
        dir.path(),
        &[
            "slack",
            slack,
            "--channel",
            "random",
            "--from",
            "2026-03-15 10:00",
            "--to",
            "2026-03-15 09:00",
            "--into",
            RETRO,
        ],
        &["--from 2026-03-15T09:00:00Z is after --to 2026-03-15T08:00:00Z"],
    );
    fails(
        dir.path(),
        &["slack", slack, "--channel", "random", "--into", "retros/2026-01-01-nope.md"],
        &["no retro `retros/2026-01-01-nope.md`", "--new"],
    );
    fails(
        dir.path(),
        &["slack", slack, "--channel", "random", "--into", "book.toml"],
        &["book.toml is not a retro file of this book"],
    );
    // A day file cut short.
    let broken = tempfile::tempdir().unwrap();
    copy_dir(&chat("slack"), broken.path());
    let day = broken.path().join("inc-2026-03-14-checkout/2026-03-14.json");
    let text = std::fs::read_to_string(&day).unwrap();
    std::fs::write(&day, &text[..text.len() / 2]).unwrap();
    fails(
        dir.path(),
        &["slack", broken.path().to_str().unwrap(), "--channel", "inc-2026-03-14-checkout", "--into", RETRO],
        &["inc-2026-03-14-checkout/2026-03-14.json:", "cut short"],
    );
    let csv = broken.path().join("no-time.csv");
    std::fs::write(&csv, "who,message\nAna,paged\n").unwrap();
    fails(
        dir.path(),
        &["csv", csv.to_str().unwrap(), "--into", RETRO],
        &["no-time.csv:1: no time column in the header (who, message)", "--time-col"],
    );
}

#[test]
fn the_sample_retro_was_imported_and_its_page_shows_the_conversation() {
    // The committed retro holds every message of the committed export: importing again adds nothing.
    let export = chat("sample-slack");
    let retro = "retros/2026-09-29-search-stale-prices.md";
    let out = run(&[
        "import",
        "slack",
        export.to_str().unwrap(),
        "--channel",
        "inc-2026-09-29-search-prices",
        "--into",
        retro,
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .starts_with("would import 0 entries into retros/2026-09-29-search-stale-prices.md (17 already there")
    );

    let dest = tempfile::tempdir().unwrap();
    let out = run(&["build", "--no-search", "--dest-dir", dest.path().join("site").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page =
        std::fs::read_to_string(dest.path().join("site/retros/2026-09-29-search-stale-prices/index.html")).unwrap();
    assert!(
        page.contains(
            "First human response: <strong>Aisha Okonkwo</strong>, 3 min 30 s after the first alert \
             (<time datetime=\"2026-09-29T14:31:10Z\">2026-09-29 14:31</time>"
        ),
        "{page}"
    );
    for row in [
        "<tr><td>Jonas</td><td>subject-matter-expert</td><td>6</td></tr>",
        "<tr><td>Aisha Okonkwo</td><td>incident-commander</td><td>4</td></tr>",
        "<tr><td>Beth</td><td>comms-lead</td><td>4</td></tr>",
        "<tr><td>Grafana Alerting</td><td></td><td>1</td></tr>",
    ] {
        assert!(page.contains(row), "no participant row {row}");
    }
    let gaps: Vec<&str> = page.match_indices("<rect class=\"rb-update-gap\"").map(|(i, _)| &page[i..i + 160]).collect();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(page.contains("<title>No stakeholder update for 42 min</title>"));
    assert!(page.contains("2 stakeholder updates during the incident; longer than 30 min without one"));
    assert!(page.contains("<span class=\"rb-kind\">breakthrough</span> <time datetime=\"2026-09-29T15:04:45Z\">"));
}
