//! Edit-to-reload latency of `serve`: the time from saving a retro (write a temporary file, rename
//! it over the original) to the reload event reaching a server-sent-events client.
//!
//! `cargo run --release --example reload_bench -- BOOK [--runs N]`
//!
//! The book is copied to a temporary folder first (the benchmark edits it). Between edits it waits
//! for the background search refresh to finish, so every edit starts on an idle server.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut book = None;
    let mut runs = 21;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            _ => book = Some(PathBuf::from(a)),
        }
    }
    let book = book.expect("usage: reload_bench BOOK [--runs N]");
    let tmp = std::env::temp_dir().join(format!("retrobook-reload-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy(&book, &tmp);

    let t = Instant::now();
    let server = retrobook::serve::start(&retrobook::serve::ServeOptions {
        root: tmp.clone(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        today: None,
        log: false,
        allowed_hosts: Vec::new(),
        limits: Default::default(),
    })
    .expect("start the server");
    let files = retrobook::load::discover(&tmp.join("retros"));
    println!("{}: {} retros, first build {:.0} ms", book.display(), files.len(), t.elapsed().as_secs_f64() * 1e3);
    wait_idle(&server);

    let mut sse = BufReader::new(connect(server.addr));
    wait_for(&mut sse, "hello");
    // Edit a retro in the middle of the book: its page, its neighbours and the indexes change.
    let file = &files[files.len() / 2];
    let original = std::fs::read_to_string(file).unwrap();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let text = format!("{original}\n\nBenchmark edit {i}.\n");
        let t = Instant::now();
        save(file, &text);
        wait_for(&mut sse, "reload");
        times.push(t.elapsed());
        wait_idle(&server);
        std::thread::sleep(Duration::from_millis(100));
    }
    save(file, &original);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[times.len() / 2]);
    let p90 = ms(times[(times.len() * 9).div_ceil(10) - 1]);
    println!(
        "edit → reload over {runs} edits: median {median:.0} ms, p90 {p90:.0} ms (min {:.0}, max {:.0})",
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    let _ = std::fs::remove_dir_all(&tmp);
    std::process::exit(0);
}

/// Waits until the search bundle has caught up with the pages.
fn wait_idle(server: &retrobook::serve::Server) {
    let end = Instant::now() + Duration::from_secs(300);
    while server.store.search_generation() < server.store.site().generation && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET /__retrobook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    s
}

fn wait_for(sse: &mut BufReader<TcpStream>, event: &str) {
    let want = format!("event: {event}");
    let mut line = String::new();
    loop {
        line.clear();
        assert!(sse.read_line(&mut line).unwrap() > 0, "the event stream closed");
        if line.trim_end() == want {
            return;
        }
    }
}

fn save(path: &Path, text: &str) {
    let tmp = path.with_file_name(".reload-bench.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if [".git", "site", "target", ".site-cache", "node_modules"].contains(&name.to_string_lossy().as_ref()) {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if src.is_dir() { copy(&src, &dst) } else { std::fs::copy(&src, &dst).map(|_| ()).unwrap() }
    }
}
