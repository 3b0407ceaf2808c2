//! `retrobook monitoring pull` against a real Prometheus: Debian's `prometheus` package (installed
//! with apt-get when missing; never skipped). Each test writes series as OpenMetrics (a quiet
//! baseline a week before, a spike, a stretch with no samples), backfills a TSDB with `promtool`,
//! starts `prometheus` on a free port of 127.0.0.1 and pulls the sample book's pulled retro into a
//! copy of it.
//!
//! The sample book's `retros/2026-11-17-basket-api-5xx-spike/` holds what this Prometheus gives:
//! the test checks that a fresh pull equals the committed CSVs. `RETROBOOK_BLESS_SAMPLE=1 cargo
//! test --test prometheus` writes a fresh pull into the sample instead.

mod common;
use common::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const PROMTOOL: &str = "/usr/bin/promtool";
const SAMPLE: &str = "retros/2026-11-17-basket-api-5xx-spike";
/// 2026-11-17T13:00:00Z: an hour before the sample incident (14:02–14:55 UTC).
const DAY: i64 = 1_794_920_400;
const WEEK: i64 = 7 * 86_400;

fn sh(cmd: &mut Command) -> bool {
    cmd.status().is_ok_and(|s| s.success())
}

/// Debian's prometheus (which brings promtool), installed with apt-get when missing: once per
/// test binary, waiting for dpkg's lock if another install holds it.
fn ensure_prometheus() {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if Path::new(PROMETHEUS).exists() && Path::new(PROMTOOL).exists() {
        return;
    }
    eprintln!("{PROMETHEUS} is missing: installing Debian's prometheus");
    let install = || {
        sh(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", "prometheus"])
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    if !install() {
        assert!(sh(Command::new("apt-get").arg("update")), "apt-get update failed");
        assert!(install(), "apt-get install prometheus failed");
    }
    assert!(
        Path::new(PROMETHEUS).exists() && Path::new(PROMTOOL).exists(),
        "prometheus installed without its binaries"
    );
}

/// The basket error rate (req/s) at minute `m` after 13:00 on the incident day: about 0.5, a
/// climb from 14:02, above 5 from 14:06, nothing from 14:22 to 14:41 (the endpoint stopped
/// answering), back down by 14:55.
fn incident_rate(m: i64) -> Option<f64> {
    let base = 0.45 + 0.05 * (m % 5) as f64;
    match m {
        62..=65 => Some([1.2, 2.6, 3.9, 4.8][(m - 62) as usize]),
        66 => Some(7.5),
        67..=81 => Some(15.0 + (m % 4) as f64),
        82..=101 => None,
        102..=114 => Some(3.2 - 0.2 * (m - 102) as f64),
        _ => Some(base),
    }
}

/// The series as OpenMetrics: the error rate over 13:00–16:00 on the incident day and a week
/// before (quiet), and two latency quantiles, one sample a minute.
fn openmetrics() -> String {
    let mut o = String::new();
    o.push_str("# HELP rb_basket_http_errors_per_second Basket API 5xx responses per second.\n");
    o.push_str("# TYPE rb_basket_http_errors_per_second gauge\n");
    for (start, incident) in [(DAY - WEEK, false), (DAY, true)] {
        for m in 0..180 {
            let v = if incident { incident_rate(m) } else { Some(0.45 + 0.05 * (m % 5) as f64) };
            if let Some(v) = v {
                let _ = writeln!(o, "rb_basket_http_errors_per_second{{job=\"basket-api\"}} {v:.3} {}", start + m * 60);
            }
        }
    }
    o.push_str("# HELP rb_basket_latency_ms Basket API latency quantiles.\n# TYPE rb_basket_latency_ms gauge\n");
    for q in ["0.5", "0.99"] {
        for m in 0..180 {
            let v = if q == "0.5" { 40 + m % 3 } else { 300 + 10 * (m % 4) };
            let _ = writeln!(o, "rb_basket_latency_ms{{job=\"basket-api\",quantile=\"{q}\"}} {v} {}", DAY + m * 60);
        }
    }
    o.push_str("# EOF\n");
    o
}

/// A Prometheus serving the backfilled series; killed when dropped.
struct Prometheus {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn start_prometheus() -> Prometheus {
    ensure_prometheus();
    let dir = tempfile::tempdir().unwrap();
    let (input, data, config) =
        (dir.path().join("series.om"), dir.path().join("data"), dir.path().join("prometheus.yml"));
    std::fs::write(&input, openmetrics()).unwrap();
    std::fs::write(&config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n").unwrap();
    let out = Command::new(PROMTOOL)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&data)
        .output()
        .expect("run promtool");
    assert!(out.status.success(), "promtool failed: {}", String::from_utf8_lossy(&out.stderr));
    let port = free_port();
    let child = Command::new(PROMETHEUS)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        // Backfilled blocks older than the retention are deleted at start.
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let prom = Prometheus { child, url: format!("http://127.0.0.1:{port}"), _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = ureq::get(&format!("{}/-/ready", prom.url)).call().is_ok_and(|r| r.status() == 200);
        if ready {
            return prom;
        }
        assert!(Instant::now() < deadline, "prometheus was not ready within 60 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A book in a temporary folder: the sample's book.toml pointed at `url`, and the sample's pulled
/// retro (front matter and text, without its pulled files).
fn book(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = std::fs::read_to_string(repo().join("book.toml")).unwrap();
    let toml = toml.replace("url = \"http://127.0.0.1:9090\"", &format!("url = \"{url}\""));
    assert!(toml.contains(url), "book.toml has no [monitoring.sources.prometheus] with the local URL");
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    let retro = dir.path().join(SAMPLE);
    std::fs::create_dir_all(&retro).unwrap();
    std::fs::copy(repo().join(SAMPLE).join("index.md"), retro.join("index.md")).unwrap();
    dir
}

fn pull(book: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--book", book.to_str().unwrap(), "monitoring", "pull"];
    all.extend_from_slice(args);
    run(&all)
}

/// `(unix seconds, value)` rows of a one-column CSV.
fn rows(csv: &str) -> Vec<(i64, f64)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let (t, v) = l.split_once(',').unwrap();
            (t.parse::<jiff::Timestamp>().unwrap().as_second(), v.parse().unwrap())
        })
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walk(dir);
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}

#[test]
fn pulls_the_incident_the_baseline_and_the_gap() {
    let prom = start_prometheus();
    let book = book(&prom.url);
    let dir = book.path().join(SAMPLE);
    let check = run(&["--book", book.path().to_str().unwrap(), "check"]);
    assert!(
        stdout(&check).contains("warning[monitoring-not-pulled]: series `basket-api 5xx rate` has a `query`, but `retros/2026-11-17-basket-api-5xx-spike/basket-5xx.csv` does not exist yet; run `retrobook monitoring pull"),
        "{}",
        stdout(&check)
    );
    let out = pull(book.path(), &[]);
    assert!(out.status.success(), "pull failed: {}", stderr(&out));
    for f in ["basket-5xx.csv", "basket-5xx.baseline.csv", "basket-5xx.json"] {
        assert!(stdout(&out).contains(&format!("wrote {SAMPLE}/{f}")), "{}", stdout(&out));
    }

    // The incident window: 13:02–15:55 on step multiples (3 h 53 min at ~300 points: 1 min).
    let csv = std::fs::read_to_string(dir.join("basket-5xx.csv")).unwrap();
    assert!(csv.starts_with("time,value\n2026-11-17T13:02:00Z,"), "{}", &csv[..80]);
    let data = rows(&csv);
    let at = |m: i64| data.iter().find(|p| p.0 == DAY + m * 60).map(|p| p.1);
    assert_eq!(at(2), Some(0.55));
    assert_eq!(at(66), Some(7.5), "the first sample above the threshold, at 14:06");
    assert_eq!(at(70), Some(17.0));
    // No samples from 14:22: Prometheus repeats the last one for its 5-minute lookback, then nothing.
    assert_eq!(at(86), Some(16.0));
    assert!((87..=101).all(|m| at(m).is_none()), "a gap from 14:27 to 14:41");
    assert_eq!(at(102), Some(3.2));
    assert_eq!(data.last().unwrap().0, DAY + 175 * 60, "ends at 15:55");

    // The baseline: the same window a week before, quiet throughout.
    let base = rows(&std::fs::read_to_string(dir.join("basket-5xx.baseline.csv")).unwrap());
    assert_eq!(base.first().unwrap().0, DAY - WEEK + 120);
    assert_eq!(base.len(), 174);
    assert!(base.iter().all(|p| (0.45..=0.65).contains(&p.1)));

    // Provenance: source, URL, query, window, step, pulled-at; never a credential.
    let prov: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap()).unwrap();
    assert_eq!(prov["source"], "prometheus");
    assert_eq!(prov["url"], format!("{}/", prom.url));
    assert_eq!(prov["query"], "sum(rb_basket_http_errors_per_second{job=\"basket-api\"})");
    assert_eq!(prov["window"]["start"], "2026-11-17T13:02:00Z");
    assert_eq!(prov["window"]["end"], "2026-11-17T15:55:00Z");
    assert_eq!(prov["step"], "1m");
    assert_eq!(prov["baseline"]["shift"], "7d");
    assert_eq!(prov["baseline"]["window"]["start"], "2026-11-10T13:02:00Z");
    assert!(prov["pulled-at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());

    // The sample book holds exactly what this Prometheus gives.
    let sample = repo().join(SAMPLE);
    for f in ["basket-5xx.csv", "basket-5xx.baseline.csv"] {
        let pulled = std::fs::read_to_string(dir.join(f)).unwrap();
        if std::env::var_os("RETROBOOK_BLESS_SAMPLE").is_some() {
            std::fs::write(sample.join(f), &pulled).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(sample.join(f)).ok(),
            Some(pulled),
            "{SAMPLE}/{f} differs from a fresh pull"
        );
    }
    if std::env::var_os("RETROBOOK_BLESS_SAMPLE").is_some() {
        std::fs::copy(dir.join("basket-5xx.json"), sample.join("basket-5xx.json")).unwrap();
    }
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample.join("basket-5xx.json")).unwrap()).unwrap();
    let mut fresh = prov.clone();
    let mut committed = committed;
    for p in [&mut fresh, &mut committed] {
        p["baseline"].as_object_mut().unwrap().remove("pulled-at");
    }
    for key in ["source", "query", "window", "step", "baseline", "columns"] {
        assert_eq!(committed[key], fresh[key], "{key} of the sample's provenance");
    }

    // Idempotent: a second pull keeps the data; --refresh pulls again.
    let before = std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap();
    let again = pull(book.path(), &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
    assert!(stderr(&again).contains("kept"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap(), before);
    std::thread::sleep(Duration::from_millis(1100));
    let refresh = pull(book.path(), &["--refresh", "2026-11-17-basket-api-5xx-spike"]);
    assert!(refresh.status.success(), "{}", stderr(&refresh));
    assert_ne!(std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap(), before, "pulled-at moves");
    assert_eq!(std::fs::read_to_string(dir.join("basket-5xx.csv")).unwrap(), csv);

    // A baseline pulled later leaves the data and its provenance as they were.
    let data_before = std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap();
    std::fs::remove_file(dir.join("basket-5xx.baseline.csv")).unwrap();
    std::fs::write(dir.join("basket-5xx.csv"), csv.replace("0.55", "0.56")).unwrap();
    let base_only = pull(book.path(), &[]);
    assert!(base_only.status.success(), "{}", stderr(&base_only));
    assert!(!stdout(&base_only).contains("basket-5xx.csv\n"), "{}", stdout(&base_only));
    assert!(stdout(&base_only).contains("basket-5xx.baseline.csv"), "{}", stdout(&base_only));
    assert_eq!(std::fs::read_to_string(dir.join("basket-5xx.csv")).unwrap(), csv.replace("0.55", "0.56"), "data kept");
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("basket-5xx.json")).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(&data_before).unwrap();
    assert_eq!(after["pulled-at"], before["pulled-at"], "the data's provenance is kept");
    assert_ne!(after["baseline"]["pulled-at"], before["baseline"]["pulled-at"]);
    std::fs::write(dir.join("basket-5xx.csv"), &csv).unwrap();

    // `check` is content: the data covers the window.
    let check = run(&["--book", book.path().to_str().unwrap(), "check"]);
    assert!(!stdout(&check).contains("monitoring-"), "{}", stdout(&check));

    // The page: the incident shaded, the baseline, the threshold with its first crossing, the
    // detection delay in words, and the gap drawn and listed beside the author's.
    let site = book.path().join("site");
    let built =
        run(&["--book", book.path().to_str().unwrap(), "build", "--no-search", "--dest-dir", site.to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = std::fs::read_to_string(site.join("retros/2026-11-17-basket-api-5xx-spike/index.html")).unwrap();
    for needle in [
        "class=\"rb-window\"",
        "class=\"rb-baseline\"",
        ">threshold 5 req/s<",
        ">crossed 14:06<",
        ">detected 14:19<",
        "class=\"rb-nodata\"",
        "crossed its threshold (5 req/s) at 14:06, 13 min before the incident was detected at 14:19.",
        "<li>No data for basket-api 5xx rate from 14:26 to 14:42 (16 min)",
        "<li>The basket-api metrics endpoint stopped answering",
        "↑ req/s",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
}

#[test]
fn several_series_become_labelled_columns() {
    let prom = start_prometheus();
    let book = book(&prom.url);
    let md = book.path().join(SAMPLE).join("index.md");
    let text = std::fs::read_to_string(&md).unwrap();
    let text = text.replace(
        "  - gap: The basket-api",
        "  - metric: basket-api latency\n    unit: ms\n    source: prometheus\n    query: rb_basket_latency_ms\n    data: latency.csv\n  - gap: The basket-api",
    );
    std::fs::write(&md, text).unwrap();
    let out = pull(book.path(), &["--step", "5m", "--padding", "30m"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(book.path().join(SAMPLE).join("latency.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(r#"time,"{quantile=""0.5""}","{quantile=""0.99""}""#));
    assert_eq!(lines.next(), Some("2026-11-17T13:30:00Z,40,320"));
    assert_eq!(csv.lines().count(), 1 + 24, "13:30 to 15:25 every 5 minutes");
    let prov: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(book.path().join(SAMPLE).join("latency.json")).unwrap()).unwrap();
    assert_eq!(prov["step"], "5m");
    assert_eq!(prov["columns"][1]["labels"]["__name__"], "rb_basket_latency_ms");
    assert_eq!(prov["columns"][1]["labels"]["quantile"], "0.99");
}

#[test]
fn failures_are_clear_and_write_nothing() {
    let prom = start_prometheus();
    let check = |book: &Path, args: &[&str], expect: &[&str]| {
        let before = files(book);
        let out = pull(book, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?} {expect:?}: {err}{}", stdout(&out));
        for e in expect {
            assert!(err.contains(e), "{args:?}: expected {e:?} in\n{err}");
        }
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(files(book), before, "{args:?} wrote something");
    };
    let edit = |book: &Path, from: &str, to: &str| {
        let md = book.join(SAMPLE).join("index.md");
        let text = std::fs::read_to_string(&md).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&md, text.replace(from, to)).unwrap();
    };

    // Unreachable: the URL is in the message.
    // Port 1 (tcpmux) is privileged and unused; a free port could be taken by another test's server.
    let dead = "http://127.0.0.1:1".to_string();
    let b = book(&dead);
    check(b.path(), &[], &["cannot reach the Prometheus API at", &dead]);

    // A query error: Prometheus's own message.
    let b = book(&prom.url);
    edit(b.path(), "query: sum(rb_basket_http_errors_per_second{job=\"basket-api\"})", "query: sum(rate(");
    check(b.path(), &[], &["bad_data", "parse error", "HTTP 400"]);

    // An empty result.
    let b = book(&prom.url);
    edit(b.path(), "{job=\"basket-api\"}", "{job=\"nobody\"}");
    check(b.path(), &[], &["returned no samples", "2026-11-17T13:02:00Z"]);

    // Without `resolved` there is no window.
    let b = book(&prom.url);
    edit(b.path(), "  resolved: 2026-11-17 14:55\n", "");
    edit(b.path(), "- 14:55 [resolved] ", "- 14:55 "); // the timeline would supply the moment
    check(b.path(), &[], &["index.md:", "impact.resolved"]);

    // An unknown source, in the retro and on the command line.
    let b = book(&prom.url);
    edit(b.path(), "source: prometheus", "source: graphite");
    check(b.path(), &[], &["`graphite`", "the sources in book.toml are: prometheus"]);
    let b = book(&prom.url);
    check(b.path(), &["--source", "thanos"], &["--source thanos", "prometheus"]);

    // --url replaces book.toml's URL of --source (as the CI step does with a secret); one with
    // credentials is refused without echoing them.
    let b = book(&dead);
    check(b.path(), &["--source", "prometheus", "--url", "http://user:s3cret@127.0.0.1:1"], &["user name or password"]);
    assert!(
        !stderr(&pull(b.path(), &["--source", "prometheus", "--url", "http://user:s3cret@127.0.0.1:1"]))
            .contains("s3cret")
    );
    let ok = pull(b.path(), &["--source", "prometheus", "--url", &prom.url]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let prov = std::fs::read_to_string(b.path().join(SAMPLE).join("basket-5xx.json")).unwrap();
    assert!(prov.contains(&format!("\"url\": \"{}/\"", prom.url)), "{prov}");

    // Nothing is written outside the book: not by `..`, not through a symlinked folder.
    let b = book(&prom.url);
    edit(b.path(), "data: basket-5xx.csv", "data: ../../../basket-5xx.csv");
    check(b.path(), &[], &["points outside the book"]);
    let b = book(&prom.url);
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), b.path().join(SAMPLE).join("out")).unwrap();
    edit(b.path(), "data: basket-5xx.csv", "data: out/basket-5xx.csv");
    check(b.path(), &[], &["points outside the book"]);
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);

    let b = book(&prom.url);
    std::fs::create_dir(b.path().join(SAMPLE).join("basket-5xx.baseline.csv")).unwrap();
    check(b.path(), &[], &["basket-5xx.baseline.csv` is a folder or a special file"]);

    // A bearer token named but not set.
    let b = book(&prom.url);
    let toml = std::fs::read_to_string(b.path().join("book.toml")).unwrap();
    let toml =
        toml.replace("kind = \"prometheus\"", "kind = \"prometheus\"\nbearer-token-env = \"RB_TEST_UNSET_TOKEN\"");
    std::fs::write(b.path().join("book.toml"), toml).unwrap();
    check(b.path(), &[], &["$RB_TEST_UNSET_TOKEN", "not set"]);
}
