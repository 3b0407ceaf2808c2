//! The shape of the test harness itself: every file of this suite is one of its modules (a file
//! left out would never compile nor run), and every top-level test binary is declared in
//! Cargo.toml on purpose (a stray `tests/x.rs` would link as a binary of its own).

use crate::common::repo;
use std::collections::BTreeSet;

/// The `mod x;` lines of the suite's main.rs.
fn declared_modules(main: &str) -> BTreeSet<String> {
    main.lines().filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)).collect()
}

/// Suite files without a `mod` line in main.rs, and `mod` lines without a file.
fn module_mismatches(files: &BTreeSet<String>, declared: &BTreeSet<String>) -> Vec<String> {
    let missing = files.difference(declared).map(|m| format!("tests/suite/{m}.rs has no `mod {m};` in main.rs"));
    let extra = declared
        .difference(files)
        .filter(|m| *m != "common")
        .map(|m| format!("main.rs declares `mod {m};` but tests/suite/{m}.rs is missing"));
    missing.chain(extra).collect()
}

#[test]
fn every_suite_file_is_a_module_of_main() {
    let dir = repo().join("tests/suite");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".rs").filter(|m| *m != "main").map(str::to_owned)
        })
        .collect();
    let declared = declared_modules(&std::fs::read_to_string(dir.join("main.rs")).unwrap());
    assert!(files.contains("harness") && declared.contains("harness"), "{files:?} {declared:?}");
    let problems = module_mismatches(&files, &declared);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_suite_file_left_out_of_main_is_reported() {
    let files: BTreeSet<String> = ["check", "report"].map(String::from).into();
    let declared = declared_modules("#[path = \"../common/mod.rs\"]\nmod common;\n\nmod check;\n");
    assert_eq!(module_mismatches(&files, &declared), ["tests/suite/report.rs has no `mod report;` in main.rs"]);
}

#[test]
fn every_top_level_test_binary_is_declared_in_cargo_toml() {
    let manifest: toml::Table = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap().parse().unwrap();
    let declared: BTreeSet<String> = manifest
        .get("test")
        .and_then(|t| t.as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("path")?.as_str().map(str::to_owned))
        .collect();
    let mut found = BTreeSet::new();
    for e in std::fs::read_dir(repo().join("tests")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() && p.join("main.rs").is_file() {
            found.insert(format!("tests/{name}/main.rs"));
        } else if name.ends_with(".rs") {
            found.insert(format!("tests/{name}"));
        }
    }
    let stray: Vec<&String> = found.difference(&declared).collect();
    assert!(
        stray.is_empty(),
        "{stray:?} would each link as a test binary of their own: make them modules of tests/suite \
         (a file there plus a `mod` line in tests/suite/main.rs), or declare a [[test]] in Cargo.toml \
         if they must run in a process of their own"
    );
    assert!(declared.contains("tests/suite/main.rs"), "{declared:?}");
}

/// The command of README's "Run all tests" row.
fn readme_test_command(readme: &str) -> Option<&str> {
    let row = readme.lines().find(|l| l.starts_with("| **Run all tests**"))?;
    let cell = row.trim_end().strip_suffix('|')?.rsplit('|').next()?.trim();
    cell.strip_prefix('`')?.strip_suffix('`')
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let command = readme_test_command(&readme).expect("README has a \"Run all tests\" row with a command");
    assert!(command.starts_with("cargo test"), "{command}");
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    let runs = ci.lines().map(str::trim).any(|l| l.strip_prefix("step ").unwrap_or(l) == command);
    assert!(runs, ".ci/run does not run README's test command `{command}` as a line of its own");
}
