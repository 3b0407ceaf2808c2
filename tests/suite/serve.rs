//! `retrobook serve`: pages from memory with pretty URLs and a 404, exactly one reload event per
//! saved edit, an error overlay event while the book is broken (the last good site is still
//! served), and nothing written into the book.

use crate::common;
use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `retrobook serve`, killed on drop.
struct Serve {
    child: Child,
    port: u16,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(book: &Path) -> Serve {
    serve_with(book, &[], &[])
}

/// `serve` with more arguments and environment variables.
fn serve_with(book: &Path, args: &[&str], env: &[(&str, &Path)]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .args(["--today", "2026-11-28", "serve", "--port", "0", "--book"])
        .arg(book)
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start retrobook serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("read the URL");
    let port = line.trim().trim_end_matches('/').rsplit(':').next().unwrap().parse().expect(&line);
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    Serve { child, port }
}

/// A GET: status, headers (lower-cased names), body.
fn get(port: u16, path: &str) -> (u16, BTreeMap<String, String>, String) {
    get_as(port, "localhost", path)
}

/// A GET with this `Host` header.
fn get_as(port: u16, host: &str, path: &str) -> (u16, BTreeMap<String, String>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect();
    (status, headers, body.to_string())
}

/// Server-sent events as (event, data), read on a thread.
fn events(port: u16) -> mpsc::Receiver<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET /__retrobook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { return };
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ")
                && tx.send((std::mem::take(&mut event), d.to_string())).is_err()
            {
                return;
            }
        }
    });
    rx
}

/// The next event other than keep-alives, within `limit`.
fn next(rx: &mpsc::Receiver<(String, String)>, limit: Duration) -> Option<(String, String)> {
    let end = Instant::now() + limit;
    loop {
        let left = end.checked_duration_since(Instant::now())?;
        match rx.recv_timeout(left) {
            Ok((e, d)) if !e.is_empty() => return Some((e, d)),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::files_under(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()))
        .collect()
}

fn copy_fixture(name: &str, to: &Path) {
    for (rel, bytes) in tree(&fixture(name)) {
        let p = to.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

/// Saves like an editor that writes a temporary file and renames it over the original.
fn save(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn serves_pages_from_memory_with_pretty_urls() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("clean", dir.path());
    let before = tree(dir.path());
    let s = serve(dir.path());

    let (code, h, body) = get(s.port, "/");
    assert_eq!(code, 200);
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(body.contains("Clean fixture"), "{body}");
    assert!(body.contains("/__retrobook/live.js"), "the live-reload script is injected into served pages");
    let (code, _, body) = get(s.port, "/retros/search-slow/");
    assert_eq!(code, 200);
    assert!(body.contains("Search slow"));
    let (code, h, _) = get(s.port, "/retros/search-slow?x=1");
    assert_eq!(code, 308);
    assert_eq!(h["location"], "/retros/search-slow/?x=1");
    let (code, h, body) = get(s.port, "/no/such/page/");
    assert_eq!(code, 404);
    assert!(h["content-type"].starts_with("text/html"));
    assert!(body.contains("/__retrobook/live.js"));
    let (code, h, _) = get(s.port, "/css/retrobook.css");
    assert_eq!((code, h["content-type"].as_str()), (200, "text/css; charset=utf-8"));
    let (_, h, _) = get(s.port, "/feed.xml");
    assert_eq!(h["content-type"], "application/atom+xml; charset=utf-8");

    // The search bundle is built in the background, into memory.
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, _, status) = get(s.port, "/__retrobook/status");
        if !status.contains("\"search_generation\":0") {
            break;
        }
        assert!(Instant::now() < end, "the search index was never built: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, h, _) = get(s.port, "/pagefind/shards.json");
    assert_eq!((code, h["content-type"].as_str()), (200, "application/json"));

    drop(s);
    assert_eq!(tree(dir.path()), before, "serve wrote into the book");
    assert!(!dir.path().join("site").exists());
}

#[test]
fn one_edit_is_one_reload_and_errors_keep_the_last_good_site() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("clean", dir.path());
    let s = serve(dir.path());
    let rx = events(s.port);
    let (e, hello) = next(&rx, Duration::from_secs(10)).expect("hello");
    assert_eq!(e, "hello");
    assert!(hello.contains("\"errors\":null"), "{hello}");

    let retro = dir.path().join("retros/2024-06-01-search-slow.md");
    let text = std::fs::read_to_string(&retro).unwrap();
    let edited = text.replace("Search was slow after a config change", "Search crawled after a config change");
    save(&retro, &edited);
    let (e, _) = next(&rx, Duration::from_secs(20)).expect("a reload after the edit");
    assert_eq!(e, "reload");
    // The new page is in place when the reload is announced.
    let (_, _, body) = get(s.port, "/retros/search-slow/");
    assert!(body.contains("Search crawled"), "{body}");
    // Exactly one reload for one save.
    assert_eq!(next(&rx, Duration::from_millis(1500)), None);

    // Several writes of one save (delete, then create, then write twice) are one reload too.
    std::fs::remove_file(&retro).unwrap();
    std::fs::write(&retro, "").unwrap();
    std::fs::write(&retro, edited.replace("crawled", "dragged")).unwrap();
    let (e, _) = next(&rx, Duration::from_secs(20)).expect("a reload after the second edit");
    assert_eq!(e, "reload");
    assert_eq!(next(&rx, Duration::from_millis(1500)), None, "more than one reload for one save");

    // A broken retro: open pages get the errors; the last good site is still served.
    save(&retro, &edited.replace("severity = \"SEV3\"", "severity = \"SEV9\""));
    let (e, data) = next(&rx, Duration::from_secs(20)).expect("errors");
    assert_eq!(e, "errors");
    assert!(data.contains("retros/2024-06-01-search-slow.md") && data.contains("\"line\""), "{data}");
    let (code, _, body) = get(s.port, "/retros/search-slow/");
    assert_eq!(code, 200);
    assert!(body.contains("Search dragged"));
    // A new page load learns about the errors at once.
    let rx2 = events(s.port);
    let (e, hello) = next(&rx2, Duration::from_secs(10)).unwrap();
    assert_eq!(e, "hello");
    assert!(hello.contains("SEV9"), "{hello}");

    // Fixing it clears the errors and reloads.
    save(&retro, &edited.replace("crawled", "was fixed"));
    assert_eq!(next(&rx, Duration::from_secs(20)).map(|e| e.0).as_deref(), Some("ok"));
    assert_eq!(next(&rx, Duration::from_secs(20)).map(|e| e.0).as_deref(), Some("reload"));

    // Files outside the watched folders change nothing.
    std::fs::write(dir.path().join("README.md"), "notes").unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main").unwrap();
    assert_eq!(next(&rx, Duration::from_millis(1500)), None);
    drop(s);
    assert!(!dir.path().join("site").exists(), "serve wrote a site into the book");
}

#[test]
fn answers_only_for_loopback_names_the_bind_address_and_allowed_hosts() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("clean", dir.path());
    let s = serve(dir.path());
    let port = s.port;

    // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
    for host in ["evil.example", &format!("evil.example:{port}"), "localhost.evil.example", "127.0.0.1.nip.io"] {
        let (code, h, body) = get_as(port, host, "/");
        assert_eq!(code, 403, "{host}: {body}");
        assert!(h["content-type"].starts_with("text/plain"), "{host}");
        assert!(body.contains("--allowed-host"), "{host}: {body}");
        assert!(!body.contains("Clean fixture"), "{host}: the book leaked");
    }
    let (_, _, body) = get_as(port, "evil.example", "/");
    assert!(body.contains("--allowed-host evil.example"), "{body}");
    // The live endpoints are refused too.
    for path in ["/__retrobook/events", "/__retrobook/status", "/retros/search-slow/", "/css/retrobook.css"] {
        assert_eq!(get_as(port, "evil.example", path).0, 403, "{path}");
    }

    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
        format!("docs.localhost:{port}"),
    ] {
        let (code, _, body) = get_as(port, &host, "/");
        assert_eq!(code, 200, "{host}: {body}");
        assert!(body.contains("Clean fixture"), "{host}");
    }
    drop(s);

    // --allowed-host admits a name (any port), repeatable; others are still refused.
    let s = serve_with(dir.path(), &["--allowed-host", "preview.example", "--allowed-host", "Docs.Internal"], &[]);
    for host in ["preview.example", &format!("preview.example:{}", s.port), "docs.internal:8443"] {
        let (code, _, body) = get_as(s.port, host, "/");
        assert_eq!(code, 200, "{host}: {body}");
        assert!(body.contains("Clean fixture"));
    }
    assert_eq!(get_as(s.port, "evil.example", "/").0, 403);
    assert_eq!(get_as(s.port, "sub.preview.example", "/").0, 403);
}

#[test]
fn allowed_host_must_be_a_host_name() {
    for bad in ["http://preview.example", "preview.example/x", "", "a b"] {
        let o = run(&["serve", "--port", "0", "--allowed-host", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("--allowed-host") && stderr(&o).contains("expected a host name"),
            "{bad}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn half_sent_and_idle_connections_are_closed_but_live_reload_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("clean", dir.path());
    let s = serve(dir.path());
    let rx = events(s.port);
    assert_eq!(next(&rx, Duration::from_secs(10)).expect("hello").0, "hello");

    let t = Instant::now();
    let mut half = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(half, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").unwrap();
    let idle = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    // A kept-alive connection that finished a request and then goes quiet.
    let mut kept = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    write!(kept, "GET /__retrobook/status HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();

    let closed = |mut c: TcpStream, what: &str| {
        c.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
        let mut buf = [0; 4096];
        loop {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => continue,
            }
        }
        let waited = t.elapsed();
        assert!(waited < Duration::from_secs(20), "the {what} connection stayed open {waited:?}");
    };
    closed(half, "half-sent");
    closed(idle, "idle");
    closed(kept, "kept-alive");

    // The event stream outlived the timeout: an edit still reaches it.
    let retro = dir.path().join("retros/2024-06-01-search-slow.md");
    let text = std::fs::read_to_string(&retro).unwrap();
    save(&retro, &text.replace("Search was slow after a config change", "Search crawled after a config change"));
    assert_eq!(next(&rx, Duration::from_secs(20)).map(|e| e.0).as_deref(), Some("reload"));
}

#[cfg(unix)]
#[test]
fn the_search_scratch_folder_is_private_and_removed_on_ctrl_c() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("clean", dir.path());
    let tmp = tempfile::tempdir().unwrap();
    let mut s = serve_with(dir.path(), &[], &[("TMPDIR", tmp.path())]);
    let end = Instant::now() + Duration::from_secs(60);
    while get(s.port, "/__retrobook/status").2.contains("\"search_generation\":0") {
        assert!(Instant::now() < end, "the search index was never built");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ours: Vec<PathBuf> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    let mode = std::fs::metadata(&ours[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{} is readable by others", ours[0].display());
    assert!(!common::files_under(&ours[0]).is_empty(), "the search cache is there while serving");

    let kill = Command::new("kill").args(["-INT", &s.child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < end, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    let left: Vec<PathBuf> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
