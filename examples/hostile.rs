//! Timing harness for hostile input: small books whose one retro once took quadratic or worse
//! time (or crashed). Each case is written to a temp folder, then checked and built (no search).
//!
//! ```console
//! cargo run --release --example hostile            # every case, median of 3 runs
//! cargo run --release --example hostile -- --runs 5 --only headings,divs
//! ```
//!
//! Before the fixes of docs/security.md these took 77 s (6,000 headings), 194 s (100,000 nested
//! `<div>`), over 120 s (a 4 MB code block of long lines) and aborted (7,000 nested `[`).

use std::path::Path;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// (name, what it is, the retro's body or whole text)
fn cases() -> Vec<(&'static str, &'static str, String)> {
    let fm = "---\nid: hostile\ntitle: Hostile\ndate: 2025-01-01\nseverity: SEV3\n---\n\n";
    let headings: String = (0..6_000).map(|i| format!("## Timeline\n\n- 09:{:02} entry {i}\n\n", i % 60)).collect();
    let divs = format!("{}{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let line = format!("    let x = \"{}\";\n", "a".repeat(2_000));
    let code = format!("## Technical analysis\n\n```rust\n{}```\n", line.repeat(2_000));
    let deep = format!(
        "---\nid: hostile\ntitle: Hostile\ndate: 2025-01-01\nseverity: SEV3\ntags: {}\n---\n",
        "[".repeat(7_000)
    );
    vec![
        ("headings", "6,000 repeated `## Timeline` headings", format!("{fm}{headings}")),
        ("divs", "100,000 nested raw <div>", format!("{fm}## Narrative\n\n{divs}\n")),
        ("code", "2,000 lines × 2,000 characters of Rust", format!("{fm}{code}")),
        ("yaml", "7,000 nested `[` in front matter", deep),
    ]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut runs, mut only): (usize, Option<Vec<String>>) = (3, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--only" => only = args.next().map(|v| v.split(',').map(String::from).collect()),
            _ => {
                eprintln!("usage: hostile [--runs N] [--only headings,divs,code,yaml]");
                std::process::exit(2);
            }
        }
    }
    let tmp = std::env::temp_dir().join(format!("retrobook-hostile-{}", std::process::id()));
    println!("{:<10} {:<42} {:>10} {:>10}", "case", "input", "check", "build");
    for (name, what, text) in cases() {
        if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
            continue;
        }
        let book = tmp.join(name);
        std::fs::create_dir_all(book.join("retros")).expect("create the book");
        std::fs::write(book.join("book.toml"), "[book]\ntitle = \"Hostile\"\n").expect("write book.toml");
        std::fs::write(book.join("retros/hostile.md"), &text).expect("write the retro");
        let check = median(runs, || check(&book));
        let build = median(runs, || build(&book));
        println!("{name:<10} {what:<42} {:>7.0} ms {:>7.0} ms", ms(check), ms(build));
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

fn check(book: &Path) {
    // A book that does not load (the deep YAML case) is an answer too: a diagnostic, in time.
    if let Ok(loaded) = retrobook::load::load_book(book) {
        std::hint::black_box(retrobook::check::check_book(&loaded.book));
    }
}

fn build(book: &Path) {
    let opts = retrobook::build::BuildOptions {
        dest: book.join("site"),
        today: Some(jiff::civil::date(2026, 11, 28)),
        search: false,
        audience: retrobook::build::Audience::Internal,
    };
    // Errors in the book (deep YAML) end the build early with diagnostics; both are timed.
    std::hint::black_box(retrobook::build::build(book, &opts).is_ok());
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
