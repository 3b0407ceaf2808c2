//! A synthetic book with a long git history, and a timing harness for the history walk.
//!
//! ```text
//! cargo run --release --example synth_git -- gen --out /tmp/synth-git [--retros 10000] [--commits 20000]
//! cargo run --release --example synth_git -- bench /tmp/synth-git [--runs 5]
//! ```
//!
//! `gen` writes the repository with `git fast-import` (seconds, not minutes): retros in one folder
//! per year (as real books are laid out), the first commits add them one by one, the rest edit
//! them — close an action, add a line — and every 40th commit renames one; 25 authors, dates
//! an hour apart. `bench` times `retrobook::git::read_history` (the book is loaded once, outside
//! the timing) and, in the same run, `git log --name-status --format=%H` on the same repository as
//! a baseline; it prints the median of each and their ratio.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const AUTHORS: [&str; 25] = [
    "Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo", "Kai", "Liv", "Max", "Ned", "Ola", "Pia", "Quin",
    "Rae", "Sam", "Tea", "Uma", "Vic", "Wes", "Xia", "Yan",
];

/// A small deterministic generator (xorshift), so the same arguments give the same repository.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct RetroState {
    path: String,
    id: String,
    date: String,
    closed: usize,
    lines: usize,
}

fn text(r: &RetroState) -> String {
    let mut s = format!(
        "---\nid: {}\ntitle: \"Synthetic incident {}\"\ndate: {}\nseverity: SEV{}\nfactors:\n  - id: factor-{}\n    category: technology\nactions:\n",
        r.id,
        r.id,
        r.date,
        1 + r.id.len() % 4,
        r.id.len() % 17
    );
    for a in 0..3 {
        let status = if a < r.closed { "done" } else { "open" };
        s.push_str(&format!(
            "  - id: A{}\n    title: \"Action {a} of {}\"\n    owner: team-{}\n    status: {status}\n    due: {}\n",
            a + 1,
            r.id,
            a,
            r.date
        ));
    }
    s.push_str("---\n\n## Narrative\n\nA synthetic incident, for timing the history walk.\n");
    for i in 0..r.lines {
        s.push_str(&format!("\nFollow-up note {i}.\n"));
    }
    s
}

fn generate(out: &Path, retros: usize, commits: usize) -> Result<(), String> {
    if out.exists() {
        return Err(format!("{} exists; remove it first", out.display()));
    }
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(out).status().map_err(|e| e.to_string());
    git(&["init", "-q", "-b", "main"])?;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(out)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut w = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut state: Vec<RetroState> = Vec::with_capacity(retros);
    let start = 1_500_000_000i64; // 2017-07-14
    let book = "[book]\ntitle = \"Synthetic history\"\n";
    for c in 0..commits.max(retros) {
        let author = AUTHORS[rng.below(AUTHORS.len())];
        let when = start + c as i64 * 3600;
        let mut ops = String::new();
        let msg;
        if c == 0 {
            ops.push_str(&format!("M 100644 inline book.toml\ndata {}\n{book}\n", book.len()));
        }
        if c < retros {
            let year = 2016 + c * 10 / retros;
            let day = 1 + c % 28;
            let r = RetroState {
                path: format!("retros/{year}/incident-{c:05}.md"),
                id: format!("incident-{c:05}"),
                date: format!("{year}-{:02}-{day:02}", 1 + c % 12),
                closed: 0,
                lines: 0,
            };
            let t = text(&r);
            ops.push_str(&format!("M 100644 inline {}\ndata {}\n{t}\n", r.path, t.len()));
            msg = format!("add {}", r.id);
            state.push(r);
        } else if c % 40 == 0 {
            let i = rng.below(state.len());
            let r = &mut state[i];
            let new = r.path.replace(".md", "-renamed.md").replace("-renamed-renamed", "-renamed");
            if new != r.path {
                ops.push_str(&format!("R {} {new}\n", r.path));
                r.path = new;
            } else {
                r.lines += 1;
                let t = text(r);
                ops.push_str(&format!("M 100644 inline {}\ndata {}\n{t}\n", r.path, t.len()));
            }
            msg = format!("rename {}", r.id);
        } else {
            let i = rng.below(state.len());
            let r = &mut state[i];
            if r.closed < 3 && rng.below(2) == 0 {
                r.closed += 1;
            } else {
                r.lines += 1;
            }
            let t = text(r);
            ops.push_str(&format!("M 100644 inline {}\ndata {}\n{t}\n", r.path, t.len()));
            msg = format!("edit {}", r.id);
        }
        write!(
            w,
            "commit refs/heads/main\nauthor {author} <{}@example.com> {when} +0000\ncommitter {author} <{}@example.com> {when} +0000\ndata {}\n{msg}\n{ops}\n",
            author.to_lowercase(),
            author.to_lowercase(),
            msg.len()
        )
        .map_err(|e| e.to_string())?;
    }
    drop(w);
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("git fast-import failed".into());
    }
    git(&["checkout", "-q", "-f", "main"])?;
    git(&["gc", "-q"])?;
    println!("{}: {} retros, {} commits", out.display(), retros, commits.max(retros));
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bench(dir: &Path, runs: usize) -> Result<(), String> {
    let loaded = retrobook::load::load_book(dir).map_err(|d| format!("{} problems in book.toml", d.len()))?;
    let book = loaded.book;
    let mut walk = Vec::new();
    let mut log = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let h = retrobook::git::read_history(&book);
        walk.push(t.elapsed().as_secs_f64());
        found = h.retros.len();
        let t = Instant::now();
        let st = Command::new("sh")
            .arg("-c")
            .arg("git log --name-status --format=%H >/dev/null")
            .current_dir(dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err("git log failed".into());
        }
        log.push(t.elapsed().as_secs_f64());
    }
    let (w, l) = (median(walk.clone()), median(log.clone()));
    println!("retros: {}, with history: {found}", book.retros.len());
    println!("history walk        median {w:.2} s  (runs: {walk:.2?})");
    println!("git log --name-status median {l:.2} s  (runs: {log:.2?})");
    println!("ratio walk / git log: {:.2}", w / l);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let num = |flag: &str, default: usize| get(flag).and_then(|v| v.parse().ok()).unwrap_or(default);
    let result = match args.first().map(String::as_str) {
        Some("gen") => match get("--out") {
            Some(out) => generate(&PathBuf::from(out), num("--retros", 10_000), num("--commits", 20_000)),
            None => Err("gen needs --out DIR".into()),
        },
        Some("bench") => match args.get(1) {
            Some(dir) => bench(Path::new(dir), num("--runs", 5)),
            None => Err("bench needs a DIR".into()),
        },
        _ => Err("usage: synth_git gen --out DIR [--retros N] [--commits N] | synth_git bench DIR [--runs N]".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}
