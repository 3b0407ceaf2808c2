//! `new`, `init`, `schema` and `export` as a user runs them.

use crate::common;
use common::*;
use serde_json::Value;

fn temp_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
    dir
}

#[test]
fn new_writes_a_retro_that_checks_clean_and_never_overwrites() {
    let dir = temp_book();
    let book = dir.path().to_str().unwrap();
    let out =
        run(&["--book", book, "new", "Checkout 5xx after config push", "--severity", "SEV2", "--date", "2025-03-14"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "retros/2025-03-14-checkout-5xx-after-config-push.md");
    let text = std::fs::read_to_string(dir.path().join("retros/2025-03-14-checkout-5xx-after-config-push.md")).unwrap();
    for heading in [
        "## Stakeholder message",
        "## Narrative",
        "## Timeline",
        "## Monitoring",
        "## Contributing factors",
        "## Technical analysis",
        "## Follow-up actions",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    assert!(text.contains("id: 2025-03-14-checkout-5xx-after-config-push\n"));
    assert!(text.contains("severity: SEV2\n"));
    assert!(text.contains("<!--"), "guidance is written as HTML comments");

    // The same title again: a numeric suffix, the first file untouched.
    std::fs::write(dir.path().join("retros/2025-03-14-checkout-5xx-after-config-push.md"), "edited by a human")
        .unwrap();
    let out = run(&["--book", book, "new", "Checkout 5xx after config push", "--date", "2025-03-14"]);
    assert_eq!(stdout(&out).trim(), "retros/2025-03-14-checkout-5xx-after-config-push-2.md");
    let first =
        std::fs::read_to_string(dir.path().join("retros/2025-03-14-checkout-5xx-after-config-push.md")).unwrap();
    assert_eq!(first, "edited by a human");

    // The untouched template loads without errors (only the placeholder factor twin-free).
    std::fs::remove_file(dir.path().join("retros/2025-03-14-checkout-5xx-after-config-push.md")).unwrap();
    let out = run(&["--book", book, "check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(diags.iter().all(|d| d["level"] != "error"), "{diags:#?}");
}

#[test]
fn new_takes_long_and_non_latin_titles() {
    let dir = temp_book();
    let book = dir.path().to_str().unwrap();
    let long = "Checkout failed for customers in every region after the payments config push ".repeat(4);
    let out = run(&["--book", book, "new", long.trim(), "--date", "2025-03-14"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = stdout(&out).trim().to_string();
    assert!(path.starts_with("retros/2025-03-14-checkout-failed-for-customers") && path.len() < 100, "{path}");
    let text = std::fs::read_to_string(dir.path().join(&path)).unwrap();
    assert!(text.contains(long.trim()), "the whole title is kept in the front matter");

    let out = run(&["--book", book, "new", "決済の障害", "--date", "2025-03-15"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "retros/2025-03-15-incident.md");
    assert!(stderr(&out).contains("--id"), "says how to choose a name: {}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("retros/2025-03-15-incident.md")).unwrap();
    assert!(text.contains("title: \"決済の障害\""), "{text}");
    let out = run(&["--book", book, "check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(diags.iter().all(|d| d["level"] != "error"), "{diags:#?}");
}

#[test]
fn export_exits_1_when_check_finds_errors() {
    let dir = temp_book();
    std::fs::create_dir_all(dir.path().join("retros")).unwrap();
    // Loads fine, but `check` finds an error: a related retro that does not exist.
    std::fs::write(
        dir.path().join("retros/a.md"),
        "---\nid: a\ntitle: A\ndate: 2025-01-01\nseverity: SEV2\nrelated: [no-such-retro]\n---\n\n## Narrative\n\nText.\n",
    )
    .unwrap();
    let book = dir.path().to_str().unwrap();
    let check = run(&["--book", book, "check"]);
    assert_eq!(check.status.code(), Some(1), "check finds the error: {}", stderr(&check));
    let out = run(&["--book", book, "export"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(serde_json::from_slice::<Value>(&out.stdout).is_ok(), "the export is still printed");
}

#[test]
fn new_rejects_unknown_severity_as_usage_error() {
    let dir = temp_book();
    let out = run(&["--book", dir.path().to_str().unwrap(), "new", "X", "--severity", "P1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expected one of SEV1, SEV2, SEV3, SEV4"));
    assert!(
        !dir.path().join("retros").exists() || std::fs::read_dir(dir.path().join("retros")).unwrap().next().is_none()
    );
}

#[test]
fn init_writes_a_book_that_checks_clean_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("my-retros");
    let out = run(&["init", target.to_str().unwrap(), "--today", "2026-03-10"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["book.toml", "retros/2026-03-03-example-checkout-errors.md", ".github/workflows/retros.yml", ".gitignore"]
    {
        assert!(target.join(f).is_file(), "{f}");
    }
    let workflow = std::fs::read_to_string(target.join(".github/workflows/retros.yml")).unwrap();
    assert!(workflow.contains("retrobook check --since origin/${{ github.base_ref }} --format github"));
    assert!(workflow.contains("fetch-depth: 0"));
    assert!(workflow.contains("retrobook diff origin/${{ github.base_ref }}"));
    assert!(workflow.contains("actions/deploy-pages"));
    // Weekly: sync the trackers, commit their states, edit (never re-create) the overdue digest.
    assert!(workflow.contains("schedule:\n    - cron: \"17 6 * * 1\""));
    assert!(workflow.contains("run: retrobook actions sync"));
    assert!(workflow.contains("retrobook report actions --overdue --format markdown > overdue.md"));
    assert!(workflow.contains("gh issue edit \"$number\" --body-file overdue.md"));
    // The optional monitoring step: only with the secret, for the changed retros, committing nothing.
    assert!(workflow.contains("if: always() && env.PROMETHEUS_URL != ''"));
    assert!(workflow.contains("PROMETHEUS_URL: ${{ secrets.PROMETHEUS_URL }}"));
    assert!(workflow.contains(r#"retrobook monitoring pull --source prometheus --url "$PROMETHEUS_URL" $changed"#));
    let yaml = yaml_rust2::YamlLoader::load_from_str(&workflow).expect("the workflow is YAML");
    let steps = yaml[0]["jobs"]["check"]["steps"].as_vec().expect("check steps");
    let pull = steps.iter().find(|s| s["name"].as_str() == Some("Pull missing monitoring data"));
    let pull = pull.expect("a monitoring step")["run"].as_str().expect("a run script");
    assert!(!pull.contains("git commit") && !pull.contains("git push"), "{pull}");
    assert!(target.join(".gitlab-ci.example.yml").is_file());
    let out = run(&["--book", target.to_str().unwrap(), "check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    std::fs::write(target.join("book.toml"), "# mine\n").unwrap();
    let out = run(&["init", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(target.join("book.toml")).unwrap(), "# mine\n");
}

#[test]
fn schema_is_json_schema_with_the_books_severities() {
    let out = run(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(schema["$schema"].as_str().unwrap().contains("json-schema.org"));
    assert_eq!(schema["properties"]["severity"]["enum"], serde_json::json!(["SEV1", "SEV2", "SEV3", "SEV4"]));
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for key in ["id", "title", "date", "severity"] {
        assert!(required.contains(&key), "{key} is required");
    }
    assert!(schema["properties"]["impact"].is_object());
}

#[test]
fn export_matches_hand_computed_values() {
    let path = fixture("clean");
    let out = run(&["--today", "2024-06-10", "export", "--book", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let r = &v["retros"][0];
    assert_eq!(r["id"], "checkout-outage");
    assert_eq!(r["path"], "retros/2024-03-14-checkout-outage.md");
    // started 10:00 Berlin (CET) = 09:00Z; detected written as 09:10Z; mitigated from the
    // timeline 10:40 CET = 09:40Z; resolved 11:30 CET = 10:30Z.
    assert_eq!(r["impact"]["started"], "2024-03-14T09:00:00Z");
    assert_eq!(r["impact"]["mitigated"], "2024-03-14T09:40:00Z");
    assert_eq!(r["durations"], serde_json::json!({"detect": 600, "mitigate": 2400, "resolve": 5400}));
    assert_eq!(r["factors"][0]["id"], "config-drift", "the alias resolves");
    assert_eq!(r["actions"][1]["overdue"], true);
    assert_eq!(r["actions"][0]["overdue"], false, "done is never overdue");
    assert_eq!(r["git"], Value::Null);
    let s = &v["retros"][1];
    assert_eq!(s["durations"], serde_json::json!({"detect": null, "mitigate": 1800, "resolve": null}));
    let f = &v["factors"][0];
    assert_eq!(f["id"], "config-drift");
    assert_eq!(f["incidents"], serde_json::json!(["checkout-outage", "search-slow"]));
    assert_eq!(f["first_seen"], "2024-03-14");
    assert_eq!(f["last_seen"], "2024-06-01");
    assert_eq!(
        f["recurred_after_remediation"], true,
        "search-slow (2024-06-01) cites it after A1 was done (due 2024-04-01)"
    );
    assert_eq!(v["actions"][0]["id"], "A2", "open and overdue actions come first");
    insta::assert_json_snapshot!("export_clean", v);
}

#[test]
fn without_book_toml_every_command_but_init_and_schema_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // A folder with Markdown in it, but no book.toml: before, `check` said "no problems" (exit 0).
    std::fs::write(dir.path().join("notes.md"), "# Notes\n").unwrap();
    let book = dir.path().to_str().unwrap();
    let commands: [&[&str]; 8] = [
        &["check"],
        &["build"],
        &["export"],
        &["report", "factors"],
        &["new", "Outage"],
        &["diff", "HEAD"],
        &["adopt"],
        &["serve", "--port", "0"],
    ];
    for args in commands {
        let out = run(&[&["--book", book][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("no book.toml") && err.contains("retrobook init"), "{args:?}: {err}");
    }
    assert!(!dir.path().join("retros").exists(), "`new` wrote nothing");
    assert_eq!(run(&["--book", book, "schema"]).status.code(), Some(0));
    assert_eq!(run(&["--book", book, "init"]).status.code(), Some(0));
    assert_eq!(run(&["--book", book, "check"]).status.code(), Some(0), "after init the folder is a book");
}

#[test]
fn a_folder_inside_a_book_names_the_book_above_and_a_missing_folder_says_so() {
    let dir = temp_book();
    std::fs::create_dir_all(dir.path().join("retros/2024")).unwrap();
    let out = run_in(&dir.path().join("retros/2024"), &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let above = std::fs::canonicalize(dir.path()).unwrap();
    assert!(stderr(&out).contains(&format!("--book {}", above.display())), "{}", stderr(&out));

    let missing = dir.path().join("no-such-book");
    let out = run(&["--book", missing.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist") && !stderr(&out).contains("book.toml`"), "{}", stderr(&out));
}

#[test]
fn readme_and_contributing_at_the_top_of_the_retros_folder_are_not_retros() {
    let dir = temp_book();
    let book = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[retros]\ndir = \".\"\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "# Our retros\n\nHow we write them.\n").unwrap();
    std::fs::write(dir.path().join("CONTRIBUTING.md"), "# Contributing\n").unwrap();
    std::fs::write(dir.path().join("Readme.markdown"), "# Also a readme\n").unwrap();
    std::fs::create_dir_all(dir.path().join("2024-dns")).unwrap();
    // Inside an incident's own folder a README is the retro.
    std::fs::write(dir.path().join("2024-dns/README.md"), "# DNS outage\n\nOn 2024-05-02 DNS failed.\n").unwrap();
    let out = run(&["--book", book, "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let paths: Vec<&str> = v["retros"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["2024-dns/README.md"]);
}

#[test]
fn counts_in_terminal_output_agree_with_their_nouns() {
    let dir = temp_book();
    let book = dir.path().to_str().unwrap();
    let out = run(&["--book", book, "new", "Checkout outage", "--date", "2025-03-14"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["--book", book, "export"]);
    assert!(stderr(&out).contains("exported 1 retro\n"), "{}", stderr(&out));
    let out = run(&["--book", book, "build", "--audience", "external", "--no-search"]);
    assert!(stderr(&out).contains("built the public history of 0 retros:"), "{}", stderr(&out));
    let out = run(&["--book", book, "build", "--no-search"]);
    let err = stderr(&out);
    assert!(err.contains("built 1 retro: ") && err.contains(" pages, 0 search records, "), "{err}");
    let out = run(&["--book", book, "new", "Checkout outage 2", "--date", "2025-03-15"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["--book", book, "export"]);
    assert!(stderr(&out).contains("exported 2 retros\n"), "{}", stderr(&out));
}

#[test]
fn new_dates_the_retro_by_started_and_says_when_it_used_today() {
    let dir = temp_book();
    let book = dir.path().to_str().unwrap();
    let out = run(&["--book", book, "new", "Queue backlog", "--started", "2025-03-14 23:40"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "retros/2025-03-14-queue-backlog.md");
    assert!(!stderr(&out).contains("set to today"), "{}", stderr(&out));
    let path = dir.path().join("retros/2025-03-14-queue-backlog.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\ndate: 2025-03-14\n") && text.contains("\n  started: \"2025-03-14 23:40\"\n"), "{text}");
    assert!(text.contains("the day the incident STARTED"), "the template says what `date` is");
    let check = |args: &[&str]| -> Vec<Value> {
        let out = run(&[&["--book", book, "check", "--format", "json"][..], args].concat());
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    assert!(!check(&[]).iter().any(|d| d["rule"] == "date-started"));

    // `date` left at the day the retro was written: check warns at `impact.started`.
    std::fs::write(&path, text.replace("\ndate: 2025-03-14\n", "\ndate: 2025-03-20\n")).unwrap();
    let diags = check(&[]);
    let d = diags.iter().find(|d| d["rule"] == "date-started").unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(d["level"], "warning");
    let line = text.lines().position(|l| l.starts_with("  started:")).unwrap() + 1;
    assert_eq!(d["line"], line);
    assert!(d["message"].as_str().unwrap().contains("set `date: 2025-03-14`"), "{d}");

    // --date and --started that disagree; an unreadable --started.
    let out = run(&["--book", book, "new", "X", "--date", "2025-03-15", "--started", "2025-03-14 10:00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("disagree"), "{}", stderr(&out));
    let out = run(&["--book", book, "new", "X", "--started", "2025-02-30 10:00"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("February 2025 has 28 days"), "{}", stderr(&out));

    // Neither: today, and a note that says so; the same title again names the -2 it created.
    let out = run(&["--book", book, "--today", "2025-04-01", "new", "Queue backlog"]);
    assert!(stderr(&out).contains("`date` is set to today, 2025-04-01"), "{}", stderr(&out));
    let out = run(&["--book", book, "--today", "2025-04-01", "new", "Queue backlog"]);
    assert_eq!(stdout(&out).trim(), "retros/2025-04-01-queue-backlog-2.md");
    assert!(
        stderr(&out).contains(
            "a retro with the id `2025-04-01-queue-backlog` already exists, so this one is `2025-04-01-queue-backlog-2`"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_dates_its_example_recently_ignores_built_sites_and_sets_the_pages_path() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("incident-retros");
    let out = run(&["--today", "2026-03-10", "init", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let book = target.to_str().unwrap();
    // A week old, its action due in three weeks: nothing overdue on the first day or the next weeks.
    let example = std::fs::read_to_string(target.join("retros/2026-03-03-example-checkout-errors.md")).unwrap();
    assert!(example.contains("\ndate: 2026-03-03\n") && example.contains("  started: \"2026-03-03 14:02\"\n"));
    assert!(example.contains("On March 3 between 14:02"), "{example}");
    for today in ["2026-03-10", "2026-03-30"] {
        let out = run(&["--book", book, "--today", today, "report", "actions", "--format", "json"]);
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let actions = v.as_array().unwrap();
        assert_eq!(actions.len(), 1, "{v}");
        assert!(actions.iter().all(|a| a["overdue"] == false), "{today}: {v}");
    }
    // One month of statistics, not two years of empty months.
    let out = run(&["--book", book, "--today", "2026-03-10", "report", "stats", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["per_month"].as_array().unwrap().len(), 1, "{v}");

    let ignore = std::fs::read_to_string(target.join(".gitignore")).unwrap();
    for line in ["/site/", "/site-external/", "/.site*-cache/"] {
        assert!(ignore.lines().any(|l| l == line), "{line} in {ignore}");
    }
    // GitHub Pages serves a project site under /<repository>/.
    let toml = std::fs::read_to_string(target.join("book.toml")).unwrap();
    assert!(toml.contains("\nsite-url = \"/incident-retros/\""), "{toml}");
    assert!(stderr(&out).is_empty() || !stderr(&out).contains("error"));

    // A folder that has a .gitignore keeps it; init says what to add.
    let other = dir.path().join("acme.github.io");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(".gitignore"), "target/\n").unwrap();
    let out = run(&["init", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(other.join(".gitignore")).unwrap(), "target/\n");
    assert!(stderr(&out).contains("/site-external/"), "{}", stderr(&out));
    let toml = std::fs::read_to_string(other.join("book.toml")).unwrap();
    assert!(toml.contains("\nsite-url = \"/\""), "a user site is served at the root: {toml}");
}

#[test]
fn the_workflow_init_writes_pins_a_release_and_verifies_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let version = env!("CARGO_PKG_VERSION");
    for file in [".github/workflows/retros.yml", ".gitlab-ci.example.yml"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = &docs[0];
        let pinned = if file.starts_with(".github") { &doc["env"] } else { &doc["variables"] };
        assert_eq!(pinned["RETROBOOK_VERSION"].as_str(), Some(version), "{file}: the version is pinned");
        assert!(
            text.contains("https://github.com/retrobook/retrobook/releases/download/v${RETROBOOK_VERSION}"),
            "{file}: downloads the pinned release"
        );
        assert!(text.contains("SHA256SUMS") && text.contains("--check \"$archive.sha256\""), "{file}: verifies");
        assert!(text.contains("test -s \"$archive.sha256\""), "{file}: an archive missing from the sums fails");
        assert!(
            text.contains(
                "cargo install --locked --git https://github.com/retrobook/retrobook --tag \"v$RETROBOOK_VERSION\""
            ),
            "{file}: the documented fallback"
        );
        // Nothing compiles retrobook on every run any more.
        let run_lines: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
        assert!(!run_lines.iter().any(|l| l.contains("cargo install")), "{file}");
    }
    let gh = std::fs::read_to_string(dir.path().join(".github/workflows/retros.yml")).unwrap();
    let doc = &yaml_rust2::YamlLoader::load_from_str(&gh).unwrap()[0];
    for job in ["check", "site"] {
        let steps = doc["jobs"][job]["steps"].as_vec().unwrap();
        let cache = steps.iter().find(|s| s["uses"].as_str() == Some("actions/cache@v4")).expect("a cache step");
        assert!(cache["with"]["key"].as_str().unwrap().contains("${{ env.RETROBOOK_VERSION }}"), "{job}");
        let install = steps.iter().find(|s| s["run"].as_str().is_some_and(|r| r.contains("shasum"))).unwrap();
        assert_eq!(install["if"].as_str(), Some("steps.retrobook-cache.outputs.cache-hit != 'true'"), "{job}");
    }
}

/// The archives init's workflow downloads are the ones the release workflow builds and sums.
#[test]
fn the_release_workflow_builds_what_init_downloads() {
    let release = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    let doc = &yaml_rust2::YamlLoader::load_from_str(&release).unwrap()[0];
    let targets: Vec<&str> = doc["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    run(&["init", dir.path().to_str().unwrap()]);
    let init = std::fs::read_to_string(dir.path().join(".github/workflows/retros.yml")).unwrap();
    let wanted: Vec<&str> =
        init.lines().filter_map(|l| l.trim().split_once(") target=").map(|(_, t)| t.trim_end_matches(" ;;"))).collect();
    assert_eq!(wanted.len(), 8, "four runner kinds in each of two jobs: {wanted:?}");
    for t in &wanted {
        assert!(targets.contains(t), "init downloads {t}, which release.yml does not build ({targets:?})");
    }
    assert!(init.contains("archive=\"retrobook-v${RETROBOOK_VERSION}-${target}.tar.gz\""));
    assert!(release.contains("name=\"retrobook-${GITHUB_REF_NAME}-${{ matrix.target }}\""));
    assert!(release.contains("tar -czf \"$name.tar.gz\" -C dist retrobook"));
    assert!(release.contains("sha256sum retrobook-* > SHA256SUMS"));
    assert!(release.contains("test \"v$version\" = \"$GITHUB_REF_NAME\""), "the tag is v<Cargo.toml version>");
}
