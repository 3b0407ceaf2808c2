//! `build`: load → check → render → search → write, atomically, with timings per phase.

use crate::diagnostic::{Diagnostic, Level};
use crate::render::{self, OutputFile, RenderOptions, theme::Theme};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of a build.
pub struct BuildOptions {
    pub dest: PathBuf,
    pub today: Option<Date>,
    pub search: bool,
    pub audience: Audience,
}

/// Who the site is for (`build --audience`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Audience {
    /// The whole book, for the organisation
    #[default]
    Internal,
    /// Customer-facing incident history: published retros marked `external: true`, public fields only
    External,
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
    let mut book = loaded.book;
    crate::cmd::attach_history(&mut book);
    let mut diags = loaded.diagnostics;
    phase.end("load", &mut report);
    diags.extend(crate::check::check_book(&book));
    crate::diagnostic::sort(&mut diags);
    phase.end("analyze", &mut report);
    if diags.iter().any(|d| d.level == Level::Error) {
        diags.retain(|d| d.level != Level::Note);
        return Err(BuildError::Book(diags));
    }
    // Completeness suggestions are for `check`; a build reports warnings and errors only.
    report.warnings = diags.into_iter().filter(|d| d.level != Level::Note).collect();
    report.retros = book.retros.len();
    let today = crate::analyze::today(opts.today, &book);
    let theme = Theme::load(root).map_err(|e| BuildError::Other(format!("cannot read the theme: {e}")))?;
    // The public site is rendered from the projection alone (src/public.rs): the renderer and
    // the search index below never see a `Retro`.
    let public = match opts.audience {
        Audience::Internal => None,
        Audience::External => Some((
            crate::public::site(&book.config),
            book.retros.iter().filter_map(|r| crate::public::project(r, &book.config)).collect::<Vec<_>>(),
        )),
    };
    let records = match (&public, opts.search) {
        (_, false) => Vec::new(),
        (None, true) => render::records::records(&book),
        (Some((site, retros)), true) => render::external::records(site, retros),
    };
    if let Some((_, retros)) = &public {
        report.retros = retros.len();
    }
    report.search_records = records.len();
    let cache = cache_dir(&opts.dest);
    let mut render_error = None;
    let mut timings = (Duration::ZERO, Duration::ZERO, 0usize, 0usize);
    swap_in(&opts.dest, |tmp| {
        let t = Instant::now();
        let files = std::sync::atomic::AtomicUsize::new(0);
        // Pages go to disk as soon as they are rendered: the site is never all in memory.
        let sink = |f: OutputFile| -> Result<(), String> {
            files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            write_file(tmp, &f).map_err(|e| format!("{}: {e}", f.path))
        };
        let rendered = match &public {
            None => render::render_site_to(&book, &theme, &RenderOptions { today, search: opts.search }, &sink),
            Some((site, retros)) => render::external::render_external(site, retros, &theme, opts.search, &sink),
        };
        match rendered {
            Ok(pages) => timings.2 = pages,
            Err(errs) => {
                render_error = Some(errs.join("\n"));
                return Err(std::io::Error::other("rendering failed"));
            }
        }
        timings.3 = files.load(std::sync::atomic::Ordering::Relaxed);
        timings.0 = t.elapsed();
        if opts.search {
            let t = Instant::now();
            crate::search::build_search(&records, &tmp.join("pagefind"), Some(&cache))
                .map_err(std::io::Error::other)?;
            timings.1 = t.elapsed();
        }
        Ok(())
    })
    .map_err(|e| match render_error.take() {
        Some(msg) => BuildError::Other(msg),
        None => BuildError::Other(format!("cannot write {}: {e}", opts.dest.display())),
    })?;
    report.pages = timings.2;
    report.files = timings.3;
    phase.end("write", &mut report);
    // Pages are written while they render, and the search index inside the same folder: report
    // both phases on their own, and "write" for what is left (swapping the new site in).
    let total = report.phases.pop().map_or(Duration::ZERO, |(_, d)| d);
    report.phases.push(("render", timings.0));
    if opts.search {
        report.phases.push(("search", timings.1));
    }
    report.phases.push(("write", total.saturating_sub(timings.0 + timings.1)));
    Ok(report)
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
    swap_in(dest, |tmp| write_all(tmp, files).and_then(|()| finish(tmp)))
}

/// Lets `fill` write a fresh folder beside `dest`, then swaps it in. Until the swap, the old site
/// is untouched; a failure removes the half-written folder.
pub fn swap_in(dest: &Path, fill: impl FnOnce(&Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let written = fill(&tmp);
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
    files.par_iter().try_for_each(|f| write_file(dir, f))
}

/// Writes one file of the site under `dir`, creating its folder.
fn write_file(dir: &Path, f: &OutputFile) -> std::io::Result<()> {
    if crate::check::escapes_root(&f.path) {
        return Err(std::io::Error::other(format!("refusing to write outside the site: {}", f.path)));
    }
    let path = dir.join(&f.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, &f.bytes)
}
