//! Follow-up actions and their trackers (issue 16): link rules in `check`, `actions sync` against
//! GitHub, GitLab and Jira, drift on the retro page, the board and in `check`, `--write` editing
//! one scalar, `actions open`, and the ages of actions.
//!
//! The HTTP servers started here are the only fakes in the suite: GitHub, GitLab and Jira cannot
//! be reached from CI, so each test serves, on 127.0.0.1, responses in the shapes those services
//! document (written here, not copied), and points the book's `api-url` at it — the same setting
//! GitHub Enterprise and self-hosted GitLab or Jira need.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

const RETRO_HEAD: &str = "---\nid: 2026-01-10-queue-stall\ntitle: Queue stall\ndate: 2026-01-10\nseverity: SEV2\n\
status: published\nfactors:\n  - id: no-backpressure\n    category: technology\n    summary: The consumer took work it could not finish.\n";

/// A book in a temporary folder: book.toml and `retros/<name>` files.
fn book(toml: &str, retros: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    std::fs::create_dir_all(dir.path().join("retros")).unwrap();
    for (name, text) in retros {
        std::fs::write(dir.path().join("retros").join(name), text).unwrap();
    }
    dir
}

fn retro_with_actions(actions: &str) -> String {
    format!("{RETRO_HEAD}actions:\n{actions}---\n\n## Summary\n\nThe queue stalled.\n")
}

fn check_json(root: &Path) -> Vec<Value> {
    let out = run(&["check", "--format", "json", "--book", root.to_str().unwrap(), "--today", "2026-03-10"]);
    serde_json::from_str::<Value>(&stdout(&out)).expect("a JSON array").as_array().cloned().unwrap_or_default()
}

fn with_rule<'a>(diags: &'a [Value], rule: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["rule"] == rule).collect()
}

#[test]
fn check_errors_on_a_malformed_link_at_its_position() {
    let b = book(
        "",
        &[(
            "q.md",
            &retro_with_actions(
                "  - id: A1\n    title: Bound the queue\n    owner: core\n    link: https://github.com/acme/queue\n\
                 \x20\x20- id: A2\n    title: Alert on lag\n    owner: core\n    link: PAY-12\n\
                 \x20\x20- id: A3\n    title: Runbook\n    owner: core\n    link: https://tracker.example/OPS-1\n",
            ),
        )],
    );
    let d = check_json(b.path());
    let links = with_rule(&d, "action-link");
    assert_eq!(links.len(), 2, "{d:#?}");
    assert_eq!((links[0]["line"].as_u64(), links[0]["column"].as_u64()), (Some(15), Some(11)));
    assert_eq!(links[0]["level"], "error");
    let m = links[0]["message"].as_str().unwrap();
    assert!(m.contains("points at GitHub but not at an issue or pull request") && m.contains("/issues/N"), "{m}");
    let m = links[1]["message"].as_str().unwrap();
    assert!(m.contains("`PAY-12` looks like a Jira key") && m.contains("kind = \"jira\""), "{m}");
    // With a Jira site in book.toml the bare key resolves.
    std::fs::write(
        b.path().join("book.toml"),
        "[trackers.jira]\nkind = \"jira\"\nurl = \"https://acme.atlassian.net\"\n",
    )
    .unwrap();
    assert_eq!(with_rule(&check_json(b.path()), "action-link").len(), 1);
}

#[test]
fn check_warns_on_an_adopted_action_with_neither_owner_nor_link() {
    let text = "# Disk full on db-3\n\n## Summary\n\nThe disk filled.\n\n## Action items\n\n\
                - [ ] Alert at 80% disk\n- [ ] Rotate logs daily ([ticket](https://github.com/acme/db/issues/4))\n\
                - [x] Grow the volume\n";
    let b = book("", &[("disk.md", text)]);
    let d = check_json(b.path());
    let u = with_rule(&d, "action-untracked");
    assert_eq!(u.len(), 1, "only the open action without a link: {d:#?}");
    assert_eq!((u[0]["level"].as_str(), u[0]["line"].as_u64()), (Some("warning"), Some(9)));
    assert!(u[0]["message"].as_str().unwrap().contains("neither an owner nor a tracker link"));
}
