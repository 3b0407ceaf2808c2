//! Timing harness: load, check and build a book, against a floor program in the same run.
//!
//! ```console
//! cargo run --release --example synth -- --retros 10000 --out /tmp/synth-10k
//! cargo run --release --example bench -- /tmp/synth-10k --runs 5
//! ```
//!
//! The floor reads every Markdown file, renders it with pulldown-cmark and writes one HTML file
//! each: the least any static-site generator must do. Figures are medians over the runs, and
//! ratios against the floor measured in the same run, because shared machines are noisy.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// Rendering and loading allocate many small strings on every thread; mimalloc is markedly faster
// than the system allocator for that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut book: Option<PathBuf> = None;
    let mut runs = 5usize;
    let mut phases = vec!["floor".to_string(), "load".into(), "check".into(), "build-no-search".into(), "build".into()];
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--only" => phases = args.next().unwrap_or_default().split(',').map(String::from).collect(),
            _ => book = Some(PathBuf::from(a)),
        }
    }
    let Some(book) = book else {
        eprintln!(
            "usage: bench BOOK_DIR [--runs N] [--only floor,load,render,check,build-no-search,build,build-cached]"
        );
        std::process::exit(2);
    };
    let out = std::env::temp_dir().join(format!("retrobook-bench-{}", std::process::id()));
    let mut results: Vec<(String, Duration)> = Vec::new();
    for phase in &phases {
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let result = run_phase(phase, &book, &out);
                let elapsed = t.elapsed();
                // Freeing what a phase built is not part of it (a command exits instead).
                drop(result);
                elapsed
            })
            .collect();
        times.sort();
        results.push((phase.clone(), times[times.len() / 2]));
    }
    let _ = std::fs::remove_dir_all(&out);
    let floor = results.iter().find(|(p, _)| p == "floor").map(|(_, d)| d.as_secs_f64());
    println!("{:<16} {:>10} {:>10}", "phase", "median", "× floor");
    for (phase, d) in &results {
        let ratio = floor.map(|f| format!("{:.2}", d.as_secs_f64() / f)).unwrap_or_else(|| "-".into());
        println!("{phase:<16} {:>8.0} ms {ratio:>10}", d.as_secs_f64() * 1000.0);
    }
}

fn run_phase(phase: &str, book: &Path, out: &Path) -> Option<retrobook::load::Loaded> {
    match phase {
        "floor" => floor(book, &out.join("floor")),
        "load" => {
            let loaded = retrobook::load::load_book(book).expect("book.toml loads");
            assert!(!loaded.book.retros.is_empty());
            return Some(loaded);
        }
        "render" => {
            // Rendering alone, in memory: no writing.
            let loaded = retrobook::load::load_book(book).expect("book.toml loads");
            let theme = retrobook::render::theme::Theme::load(book).expect("theme");
            let opts = retrobook::render::RenderOptions { today: jiff::civil::date(2026, 11, 28), search: false };
            let files = retrobook::render::render_site(&loaded.book, &theme, &opts).expect("renders");
            std::hint::black_box(files);
        }
        "check" => {
            let loaded = retrobook::load::load_book(book).expect("book.toml loads");
            let diags = retrobook::check::check_book(&loaded.book);
            std::hint::black_box(diags);
        }
        "build-no-search" | "build" | "build-cached" => {
            let dest = out.join("site");
            if phase == "build" {
                // a cold search index: no shard may be reused from an earlier run
                let _ = std::fs::remove_dir_all(retrobook::build::cache_dir(&dest));
            }
            let opts = retrobook::build::BuildOptions {
                dest,
                today: Some(jiff::civil::date(2026, 11, 28)),
                search: phase != "build-no-search",
                audience: retrobook::build::Audience::Internal,
            };
            if let Err(e) = retrobook::build::build(book, &opts) {
                panic!("build failed: {e:?}");
            }
        }
        other => panic!("unknown phase {other}"),
    }
    None
}

/// Read every Markdown file, render it, write one HTML file each — in parallel, like a build.
fn floor(book: &Path, out: &Path) {
    use rayon::prelude::*;
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).expect("create floor output");
    let files = retrobook::load::discover(&book.join("retros"));
    files.par_iter().enumerate().for_each(|(i, p)| {
        let text = std::fs::read_to_string(p).expect("read");
        let mut html = String::with_capacity(text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
        std::fs::write(out.join(format!("{i}.html")), html).expect("write");
    });
}
