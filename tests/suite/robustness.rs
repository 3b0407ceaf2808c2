//! Whatever the input, loading and checking never panic: mutated copies of real retros,
//! truncations at every kind of boundary, and random bytes.

use retrobook::config::Config;
use retrobook::load::load_retro;
use std::path::Path;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n.max(1)
    }
}

const PIECES: &[&str] = &[
    "---\n",
    "+++\n",
    ": ",
    "\n- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "## Timeline\n",
    "| 10:00 | x |\n",
    "- 25:99 [",
    "é",
    "—",
    "🔥",
    "\r\n",
    "\u{feff}",
    "\0",
    "impact:\n  started: ",
    "2025-02-30",
    "factors:\n  - id: ",
    "&a",
    "*",
    "!!binary",
    "- 10:00 am ",
];

fn mutate(text: &str, rng: &mut Lcg) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            1 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => bytes.truncate(at),
            _ => {
                if at < bytes.len() {
                    bytes[at] = rng.next() as u8;
                }
            }
        }
    }
    bytes
}

#[test]
fn mutated_retros_never_panic() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(repo).unwrap();
    let sources: Vec<String> = retrobook::load::discover(&repo.join("retros"))
        .iter()
        .chain(retrobook::load::discover(&repo.join("tests/fixtures/clean/retros")).iter())
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(sources.len() > 10);
    let mut rng = Lcg(42);
    for i in 0..3000 {
        let src = &sources[i % sources.len()];
        let bytes = mutate(src, &mut rng);
        let (retros, _diags) = load_retro(&bytes, "retros/x.md", Path::new("retros/x.md"), &config);
        for r in retros {
            let book = retrobook::model::Book {
                root: repo.to_path_buf(),
                config: config.clone(),
                retros: vec![r],
                history: Default::default(),
                trackers: Default::default(),
            };
            let _ = retrobook::check::check_book(&book);
            let _ = retrobook::export::export(&book, jiff::civil::date(2026, 1, 1));
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let config = Config::default();
    let mut rng = Lcg(7);
    for _ in 0..2000 {
        let len = rng.below(400);
        let bytes: Vec<u8> =
            (0..len).map(|_| PIECES[rng.below(PIECES.len())].as_bytes()[0] ^ (rng.next() as u8 & 1)).collect();
        let _ = load_retro(&bytes, "x.md", Path::new("x.md"), &config);
    }
}
