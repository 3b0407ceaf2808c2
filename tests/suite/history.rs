//! Git history: fixture repositories built in temp dirs with pinned authors and dates, and every
//! derived value (created, updated, contributors, action ages, closing dates) asserted by hand.

use crate::common;

use common::{stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A git repository in a temp dir, driven by the git CLI with pinned identities and dates.
struct Repo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("book");
        std::fs::create_dir_all(&dir).unwrap();
        let r = Repo { _tmp: tmp, dir };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
    fn git(&self, args: &[&str]) -> String {
        git_in(&self.dir, args, "Nobody <nobody@example.com>", "2024-01-01T00:00:00Z")
    }
    fn git_as(&self, who: &str, date: &str, args: &[&str]) -> String {
        git_in(&self.dir, args, who, date)
    }
    fn write(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    /// Stages everything and commits as `who` ("Name <email>") at `date` (RFC 3339).
    fn commit(&self, who: &str, date: &str, msg: &str) {
        self.git(&["add", "-A"]);
        self.git_as(who, date, &["commit", "-q", "-m", msg]);
    }
}

fn git_in(dir: &Path, args: &[&str], who: &str, date: &str) -> String {
    let (name, email) = who.split_once(" <").unwrap();
    let email = email.trim_end_matches('>');
    let out = Command::new("git")
        .args(["-c", &format!("user.name={name}"), "-c", &format!("user.email={email}")])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs retrobook in `dir` without letting git discovery climb out of the temp dir.
fn rb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .output()
        .expect("run retrobook")
}

const BOOK: &str = r#"[book]
title = "History fixture"

[output.html]
git-repository-url = "https://github.com/acme/retros"
edit-url-template = "https://github.com/acme/retros/edit/main/{path}"
"#;

fn retro(id: &str, date: &str, a1: &str, a2: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: \"Retro {id}\"\ndate: {date}\nseverity: SEV3\nfactors:\n  - id: cache-stampede\n    category: technology\nactions:\n  - id: A1\n    title: \"First action of {id}\"\n    owner: sre\n    status: {a1}\n    due: 2024-06-30\n    addresses: [cache-stampede]\n  - id: A2\n    title: \"Second action of {id}\"\n    owner: sre\n    status: {a2}\n    due: 2024-06-30\n---\n\n## Narrative\n\nWhat happened to {id}, told at some length so that a small edit keeps the file similar enough for rename detection to pair it.\n\nLine two of the narrative.\n\nLine three of the narrative.\n{extra}"
    )
}

const ALICE: &str = "Alice Smith <alice@example.com>";
const ALICE_WORK: &str = "alice <alice@work.example>";
const BOB: &str = "Bob Jones <bob@example.com>";
const CAROL: &str = "Carol White <carol@example.com>";
const DAVE_OLD: &str = "dave <dave@old.example>";
const ERIN: &str = "Erin Merge <erin@example.com>";

/// The shared history: renames (pure and with an edit), a branch merged by someone else, an
/// action closed in a later commit, a mailmap, and one retro never committed.
fn fixture() -> Repo {
    let r = Repo::new();
    r.write("book.toml", BOOK);
    r.write(
        ".mailmap",
        "Alice Smith <alice@example.com> <alice@work.example>\nDavid Jones <dave@example.com> <dave@old.example>\n",
    );
    r.write("retros/a.md", &retro("alpha", "2024-01-05", "open", "open", ""));
    r.write("retros/b.md", &retro("beta", "2024-01-06", "open", "open", ""));
    r.commit(ALICE, "2024-01-10T10:00:00Z", "alpha and beta");
    // A pure rename into a year folder.
    r.git(&["mv", "retros/a.md", "retros/a-renamed.md"]);
    r.commit(BOB, "2024-01-20T10:00:00Z", "rename alpha");
    // A branch closes alpha's A1 …
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("retros/a-renamed.md", &retro("alpha", "2024-01-05", "done", "open", ""));
    r.commit(CAROL, "2024-02-01T10:00:00Z", "alpha A1 done");
    // … while main edits beta, and Erin merges the branch.
    r.git(&["checkout", "-q", "main"]);
    r.write("retros/b.md", &retro("beta", "2024-01-06", "in-progress", "open", ""));
    r.commit(DAVE_OLD, "2024-02-05T10:00:00Z", "beta A1 in progress");
    r.git_as(ERIN, "2024-02-10T10:00:00Z", &["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    // A rename with an edit, and alpha's A2 won't be done.
    std::fs::create_dir_all(r.dir.join("retros/2024")).unwrap();
    r.git(&["mv", "retros/b.md", "retros/2024/b-moved.md"]);
    r.write("retros/2024/b-moved.md", &retro("beta", "2024-01-06", "in-progress", "open", "\nAn added line.\n"));
    r.write("retros/a-renamed.md", &retro("alpha", "2024-01-05", "done", "wont-do", ""));
    r.commit(ALICE_WORK, "2024-03-01T10:00:00Z", "move beta, drop alpha A2");
    // A later incident cites the factor alpha's A1 addressed: after A1 was closed (2024-02-01)
    // but before its due date (2024-06-30).
    r.write("retros/d.md", &retro("delta", "2024-03-15", "open", "open", ""));
    r.commit(BOB, "2024-03-16T10:00:00Z", "delta");
    // Never committed.
    r.write("retros/c.md", &retro("gamma", "2024-04-01", "open", "open", ""));
    r
}

fn export(dir: &Path) -> (Value, String) {
    let out = rb(dir, &["--today", "2024-04-10", "export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (serde_json::from_str(&stdout(&out)).unwrap(), stderr(&out))
}

fn retro_of<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["retros"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

fn action_of<'a>(doc: &'a Value, retro: &str, id: &str) -> &'a Value {
    retro_of(doc, retro)["actions"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap()
}

#[test]
fn history_follows_renames_merges_and_mailmap() {
    let r = fixture();
    let (doc, err) = export(&r.dir);

    let alpha = &retro_of(&doc, "alpha")["git"];
    assert_eq!(alpha["created"], "2024-01-10T10:00:00Z", "created before the rename");
    assert_eq!(alpha["updated"], "2024-03-01T10:00:00Z");
    // Erin's merge commit changed nothing by itself; Alice's two addresses are one person.
    assert_eq!(alpha["contributors"], serde_json::json!(["Alice Smith", "Bob Jones", "Carol White"]));
    let head = r.git(&["log", "-1", "--format=%H", "--", "retros/a-renamed.md"]);
    assert_eq!(alpha["commit"], head.trim());
    assert!(head.starts_with(alpha["short"].as_str().unwrap()));

    let beta = &retro_of(&doc, "beta")["git"];
    assert_eq!(retro_of(&doc, "beta")["path"], "retros/2024/b-moved.md");
    assert_eq!(beta["created"], "2024-01-10T10:00:00Z", "created before the rename with an edit");
    assert_eq!(beta["updated"], "2024-03-01T10:00:00Z");
    assert_eq!(beta["contributors"], serde_json::json!(["Alice Smith", "David Jones"]));

    // alpha A1: came with its retro (committed 2024-01-10), so it counts from the incident on
    // 2024-01-05; done on the branch 2024-02-01 → 27 days to close.
    let a1 = &action_of(&doc, "alpha", "A1")["git"];
    assert_eq!(a1["first_seen"], "2024-01-10T10:00:00Z");
    assert_eq!(a1["closed"], "2024-02-01T10:00:00Z");
    assert_eq!(a1["days_to_close"], 27);
    assert_eq!(a1["age_days"], Value::Null, "closed actions have no age");
    // alpha A2: wont-do on 2024-03-01 → 26 days of January + 29 of February + 1 = 56.
    let a2 = &action_of(&doc, "alpha", "A2")["git"];
    assert_eq!(a2["closed"], "2024-03-01T10:00:00Z");
    assert_eq!(a2["days_to_close"], 56);
    // beta A1 is in progress: age from its incident, 2024-01-06, to --today 2024-04-10
    // = 25 + 29 + 31 + 10 = 95 (from the commit on 2024-01-10 it would be 91).
    let b1 = &action_of(&doc, "beta", "A1")["git"];
    assert_eq!(b1["closed"], Value::Null);
    assert_eq!(b1["age_days"], 95);

    // The uncommitted retro has no history, and one note says so.
    assert_eq!(retro_of(&doc, "gamma")["git"], Value::Null);
    assert_eq!(err.matches("not committed yet").count(), 1, "{err}");
    assert!(err.contains("1 retro file is not committed yet (retros/c.md)"), "{err}");
    assert!(!err.contains("shallow"), "{err}");
}

#[test]
fn recurrence_uses_the_closing_date_from_git() {
    let r = fixture();
    let (doc, _) = export(&r.dir);
    let factor = doc["factors"].as_array().unwrap().iter().find(|f| f["id"] == "cache-stampede").unwrap();
    // delta (2024-03-15) cites it after alpha A1 was closed (2024-02-01), before A1's due date.
    assert_eq!(factor["recurred_after_remediation"], true);

    // The same files outside git fall back to the due date (2024-06-30): no recurrence.
    let plain = tempfile::tempdir().unwrap();
    let book = plain.path().join("book");
    copy_tree(&r.dir, &book);
    let (doc, err) = export(&book);
    let factor = doc["factors"].as_array().unwrap().iter().find(|f| f["id"] == "cache-stampede").unwrap();
    assert_eq!(factor["recurred_after_remediation"], false);
    assert_eq!(retro_of(&doc, "alpha")["git"], Value::Null);
    assert_eq!(err.matches("not in a git repository").count(), 1, "{err}");
    assert!(!err.contains("not committed yet"), "outside git there is one note only: {err}");
}

fn copy_tree(from: &Path, to: &Path) {
    for e in common::files_under(from) {
        let rel = e.strip_prefix(from).unwrap();
        if rel.components().next().is_some_and(|c| c.as_os_str() == ".git") {
            continue;
        }
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&e, &dest).unwrap();
    }
}

#[test]
fn shallow_clone_warns_once_and_says_how_to_fix() {
    let r = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", r.dir.display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (doc, err) = export(&clone);
    assert_eq!(err.matches("shallow clone").count(), 1, "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    // Only the newest commit is there: everything looks created by it.
    let alpha = &retro_of(&doc, "alpha")["git"];
    assert_eq!(alpha["created"], "2024-03-16T10:00:00Z");
    assert_eq!(alpha["contributors"], serde_json::json!(["Bob Jones"]));
}

#[test]
fn retro_page_shows_history_and_links_and_the_board_shows_ages() {
    let r = fixture();
    let site = r.dir.join("out");
    let out = rb(&r.dir, &["--today", "2024-04-10", "build", "--no-search", "--dest-dir", site.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("retros/beta/index.html")).unwrap();
    assert!(page.contains(r#"<dt>Created</dt><dd><time datetime="2024-01-10T10:00:00Z">2024-01-10</time>"#), "{page}");
    assert!(page.contains(r#"<dt>Updated</dt><dd><time datetime="2024-03-01T10:00:00Z">2024-03-01</time>"#));
    assert!(page.contains("<dt>Contributors</dt><dd>Alice Smith, David Jones</dd>"));
    assert!(page.contains(r#"href="https://github.com/acme/retros/edit/main/retros/2024/b-moved.md""#));
    assert!(page.contains(r#"href="https://github.com/acme/retros/commits/main/retros/2024/b-moved.md""#));
    let board = std::fs::read_to_string(site.join("actions/index.html")).unwrap();
    // Ages count from the incident's date for actions that came with the retro: beta on 2024-01-06.
    assert!(board.contains(r#"<td class="rb-num rb-age">95 days</td>"#), "beta A1 age");
    assert!(board.contains(r#"<td class="rb-num rb-time-to-close">27 days</td>"#), "alpha A1");
    assert!(board.contains(r#"<td class="rb-num rb-time-to-close">56 days</td>"#), "alpha A2");
    // Closed with a date from git: alpha A1 (27) and A2 (56); median of two = (27 + 56) / 2 = 41.5 → 41.
    let stats = std::fs::read_to_string(site.join("stats/index.html")).unwrap();
    assert!(stats.contains("Median time to close: <strong>41 days</strong>, over 2 closed actions"), "{stats}");
}

#[test]
fn history_links_for_each_forge() {
    use retrobook::render::context::history_url;
    assert_eq!(
        history_url("https://github.com/acme/r/", "retros/a b.md"),
        "https://github.com/acme/r/commits/main/retros/a%20b.md"
    );
    assert_eq!(
        history_url("https://gitlab.com/acme/r", "retros/a.md"),
        "https://gitlab.com/acme/r/-/commits/main/retros/a.md"
    );
    assert_eq!(
        history_url("https://codeberg.org/acme/r", "retros/a.md"),
        "https://codeberg.org/acme/r/commits/branch/main/retros/a.md"
    );
}

/// A retro with the given factors, actions (id, status) and related ids.
fn doc(id: &str, date: &str, factors: &[&str], actions: &[(&str, &str)], related: &[&str]) -> String {
    let mut s = format!("---\nid: {id}\ntitle: \"Retro {id}\"\ndate: {date}\nseverity: SEV3\n");
    if !related.is_empty() {
        s.push_str(&format!("related: [{}]\n", related.join(", ")));
    }
    s.push_str("factors:\n");
    for f in factors {
        s.push_str(&format!("  - id: {f}\n    category: technology\n"));
    }
    s.push_str("actions:\n");
    for (a, st) in actions {
        s.push_str(&format!(
            "  - id: {a}\n    title: \"Do {a} for {id}\"\n    owner: sre\n    status: {st}\n    due: 2024-06-30\n"
        ));
    }
    s.push_str("---\n\n## Narrative\n\nWhat happened.\n");
    s
}

/// main: alpha, beta, epsilon. Branch `pr` (from that commit): alpha's A1 closed and A2
/// reopened, delta added, epsilon removed. main moves on afterwards (beta edited), so only the
/// merge base tells the branch's own changes apart.
fn pr_fixture() -> Repo {
    let r = Repo::new();
    r.write(
        "book.toml",
        "[book]\ntitle = \"PR fixture\"\n\n[output.html]\nsite-url = \"https://retros.example.com/\"\n",
    );
    r.write("retros/a.md", &doc("alpha", "2024-01-05", &["cache-stampede"], &[("A1", "open"), ("A2", "done")], &[]));
    r.write("retros/b.md", &doc("beta", "2024-01-06", &["cache-stampede"], &[("A1", "open")], &[]));
    r.write("retros/e.md", &doc("epsilon", "2024-01-07", &["disk-full"], &[], &[]));
    r.commit(ALICE, "2024-01-10T10:00:00Z", "three retros");
    r.git(&["checkout", "-q", "-b", "pr"]);
    r.write("retros/a.md", &doc("alpha", "2024-01-05", &["cache-stampede"], &[("A1", "done"), ("A2", "open")], &[]));
    r.write(
        "retros/d.md",
        &doc(
            "delta",
            "2024-03-15",
            &["cache-stampede", "dns-ttl"],
            &[("A1", "open"), ("A2", "in-progress")],
            &["epsilon"],
        ),
    );
    std::fs::remove_file(r.dir.join("retros/e.md")).unwrap();
    r.commit(BOB, "2024-03-16T10:00:00Z", "delta; alpha actions; drop epsilon");
    r.git(&["checkout", "-q", "main"]);
    r.write("retros/b.md", &doc("beta", "2024-01-06", &["cache-stampede"], &[("A1", "done")], &[]));
    r.commit(CAROL, "2024-03-20T10:00:00Z", "beta A1 done");
    r.git(&["checkout", "-q", "pr"]);
    r
}

#[test]
fn diff_reports_retros_factors_actions_and_problems() {
    let r = pr_fixture();
    let out = rb(&r.dir, &["diff", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    // Matched by id: delta new, alpha changed, epsilon gone; beta changed only on main after the
    // branch point, so it is not part of this change.
    assert!(md.contains("1 retro added, 1 retro changed, 1 retro removed."), "{md}");
    assert!(md.contains("- [Retro delta](https://retros.example.com/retros/delta/) (`retros/d.md`)"));
    assert!(md.contains("- [Retro alpha](https://retros.example.com/retros/alpha/) (`retros/a.md`)"));
    assert!(md.contains("- Retro epsilon (`retros/e.md`)"));
    assert!(!md.contains("Retro beta (`"), "{md}");
    // alpha cites cache-stampede, seen before in beta (alpha itself does not count); delta in both.
    assert!(md.contains("  - [`cache-stampede`](https://retros.example.com/factors/cache-stampede/): **recurring**, seen before in 1 incident: [Retro beta](https://retros.example.com/retros/beta/)"), "{md}");
    assert!(md.contains("seen before in 2 incidents: [Retro alpha](https://retros.example.com/retros/alpha/), [Retro beta](https://retros.example.com/retros/beta/)"));
    assert!(md.contains("  - [`dns-ttl`](https://retros.example.com/factors/dns-ttl/): new to the book"));
    assert!(md.contains("- added: `delta#A1` Do A1 for delta (open, owner sre)"));
    assert!(md.contains("- closed: `alpha#A1` Do A1 for alpha (done, owner sre)"));
    assert!(md.contains("- reopened: `alpha#A2` Do A2 for alpha (open, owner sre)"));
    // delta points at the removed epsilon: checked against the whole head book.
    assert!(md.contains("related-unresolved"), "{md}");
    insta::assert_snapshot!("diff_pr", md);
}

#[test]
fn diff_without_changes_is_short_and_unknown_revisions_are_usage_errors() {
    let r = pr_fixture();
    let out = rb(&r.dir, &["diff", "pr"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "### retrobook\n\nNo retro changed.\n");
    let out = rb(&r.dir, &["diff", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown revision `no-such-branch`"), "{}", stderr(&out));
}

#[test]
fn check_since_reports_only_changed_retros_but_validates_the_whole_book() {
    let r = pr_fixture();
    // Not committed: a new retro reusing beta's id.
    r.write("retros/f.md", &doc("beta", "2024-03-30", &["dns-ttl"], &[], &[]));
    let out = rb(&r.dir, &["check", "--since", "main", "--format", "github"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    // delta (committed on the branch) refers to epsilon, removed on the branch.
    assert!(text.contains("::error file=retros/d.md,line=6,col="), "{text}");
    assert!(text.contains("title=related-unresolved::related id `epsilon`"));
    // The uncommitted file collides with beta: reported on f.md, not on beta (unchanged).
    assert!(text.contains("::error file=retros/f.md,line=2,col=5,title=id-duplicate::"), "{text}");
    assert!(!text.contains("file=retros/b.md"), "{text}");
    assert!(
        stderr(&out).contains("3 retros changed since the merge base with main: retros/a.md, retros/d.md, retros/f.md"),
        "{}",
        stderr(&out)
    );

    let out = rb(&r.dir, &["check", "--since", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown revision `nope`"));
}

#[test]
fn diff_mentions_nobody_and_keeps_code_spans_whole() {
    let r = pr_fixture();
    let text = "---\nid: zeta\ntitle: \"Page @oncall sooner\"\ndate: 2024-03-01\nseverity: SEV3\nactions:\n  - id: A1\n    \
                title: \"Ask @payments-team\"\n    owner: \"@sre-team\"\n    status: open\n    due: 2024-06-30\n---\n\n\
                ## Narrative\n\nText.\n";
    r.write("retros/we`ird.md", text);
    r.commit(BOB, "2024-03-21T10:00:00Z", "zeta");
    let out = rb(&r.dir, &["diff", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = stdout(&out);
    for handle in ["@oncall", "@payments-team", "@sre-team"] {
        assert!(!md.contains(handle), "{handle} would notify someone:\n{md}");
    }
    assert!(md.contains("@\u{2060}sre-team"), "{md}");
    assert!(md.contains("(``retros/we`ird.md``)"), "{md}");
}

#[test]
fn diff_says_when_a_retro_cannot_be_read_from_git() {
    let r = pr_fixture();
    // A damaged object store (or a partial clone): delta's blob is gone.
    let blob = r.git(&["rev-parse", "pr:retros/d.md"]).trim().to_string();
    std::fs::remove_file(r.dir.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    let out = rb(&r.dir, &["diff", "main"]);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert!(!stdout(&out).contains("No retro changed"), "{}", stdout(&out));
    assert!(stderr(&out).contains("cannot read `retros/d.md`"), "{}", stderr(&out));
}

#[test]
fn diff_says_it_compares_commits_and_names_uncommitted_changes() {
    let r = pr_fixture();
    let out = rb(&r.dir, &["diff", "main"]);
    let err = stderr(&out);
    assert!(err.contains("compared commits: 3 retros at the merge base of main and HEAD, 3 retros at HEAD"), "{err}");
    assert!(!err.contains("uncommitted"), "a clean working tree: {err}");
    // One retro edited and not committed, one new file: left out, and said so.
    r.write("retros/a.md", &doc("alpha", "2024-01-05", &["disk-full"], &[], &[]));
    r.write("retros/g.md", &doc("gamma", "2024-04-01", &[], &[], &[]));
    let out = rb(&r.dir, &["diff", "main"]);
    let err = stderr(&out);
    assert!(err.contains("uncommitted changes are not included (retros/a.md, retros/g.md); commit them"), "{err}");
    assert!(!stdout(&out).contains("gamma"), "the uncommitted retro is not in the comparison");
    // One retro: singular.
    std::fs::remove_file(r.dir.join("retros/g.md")).unwrap();
    r.git(&["checkout", "-q", "--", "."]);
    r.git(&["checkout", "-q", "main"]);
    r.git(&["rm", "-q", "retros/b.md", "retros/e.md"]);
    r.commit(ALICE, "2024-05-01T10:00:00Z", "one retro left");
    let err = stderr(&rb(&r.dir, &["diff", "HEAD"]));
    assert!(err.contains("1 retro at the merge base of HEAD and HEAD, 1 retro at HEAD"), "{err}");
}
