//! Timing harness: load, check and build a book, against a floor program and Hugo in the same run.
//!
//! ```console
//! cargo build --release --examples
//! target/release/examples/synth --retros 10000 --out /dev/shm/synth-10k
//! target/release/examples/bench /dev/shm/synth-10k --runs 3 --out /dev/shm
//! ```
//!
//! The floor reads every Markdown file, renders it with pulldown-cmark and writes one
//! `<name>/index.html` each into a fresh folder: the least any static-site generator must do.
//! Figures are the median and the best of the runs, and ratios against the floor measured in the
//! same run, because shared machines are noisy. Each phase's output is deleted before each run,
//! outside the timing (see `phases.rs`). docs/benchmarks.md describes every phase.

mod hugo;
mod mem;
mod phases;

use std::path::PathBuf;
use std::time::Duration;

// Rendering and loading allocate many small strings on every thread; mimalloc is markedly faster
// than the system allocator for that (the retrobook binary uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: bench BOOK_DIR [--runs N] [--out DIR] [--only PHASE,PHASE…]
  --runs N   timed runs of each phase (default 5); the median and the best are shown
  --out DIR  where the phases write, in a folder of their own removed at the end (default: the
             temporary folder, TMPDIR); use tmpfs (/dev/shm) to keep the file system out of it
  --only     phases to run, in order (default: all):";

/// The command line.
#[derive(Debug)]
struct Args {
    book: PathBuf,
    runs: usize,
    out: PathBuf,
    phases: Vec<String>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut args = args.into_iter();
    let (mut book, mut runs, mut out) = (None, 5, std::env::temp_dir());
    let mut phases: Vec<String> = phases::ALL.iter().map(|p| p.to_string()).collect();
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--runs" => {
                let v = value("--runs")?;
                runs = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| format!("--runs {v}: expected a number ≥ 1"))?;
            }
            "--out" => out = PathBuf::from(value("--out")?),
            "--only" => {
                phases = value("--only")?.split(',').filter(|p| !p.is_empty()).map(String::from).collect();
                if let Some(p) = phases.iter().find(|p| !phases::ALL.contains(&p.as_str())) {
                    return Err(format!("--only: unknown phase `{p}`; the phases are {}", phases::ALL.join(",")));
                }
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ if book.is_some() => return Err(format!("one book only (got {a} too)")),
            _ => book = Some(PathBuf::from(a)),
        }
    }
    let book = book.ok_or("the book's folder is missing")?;
    Ok(Args { book, runs, out, phases })
}

/// One phase's figures.
struct Row {
    phase: String,
    /// Sorted run times; empty when the phase was skipped.
    times: Vec<Duration>,
    skipped: Option<String>,
    peak_kib: Option<u64>,
}

impl Row {
    fn median(&self) -> Option<f64> {
        self.times.get(self.times.len() / 2).map(Duration::as_secs_f64)
    }
    fn best(&self) -> Option<f64> {
        self.times.first().map(Duration::as_secs_f64)
    }
}

fn main() {
    retrobook::memory::prefer_small_pages();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("bench: {e}");
            }
            eprintln!("{USAGE} {}", phases::ALL.join(","));
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("bench: {e:#}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let out = args.out.join(format!("retrobook-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    let result = measure_all(args, &out);
    hugo::remove_dir(&out)?;
    let rows = result?;
    print_table(&rows);
    Ok(())
}

fn measure_all(args: &Args, out: &std::path::Path) -> anyhow::Result<Vec<Row>> {
    let mut ctx = phases::Ctx::new(args.book.clone(), out.to_path_buf())?;
    let retros = retrobook::load::discover(&ctx.retros).len();
    eprintln!(
        "book {} ({retros} retros), {} runs per phase, writing under {}",
        args.book.display(),
        args.runs,
        out.display()
    );
    if args.phases.iter().any(|p| p == "hugo") {
        eprintln!("hugo: {}", hugo::version().unwrap_or_else(|| "not installed".into()));
    }
    let per_phase_peak = mem::reset_peak();
    let mut rows = Vec::new();
    for phase in &args.phases {
        let reset = || {
            mem::reset_peak();
        };
        let outcome = phases::measure(phase, &mut ctx, args.runs, &reset)?;
        // Hugo runs in a process of its own: this process's memory says nothing about it.
        let peak_kib = if phase == "hugo" { None } else { mem::peak_rss_kib() };
        let mut row = Row { phase: phase.clone(), times: Vec::new(), skipped: None, peak_kib };
        match outcome {
            phases::Outcome::Times(mut times) => {
                times.sort();
                row.times = times;
            }
            phases::Outcome::Skipped(why) => row.skipped = Some(why),
        }
        eprintln!("  {phase}: {}", row.median().map_or_else(|| "skipped".into(), |m| format!("median {}", ms(m))));
        rows.push(row);
    }
    if !per_phase_peak {
        eprintln!("note: the peak memory of each phase includes the phases before it (/proc/self/clear_refs refused)");
    }
    Ok(rows)
}

fn ms(secs: f64) -> String {
    format!("{:.0} ms", secs * 1000.0)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".into(),
    }
}

fn print_table(rows: &[Row]) {
    let floor = rows.iter().find(|r| r.phase == "floor");
    let (floor_median, floor_best) = (floor.and_then(Row::median), floor.and_then(Row::best));
    println!(
        "{:<16} {:>10} {:>10} {:>15} {:>13} {:>10}",
        "phase", "median", "best", "× floor median", "× floor best", "peak RSS"
    );
    for r in rows {
        if let Some(why) = &r.skipped {
            println!("{:<16} {why}", r.phase);
            continue;
        }
        println!(
            "{:<16} {:>10} {:>10} {:>15} {:>13} {:>10}",
            r.phase,
            r.median().map_or_else(|| "-".into(), ms),
            r.best().map_or_else(|| "-".into(), ms),
            ratio(r.median(), floor_median),
            ratio(r.best(), floor_best),
            mem::show_mib(r.peak_kib),
        );
    }
    if let Some(hugo) = rows.iter().find(|r| r.phase == "hugo" && r.skipped.is_none()) {
        for r in rows.iter().filter(|r| r.phase == "build-no-search" || r.phase == "build") {
            println!(
                "retrobook {} ÷ hugo: {} (median), {} (best)",
                r.phase,
                ratio(r.median(), hugo.median()),
                ratio(r.best(), hugo.best())
            );
        }
    }
    if let Some(kib) = rows.iter().filter_map(|r| r.peak_kib).max() {
        println!("peak RSS of the bench, all phases: {}", mem::show_mib(Some(kib)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn parses_the_options() {
        let a = parse(&["/b", "--runs", "3", "--out", "/dev/shm", "--only", "floor,warm"]).expect("parses");
        assert_eq!((a.book, a.runs, a.out), (PathBuf::from("/b"), 3, PathBuf::from("/dev/shm")));
        assert_eq!(a.phases, ["floor", "warm"]);
        let a = parse(&["/b"]).expect("defaults");
        assert_eq!(a.phases, phases::ALL);
        assert_eq!(a.out, std::env::temp_dir());
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert!(parse(&[]).expect_err("no book").contains("book"));
        assert!(parse(&["/b", "--only", "floor,flor"]).expect_err("typo").contains("`flor`"));
        assert!(parse(&["/b", "--runs", "0"]).expect_err("zero runs").contains("--runs 0"));
        assert!(parse(&["/b", "--out"]).expect_err("no value").contains("--out needs a value"));
        assert!(parse(&["/b", "/c"]).is_err());
    }

    #[test]
    fn rows_give_median_best_and_ratios() {
        let r =
            Row { phase: "x".into(), times: [1, 2, 9].map(Duration::from_secs).into(), skipped: None, peak_kib: None };
        assert_eq!((r.median(), r.best()), (Some(2.0), Some(1.0)));
        assert_eq!(ratio(Some(3.0), Some(1.5)), "2.00");
        assert_eq!(ratio(Some(3.0), None), "-");
    }
}
