//! The phases the bench times, and what each does outside its timing.
//!
//! Every phase writes into a folder of its own under the bench's output folder, which is deleted
//! before each timed run, outside the timing — except `build-cached`, which keeps the cache folder
//! beside its site, and the warm phases, whose point is the previous site and its cache.

use crate::hugo;
use anyhow::{Context, anyhow};
use rayon::prelude::*;
use retrobook::build::{Audience, BuildOptions};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Every phase, in the order they run by default.
pub(crate) const ALL: &[&str] =
    &["floor", "load", "render", "check", "build-no-search", "build", "build-cached", "warm-no-search", "warm", "hugo"];

/// What the phases share: the book, where they write, and what was prepared once.
pub(crate) struct Ctx {
    /// The book's folder.
    pub(crate) book: PathBuf,
    /// The book's retros folder (from book.toml).
    pub(crate) retros: PathBuf,
    /// The bench's own output folder; removed at the end.
    pub(crate) out: PathBuf,
    /// A copy of the book that the warm phases may edit (the book itself is never written).
    book_copy: Option<PathBuf>,
}

impl Ctx {
    /// The context of a run on `book`, writing under `out`.
    pub(crate) fn new(book: PathBuf, out: PathBuf) -> anyhow::Result<Ctx> {
        let config = retrobook::config::Config::load(&book).map_err(|d| diagnostics_error(&book, &d))?;
        let retros = book.join(&config.retros.dir);
        Ok(Ctx { book, retros, out, book_copy: None })
    }
}

/// What measuring a phase gave.
pub(crate) enum Outcome {
    /// The time of each run.
    Times(Vec<Duration>),
    /// The phase could not run here, and why ("not installed").
    Skipped(String),
}

/// The date builds count from, so that runs do the same work whatever the day.
fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 28)
}

/// Runs `phase` `runs` times; `timed_start` is called once, right before the first timed run (the
/// caller resets its peak-memory figure there, so one-off preparation is not counted).
pub(crate) fn measure(phase: &str, ctx: &mut Ctx, runs: usize, timed_start: &dyn Fn()) -> anyhow::Result<Outcome> {
    let dir = ctx.out.join(phase);
    let mut times = Vec::with_capacity(runs);
    match phase {
        "floor" => {
            timed_start();
            for _ in 0..runs {
                hugo::remove_dir(&dir)?;
                times.push(timed(|| floor(&ctx.retros, &dir))?);
            }
        }
        "load" | "render" | "check" => {
            timed_start();
            for _ in 0..runs {
                times.push(timed(|| in_memory(phase, &ctx.book))?);
            }
        }
        "build-no-search" | "build" => {
            timed_start();
            for _ in 0..runs {
                // Cold: no site, no cache beside it.
                hugo::remove_dir(&dir)?;
                times.push(timed(|| build(&ctx.book, &dir.join("site"), phase == "build"))?);
            }
        }
        "build-cached" => {
            // The cache of a previous build of the same book, made once outside the timing.
            hugo::remove_dir(&dir)?;
            build(&ctx.book, &dir.join("site"), true)?;
            timed_start();
            for _ in 0..runs {
                hugo::remove_dir(&dir.join("site"))?;
                times.push(timed(|| build(&ctx.book, &dir.join("site"), true))?);
            }
        }
        "warm" | "warm-no-search" => {
            let book = ctx.editable_book()?;
            times = warm(&book, &dir, phase == "warm", runs, timed_start)?;
        }
        "hugo" => {
            if hugo::version().is_none() {
                return Ok(Outcome::Skipped("not installed".into()));
            }
            hugo::remove_dir(&dir)?;
            let files = retrobook::load::discover(&ctx.retros);
            let site = hugo::lay_out(&dir, &files, &page_names(&files))?;
            timed_start();
            for _ in 0..runs {
                times.push(hugo::run(&site)?);
            }
            hugo::check_pages(&site)?;
        }
        other => return Err(anyhow!("unknown phase `{other}`; the phases are {}", ALL.join(", "))),
    }
    hugo::remove_dir(&dir)?;
    Ok(Outcome::Times(times))
}

impl Ctx {
    /// The copy of the book under the output folder, made on first use (not timed).
    fn editable_book(&mut self) -> anyhow::Result<PathBuf> {
        if let Some(copy) = &self.book_copy {
            return Ok(copy.clone());
        }
        let copy = self.out.join("book");
        copy_tree(&self.book, &copy)?;
        self.book_copy = Some(copy.clone());
        Ok(copy)
    }
}

/// Times `f`; what it returns is dropped after the clock stops (a command exits instead of
/// freeing).
fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let result = f()?;
    let elapsed = t.elapsed();
    drop(result);
    Ok(elapsed)
}

/// The floor: read every retro, render its Markdown with pulldown-cmark and write it to
/// `<name>/index.html` (a folder per page, as pretty URLs need) in a fresh folder, in parallel
/// like a build. The least any static-site generator must do.
fn floor(retros: &Path, out: &Path) -> anyhow::Result<()> {
    let files = retrobook::load::discover(retros);
    let names = page_names(&files);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    files.par_iter().zip(&names).try_for_each(|(path, name)| -> anyhow::Result<()> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut html = String::with_capacity(text.len() * 2);
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
        let page = out.join(name);
        std::fs::create_dir(&page).with_context(|| format!("cannot create {}", page.display()))?;
        std::fs::write(page.join("index.html"), html).with_context(|| format!("cannot write into {}", page.display()))
    })
}

/// A folder name per retro file: its stem (the folder's name for `index.md` or `README.md` of a
/// folder retro), with `-2`, `-3`… added to a name already taken.
pub(crate) fn page_names(files: &[PathBuf]) -> Vec<String> {
    let mut taken = HashSet::with_capacity(files.len());
    files
        .iter()
        .map(|f| {
            let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let base = if ["index", "readme"].contains(&stem.to_ascii_lowercase().as_str()) {
                f.parent().and_then(Path::file_name).map_or(stem, |n| n.to_string_lossy().into_owned())
            } else {
                stem
            };
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            name
        })
        .collect()
}

/// Loads the book, then renders it in memory or checks it (no writing).
fn in_memory(phase: &str, book: &Path) -> anyhow::Result<Box<dyn std::any::Any>> {
    let loaded = retrobook::load::load_book(book).map_err(|d| diagnostics_error(book, &d))?;
    match phase {
        "render" => {
            let theme = retrobook::render::theme::Theme::load(book).context("cannot read the theme")?;
            let opts = retrobook::render::RenderOptions { today: today(), search: false };
            let files = retrobook::render::render_site(&loaded.book, &theme, &opts)?;
            Ok(Box::new((loaded, files)))
        }
        "check" => {
            let diags = retrobook::check::check_book(&loaded.book);
            Ok(Box::new((loaded, diags)))
        }
        _ => Ok(Box::new(loaded)),
    }
}

/// `retrobook::build::build` of `book` into `dest`, as `retrobook build --today 2026-11-28`.
fn build(book: &Path, dest: &Path, search: bool) -> anyhow::Result<retrobook::build::BuildReport> {
    let opts = BuildOptions { dest: dest.to_path_buf(), today: Some(today()), search, audience: Audience::Internal };
    retrobook::build::build(book, &opts).map_err(|e| match e {
        retrobook::build::BuildError::Book { diagnostics, .. } => diagnostics_error(book, &diagnostics),
        retrobook::build::BuildError::Destination(e) | retrobook::build::BuildError::Failed(e) => e,
    })
}

/// A build after a one-retro change, on top of the previous site and its cache: one build outside
/// the timing, then per run a new sentence appended to the middle retro (not timed) and a timed
/// build. The retro is restored at the end, whatever happened.
fn warm(book: &Path, dir: &Path, search: bool, runs: usize, timed_start: &dyn Fn()) -> anyhow::Result<Vec<Duration>> {
    hugo::remove_dir(dir)?;
    let site = dir.join("site");
    build(book, &site, search)?;
    let edited = Edit::middle_retro(book)?;
    timed_start();
    let mut times = Vec::with_capacity(runs);
    for run in 1..=runs {
        edited.append(run)?;
        times.push(timed(|| build(book, &site, search))?);
    }
    edited.restore()?;
    Ok(times)
}

/// The retro file the warm phases change, and its text before the change.
struct Edit {
    path: PathBuf,
    original: Vec<u8>,
}

impl Edit {
    /// The middle one of the book's retro files (in discovery order).
    fn middle_retro(book: &Path) -> anyhow::Result<Edit> {
        let config = retrobook::config::Config::load(book).map_err(|d| diagnostics_error(book, &d))?;
        let files = retrobook::load::discover(&book.join(&config.retros.dir));
        let path = files.get(files.len() / 2).cloned().ok_or_else(|| anyhow!("{} has no retros", book.display()))?;
        let original = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Edit { path, original })
    }

    /// Writes the original text plus a paragraph naming `run`, so each run changes the retro
    /// against the previous build.
    fn append(&self, run: usize) -> anyhow::Result<()> {
        let mut text = self.original.clone();
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        text.extend_from_slice(
            format!("\nThe team reread this retro during review round {run} and found nothing to add.\n").as_bytes(),
        );
        std::fs::write(&self.path, text).with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Puts the original text back.
    fn restore(&self) -> anyhow::Result<()> {
        std::fs::write(&self.path, &self.original).with_context(|| format!("cannot restore {}", self.path.display()))
    }
}

impl Drop for Edit {
    fn drop(&mut self) {
        // After an error too; a second write of the same bytes is harmless.
        let _ = std::fs::write(&self.path, &self.original);
    }
}

/// Copies the folder `from` to `to` (which must not exist), files and subfolders.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let rel = entry.path().strip_prefix(from).context("walkdir left the folder")?;
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).with_context(|| format!("cannot create {}", target.display()))?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The book's diagnostics as one error: `file:line:column: message` per line.
fn diagnostics_error(book: &Path, diags: &[retrobook::diagnostic::Diagnostic]) -> anyhow::Error {
    let lines: Vec<String> =
        diags.iter().map(|d| format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message)).collect();
    anyhow!("the book {} has errors:\n{}", book.display(), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_are_stems_made_unique() {
        let files: Vec<PathBuf> = ["r/2024/a.md", "r/2025/a.md", "r/2025/b.markdown", "r/c/index.md", "r/2026/a.md"]
            .map(PathBuf::from)
            .into();
        assert_eq!(page_names(&files), ["a", "a-2", "b", "c", "a-3"]);
    }

    #[test]
    fn the_floor_writes_a_folder_per_page() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let retros = tmp.path().join("retros");
        std::fs::create_dir_all(retros.join("2024")).expect("mkdir");
        std::fs::write(retros.join("2024/one.md"), "# One\n\nText *here*.\n").expect("write");
        std::fs::write(retros.join("two.md"), "# Two\n").expect("write");
        let out = tmp.path().join("floor");
        floor(&retros, &out).expect("floor");
        let one = std::fs::read_to_string(out.join("one/index.html")).expect("one");
        assert_eq!(one, "<h1>One</h1>\n<p>Text <em>here</em>.</p>\n");
        assert!(out.join("two/index.html").is_file());
        // The old copy must be gone first: the floor refuses to write over a page.
        assert!(floor(&retros, &out).is_err());
    }

    #[test]
    fn an_edit_changes_the_retro_each_run_and_is_undone() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let book = tmp.path();
        std::fs::write(book.join("book.toml"), "[book]\ntitle = \"T\"\n").expect("book.toml");
        std::fs::create_dir_all(book.join("retros")).expect("mkdir");
        for name in ["a", "b", "c"] {
            std::fs::write(book.join(format!("retros/{name}.md")), format!("# {name}\n\nBody {name}.")).expect("write");
        }
        let edit = Edit::middle_retro(book).expect("edit");
        assert!(edit.path.ends_with("b.md"), "{}", edit.path.display());
        edit.append(1).expect("append 1");
        let first = std::fs::read_to_string(&edit.path).expect("read");
        assert!(first.starts_with("# b\n\nBody b.\n\n") && first.contains("round 1"), "{first}");
        edit.append(2).expect("append 2");
        let second = std::fs::read_to_string(&edit.path).expect("read");
        assert!(second.contains("round 2") && !second.contains("round 1"), "{second}");
        drop(edit);
        assert_eq!(std::fs::read_to_string(book.join("retros/b.md")).expect("read"), "# b\n\nBody b.");
    }

    #[test]
    fn copy_tree_copies_files_and_folders() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let from = tmp.path().join("from");
        std::fs::create_dir_all(from.join("x/y")).expect("mkdir");
        std::fs::write(from.join("x/y/f.md"), "f").expect("write");
        std::fs::write(from.join("g"), "g").expect("write");
        let to = tmp.path().join("to");
        copy_tree(&from, &to).expect("copy");
        assert_eq!(std::fs::read_to_string(to.join("x/y/f.md")).expect("f"), "f");
        assert_eq!(std::fs::read_to_string(to.join("g")).expect("g"), "g");
    }
}
