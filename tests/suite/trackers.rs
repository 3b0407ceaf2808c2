//! Follow-up actions and their trackers (issue 16): link rules in `check`, `actions sync` against
//! GitHub, GitLab and Jira, drift on the retro page, the board and in `check`, `--write` editing
//! one scalar, `actions open`, and the ages of actions.
//!
//! The HTTP servers started here are the only fakes in the suite: GitHub, GitLab and Jira cannot
//! be reached from CI, so each test serves, on 127.0.0.1, responses in the shapes those services
//! document (written here, not copied), and points the book's `api-url` at it — the same setting
//! GitHub Enterprise and self-hosted GitLab or Jira need.

use crate::common;
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

// ---------------------------------------------------------------------------------------------
// The local server: one thread per connection, a handler per test, every request logged.

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: std::time::Duration,
}

fn json(status: u16, body: &str) -> Resp {
    Resp { status, headers: vec![], body: body.to_string(), delay: std::time::Duration::ZERO }
}

struct Server {
    base: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<Req>>>,
    /// The most requests that were in flight at once.
    peak: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Server {
    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(handler: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> Server {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Arc<Mutex<Vec<Req>>> = Arc::default();
    let peak: Arc<AtomicUsize> = Arc::default();
    let inflight: Arc<AtomicUsize> = Arc::default();
    let handler = Arc::new(handler);
    let (log2, peak2) = (log.clone(), peak.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (log, peak, inflight, handler) = (log2.clone(), peak2.clone(), inflight.clone(), handler.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.is_empty() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
                let len = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let req = Req { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() };
                let now = inflight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let seen = {
                    let mut l = log.lock().unwrap();
                    l.push(req.clone());
                    l.iter().filter(|r| r.path == req.path).count()
                };
                let resp = handler(&req, seen);
                std::thread::sleep(resp.delay);
                inflight.fetch_sub(1, Ordering::SeqCst);
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp.status,
                    resp.body.len()
                );
                for (k, v) in &resp.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&resp.body);
                let _ = stream.write_all(out.as_bytes());
            });
        }
    });
    Server { base, log, peak }
}

/// Answers in the shapes of the three APIs' documentation (our own values).
fn trackers_api(req: &Req, seen: usize) -> Resp {
    let path = req.path.as_str();
    match path {
        // GitHub: GET /repos/{owner}/{repo}/issues/{number}
        "/gh/repos/acme/queue/issues/12" => json(
            200,
            r#"{"id":1,"number":12,"state":"closed","state_reason":"completed","title":"Bound the queue",
               "closed_at":"2026-02-20T09:30:00Z","assignee":{"login":"mona"},"assignees":[{"login":"mona","id":7}],
               "labels":[],"html_url":"https://github.com/acme/queue/issues/12"}"#,
        ),
        "/gh/repos/acme/queue/issues/13" => json(
            200,
            r#"{"number":13,"state":"open","state_reason":null,"closed_at":null,"assignee":null,"assignees":[]}"#,
        ),
        // Rate-limited once, with Retry-After (GitHub's secondary limit), then answered.
        "/gh/repos/acme/queue/issues/14" if seen == 1 => Resp {
            status: 429,
            headers: vec![("Retry-After", "1".into()), ("x-ratelimit-remaining", "0".into())],
            body: r#"{"message":"You have exceeded a secondary rate limit."}"#.into(),
            delay: std::time::Duration::ZERO,
        },
        "/gh/repos/acme/queue/issues/14" => json(
            200,
            r#"{"number":14,"state":"closed","state_reason":"not_planned","closed_at":"2026-03-01T12:00:00Z","assignees":[]}"#,
        ),
        // A pull request is an issue with a `pull_request` key.
        "/gh/repos/acme/queue/issues/16" => json(
            200,
            r#"{"number":16,"state":"closed","state_reason":null,"closed_at":"2026-02-11T08:00:00Z","assignees":[{"login":"hubot"}],
               "pull_request":{"url":"x","merged_at":"2026-02-11T08:00:00Z"}}"#,
        ),
        // A deleted issue.
        "/gh/repos/acme/queue/issues/15" => {
            json(404, r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#)
        }
        // GitLab: GET /projects/:id/issues/:iid with the URL-encoded path as :id.
        "/gl/api/v4/projects/ops%2Fplatform%2Fqueue/issues/3" => json(
            200,
            r#"{"id":90,"iid":3,"project_id":4,"state":"closed","closed_at":"2026-01-30T16:20:00.000Z",
               "assignees":[{"id":1,"username":"ana","name":"Ana"}],"web_url":"https://gitlab.example/ops/platform/queue/-/issues/3"}"#,
        ),
        "/gl/api/v4/projects/ops%2Fplatform%2Fqueue/merge_requests/5" => {
            json(200, r#"{"iid":5,"state":"opened","closed_at":null,"merged_at":null,"assignees":[]}"#)
        }
        // Jira: GET /rest/api/2/issue/{key}?fields=status,resolutiondate,assignee
        "/jira/rest/api/2/issue/PAY-7?fields=status,resolutiondate,assignee" => json(
            200,
            r#"{"id":"10001","key":"PAY-7","fields":{"resolutiondate":"2026-02-25T14:05:00.000+0100",
               "assignee":{"displayName":"Priya Raman","accountId":"5b10"},
               "status":{"name":"Done","statusCategory":{"id":3,"key":"done","name":"Done"}}}}"#,
        ),
        "/jira/rest/api/2/issue/PAY-8?fields=status,resolutiondate,assignee" => {
            json(401, r#"{"errorMessages":["You are not authenticated."],"errors":{}}"#)
        }
        "/jira/rest/api/2/issue/PAY-9?fields=status,resolutiondate,assignee" => Resp {
            delay: std::time::Duration::from_secs(4),
            ..json(200, r#"{"key":"PAY-9","fields":{"status":{"name":"Open","statusCategory":{"key":"new"}}}}"#)
        },
        _ => json(404, r#"{"message":"no such route in the test server"}"#),
    }
}

fn tracker_toml(base: &str) -> String {
    format!(
        "[trackers.github]\nkind = \"github\"\napi-url = \"{base}/gh\"\ntoken-env = \"RB_TEST_GH\"\nproject = \"acme/retros\"\nlabels = [\"retro\", \"follow-up\"]\n\
         [trackers.gitlab]\nkind = \"gitlab\"\nurl = \"https://gitlab.example\"\napi-url = \"{base}/gl/api/v4\"\ntoken-env = \"RB_TEST_GL\"\n\
         [trackers.jira]\nkind = \"jira\"\nurl = \"https://acme.atlassian.net\"\napi-url = \"{base}/jira/rest/api/2\"\nuser-env = \"RB_TEST_JU\"\ntoken-env = \"RB_TEST_JT\"\n"
    )
}

const LINKED_ACTIONS: &str = "  - id: A1\n    title: Bound the queue\n    owner: core\n    status: open # since the retro\n    link: https://github.com/acme/queue/issues/12\n\
\x20\x20- id: A2\n    title: Alert on consumer lag\n    owner: core\n    status: \"in-progress\"\n    link: acme/queue#13\n\
\x20\x20- id: A3\n    title: Shed load at the edge\n    owner: edge\n    status: open\n    link: https://github.com/acme/queue/issues/14\n\
\x20\x20- id: A4\n    title: Move the queue config to the platform repo\n    owner: platform\n    status: done\n    link: https://gitlab.example/ops/platform/queue/-/issues/3\n\
\x20\x20- id: A5\n    title: Retry budget for the consumer\n    owner: platform\n    status: done\n    link: https://gitlab.example/ops/platform/queue/-/merge_requests/5\n\
\x20\x20- id: A6\n    title: Payment retries idempotent\n    owner: payments\n    status: open\n    link: PAY-7\n\
\x20\x20- id: A7\n    title: Audit the payments queue\n    owner: payments\n    status: open\n    link: PAY-8\n\
\x20\x20- id: A8\n    title: Reconcile captures nightly\n    owner: payments\n    status: open\n    link: https://acme.atlassian.net/browse/PAY-9\n\
\x20\x20- id: A9\n    title: Dashboard for the queue\n    owner: core\n    status: open\n    link: https://github.com/acme/queue/issues/15\n\
\x20\x20- id: A10\n    title: Release notes for the fix\n    owner: core\n    status: done\n    link: https://github.com/acme/queue/pull/16\n";

fn sync_cmd(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["actions", "sync", "--book", root.to_str().unwrap(), "--today", "2026-03-10"];
    args.extend_from_slice(extra);
    std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(&args)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", repo())
        .env("RB_TEST_GH", "gh-secret")
        .env("RB_TEST_GL", "gl-secret")
        .env("RB_TEST_JU", "bot@acme.example")
        .env("RB_TEST_JT", "jira-secret")
        .output()
        .expect("run retrobook")
}

fn synced_book() -> (tempfile::TempDir, Server, std::process::Output) {
    let server = serve(trackers_api);
    let b = book(&tracker_toml(&server.base), &[("q.md", &retro_with_actions(LINKED_ACTIONS))]);
    let out = sync_cmd(b.path(), &["--timeout", "1", "--jobs", "3"]);
    (b, server, out)
}

#[test]
fn sync_asks_all_three_trackers_and_writes_the_file() {
    let started = std::time::Instant::now();
    let (b, server, out) = synced_book();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "a failed link makes the run fail: {err}");
    let file = std::fs::read_to_string(b.path().join(".retrobook/trackers.json")).expect("written");
    let v: Value = serde_json::from_str(&file).unwrap();
    let e = &v["https://github.com/acme/queue/issues/12"];
    assert_eq!(
        e,
        &serde_json::json!({"tracker": "github", "state": "closed", "closed_at": "2026-02-20T09:30:00Z",
            "reason": "completed", "assignee": "mona", "fetched_at": "2026-03-10T00:00:00Z"})
    );
    assert_eq!(v["acme/queue#13"]["state"], "open");
    assert_eq!((v["https://github.com/acme/queue/issues/14"]["reason"].as_str()), Some("not_planned"));
    assert_eq!(v["https://github.com/acme/queue/pull/16"]["reason"], "merged");
    let gl = &v["https://gitlab.example/ops/platform/queue/-/issues/3"];
    assert_eq!(
        (gl["tracker"].as_str(), gl["state"].as_str(), gl["assignee"].as_str()),
        (Some("gitlab"), Some("closed"), Some("ana"))
    );
    assert_eq!(gl["closed_at"], "2026-01-30T16:20:00Z");
    assert_eq!(v["https://gitlab.example/ops/platform/queue/-/merge_requests/5"]["state"], "open");
    let j = &v["PAY-7"];
    assert_eq!(
        (j["state"].as_str(), j["reason"].as_str(), j["assignee"].as_str()),
        (Some("closed"), Some("Done"), Some("Priya Raman"))
    );
    assert_eq!(j["closed_at"], "2026-02-25T13:05:00Z", "Jira's +0100 offset is read");
    // The failed links: each named with its place and a clear reason; none stopped the others.
    assert!(v.get("PAY-8").is_none() && v.get("https://github.com/acme/queue/issues/15").is_none());
    assert!(err.contains("error: PAY-8 (retros/q.md:46): 401 Unauthorized"), "{err}");
    assert!(err.contains("error: https://github.com/acme/queue/issues/15 (retros/q.md:56): 404 Not Found"), "{err}");
    assert!(
        err.contains(
            "error: https://acme.atlassian.net/browse/PAY-9 (retros/q.md:51): no answer within 1 s (timed out)"
        ),
        "{err}"
    );
    assert!(err.contains("wrote .retrobook/trackers.json: 7 answered, 3 failed"), "{err}");
    // Retry-After was honoured: a second request, about a second later.
    let reqs = server.requests();
    assert_eq!(reqs.iter().filter(|r| r.path.ends_with("/issues/14")).count(), 2);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(reqs.iter().all(|r| r.method == "GET" && r.body.is_empty()), "a sync only reads");
    // Bounded concurrency.
    assert!(server.peak.load(std::sync::atomic::Ordering::SeqCst) <= 3);
    // Tokens from the environment, in each API's own header.
    let by = |p: &str| reqs.iter().find(|r| r.path.contains(p)).unwrap().clone();
    assert_eq!(by("/issues/12").header("authorization"), Some("Bearer gh-secret"));
    assert_eq!(by("/issues/12").header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(by("/gl/").header("private-token"), Some("gl-secret"));
    // base64("bot@acme.example:jira-secret")
    assert_eq!(by("PAY-7").header("authorization"), Some("Basic Ym90QGFjbWUuZXhhbXBsZTpqaXJhLXNlY3JldA=="));
    assert!(!file.contains("secret"), "tokens never reach the file");
}

fn build(root: &Path) -> std::process::Output {
    run(&["build", "--book", root.to_str().unwrap(), "--today", "2026-03-10", "--no-search"])
}

#[test]
fn drift_shows_on_the_page_the_board_in_check_and_export() {
    let (b, _server, _) = synced_book();
    // check: a note per drifted action, at its link, with the day it closed.
    let d = check_json(b.path());
    let drift = with_rule(&d, "action-drift");
    let lines: Vec<u64> = drift.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [16, 26, 36, 41], "A1, A3, A5, A6: {drift:#?}");
    assert!(drift.iter().all(|d| d["level"] == "note"));
    assert_eq!(
        drift[0]["message"],
        "action `A1` is open here, but its github item was closed on 2026-02-20 (completed); set `status: done` or run \
         `retrobook actions sync --write`"
    );
    assert!(drift[1]["message"].as_str().unwrap().contains("set `status: wont-do`"), "not planned: {:?}", drift[1]);
    assert!(
        drift[2]["message"]
            .as_str()
            .unwrap()
            .contains("is done here, but its gitlab item is still open (as of 2026-03-10)")
    );
    // The site: the state beside each synced action, the drift badge where they disagree.
    let out = build(b.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(b.path().join("site/retros/2026-01-10-queue-stall/index.html")).unwrap();
    let row = |html: &str, id: &str| {
        let at = html.find(&format!("id=\"action-{id}\"")).unwrap_or_else(|| panic!("row {id}"));
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    let a1 = row(&page, "A1");
    assert!(a1.contains(">github: closed 2026-02-20 (completed)</span>") && a1.contains("drift: closed there"), "{a1}");
    let a2 = row(&page, "A2");
    assert!(a2.contains("github: open") && !a2.contains("drift"), "{a2}");
    assert!(a2.contains("href=\"https://github.com/acme/queue/issues/13\""), "shorthand resolved: {a2}");
    assert!(row(&page, "A5").contains("drift: open there"));
    assert!(!row(&page, "A7").contains("rb-tracker"), "a link that failed to sync shows no state");
    let board = std::fs::read_to_string(b.path().join("site/actions/index.html")).unwrap();
    assert!(board.contains("<strong class=\"rb-drift\">4 disagree with their tracker</strong>"), "{board}");
    assert_eq!(board.matches("rb-badge rb-drift").count(), 4);
    // export: `tracker` on synced actions, `drift` where they disagree.
    let out = run(&["export", "--book", b.path().to_str().unwrap(), "--today", "2026-03-10"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let actions = &v["retros"][0]["actions"];
    assert_eq!(actions[0]["tracker"], serde_json::json!({"state": "closed", "closed_at": "2026-02-20T09:30:00Z"}));
    assert_eq!(actions[0]["drift"], true);
    assert!(actions[1].get("drift").is_none() && actions[6].get("tracker").is_none());
    // The book's action index carries the same, for the same action.
    let index = v["actions"].as_array().unwrap();
    let same = index.iter().find(|x| x["retro"] == v["retros"][0]["id"] && x["id"] == actions[0]["id"]).unwrap();
    assert_eq!((&same["tracker"], &same["drift"]), (&actions[0]["tracker"], &actions[0]["drift"]));
    let unsynced = index.iter().find(|x| x["id"] == actions[6]["id"]).unwrap();
    assert!(unsynced.get("tracker").is_none() && unsynced.get("drift").is_none());
}

#[test]
fn a_failed_link_keeps_its_previous_entry_and_links_gone_from_the_book_are_dropped() {
    let server = serve(trackers_api);
    let b = book(&tracker_toml(&server.base), &[("q.md", &retro_with_actions(LINKED_ACTIONS))]);
    std::fs::create_dir_all(b.path().join(".retrobook")).unwrap();
    let old = r#"{
  "PAY-8": { "tracker": "jira", "state": "open", "closed_at": null, "reason": null, "assignee": null, "fetched_at": "2026-02-01T00:00:00Z" },
  "https://github.com/acme/gone/issues/1": { "tracker": "github", "state": "open", "closed_at": null, "reason": null, "assignee": null, "fetched_at": "2026-02-01T00:00:00Z" }
}"#;
    std::fs::write(b.path().join(".retrobook/trackers.json"), old).unwrap();
    sync_cmd(b.path(), &["--timeout", "1"]);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join(".retrobook/trackers.json")).unwrap()).unwrap();
    assert_eq!(v["PAY-8"]["fetched_at"], "2026-02-01T00:00:00Z", "kept after the 401");
    assert!(v.get("https://github.com/acme/gone/issues/1").is_none());
}

#[test]
fn sync_write_changes_only_the_status_scalars() {
    let server = serve(trackers_api);
    // CRLF line endings, comments and quoting must all survive.
    let original = retro_with_actions(LINKED_ACTIONS).replace('\n', "\r\n");
    let b = book(&tracker_toml(&server.base), &[("q.md", &original)]);
    let out = sync_cmd(b.path(), &["--timeout", "1", "--write"]);
    let printed = stdout(&out);
    assert!(printed.contains("set: retros/q.md A1: open → done"), "{printed}");
    assert!(printed.contains("set: retros/q.md A3: open → wont-do"), "{printed}");
    let after = std::fs::read_to_string(b.path().join("retros/q.md")).unwrap();
    // Exactly these four values change, byte for byte; nothing else does.
    let lines = |t: &str| t.split("\r\n").map(str::to_string).collect::<Vec<_>>();
    let (before, now) = (lines(&original), lines(&after));
    assert_eq!(before.len(), now.len());
    let changed: Vec<(usize, &str)> = before
        .iter()
        .zip(&now)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (_, b))| (i + 1, b.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            (15, "    status: done # since the retro"),
            (25, "    status: wont-do"),
            (35, "    status: open"),
            (40, "    status: done"),
        ]
    );
    // Byte for byte: the original with those four lines replaced, CRLF kept.
    let mut expected = before.clone();
    for (line, text) in &changed {
        expected[line - 1] = text.to_string();
    }
    assert_eq!(after, expected.join("\r\n"));
    // The book now agrees with its trackers.
    assert!(with_rule(&check_json(b.path()), "action-drift").is_empty());
}

const UNLINKED_ACTIONS: &str = "  - id: A1\n    title: Bound the queue\n    owner: core\n    status: open\n    addresses: [no-backpressure]\n    why: The consumer took work it could not finish.\n\
\x20\x20- id: A2\n    title: Alert on consumer lag\n    owner: core\n    due: 2026-02-01\n    status: in-progress\n\
\x20\x20- id: A3\n    title: Already tracked\n    owner: core\n    status: open\n    link: https://github.com/acme/queue/issues/13\n\
\x20\x20- id: A4\n    title: Done already\n    owner: core\n    status: done\n";

fn open_cmd(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["actions", "open", "--book", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(&args)
        .env("NO_COLOR", "1")
        .env("RB_TEST_GH", "gh-secret")
        .output()
        .expect("run retrobook")
}

fn create_api(req: &Req, _seen: usize) -> Resp {
    let list = "/gh/repos/acme/retros/issues?state=all&per_page=100&labels=retro%2Cfollow-up";
    match (req.method.as_str(), req.path.as_str()) {
        // GET /repos/{owner}/{repo}/issues, two pages linked by `Link: <…>; rel="next"`. The
        // first page holds a pull request with the same title (not an issue: ignored).
        ("GET", p) if p == list => Resp {
            headers: vec![(
                "Link",
                format!(
                    "<{}{list}&page=2>; rel=\"next\", <{}{list}&page=2>; rel=\"last\"",
                    req.header("host").map_or(String::new(), |h| format!("http://{h}")),
                    req.header("host").map_or(String::new(), |h| format!("http://{h}"))
                ),
            )],
            ..json(
                200,
                r#"[{"number":90,"title":"Something else","html_url":"https://github.com/acme/retros/issues/90"},
                    {"number":91,"title":"Alert on consumer lag","html_url":"https://github.com/acme/retros/pull/91","pull_request":{"url":"x"}}]"#,
            )
        },
        ("GET", p) if p == format!("{list}&page=2") => json(
            200,
            r#"[{"number":77,"title":"Alert on consumer lag","state":"open","html_url":"https://github.com/acme/retros/issues/77"}]"#,
        ),
        // POST /repos/{owner}/{repo}/issues → 201 with the new issue.
        ("POST", "/gh/repos/acme/retros/issues") => {
            let v: Value = serde_json::from_str(&req.body).unwrap();
            let n = if v["title"] == "Bound the queue" { 101 } else { 102 };
            json(
                201,
                &format!(r#"{{"number":{n},"state":"open","html_url":"https://github.com/acme/retros/issues/{n}"}}"#),
            )
        }
        _ => json(404, r#"{"message":"Not Found"}"#),
    }
}

#[test]
fn actions_open_prints_without_write_and_records_links_with_it() {
    let server = serve(create_api);
    let toml = format!("[output.html]\nsite-url = \"https://retros.acme.example/\"\n{}", tracker_toml(&server.base));
    let original = retro_with_actions(UNLINKED_ACTIONS);
    let b = book(&toml, &[("q.md", &original)]);
    // Dry run: what would be created, nothing sent, nothing written.
    let out = open_cmd(b.path(), &["--tracker", "github"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(printed.contains("would create in github (acme/retros): Bound the queue"), "{printed}");
    assert!(printed.contains("would create in github (acme/retros): Alert on consumer lag"), "{printed}");
    assert!(!printed.contains("Already tracked") && !printed.contains("Done already"), "{printed}");
    assert!(printed.contains("  | The consumer took work it could not finish."), "{printed}");
    assert!(printed.contains("  | Addresses the contributing factor `no-backpressure`"), "{printed}");
    assert!(printed.contains("https://retros.acme.example/retros/2026-01-10-queue-stall/"), "{printed}");
    assert!(server.requests().is_empty());
    assert_eq!(std::fs::read_to_string(b.path().join("retros/q.md")).unwrap(), original);
    // Several trackers could take the issues: --tracker is needed.
    let two = toml.replace("[trackers.jira]\n", "[trackers.jira]\nproject = \"OPS\"\n");
    std::fs::write(b.path().join("book.toml"), &two).unwrap();
    let out = open_cmd(b.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("several trackers can take new issues (github, jira); choose one with --tracker"));
    // --write: the existing issues are listed (both pages); an issue with the action's title is
    // linked rather than opened twice; the other is created with the labels and the token; each
    // link is added under its action's id.
    let out = open_cmd(b.path(), &["--tracker", "github", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains("linked the existing https://github.com/acme/retros/issues/77 to retros/q.md A2"),
        "{printed}"
    );
    let reqs = server.requests();
    assert_eq!(reqs.iter().filter(|r| r.method == "GET").count(), 2, "two pages");
    let posts: Vec<&Req> = reqs.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_str(&posts[0].body).unwrap();
    assert_eq!(body["title"], "Bound the queue");
    assert_eq!(body["labels"], serde_json::json!(["retro", "follow-up"]));
    assert_eq!(posts[0].header("authorization"), Some("Bearer gh-secret"));
    let after = std::fs::read_to_string(b.path().join("retros/q.md")).unwrap();
    let expected = original
        .replace("  - id: A1\n", "  - id: A1\n    link: https://github.com/acme/retros/issues/101\n")
        .replace("  - id: A2\n", "  - id: A2\n    link: https://github.com/acme/retros/issues/77\n");
    assert_eq!(after, expected);
    // Run again: every open action has a link now.
    let out = open_cmd(b.path(), &["--tracker", "github", "--write"]);
    assert!(stderr(&out).contains("nothing to create"));
    assert_eq!(server.requests().len(), 3);
}

fn git(dir: &Path, date: &str, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn ages_count_from_the_incident_for_actions_that_came_with_the_retro() {
    // The incident was on 2026-01-10; its retro was committed on 2026-02-01 with A1 and A3.
    let first = "  - id: A1\n    title: Bound the queue\n    owner: core\n    status: open\n    due: 2026-01-20\n\
                 \x20\x20- id: A3\n    title: Drain runbook\n    owner: core\n    status: open\n";
    let b = book("", &[("q.md", &retro_with_actions(first))]);
    let root = b.path();
    git(root, "2026-02-01T12:00:00Z", &["init", "-q"]);
    git(root, "2026-02-01T12:00:00Z", &["add", "."]);
    git(root, "2026-02-01T12:00:00Z", &["commit", "-qm", "retro"]);
    // A3 closed on 2026-02-15; A2 added on 2026-03-01, already 38 days past its due date.
    let second = first.replace(
        "    title: Drain runbook\n    owner: core\n    status: open\n",
        "    title: Drain runbook\n    owner: core\n    status: done\n",
    );
    std::fs::write(root.join("retros/q.md"), retro_with_actions(&second)).unwrap();
    git(root, "2026-02-15T12:00:00Z", &["commit", "-qam", "A3 done"]);
    let third = format!(
        "{second}  - id: A2\n    title: Alert on lag\n    owner: core\n    status: open\n    due: 2026-01-31\n"
    );
    std::fs::write(root.join("retros/q.md"), retro_with_actions(&third)).unwrap();
    git(root, "2026-03-01T12:00:00Z", &["commit", "-qam", "A2"]);

    let out = run(&["export", "--book", root.to_str().unwrap(), "--today", "2026-03-10"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let action =
        |id: &str| v["retros"][0]["actions"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    // From the incident (2026-01-10), not the commit (2026-02-01, which would say 37).
    assert_eq!(action("A1")["git"]["age_days"], 59);
    // Time to close from the incident too (the commit would say 14).
    assert_eq!(action("A3")["git"]["days_to_close"], 36);
    // Added on 2026-03-01 (9 days ago) but due 2026-01-31: never younger than its 38 days overdue.
    assert_eq!(action("A2")["git"]["age_days"], 38);
    let out = build(root);
    assert!(out.status.success(), "{}", stderr(&out));
    let board = std::fs::read_to_string(root.join("site/actions/index.html")).unwrap();
    assert!(board.contains("<td class=\"rb-num rb-age\">59 days</td>"), "{board}");
    assert!(board.contains("<td class=\"rb-num rb-age\">38 days</td>"));
    assert!(board.contains("<td class=\"rb-num rb-time-to-close\">36 days</td>"));
}
