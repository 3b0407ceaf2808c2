//! Hostile input to the loader and `check`: monitoring paths that point at files outside the book
//! (or at things that are not files), front matter nested deep enough to overflow a recursive
//! parser, ids that collide on other file systems, and inputs that used to take superlinear time.
//! Every command must end with a diagnostic — never a crash, a hang or a quoted secret.

use crate::common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A text that must never reach any output: the first line of a file outside the book.
const SECRET: &str = "SECRET-7c1e9a-do-not-print";
/// A number that must never reach the export: the value in a well-formed CSV outside the book.
const SECRET_VALUE: &str = "987654.25";

/// Writes `files` (path relative to the book, content) under a new temporary book folder, with
/// a default book.toml unless `files` has one (every command but `init` and `schema` needs it).
fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if !files.iter().any(|(rel, _)| *rel == "book.toml") {
        std::fs::write(dir.path().join("book.toml"), "[retros]\ndir = \"retros\"\n").unwrap();
    }
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// A complete retro whose monitoring series reads `data` (and `baseline`, when given).
fn retro_with_series(data: &str, baseline: Option<&str>) -> String {
    let baseline = baseline.map(|b| format!("    baseline: \"{b}\"\n")).unwrap_or_default();
    format!(
        "---\nid: probe\ntitle: Probe\ndate: 2025-01-02\nseverity: SEV2\nstatus: draft\nmonitoring:\n  - metric: errors\n    data: \"{data}\"\n{baseline}---\n\n## Timeline\n\n- 10:00 [started] x\n"
    )
}

/// Runs the binary with `args` in `dir`; fails the test if it runs longer than `limit` (a read
/// of a FIFO or of `/dev/zero` would block or run forever).
fn run_limited(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run retrobook");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`retrobook {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run60(dir: &Path, args: &[&str]) -> Output {
    run_limited(dir, args, Duration::from_secs(60))
}

fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Every file under `dir` (none when it does not exist), as lossy text.
fn tree_text(dir: &Path) -> String {
    if !dir.is_dir() {
        return String::new();
    }
    files_under(dir).iter().map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned()).collect()
}

/// A process that ended on its own with an exit code (not killed by a signal, not an abort: 134).
fn assert_clean_exit(o: &Output, what: &str) {
    let code = o.status.code();
    assert!(matches!(code, Some(0..=2)), "{what}: exit {code:?} (status {:?})\n{}", o.status, all_output(o));
}

/// Runs check (human and github), build and export on a book and asserts that none of them
/// crashed, that `check` names `rule`, and that no output shows any of `forbidden`.
fn assert_refused(dir: &Path, rule: &str, forbidden: &[&str]) -> String {
    let human = run60(dir, &["check"]);
    assert_clean_exit(&human, "check");
    assert_eq!(human.status.code(), Some(1), "check must fail\n{}", all_output(&human));
    let github = run60(dir, &["check", "--format", "github"]);
    assert_clean_exit(&github, "check --format github");
    let build = run60(dir, &["build"]);
    assert_clean_exit(&build, "build");
    let export = run60(dir, &["export"]);
    assert_clean_exit(&export, "export");
    let everything = [&human, &github, &build, &export].iter().map(|o| all_output(o)).collect::<String>()
        + &tree_text(&dir.join("site"));
    assert!(all_output(&human).contains(rule), "check does not report {rule}:\n{}", all_output(&human));
    assert!(stdout(&github).contains(rule), "github annotations lack {rule}:\n{}", stdout(&github));
    for f in forbidden {
        assert!(!everything.contains(f), "`{f}` leaked into the output:\n{everything}");
    }
    all_output(&human)
}

/// Two files outside the book: one whose first line is a secret (a CSV parse error would quote
/// it) and one well-formed CSV (whose value the export would publish).
fn outside_files() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let bad = outside.path().join("secret.csv");
    std::fs::write(&bad, format!("{SECRET}\n")).unwrap();
    let good = outside.path().join("values.csv");
    std::fs::write(&good, format!("time,value\n2025-01-02T10:00:00Z,{SECRET_VALUE}\n")).unwrap();
    (outside, bad, good)
}

#[test]
fn monitoring_data_at_an_absolute_path_is_neither_read_nor_quoted() {
    let (_outside, bad, good) = outside_files();
    let text = retro_with_series(bad.to_str().unwrap(), Some(good.to_str().unwrap()));
    let b = book(&[("retros/probe.md", &text)]);
    let out = assert_refused(b.path(), "monitoring-data", &[SECRET, SECRET_VALUE]);
    assert!(out.contains("outside the book"), "{out}");

    let b = book(&[("retros/probe.md", &retro_with_series("/etc/passwd", None))]);
    let out = assert_refused(b.path(), "monitoring-data", &["root:x:0", "root:*:0"]);
    assert!(out.contains("outside the book"), "{out}");
}

#[test]
fn monitoring_data_above_the_book_is_neither_read_nor_quoted() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("secret.csv"), format!("{SECRET}\n")).unwrap();
    std::fs::write(parent.path().join("values.csv"), format!("time,value\n2025-01-02T10:00:00Z,{SECRET_VALUE}\n"))
        .unwrap();
    let root = parent.path().join("book");
    let text = retro_with_series("../../secret.csv", Some("../../values.csv"));
    std::fs::create_dir_all(root.join("retros")).unwrap();
    std::fs::write(root.join("book.toml"), "").unwrap();
    std::fs::write(root.join("retros/probe.md"), text).unwrap();
    let out = assert_refused(&root, "monitoring-data", &[SECRET, SECRET_VALUE]);
    assert!(out.contains("outside the book"), "{out}");
}

#[cfg(unix)]
#[test]
fn monitoring_data_through_a_symlink_out_of_the_book_is_neither_read_nor_quoted() {
    let (_outside, bad, good) = outside_files();
    let b = book(&[("retros/probe.md", &retro_with_series("link.csv", Some("values-link.csv")))]);
    std::os::unix::fs::symlink(&bad, b.path().join("retros/link.csv")).unwrap();
    std::os::unix::fs::symlink(&good, b.path().join("retros/values-link.csv")).unwrap();
    let out = assert_refused(b.path(), "monitoring-data", &[SECRET, SECRET_VALUE]);
    assert!(out.contains("outside the book"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_book_is_followed() {
    // Symlinks are fine as long as they stay in the book.
    let b = book(&[
        ("retros/probe.md", &retro_with_series("link.csv", None)),
        ("data/errors.csv", "time,value\n2025-01-02T10:00:00Z,5\n2025-01-02T10:01:00Z,7\n"),
    ]);
    std::os::unix::fs::symlink(b.path().join("data/errors.csv"), b.path().join("retros/link.csv")).unwrap();
    let o = run60(b.path(), &["check"]);
    assert!(!all_output(&o).contains("monitoring-data"), "{}", all_output(&o));
    assert_clean_exit(&run60(b.path(), &["build"]), "build");
    let page = std::fs::read_to_string(b.path().join("site/retros/probe/index.html")).unwrap();
    assert!(page.contains("rb-series"), "the series is drawn from the linked CSV");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_monitoring_data_does_not_hang() {
    let b = book(&[("retros/probe.md", &retro_with_series("pipe.csv", None))]);
    let status = Command::new("mkfifo").arg(b.path().join("retros/pipe.csv")).status().expect("mkfifo");
    assert!(status.success());
    let out = assert_refused(b.path(), "monitoring-data", &[]);
    assert!(out.contains("not a regular file"), "{out}");
}

#[cfg(unix)]
#[test]
fn dev_zero_as_monitoring_data_is_never_read() {
    // Directly (absolute) and through a symlink inside the book: either way, reading it would
    // never end (or run out of memory).
    let b = book(&[("retros/probe.md", &retro_with_series("/dev/zero", None))]);
    let out = assert_refused(b.path(), "monitoring-data", &[]);
    assert!(out.contains("outside the book"), "{out}");
    let b = book(&[("retros/probe.md", &retro_with_series("zero.csv", None))]);
    std::os::unix::fs::symlink("/dev/zero", b.path().join("retros/zero.csv")).unwrap();
    let out = assert_refused(b.path(), "monitoring-data", &[]);
    assert!(out.contains("outside the book"), "{out}");
}

#[test]
fn monitoring_data_larger_than_the_cap_is_refused() {
    let mut csv = String::from("time,value\n");
    for i in 0..200 {
        csv.push_str(&format!("2025-01-02T10:{:02}:{:02}Z,{i}\n", i / 60, i % 60));
    }
    assert!(csv.len() > 2000);
    let text = retro_with_series("big.csv", None);
    let b = book(&[
        ("book.toml", "[retros]\nmax-data-size = 2000\n"),
        ("retros/probe.md", &text),
        ("retros/big.csv", &csv),
    ]);
    let out = assert_refused(b.path(), "monitoring-data", &[]);
    assert!(out.contains("max-data-size"), "{out}");
    // Under the cap, the same file is read.
    std::fs::write(b.path().join("book.toml"), "[retros]\nmax-data-size = 100000\n").unwrap();
    let o = run60(b.path(), &["check"]);
    assert!(!all_output(&o).contains("monitoring-data"), "{}", all_output(&o));
}

#[test]
fn a_malformed_csv_is_reported_without_quoting_it() {
    let b = book(&[
        ("retros/probe.md", &retro_with_series("bad.csv", None)),
        ("retros/bad.csv", &format!("time,value\n{SECRET},1\n")),
    ]);
    let o = run60(b.path(), &["check", "--format", "github"]);
    let out = all_output(&o);
    assert!(out.contains("monitoring-csv") && out.contains("line 2"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
}

/// Front matters nested far deeper than any real one (a 14 KB file).
fn deep_front_matters() -> Vec<(&'static str, String)> {
    let n = 7000;
    let head = "id: deep\ntitle: Deep\ndate: 2025-01-02\nseverity: SEV2\n";
    vec![
        ("flow sequences", format!("---\n{head}tags: {}{}\n---\n", "[".repeat(n), "]".repeat(n))),
        ("block sequences", format!("---\n{head}tags:\n  {}x\n---\n", "- ".repeat(n))),
        ("flow maps", format!("---\n{head}tags: {}{}\n---\n", "{a: ".repeat(n), "}".repeat(n))),
        ("TOML arrays", format!("+++\nid = \"deep\"\ntags = {}{}\n+++\n", "[".repeat(n), "]".repeat(n))),
        ("TOML inline tables", format!("+++\nid = \"deep\"\ntags = {}1{}\n+++\n", "{a = ".repeat(n), "}".repeat(n))),
    ]
}

#[test]
fn deeply_nested_front_matter_is_a_diagnostic_not_a_crash() {
    for (what, fm) in deep_front_matters() {
        let b = book(&[("retros/deep.md", &format!("{fm}\n## Timeline\n\n- 10:00 [started] x\n"))]);
        for args in [&["check"][..], &["build"], &["export"]] {
            let o = run60(b.path(), args);
            assert_clean_exit(&o, &format!("{what}: {}", args[0]));
            assert_eq!(o.status.code(), Some(1), "{what}: {}\n{}", args[0], all_output(&o));
        }
        let o = run60(b.path(), &["check"]);
        let out = all_output(&o);
        assert!(out.contains("fm-syntax") && out.contains("nested"), "{what}:\n{out}");
        assert!(out.contains("retros/deep.md:"), "{what}: the diagnostic names the file\n{out}");
    }
}

#[test]
fn deeply_nested_book_toml_is_a_diagnostic_not_a_crash() {
    let n = 7000;
    let b = book(&[("book.toml", &format!("[book]\ntitle = {}{}\n", "[".repeat(n), "]".repeat(n)))]);
    let o = run60(b.path(), &["check"]);
    assert_clean_exit(&o, "check");
    assert!(all_output(&o).contains("nested"), "{}", all_output(&o));
}

/// Runs `check --format json` on a book and returns (rule, message) pairs.
fn rules(dir: &Path) -> Vec<(String, String)> {
    let o = run60(dir, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let list =
        v.get("diagnostics").and_then(|d| d.as_array()).cloned().unwrap_or_else(|| v.as_array().cloned().unwrap());
    list.iter()
        .map(|d| (d["rule"].as_str().unwrap_or("").to_string(), d["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn simple_retro(id: &str, date: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: T {id}\ndate: {date}\nseverity: SEV3\nstatus: draft\n---\n\n## Timeline\n\n- 10:00 [started] x\n"
    )
}

#[test]
fn ids_that_collide_on_other_systems_or_in_the_site_are_errors() {
    let long = "a".repeat(5000);
    let b = book(&[
        ("retros/a.md", &simple_retro("Outage", "2025-01-01")),
        ("retros/b.md", &simple_retro("outage", "2025-01-02")),
        ("retros/c.md", &simple_retro("CON", "2025-01-03")),
        ("retros/d.md", &simple_retro("lpt1.txt", "2025-01-04")),
        ("retros/e.md", &simple_retro("index.html", "2025-01-05")),
        ("retros/f.md", &simple_retro(&long, "2025-01-06")),
        ("retros/g.md", &simple_retro("console", "2025-01-07")),
    ]);
    let found = rules(b.path());
    let has = |rule: &str, text: &str| found.iter().any(|(r, m)| r == rule && m.contains(text));
    assert!(has("id-duplicate", "`Outage`") && has("id-duplicate", "`outage`"), "{found:#?}");
    assert!(has("id-reserved", "`CON`"), "{found:#?}");
    assert!(has("id-reserved", "`lpt1.txt`"), "{found:#?}");
    assert!(has("id-reserved", "`index.html`"), "{found:#?}");
    assert!(has("id-length", "5000"), "{found:#?}");
    assert!(!found.iter().any(|(_, m)| m.contains("`console`")), "`console` is a fine id: {found:#?}");
}

#[test]
fn factor_ids_that_would_collide_as_paths_are_errors() {
    let fm = |id: &str, factors: &str| {
        format!(
            "---\nid: {id}\ntitle: T\ndate: 2025-01-02\nseverity: SEV3\nstatus: draft\nfactors:\n{factors}---\n\n## Timeline\n\n- 10:00 [started] x\n"
        )
    };
    let long = "b".repeat(300);
    let b = book(&[(
        "retros/a.md",
        &fm("a", &format!("  - id: aux\n    category: process\n  - id: {long}\n    category: process\n")),
    )]);
    let found = rules(b.path());
    assert!(found.iter().any(|(r, m)| r == "factor-id" && m.contains("`aux`")), "{found:#?}");
    assert!(found.iter().any(|(r, m)| r == "factor-id" && m.contains("300")), "{found:#?}");
}

#[test]
fn many_repeated_headings_check_in_linear_time() {
    // 6,000 `## Timeline` headings (132 KB) took 77 s; 1,500 took 1.3 s: cubic.
    let mut text = simple_retro("many", "2025-01-02");
    for i in 0..6000 {
        text.push_str(&format!("\n## Timeline\n\n- 10:{:02} x\n", i % 60));
    }
    let b = book(&[("retros/many.md", &text)]);
    let start = Instant::now();
    let o = run_limited(b.path(), &["check"], Duration::from_secs(120));
    let took = start.elapsed();
    assert_clean_exit(&o, "check");
    assert!(took < Duration::from_secs(10), "check took {took:?}");
}

#[cfg(unix)]
#[test]
fn unreadable_folders_and_csvs_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let b = book(&[
        ("retros/ok.md", &retro_with_series("locked.csv", None)),
        ("retros/locked.csv", "time,value\n2025-01-02T10:00:00Z,1\n"),
        ("retros/hidden/x.md", &simple_retro("x", "2025-01-03")),
    ]);
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(&b.path().join("retros/locked.csv"), 0o000);
    mode(&b.path().join("retros/hidden"), 0o000);
    // root reads everything: drop the capabilities that let it (uid stays 0, so the binary under
    // the 0700 target folder is still reachable).
    let privileged = std::fs::read(b.path().join("retros/locked.csv")).is_ok();
    let o = if privileged {
        Command::new("setpriv")
            .args(["--bounding-set", "-dac_override,-dac_read_search", env!("CARGO_BIN_EXE_retrobook"), "check"])
            .current_dir(b.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("setpriv (util-linux) is needed to test unreadable files as root")
    } else {
        run60(b.path(), &["check"])
    };
    mode(&b.path().join("retros/hidden"), 0o755);
    let out = all_output(&o);
    assert!(out.contains("retros/hidden") && out.contains("cannot read"), "{out}");
    assert!(out.contains("locked.csv") && out.contains("cannot read"), "{out}");
}
