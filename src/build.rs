//! `build`: load → check → render → search → write, atomically, with timings per phase.

use crate::diagnostic::{Diagnostic, Level};
use crate::model::Book;
use crate::render::{self, OutputFile, RenderOptions, theme::Theme};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of a build.
pub struct BuildOptions {
    pub dest: PathBuf,
    pub today: Option<Date>,
    pub search: bool,
}

/// What a build did, for the summary line and `-v`.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub retros: usize,
    pub pages: usize,
    pub files: usize,
    pub search_records: usize,
    pub phases: Vec<(&'static str, Duration)>,
    pub warnings: Vec<Diagnostic>,
}

/// Why a build failed: diagnostics of the book, or a message.
#[derive(Debug)]
pub enum BuildError {
    Book(Vec<Diagnostic>),
    Other(String),
}

/// Builds the site of the book at `root` into `opts.dest`. A failure leaves `dest` untouched.
pub fn build(root: &Path, opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let mut report = BuildReport::default();
    let mut phase = Phase::new();
    let loaded = crate::load::load_book(root).map_err(BuildError::Book)?;
    let book = loaded.book;
    let mut diags = loaded.diagnostics;
    phase.end("load", &mut report);
    diags.extend(crate::check::check_book(&book));
    crate::diagnostic::sort(&mut diags);
    phase.end("analyze", &mut report);
    if diags.iter().any(|d| d.level == Level::Error) {
        return Err(BuildError::Book(diags));
    }
    report.warnings = diags;
    report.retros = book.retros.len();
    let today = crate::analyze::today(opts.today, &book);
    let files = render_files(root, &book, today, opts.search, &mut report, &mut phase)?;
    let records = if opts.search { render::records::records(&book) } else { Vec::new() };
    report.search_records = records.len();
    let cache = cache_dir(&opts.dest);
    let mut search_time = Duration::ZERO;
    write_atomically(&opts.dest, &files, |tmp| {
        if opts.search {
            let t = Instant::now();
            crate::search::build_search(&records, &tmp.join("pagefind"), Some(&cache))
                .map_err(std::io::Error::other)?;
            search_time = t.elapsed();
        }
        Ok(())
    })
    .map_err(|e| BuildError::Other(format!("cannot write {}: {e}", opts.dest.display())))?;
    phase.end("write", &mut report);
    if opts.search {
        // The search index is written inside the write phase; report it as a phase of its own.
        if let Some(w) = report.phases.last_mut() {
            w.1 = w.1.saturating_sub(search_time);
        }
        report.phases.insert(report.phases.len() - 1, ("search", search_time));
    }
    Ok(report)
}

fn render_files(
    root: &Path,
    book: &Book,
    today: Date,
    search: bool,
    report: &mut BuildReport,
    phase: &mut Phase,
) -> Result<Vec<OutputFile>, BuildError> {
    let theme = Theme::load(root).map_err(|e| BuildError::Other(format!("cannot read the theme: {e}")))?;
    let files = render::render_site(book, &theme, &RenderOptions { today, search })
        .map_err(|errs| BuildError::Other(errs.join("\n")))?;
    report.pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    report.files = files.len();
    phase.end("render", report);
    Ok(files)
}

struct Phase(Instant);

impl Phase {
    fn new() -> Self {
        Phase(Instant::now())
    }
    fn end(&mut self, name: &'static str, report: &mut BuildReport) {
        report.phases.push((name, self.0.elapsed()));
        self.0 = Instant::now();
    }
}

/// Where unchanged search shards are kept between builds: a hidden folder beside the site.
pub fn cache_dir(dest: &Path) -> PathBuf {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    parent.join(format!(".{name}-cache")).join("search")
}

/// Writes `files` into a fresh folder beside `dest`, lets `finish` add to it, then swaps it in.
/// Until the swap, the old site is untouched; a failure removes the half-written folder.
pub fn write_atomically(
    dest: &Path,
    files: &[OutputFile],
    finish: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = write_all(&tmp, files).and_then(|()| finish(&tmp));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let had_old = dest.exists();
    if had_old {
        std::fs::rename(dest, &old)?;
    }
    if let Err(e) = std::fs::rename(&tmp, dest) {
        if had_old {
            let _ = std::fs::rename(&old, dest);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

fn write_all(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    use rayon::prelude::*;
    std::fs::create_dir_all(dir)?;
    let mut dirs: Vec<PathBuf> =
        files.iter().filter_map(|f| dir.join(&f.path).parent().map(Path::to_path_buf)).collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d)?;
    }
    files.par_iter().try_for_each(|f| {
        if crate::check::escapes_root(&f.path) {
            return Err(std::io::Error::other(format!("refusing to write outside the site: {}", f.path)));
        }
        std::fs::write(dir.join(&f.path), &f.bytes)
    })
}
