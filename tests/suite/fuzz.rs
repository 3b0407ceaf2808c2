//! Property-based tests (proptest) of the loader's entry points, and a differential test of the
//! YAML fast path against yaml-rust2.
//!
//! Every generated input goes through the public API — a whole retro (`load_retro`: YAML and TOML
//! front matter, sections, timelines, monitoring CSVs beside it), a `book.toml` (`Config::parse`),
//! a monitoring CSV (`parse_csv`) — on a thread of its own, so that each case is checked for:
//! - no panic (the panic message and its location are part of the failure);
//! - bounded time (2 s per input by default, `RETROBOOK_FUZZ_TIMEOUT_MS` to change it);
//! - diagnostics at valid positions: line between 1 and the number of lines + 1, column at least
//!   1 and at most one past the end of its line.
//!
//! The differential test generates YAML documents and asks `fastyaml::parse` for a tree: it may
//! decline (the loader then uses yaml-rust2), but a tree it gives must equal, positions included,
//! the one `value::parse_yaml_reference` builds from yaml-rust2's events.
//!
//! Case counts are small by default, so that `cargo test --test suite fuzz::` takes well under a
//! minute in a debug build, with a fixed seed. `RETROBOOK_FUZZ_CASES=N` sets the cases per property and
//! picks a random seed (printed; `RETROBOOK_FUZZ_SEED` repeats a run). See docs/benchmarks.md.
//!
//! Generated nesting stays at depth 50 or less: deeper input is a separate, known problem.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config as RunConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use retrobook::config::Config;
use retrobook::diagnostic::Diagnostic;
use retrobook::load::value::{Node, SyntaxError};
use retrobook::load::{fastyaml, load_retro, monitoring, value};
use retrobook::model::{FrontMatterKind, Monitoring};
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once, mpsc};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Running cases: counts, seed, a thread per input with a deadline, panics caught with location.

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Cases per property: `RETROBOOK_FUZZ_CASES`, else the property's default.
fn cases(default: u32) -> u32 {
    env_u64("RETROBOOK_FUZZ_CASES").map_or(default, |n| n.clamp(1, u64::from(u32::MAX)) as u32)
}

/// `RETROBOOK_FUZZ_SEED`; else random for a long run (`RETROBOOK_FUZZ_CASES` set), fixed otherwise.
fn seed() -> u64 {
    if let Some(s) = env_u64("RETROBOOK_FUZZ_SEED") {
        return s;
    }
    if std::env::var_os("RETROBOOK_FUZZ_CASES").is_some() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        return t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32);
    }
    0x5eed_f022_2026
}

fn time_limit() -> Duration {
    Duration::from_millis(env_u64("RETROBOOK_FUZZ_TIMEOUT_MS").unwrap_or(2000))
}

/// Runs `test` on `default_cases` (or `RETROBOOK_FUZZ_CASES`) values of `strategy`; a failure
/// panics with the shrunk input, the reason and the seed.
fn run<S: Strategy>(name: &str, default_cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let seed = seed();
    let config = RunConfig {
        cases: cases(default_cases),
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..RunConfig::default()
    };
    eprintln!("{name}: {} cases, seed {seed}", config.cases);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name} (RETROBOOK_FUZZ_SEED={seed}): {e}");
    }
}

thread_local! {
    /// Set on the threads that run inputs: their panics are recorded instead of printed.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.get() {
                // "panicked at src/load/x.rs:12:5:\nmessage"
                LAST_PANIC.set(Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` on a thread of its own: Err if it panics (with message and location) or is still
/// running after the time limit (the thread is then left behind).
fn guarded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    guarded_for(time_limit(), f)
}

fn guarded_for<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Result<T, TestCaseError> {
    install_panic_hook();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("fuzz-input".into())
        .spawn(move || {
            GUARDED.set(true);
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
                LAST_PANIC.take().unwrap_or_else(|| {
                    payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".into())
                })
            });
            let _ = tx.send(r);
        })
        .expect("spawn a thread for the input");
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => Err(TestCaseError::fail(format!("the loader panicked: {panic}"))),
        Err(_) => Err(TestCaseError::fail(format!("no answer within {limit:?} (hang or superlinear time)"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Positions.

/// The lines of a text, split at `\n` only and at any of `\r\n`, `\r`, `\n` (the loader counts
/// `\n`; old Mac files end lines with `\r`): a position is valid under either reading.
struct Lines {
    lf: Vec<usize>,
    any: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lf = text.split('\n').map(|l| l.chars().count()).collect();
        let any = text.replace("\r\n", "\n").split(['\n', '\r']).map(|l| l.chars().count()).collect();
        Lines { lf, any }
    }

    fn count(&self) -> usize {
        self.lf.len().max(self.any.len())
    }

    /// The longest reading of line `n` (1-based), in characters.
    fn len(&self, n: usize) -> usize {
        let get = |v: &Vec<usize>| v.get(n - 1).copied().unwrap_or(0);
        get(&self.lf).max(get(&self.any))
    }

    fn check(&self, line: u32, column: u32) -> Result<(), String> {
        let (line, column) = (line as usize, column as usize);
        if line < 1 || line > self.count() + 1 {
            return Err(format!("line {line} is outside the input's {} lines", self.count()));
        }
        if column < 1 {
            return Err(format!("column {column} at line {line}"));
        }
        if line <= self.count() && column > self.len(line) + 1 {
            return Err(format!("column {column} is past the end of line {line} ({} characters)", self.len(line)));
        }
        Ok(())
    }
}

fn check_positions(input: &[u8], diags: &[Diagnostic]) -> Result<(), TestCaseError> {
    let lines = Lines::new(&String::from_utf8_lossy(input));
    for d in diags {
        if let Err(why) = lines.check(d.line, d.column) {
            return Err(TestCaseError::fail(format!("diagnostic at an invalid position: {why}: {d:?}")));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A scratch book: retros are loaded as `retros/fuzz.md` in it, with CSVs beside them.

struct Scratch {
    dir: tempfile::TempDir,
    retro: PathBuf,
}

/// Writes `text` as the scratch book's `book.toml` and loads it as `Config::load` does.
fn load_book_toml(s: &Scratch, text: &str) -> Result<Result<Config, Vec<Diagnostic>>, TestCaseError> {
    let root = s.dir.path().to_path_buf();
    std::fs::write(root.join("book.toml"), text).expect("write book.toml");
    guarded(move || Config::load(&root))
}

fn scratch() -> Scratch {
    let dir = tempfile::tempdir().expect("temp dir");
    let retros = dir.path().join("retros");
    std::fs::create_dir_all(&retros).expect("retros dir");
    std::fs::write(retros.join("ok.csv"), "time,value\n2025-03-14T09:00:00Z,1.5\n2025-03-14 09:01,2\n").unwrap();
    std::fs::write(retros.join("bad.csv"), "time,value\n2025-03-14T09:00:00Z,abc\n").unwrap();
    std::fs::write(retros.join("series.csv"), "time,value\n").unwrap();
    std::fs::write(dir.path().join("outside.csv"), "time,value\n").unwrap();
    let retro = retros.join("fuzz.md");
    Scratch { dir, retro }
}

/// Loads `bytes` as a retro under `config` and checks it: no panic, in time, valid positions.
fn check_retro(bytes: Vec<u8>, config: Arc<Config>, abs: &Path) -> Result<Outcome, TestCaseError> {
    let abs = abs.to_path_buf();
    let input = bytes.clone();
    let (retros, diags) = guarded(move || load_retro(&input, "retros/fuzz.md", &abs, &config))?;
    let retro = retros.first();
    check_positions(&bytes, &diags)?;
    Ok(Outcome {
        matter_read: retro.is_some_and(|r| r.front_matter != FrontMatterKind::None)
            && !diags.iter().any(|d| d.rule == "fm-syntax"),
        timeline: retro.is_some_and(|r| !r.timeline.is_empty()),
        series: retro.is_some_and(|r| {
            r.monitoring.iter().any(|m| matches!(m, Monitoring::Series { points, .. } if !points.is_empty()))
        }),
    })
}

/// What a loaded retro held, to check that the generators reach the parts they aim at.
#[derive(Default)]
struct Outcome {
    /// Front matter present and read without a syntax error.
    matter_read: bool,
    /// At least one timeline entry.
    timeline: bool,
    /// A monitoring series with points read from its CSV.
    series: bool,
}

/// Counts cases and how many reached each part.
#[derive(Default)]
struct Reach {
    cases: AtomicUsize,
    matter_read: AtomicUsize,
    timeline: AtomicUsize,
    series: AtomicUsize,
}

impl Reach {
    /// Counts a case's outcome; passes a failure on.
    fn add(&self, o: Result<Outcome, TestCaseError>) -> Result<(), TestCaseError> {
        let o = o?;
        self.cases.fetch_add(1, Ordering::Relaxed);
        self.matter_read.fetch_add(usize::from(o.matter_read), Ordering::Relaxed);
        self.timeline.fetch_add(usize::from(o.timeline), Ordering::Relaxed);
        self.series.fetch_add(usize::from(o.series), Ordering::Relaxed);
        Ok(())
    }

    /// Asserts that at least `percent` of the cases reached a part (not a vacuous test).
    fn at_least(&self, name: &str, part: &AtomicUsize, what: &str, percent: usize) {
        let (n, cases) = (part.load(Ordering::Relaxed), self.cases.load(Ordering::Relaxed));
        eprintln!("{name}: {n} of {cases} cases {what}");
        assert!(n * 100 >= cases * percent, "{name}: only {n} of {cases} cases {what} (expected {percent}%)");
    }
}

// ---------------------------------------------------------------------------------------------
// Generators: vocabularies.

const KEYS: &[&str] = &[
    "id",
    "title",
    "date",
    "severity",
    "status",
    "summary",
    "services",
    "teams",
    "tags",
    "authors",
    "reviewers",
    "roles",
    "external",
    "related",
    "impact",
    "started",
    "detected",
    "mitigated",
    "resolved",
    "users",
    "data-loss",
    "slo",
    "name",
    "budget-burned",
    "factors",
    "category",
    "whys",
    "actions",
    "owner",
    "priority",
    "due",
    "link",
    "addresses",
    "why",
    "monitoring",
    "metric",
    "unit",
    "data",
    "baseline",
    "gap",
    "description",
    "author",
    "incident-commander",
    "a",
    "b",
    "k",
    "é",
    "日本",
    "key with spaces",
    "1",
    "true",
    "~",
    "x-y_z.w",
];

const WORDS: &[&str] = &[
    "a",
    "x y",
    "SEV1",
    "SEV2",
    "SEV9",
    "sev1",
    "published",
    "draft",
    "review",
    "done",
    "high",
    "2024-03-14",
    "2024-03-14 10:00",
    "2024-03-14T10:00:00Z",
    "2024-03-14T10:00:00+02:00",
    "2024-02-30",
    "2024-13-01",
    "2024-03-14 25:00",
    "10:00",
    "March 3, 2024",
    "true",
    "false",
    "yes",
    "null",
    "~",
    "12",
    "-3",
    "0",
    "007",
    "1.5",
    "1e400",
    ".inf",
    "NaN",
    "0x1F",
    "1_000",
    "99999999999999999999",
    "café",
    "😀",
    "日本語",
    "ok.csv",
    "bad.csv",
    "series.csv",
    "missing.csv",
    "../outside.csv",
    "sub/../ok.csv",
    "http://x.example/a?b=c#frag",
    "a: b",
    "a #b",
    "a#b",
    "-",
    "- x",
    "-x",
    "? x",
    "!tag x",
    "&a x",
    "*a",
    "|",
    ">",
    "@x",
    "`x`",
    "%x",
    "x\"y",
    "it's",
    "a, b",
    "[x",
    "x]",
    "{x",
    "a:b",
    "capacity-headroom",
    "A1",
];

/// Scalars that read the same in block and flow context.
const TAME_WORDS: &[&str] = &[
    "a",
    "x y",
    "SEV1",
    "published",
    "2024-03-14",
    "2024-03-14 10:00",
    "2024-03-14T10:00:00Z",
    "10:00",
    "true",
    "null",
    "~",
    "12",
    "-3",
    "1.5",
    "0x1F",
    "café",
    "😀 x",
    "ok.csv",
    "http://x.example/a",
    "'it''s'",
    "\"q\"",
    "''",
    "\"\\u00e9\"",
    "a-b",
    "x.y",
];

/// Anchors and aliases: a few names so that aliases sometimes match an anchor.
const ANCHORS: &[&str] = &["a", "b", "x1"];

fn plain_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(WORDS).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 ._/:@#,-]{1,12}",
        1 => "\\PC{1,6}",
    ]
}

fn single_quoted() -> impl Strategy<Value = String> {
    prop::collection::vec(select(&["a", " ", "''", "é", "😀", "\"", "\\", "#", ": ", ",", "]"][..]), 0..6)
        .prop_map(|p| format!("'{}'", p.concat()))
}

/// Double-quoted scalars with valid escapes only.
fn double_quoted_valid() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "a",
        " ",
        "é",
        "😀",
        "\\\"",
        "\\\\",
        "\\n",
        "\\t",
        "\\u00e9",
        "\\x41",
        "\\U0001F600",
        "#",
        ": ",
        "'",
        "\\/",
        ",",
        "]",
    ];
    prop::collection::vec(select(PIECES), 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn double_quoted() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "a",
        " ",
        "é",
        "😀",
        "\\\"",
        "\\\\",
        "\\n",
        "\\t",
        "\\u00e9",
        "\\x41",
        "\\U0001F600",
        "\\q",
        "\\ud800",
        "#",
        ": ",
        "'",
        "\\/",
        "\\0",
        "\\e",
        "\\ ",
        ",",
        "]",
        "\\x4",
    ];
    prop::collection::vec(select(PIECES), 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![6 => plain_scalar(), 2 => single_quoted(), 2 => double_quoted()]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(KEYS).prop_map(str::to_string),
        1 => single_quoted(),
        1 => double_quoted(),
        1 => "[a-z]{1,3}",
    ]
}

// ---------------------------------------------------------------------------------------------
// Generators: YAML documents.

/// A YAML node as it will be written: the choices of layout are part of the value.
#[derive(Debug, Clone)]
enum Y {
    /// A scalar as written (plain, quoted).
    Scalar(String),
    Alias(&'static str),
    Anchored(&'static str, Box<Y>),
    /// `indent` is the extra indentation of the children in block style (0 = indentless for a
    /// sequence under a key); `flow` writes `[..]`.
    Seq {
        items: Vec<Y>,
        flow: bool,
        indent: usize,
    },
    /// Like `Seq`; flow style writes `{..}`.
    Map {
        entries: Vec<(String, Y)>,
        flow: bool,
        indent: usize,
    },
    /// A literal or folded block scalar (`|`, `>-`, …) with its lines.
    Block {
        header: &'static str,
        lines: Vec<String>,
    },
}

/// A YAML node of bounded depth. `wild` adds what the fast path never takes (anchors, aliases,
/// block scalars, flow maps, odd scalars); without it most documents stay in its subset.
fn yaml_node(depth: u32, wild: bool) -> BoxedStrategy<Y> {
    let leaf = if wild {
        prop_oneof![
            10 => scalar().prop_map(Y::Scalar),
            1 => select(ANCHORS).prop_map(Y::Alias),
            1 => (select(&["|", ">", "|-", ">+", "|2"][..]), prop::collection::vec("[a-z é#:-]{0,10}", 0..3))
                .prop_map(|(header, lines)| Y::Block { header, lines }),
        ]
        .boxed()
    } else {
        prop_oneof![
            4 => select(TAME_WORDS).prop_map(str::to_string),
            1 => "[a-zA-Z0-9][a-zA-Z0-9 ._/-]{0,10}[a-zA-Z0-9]",
            1 => single_quoted(),
            1 => double_quoted_valid(),
        ]
        .prop_map(Y::Scalar)
        .boxed()
    };
    leaf.prop_recursive(depth, 48, 6, move |inner| {
        let map_flow = if wild { 0.15 } else { 0.0 };
        let key = if wild { key().boxed() } else { select(KEYS).prop_map(str::to_string).boxed() };
        let map = (prop::collection::vec((key, inner.clone()), 0..6), prop::bool::weighted(map_flow), 1..5usize)
            .prop_map(move |(mut entries, flow, indent)| {
                if !wild {
                    // Duplicate keys are an error: the fast path leaves them to yaml-rust2.
                    let mut seen = std::collections::HashSet::new();
                    entries.retain(|(k, _)| seen.insert(k.clone()));
                }
                Y::Map { entries, flow, indent }
            });
        let seq = (prop::collection::vec(inner.clone(), 0..5), prop::bool::weighted(0.3), 0..4usize)
            .prop_map(|(items, flow, indent)| Y::Seq { items, flow, indent });
        if wild {
            let anchored = (select(ANCHORS), inner).prop_map(|(a, y)| Y::Anchored(a, Box::new(y)));
            prop_oneof![4 => map, 3 => seq, 1 => anchored].boxed()
        } else {
            prop_oneof![4 => map, 3 => seq].boxed()
        }
    })
    .boxed()
}

/// A chain of `depth` nested collections around a scalar: deep, but within the limit of 50.
fn deep_node(wild: bool) -> impl Strategy<Value = Y> {
    (
        1..=50usize,
        prop::collection::vec(0..if wild { 4u8 } else { 3 }, 50),
        if wild { scalar().boxed() } else { select(TAME_WORDS).prop_map(str::to_string).boxed() },
    )
        .prop_map(|(depth, kinds, s)| {
            let mut y = Y::Scalar(s);
            for &k in kinds.iter().take(depth) {
                y = match k {
                    0 => Y::Map { entries: vec![("k".into(), y)], flow: false, indent: 1 },
                    1 => Y::Seq { items: vec![y], flow: false, indent: 1 },
                    2 => Y::Seq { items: vec![y], flow: true, indent: 0 },
                    _ => Y::Map { entries: vec![("k".into(), y)], flow: true, indent: 0 },
                };
            }
            Y::Map { entries: vec![("root".into(), y)], flow: false, indent: 2 }
        })
}

fn is_block_collection(y: &Y) -> bool {
    match y {
        Y::Seq { items, flow, .. } => !flow && !items.is_empty(),
        Y::Map { entries, flow, .. } => !flow && !entries.is_empty(),
        _ => false,
    }
}

fn flow(y: &Y) -> String {
    match y {
        Y::Scalar(s) => s.clone(),
        Y::Alias(a) => format!("*{a}"),
        Y::Anchored(a, inner) => format!("&{a} {}", flow(inner)),
        Y::Seq { items, .. } => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Y::Map { entries, .. } => {
            format!("{{{}}}", entries.iter().map(|(k, v)| format!("{k}: {}", flow(v))).collect::<Vec<_>>().join(", "))
        }
        Y::Block { lines, .. } => format!("\"{}\"", lines.join(" ")),
    }
}

/// Writes a block collection with its lines at column `col`.
fn block(y: &Y, col: usize, out: &mut String) {
    let pad = " ".repeat(col);
    match y {
        Y::Map { entries, indent, .. } => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                value(v, col, (*indent).max(1), true, out);
            }
        }
        Y::Seq { items, indent, .. } => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                item_value(item, col, *indent, out);
            }
        }
        _ => {
            out.push_str(&pad);
            out.push_str(&flow(y));
            out.push('\n');
        }
    }
}

/// Writes a value after `key:`; block children go `indent` columns deeper than `col` (a
/// sequence under a key may stay at `col`).
fn value(v: &Y, col: usize, indent: usize, under_key: bool, out: &mut String) {
    match v {
        Y::Anchored(a, inner) if is_block_collection(inner) => {
            out.push_str(&format!(" &{a}\n"));
            child_block(inner, col, indent, under_key, out);
        }
        Y::Block { header, lines } => {
            out.push_str(&format!(" {header}\n"));
            let pad = " ".repeat(col + indent.max(1));
            for l in lines {
                out.push_str(&pad);
                out.push_str(l);
                out.push('\n');
            }
        }
        y if is_block_collection(y) => {
            out.push('\n');
            child_block(y, col, indent, under_key, out);
        }
        y => {
            out.push(' ');
            out.push_str(&flow(y));
            out.push('\n');
        }
    }
}

fn child_block(y: &Y, col: usize, indent: usize, under_key: bool, out: &mut String) {
    let own = match y {
        Y::Seq { indent, .. } if under_key => *indent,
        Y::Seq { indent, .. } | Y::Map { indent, .. } => (*indent).max(1),
        _ => indent,
    };
    block(y, col + own, out);
}

/// Writes a sequence item after its `-` at column `col`: a block collection starts on the same
/// line (`- k: v` / `- - x`), its other lines at `col + 2`.
fn item_value(v: &Y, col: usize, indent: usize, out: &mut String) {
    if is_block_collection(v) {
        let mut inner = String::new();
        block(v, col + 2, &mut inner);
        out.push(' ');
        out.push_str(&inner[col + 2..]);
    } else {
        value(v, col, indent.max(1) + 1, false, out);
    }
}

fn render(root: &Y) -> String {
    let mut out = String::new();
    if is_block_collection(root) {
        block(root, 0, &mut out);
    } else {
        out.push_str(&flow(root));
        out.push('\n');
    }
    out
}

/// Small edits on a rendered text, at positions chosen by `Index`: comments, blank lines,
/// stray characters, indentation changes.
#[derive(Debug, Clone)]
enum Edit {
    InsertLine(Index, &'static str),
    AppendToLine(Index, &'static str),
    InsertChar(Index, char),
    DeleteChar(Index),
    Indent(Index),
    Dedent(Index),
    SwapLines(Index, Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    const LINES: &[&str] = &["", "# c", "  # deep", "   ", "---", "...", "- x", "k: v", "  - y", "#é"];
    const TAILS: &[&str] = &[" # c", " ", "  ", "#x", ":", " :", ",", " - x", " [", "'", "\""];
    const CHARS: &[char] = &[
        ' ', ' ', '\n', ':', '-', '#', '"', '\'', '[', ']', ',', '{', '}', '\\', 'a', '1', '.', 'é', '&', '*', '?', '|',
    ];
    prop_oneof![
        (any::<Index>(), select(LINES)).prop_map(|(i, l)| Edit::InsertLine(i, l)),
        (any::<Index>(), select(TAILS)).prop_map(|(i, t)| Edit::AppendToLine(i, t)),
        (any::<Index>(), select(CHARS)).prop_map(|(i, c)| Edit::InsertChar(i, c)),
        any::<Index>().prop_map(Edit::DeleteChar),
        any::<Index>().prop_map(Edit::Indent),
        any::<Index>().prop_map(Edit::Dedent),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    for e in edits {
        match e {
            Edit::InsertLine(i, l) => {
                let at = i.index(lines.len() + 1);
                lines.insert(at, l.to_string());
            }
            Edit::AppendToLine(i, t) => {
                let at = i.index(lines.len());
                lines[at].push_str(t);
            }
            Edit::InsertChar(i, c) => {
                let joined = lines.join("\n");
                let mut chars: Vec<char> = joined.chars().collect();
                chars.insert(i.index(chars.len() + 1), *c);
                lines = chars.into_iter().collect::<String>().split('\n').map(str::to_string).collect();
            }
            Edit::DeleteChar(i) => {
                let joined = lines.join("\n");
                let mut chars: Vec<char> = joined.chars().collect();
                if !chars.is_empty() {
                    chars.remove(i.index(chars.len()));
                }
                lines = chars.into_iter().collect::<String>().split('\n').map(str::to_string).collect();
            }
            Edit::Indent(i) => {
                let at = i.index(lines.len());
                lines[at].insert(0, ' ');
            }
            Edit::Dedent(i) => {
                let at = i.index(lines.len());
                if lines[at].starts_with(' ') {
                    lines[at].remove(0);
                }
            }
            Edit::SwapLines(a, b) => {
                let n = lines.len();
                lines.swap(a.index(n), b.index(n));
            }
        }
    }
    lines.join("\n")
}

/// A YAML document: a generated tree (mostly a map, as front matter is), some edits.
fn yaml_text(wild: bool) -> impl Strategy<Value = String> {
    let key = if wild { key().boxed() } else { select(KEYS).prop_map(str::to_string).boxed() };
    let root = prop_oneof![
        8 => (prop::collection::vec((key, yaml_node(4, wild)), 0..8), 0..4usize).prop_map(move |(mut entries, indent)| {
            if !wild {
                let mut seen = std::collections::HashSet::new();
                entries.retain(|(k, _)| seen.insert(k.clone()));
            }
            Y::Map { entries, flow: false, indent }
        }),
        2 => deep_node(wild),
        1 => yaml_node(3, wild),
    ];
    let edits = prop_oneof![if wild { 3 } else { 6 } => Just(Vec::new()), 2 => prop::collection::vec(edit(), 1..4)];
    (root, edits).prop_map(|(root, edits)| apply(&render(&root), &edits))
}

// ---------------------------------------------------------------------------------------------
// Generators: TOML, Markdown, CSV, book.toml, line endings.

fn toml_value(depth: u32) -> impl Strategy<Value = String> {
    const VALUES: &[&str] = &[
        "\"text\"",
        "'lit'",
        "\"\"\"multi\nline\"\"\"",
        "12",
        "-3",
        "1_000",
        "0x1F",
        "1.5",
        "1e400",
        "nan",
        "inf",
        "true",
        "false",
        "2024-03-14",
        "2024-03-14T10:00:00Z",
        "2024-03-14 10:00:00",
        "10:00:00",
        "\"2024-03-14 10:00\"",
        "\"2024-02-30\"",
        "\"SEV2\"",
        "\"published\"",
        "\"\\u00e9 😀\"",
        "\"\\q\"",
        "\"ok.csv\"",
        "\"bad.csv\"",
        "{ started = \"2024-01-01 10:00\" }",
        "{ a = 1, a = 2 }",
        "",
        "\"unterminated",
        "99999999999999999999",
    ];
    let leaf = select(VALUES).prop_map(str::to_string);
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((select(KEYS), inner), 0..3).prop_map(|v| {
                let parts: Vec<String> = v.iter().map(|(k, x)| format!("\"{k}\" = {x}")).collect();
                format!("{{ {} }}", parts.join(", "))
            }),
        ]
    })
}

fn deep_toml_array() -> impl Strategy<Value = String> {
    (1..=50usize).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n)))
}

fn toml_text() -> impl Strategy<Value = String> {
    const TABLES: &[&str] = &[
        "[impact]",
        "[impact.slo]",
        "[roles]",
        "[[factors]]",
        "[[actions]]",
        "[[monitoring]]",
        "[x]",
        "[impact",
        "[[]]",
    ];
    let line = prop_oneof![
        6 => (key(), toml_value(3)).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => (select(&["impact.started", "a.b.c", "\"k e\"", "roles.lead"][..]), toml_value(1))
            .prop_map(|(k, v)| format!("{k} = {v}")),
        1 => (select(KEYS), deep_toml_array()).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => select(TABLES).prop_map(str::to_string),
        1 => select(&["", "# comment", "=", "k =", "= v", "k = 1 2", "'", "\"k\" = 1 # c"][..]).prop_map(str::to_string),
    ];
    prop::collection::vec(line, 0..14).prop_map(|lines| lines.join("\n") + "\n")
}

fn markdown_block() -> impl Strategy<Value = String> {
    const HEADINGS: &[&str] = &[
        "Timeline",
        "Timeline (UTC)",
        "Incident timeline",
        "Summary",
        "What happened",
        "Root cause",
        "Contributing factors",
        "Five whys",
        "Action items",
        "Lessons learned",
        "Monitoring",
        "Stakeholder message",
        "Impact",
        "Resolution",
        "2024-03-14: Outage",
        "Timeline 😀",
        "",
        "#",
        "Timeline #",
    ];
    const TIMES: &[&str] = &[
        "10:00",
        "9:05",
        "23:59",
        "25:99",
        "10:00 UTC",
        "10:00 PST",
        "10:00 CEST",
        "10:00 am",
        "12:30 pm",
        "10:00:59",
        "2024-03-14 10:00",
        "2024-02-30 10:00",
        "2024-03-14T10:00:00Z",
        "2024-03-10 02:30 Eastern",
        "10:00 Denver",
        "10:00 UTC+5:30",
        "10:00 UTC+99",
        "Monday 3 March",
        "March 3",
        "14 Mar 2024",
        "~10:00",
        "T+5m",
        "",
    ];
    const SEPS: &[&str] = &[" ", " - ", ": ", " | ", " — ", ", ", " -- "];
    const KINDS: &[&str] = &[
        "",
        "",
        "[started] ",
        "[detected] ",
        "[mitigated] ",
        "[resolved] ",
        "[comms] ",
        "[detectd] ",
        "[] ",
        "[[x]] ",
        "[",
    ];
    const PREFIX: &[&str] = &["- ", "* ", "1. ", "", "**", "| ", "  - ", "### ", "> "];
    const TEXT: &[&str] = &[
        "Deploy starts",
        "alerts fire",
        "On 29 November 2019, we",
        "Oct 15, 2018",
        "`code`",
        "[link](http://x)",
        "[ref]",
        "**bold",
        "😀 é 日本",
        "<b>html</b>",
        "<!-- c -->",
        "a | b",
        "\\",
        "",
    ];
    let heading = (1..=7usize, select(HEADINGS)).prop_map(|(n, h)| format!("{} {h}\n", "#".repeat(n)));
    let entry = (select(PREFIX), select(TIMES), select(SEPS), select(KINDS), select(TEXT))
        .prop_map(|(p, t, s, k, x)| format!("{p}{t}{s}{k}{x}\n"));
    let table = prop::collection::vec((select(TIMES), select(KINDS), select(TEXT)), 0..5).prop_map(|rows| {
        let mut t = String::from("| Time | Event |\n|---|:--|\n");
        for (time, kind, text) in rows {
            t.push_str(&format!("| {time} | {kind}{text} |\n"));
        }
        t
    });
    let other = select(
        &[
            "\n",
            "\n\n",
            "Some paragraph text with a date 2024-03-14.\n",
            "```\n- 10:00 inside a fence\n```\n",
            "```rust\nunclosed fence\n",
            "~~~\nx\n~~~\n",
            "<!--\n- 10:00 hidden\n-->\n",
            "<!-- unclosed\n",
            "Setext title\n===\n",
            "Setext section\n---\n",
            "---\n",
            "+++\n",
            "> quote\n> more\n",
            "[ref]: http://x.example\n",
            "[^1]: footnote\n",
            "<details>\n<summary>x</summary>\n</details>\n",
            "| a |\n",
            "    indented code 10:00\n",
            "- [ ] task\n- [x] done\n",
            "\t- 10:00 tabbed\n",
            "\u{a0}\u{2028}\u{feff}\n",
        ][..],
    )
    .prop_map(str::to_string);
    let nested = (1..=50usize, select(&["> ", "- ", "  ", "1. "][..]))
        .prop_map(|(n, p)| format!("{}- 10:00 [started] deep\n", p.repeat(n)));
    prop_oneof![4 => heading, 6 => entry, 2 => table, 4 => other, 1 => nested]
}

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(markdown_block(), 0..24).prop_map(|b| b.concat())
}

#[derive(Debug, Clone, Copy)]
enum Eol {
    Lf,
    CrLf,
    Cr,
    Mixed(u64),
}

fn eol() -> impl Strategy<Value = Eol> {
    prop_oneof![6 => Just(Eol::Lf), 2 => Just(Eol::CrLf), 1 => Just(Eol::Cr), 1 => any::<u64>().prop_map(Eol::Mixed)]
}

fn with_eol(text: &str, eol: Eol) -> String {
    match eol {
        Eol::Lf => text.to_string(),
        Eol::CrLf => text.replace('\n', "\r\n"),
        Eol::Cr => text.replace('\n', "\r"),
        Eol::Mixed(mut bits) => {
            let mut out = String::with_capacity(text.len() + text.len() / 8);
            for c in text.chars() {
                if c == '\n' {
                    out.push_str(["\n", "\r\n", "\r", "\n"][(bits & 3) as usize]);
                    bits = bits.rotate_right(2);
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

#[derive(Debug, Clone)]
enum Matter {
    None,
    Yaml(String),
    Toml(String),
    /// Opened and never closed.
    Unclosed(String),
}

fn matter() -> impl Strategy<Value = Matter> {
    prop_oneof![
        1 => Just(Matter::None),
        6 => yaml_text(true).prop_map(Matter::Yaml),
        3 => toml_text().prop_map(Matter::Toml),
        1 => yaml_text(true).prop_map(Matter::Unclosed),
    ]
}

/// A whole retro file: optional BOM, front matter, Markdown body, line endings.
fn retro_bytes() -> impl Strategy<Value = Vec<u8>> {
    (any::<bool>(), matter(), select(&["---", "...", "--- ", "+++"][..]), markdown(), eol()).prop_map(
        |(bom, matter, close, body, eol)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            match matter {
                Matter::None => {}
                Matter::Yaml(m) => text.push_str(&format!("---\n{m}{}\n", if close == "+++" { "---" } else { close })),
                Matter::Toml(m) => text.push_str(&format!("+++\n{m}+++\n")),
                Matter::Unclosed(m) => text.push_str(&format!("---\n{m}")),
            }
            text.push_str(&body);
            with_eol(&text, eol).into_bytes()
        },
    )
}

fn csv_text() -> impl Strategy<Value = String> {
    const HEADERS: &[&str] = &["time,value\n", "TIME,Value\n", "", "t,v\n", "time;value\n", "\u{feff}time,value\n"];
    const TIMES: &[&str] = &[
        "2025-03-14T09:00:00Z",
        "2025-03-14T09:00Z",
        "2025-03-14 09:00",
        "2025-03-14 09:00:30",
        "2025-03-14T09:00:00+02:00",
        "2025-03-14T09:00:00-0500",
        "2025-03-09 02:30",
        "2025-11-02 01:30",
        "2025-02-30T10:00:00Z",
        "2025-01-01T24:00Z",
        "\"2025-03-14T09:00:00Z\"",
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "-2025-01-01T00:00:00Z",
        "2025-03-14",
        "10:00",
        "",
        "é",
    ];
    const VALUES: &[&str] =
        &["1", "1.5", "-3", "0", "abc", "", "1e400", "NaN", "inf", "\"2\"", "1,2", "  7 ", "0x10", "1_0", "😀"];
    const SEPS: &[&str] = &[",", ",", ", ", ";", "", "\t"];
    let row = (select(TIMES), select(SEPS), select(VALUES)).prop_map(|(t, s, v)| format!("{t}{s}{v}"));
    let row =
        prop_oneof![8 => row, 1 => select(&["", " ", "#", ",,,", "\"", "time,value"][..]).prop_map(str::to_string)];
    // Half of the files hold only good rows (and blank lines), so that points get read.
    let good = (select(&TIMES[..7]), select(&[",", ", ", " , "][..]), select(&VALUES[..4]), any::<bool>())
        .prop_map(|(t, s, v, blank)| format!("{}{t}{s}{v}", if blank { "\n" } else { "" }));
    let rows = prop_oneof![prop::collection::vec(row, 0..12), prop::collection::vec(good, 1..12)];
    (select(HEADERS), rows, select(&["\n", "\r\n", "\r"][..]))
        .prop_map(|(h, rows, eol)| format!("{h}{}", rows.join("\n")).replace('\n', eol))
}

fn book_toml() -> impl Strategy<Value = String> {
    const TABLES: &[&str] = &[
        "",
        "[book]",
        "[retros]",
        "[retros.required]",
        "[factors.x]",
        "[factors.\"a b\"]",
        "[factors.capacity-headroom]",
        "[lint]",
        "[output]",
        "[output.html]",
        "[output.external]",
        "[nope]",
        "[[book]]",
        "[book",
    ];
    const KEYS: &[&str] = &[
        "title",
        "description",
        "language",
        "dir",
        "severities",
        "timezone",
        "factor-categories",
        "required",
        "five-whys",
        "timeline",
        "category",
        "aliases",
        "blameless",
        "completeness",
        "html",
        "external",
        "severity-labels",
        "site-url",
        "git-repository-url",
        "edit-url-template",
        "allow-raw-html",
        "titel",
        "sevrities",
        "book",
        "retros",
        "\"quoted\"",
        "a.b",
    ];
    const VALUES: &[&str] = &[
        "\"Retros\"",
        "\"\"",
        "\"retros\"",
        "\".\"",
        "\"../x\"",
        "\"/abs\"",
        "[\"SEV1\", \"SEV2\"]",
        "[\"SEV1\", \"SEV1\"]",
        "[]",
        "[1]",
        "[\"\"]",
        "\"UTC\"",
        "\"Europe/Berlin\"",
        "\"America/New_York\"",
        "\"Nowhere/Zone\"",
        "\"\"",
        "true",
        "false",
        "1",
        "-1",
        "1.5",
        "2024-01-01",
        "{ SEV1 = \"Critical\" }",
        "{ five-whys = [\"SEV1\"] }",
        "[\"process\", \"environment\"]",
        "\"/team/retros/\"",
        "\"https://x.example/edit/{path}\"",
        "\"😀 é\"",
        "\"unterminated",
        "",
    ];
    let line = prop_oneof![
        6 => (select(KEYS), select(VALUES)).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => select(TABLES).prop_map(str::to_string),
        1 => select(&["", "# c", "=", "k", "[[", "]]"][..]).prop_map(str::to_string),
    ];
    let wild = prop::collection::vec(line, 0..16);
    // Known tables with keys of the right type, so that more configurations parse.
    const GOOD: &[&str] = &[
        "[book]\ntitle = \"Retros 😀\"\nlanguage = \"en\"",
        "[retros]\ndir = \"retros\"\nseverities = [\"P1\", \"SEV1\"]\ntimezone = \"Asia/Kolkata\"",
        "[retros.required]\nfive-whys = [\"SEV1\"]",
        "[factors.capacity-headroom]\ntitle = \"Capacity\"\ncategory = \"environment\"\naliases = [\"capacity\"]",
        "[lint]\nblameless = false",
        "[output.html]\nsite-url = \"/team/retros/\"\nallow-raw-html = true",
        "[output.external]\ntitle = \"Status\"",
        "# a comment",
    ];
    let good = prop::sample::subsequence(GOOD, 0..=GOOD.len()).prop_map(|t| t.join("\n"));
    (prop_oneof![wild.prop_map(|l| l.join("\n")), good], eol()).prop_map(|(text, eol)| with_eol(&(text + "\n"), eol))
}

/// Interesting pieces, concatenated at random: a "dictionary" for byte-level fuzzing.
fn piece_soup() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&str] = &[
        "---\n",
        "+++\n",
        "...\n",
        ": ",
        "\n",
        "\n- ",
        "  ",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        "#",
        ",",
        "## Timeline\n",
        "| 10:00 | x |\n",
        "- 10:00 [started] ",
        "25:99",
        "é",
        "—",
        "🔥",
        "\r\n",
        "\r",
        "\u{feff}",
        "\t",
        "id: a\n",
        "date: ",
        "2025-02-30",
        "impact:\n  started: ",
        "factors:\n  - id: ",
        "&a ",
        "*a",
        "!!binary ",
        "|\n",
        ">\n",
        "? ",
        "%YAML 1.2\n",
        "\\",
        "<!--",
        "-->",
        "```\n",
        "= ",
        "[impact]\n",
        "[[actions]]\n",
        "time,value\n",
        "\u{2028}",
        "\u{85}",
    ];
    prop::collection::vec(select(PIECES), 0..60).prop_map(|p| p.concat().into_bytes())
}

/// Arbitrary bytes, sometimes starting like front matter so that more of the loader runs.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    (select(&["", "---\n", "+++\n", "# T\n"][..]), prop::collection::vec(any::<u8>(), 0..1500)).prop_map(
        |(start, mut bytes)| {
            bytes.splice(0..0, start.bytes());
            bytes
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn default_config() -> Arc<Config> {
    Arc::new(Config::default())
}

/// Whole retros: YAML or TOML front matter (or none, or unclosed), Markdown with sections,
/// tables and timeline lines, BOM and every kind of line end.
#[test]
fn retros_load_without_panic_in_time_with_valid_positions() {
    let s = scratch();
    let config = default_config();
    let reach = Reach::default();
    run("retros", 1000, retro_bytes(), |bytes| reach.add(check_retro(bytes, config.clone(), &s.retro)));
    reach.at_least("retros", &reach.matter_read, "had front matter read without a syntax error", 10);
    reach.at_least("retros", &reach.timeline, "had timeline entries", 5);
}

/// Front matter alone (YAML, then TOML) above a fixed body: more of the cases reach the reader
/// of typed values.
#[test]
fn front_matter_alone() {
    let s = scratch();
    let config = default_config();
    let strategy = prop_oneof![
        2 => prop_oneof![yaml_text(true), yaml_text(false)].prop_map(|m| format!("---\n{m}\n---\n# T\n")),
        1 => toml_text().prop_map(|m| format!("+++\n{m}+++\n# T\n")),
    ];
    let reach = Reach::default();
    run("front matter", 1000, strategy, |text| reach.add(check_retro(text.into_bytes(), config.clone(), &s.retro)));
    reach.at_least("front matter", &reach.matter_read, "were read without a syntax error", 25);
}

/// Bodies only: sections and timelines under a minimal valid front matter.
#[test]
fn sections_and_timelines() {
    let s = scratch();
    let config = Arc::new(Config::parse("[retros]\ntimezone = \"America/New_York\"\n").expect("valid book.toml"));
    let strategy = (select(&["", "date: 2024-03-14\n", "date: 2024-03-10\n"][..]), markdown(), eol()).prop_map(
        |(date, body, eol)| {
            with_eol(&format!("---\nid: a\ntitle: T\n{date}severity: SEV1\n---\n## Timeline\n{body}"), eol).into_bytes()
        },
    );
    let reach = Reach::default();
    run("sections and timelines", 1000, strategy, |bytes| reach.add(check_retro(bytes, config.clone(), &s.retro)));
    reach.at_least("sections and timelines", &reach.timeline, "had timeline entries", 25);
}

/// Monitoring CSVs: parsed directly (the reported line is inside the CSV), and read by a retro
/// that names them.
#[test]
fn monitoring_csv() {
    let s = scratch();
    let config = default_config();
    let csv_path = s.retro.with_file_name("series.csv");
    let retro = "---\nid: a\ntitle: T\ndate: 2025-03-14\nseverity: SEV1\nmonitoring:\n  - metric: m\n    \
                 data: series.csv\n    baseline: series.csv\n---\n# T\n";
    let reach = Reach::default();
    run("monitoring csv", 1000, (csv_text(), any::<bool>()), |(csv, new_york)| {
        let tz = if new_york {
            jiff::tz::TimeZone::get("America/New_York").expect("bundled zone")
        } else {
            jiff::tz::TimeZone::UTC
        };
        let text = csv.clone();
        let parsed = guarded(move || monitoring::parse_csv(&text, &tz))?;
        if let Err((line, message)) = parsed {
            let lines = Lines::new(&csv);
            prop_assert!(line >= 1 && line <= lines.count() + 1, "line {line} ({message}) outside the CSV");
        }
        std::fs::write(&csv_path, &csv).expect("write the CSV");
        reach.add(check_retro(retro.as_bytes().to_vec(), config.clone(), &s.retro))
    });
    reach.at_least("monitoring csv", &reach.series, "read points from the CSV", 10);
}

/// book.toml: errors at valid positions; a configuration that parses is then used to load a retro.
#[test]
fn book_toml_parses_without_panic() {
    let s = scratch();
    let retro = "---\nid: a\ntitle: T\ndate: 2024-03-14\nseverity: SEV1\nimpact:\n  started: 2024-03-10 02:30\n---\n\
                 ## Timeline\n- 10:00 [started] x\n";
    let reach = Reach::default();
    run("book.toml", 1000, book_toml(), |text| {
        let parsed = load_book_toml(&s, &text)?;
        match parsed {
            Err(diags) => {
                reach.add(Ok(Outcome::default()))?;
                check_positions(text.as_bytes(), &diags)
            }
            Ok(config) => reach.add(check_retro(retro.as_bytes().to_vec(), Arc::new(config), &s.retro)),
        }
    });
    reach.at_least("book.toml", &reach.matter_read, "parsed and loaded a retro", 10);
}

/// Random bytes and random sequences of meaningful pieces, into every entry point.
#[test]
fn raw_bytes_into_every_entry_point() {
    let s = scratch();
    let config = default_config();
    let strategy = prop_oneof![raw_bytes(), piece_soup()];
    run("raw bytes", 1000, strategy, |bytes| {
        check_retro(bytes.clone(), config.clone(), &s.retro)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(diags) = load_book_toml(&s, &text)? {
            check_positions(text.as_bytes(), &diags)?;
        }
        let input = text.clone();
        let _ = guarded(move || monitoring::parse_csv(&input, &jiff::tz::TimeZone::UTC))?;
        differential(&text).map(drop)
    });
}

// ---------------------------------------------------------------------------------------------
// Differential: the YAML fast path against yaml-rust2.

/// The fast path declines, or gives exactly yaml-rust2's tree; neither panics nor hangs.
/// Ok(true) when the fast path gave a tree.
fn differential(text: &str) -> Result<bool, TestCaseError> {
    const FIRST_LINE: u32 = 2;
    let input = text.to_string();
    let Some(fast) = guarded(move || fastyaml::parse(&input, FIRST_LINE))? else { return Ok(false) };
    let input = text.to_string();
    let reference: Result<Node, SyntaxError> = guarded(move || value::parse_yaml_reference(&input, FIRST_LINE))?;
    prop_assert_eq!(reference, Ok(fast), "the fast path and yaml-rust2 disagree");
    Ok(true)
}

#[test]
fn yaml_fast_path_agrees_with_yaml_rust2() {
    let (fast, total) = (AtomicUsize::new(0), AtomicUsize::new(0));
    run("yaml differential", 3000, prop_oneof![yaml_text(false), yaml_text(true)], |text| {
        total.fetch_add(1, Ordering::Relaxed);
        if differential(&text)? {
            fast.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    let (fast, total) = (fast.into_inner(), total.into_inner());
    eprintln!("yaml differential: {fast} of {total} documents took the fast path");
    // Not a vacuous comparison: a good share of the generated documents is in the fast subset.
    assert!(fast * 100 >= total * 15, "too few generated documents exercise the fast path: {fast}/{total}");
}

// ---------------------------------------------------------------------------------------------
// The harness itself: a panic, a hang and a bad position are each reported.

#[test]
fn harness_reports_panics_hangs_and_bad_positions() {
    let err = |r: Result<(), TestCaseError>| match r {
        Err(TestCaseError::Fail(why)) => why.message().to_string(),
        other => panic!("expected a failure, got {other:?}"),
    };
    let why = err(guarded_for(Duration::from_secs(5), || panic!("boom {}", 42)));
    assert!(why.contains("boom 42") && why.contains("tests/suite/fuzz.rs:"), "{why}");
    let why = err(guarded_for(Duration::from_millis(50), || std::thread::sleep(Duration::from_secs(1))));
    assert!(why.contains("no answer within 50ms"), "{why}");
    assert_eq!(guarded_for(Duration::from_secs(5), || 7).ok(), Some(7));

    let lines = Lines::new("\u{feff}ab\ncé\r\nx\ry");
    assert!(lines.check(1, 3).is_ok(), "one past the end of `ab` (the BOM is not a column)");
    assert!(lines.check(1, 4).is_err());
    assert!(lines.check(2, 4).is_ok(), "`cé` + CR read as one line");
    assert!(lines.check(4, 2).is_ok(), "`y` after a lone CR is line 4 for an old Mac file");
    assert!(lines.check(5, 1).is_ok() && lines.check(6, 1).is_err() && lines.check(0, 1).is_err());
    assert!(lines.check(1, 0).is_err());
}
