//! `build`: load → check → search index and render (side by side) → write, atomically, with timings per phase. Retro
//! pages whose inputs did not change since the last build are taken from it (see [`pages`]).

mod findings;
mod pages;

use crate::diagnostic::{Diagnostic, Level};
use crate::render::{self, OutputFile, RenderOptions, theme::Theme};
use crate::text::SITE_MARKER;
use anyhow::{Context, anyhow};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of a build.
pub struct BuildOptions {
    /// Where the site goes (as given; the binary joins a relative one to the book); replaced whole,
    /// and refused when it is not safe to replace.
    pub dest: PathBuf,
    /// The day overdue actions and ages are counted from; None means the real today.
    pub today: Option<Date>,
    /// Build the search index.
    pub search: bool,
    /// The internal book or the customer-facing history.
    pub audience: Audience,
}

/// Who the site is for (`build --audience`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Audience {
    /// The whole book, for the organisation.
    #[default]
    Internal,
    /// Customer-facing incident history: published retros marked `external: true`, public fields only.
    External,
}

/// What a build did, for the summary line and `-v`.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Retros in the built site (for the external audience, the published external ones).
    pub retros: usize,
    /// HTML pages written.
    pub pages: usize,
    /// Files the renderer wrote (pages, sitemap, feed, assets; not the search index).
    pub files: usize,
    /// Records given to the search index (0 without search).
    pub search_records: usize,
    /// Wall time of each phase (load, analyze, render, search, write), in order.
    pub phases: Vec<(&'static str, Duration)>,
    /// The book's warnings (a build with errors fails instead), sorted.
    pub warnings: Vec<Diagnostic>,
    /// Files beside folder retros that were not published: (path relative to the book, why).
    pub skipped_assets: Vec<(String, &'static str)>,
    /// The folder the site was written to: the destination, or the target of a linked one.
    pub written_to: PathBuf,
    /// Notes about the git history (a shallow clone, files not committed yet), for the user.
    pub notes: Vec<String>,
    /// Retro pages taken from the previous build instead of being rendered.
    pub reused_pages: usize,
    /// Other pages (index pages, the feed) taken from the previous build: their template context
    /// was the same.
    pub reused_other_pages: usize,
    /// What the page cache offered, or why it offered nothing (for `build -v`).
    pub page_cache: String,
}

/// Why a build failed: problems in the book, a refused destination, or an operational failure.
#[derive(Debug)]
pub enum BuildError {
    /// The book has errors (`diagnostics`, sorted); `notes` about its git history were gathered
    /// before the check.
    Book {
        /// Every problem found, errors and warnings, sorted.
        diagnostics: Vec<Diagnostic>,
        /// What the git history said (shallow clone, files not committed yet), for the user.
        notes: Vec<String>,
    },
    /// The destination may not be replaced (see `check_dest`): nothing was written.
    Destination(anyhow::Error),
    /// Reading the theme, rendering or writing failed; the previous site is untouched.
    Failed(anyhow::Error),
}

/// Builds the site of the book at `root` into `opts.dest`. A failure leaves `dest` untouched.
pub fn build(root: &Path, opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let mut report = BuildReport::default();
    let mut phase = Phase::new();
    let loaded =
        crate::load::load_book(root).map_err(|diagnostics| BuildError::Book { diagnostics, notes: Vec::new() })?;
    // Before anything is written: the destination is replaced whole, so it must be ours.
    let dest = check_dest(root, &loaded.book.config.retros.dir, &opts.dest).map_err(BuildError::Destination)?;
    let mut book = loaded.book;
    book.history = crate::git::read_history(&book);
    report.notes = book.history.notes.clone();
    report.notes.extend(crate::deploy::pages_notes(root, &book.config.output.html.site_url));
    let mut diags = loaded.diagnostics;
    phase.end("load", &mut report);
    let findings = findings::Findings::open(root, &book.config.retros.dir, cache_root(&dest).join(findings::FILE));
    diags.extend(crate::check::check_book_remembering(&book, &findings));
    let findings = findings.seal();
    let mut diags = crate::check::apply_levels(&book.config, diags);
    crate::diagnostic::sort(&mut diags);
    phase.end("analyze", &mut report);
    if diags.iter().any(|d| d.level == Level::Error) {
        diags.retain(|d| d.level != Level::Note);
        return Err(BuildError::Book { diagnostics: diags, notes: report.notes });
    }
    // Completeness suggestions are for `check`; a build reports warnings and errors only.
    report.warnings = diags.into_iter().filter(|d| d.level != Level::Note).collect();
    report.retros = book.retros.len();
    let today = crate::analyze::today(opts.today, &book);
    let theme = Theme::load(root).map_err(|e| BuildError::Failed(anyhow!("cannot read the theme: {e}")))?;
    // The public site is rendered from the projection alone (src/public.rs): the renderer and
    // the search index below never see a `Retro`.
    let public = match opts.audience {
        Audience::Internal => None,
        Audience::External => Some((
            crate::public::site(&book.config),
            book.retros.iter().filter_map(|r| crate::public::project(r, &book.config)).collect::<Vec<_>>(),
        )),
    };
    // The internal site's records are made bundle by bundle while the index is built; the public
    // site's are few and made here.
    let public_records = match &public {
        Some((site, retros)) if opts.search => render::public::records(site, retros),
        _ => Vec::new(),
    };
    let book_records = render::records::Records(&book);
    let records: &dyn crate::search::RecordSource = match public {
        None => &book_records,
        Some(_) => &public_records,
    };
    if let Some((_, retros)) = &public {
        report.retros = retros.len();
    }
    report.search_records = if opts.search { records.len() } else { 0 };
    if public.is_none() {
        report.skipped_assets = render::assets::collect(&book).skipped;
    }
    let cache = cache_dir(&dest);
    let mut warm = match opts.audience {
        Audience::Internal => {
            let search = opts.search;
            let inputs = pages::SiteInputs { root, book: &book, theme: &theme, today, search, audience: opts.audience };
            pages::Warm::new(&inputs, page_cache_file(&dest))
        }
        // The external site is rendered whole: its pages are never taken from a cache.
        Audience::External => {
            pages::Warm::off(page_cache_file(&dest), "the customer-facing site is always rendered whole")
        }
    };
    let mut timings = render::Phases::default();
    let (mut reuse_time, mut both_time) = (Duration::ZERO, Duration::ZERO);
    swap_in(&dest, |tmp| {
        let t = Instant::now();
        warm.place(&book, &dest, tmp);
        reuse_time = t.elapsed();
        let files = std::sync::atomic::AtomicUsize::new(0);
        // Pages go to disk as soon as they are rendered: the site is never all in memory.
        let sink = |f: OutputFile| -> anyhow::Result<()> {
            files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            warm.rendered(&f);
            write_file(tmp, &f).map_err(|e| anyhow::anyhow!("{}: {e}", f.path))
        };
        let reuse = |path: &str, key: &[u8; 32]| warm.reuse(tmp, path, key);
        let render_opts = RenderOptions { today, search: opts.search };
        let render = || match &public {
            None => render::render_site_reusing(&book, &theme, &render_opts, &sink, &reuse),
            Some((site, retros)) => render::public::render_public(site, retros, &theme, opts.search, &sink),
        };
        let index = opts.search.then_some(|beside: &crate::search::Beside| {
            crate::search::build_search_beside(records, &tmp.join("pagefind"), Some(&cache), beside)
        });
        let t = Instant::now();
        let ((rendered, render_time), searched) = index_then_render(index, render);
        (timings.render, both_time) = (render_time, t.elapsed());
        timings.pages = rendered?;
        timings.files = files.load(std::sync::atomic::Ordering::Relaxed);
        if let Some((done, took)) = searched {
            done.with_context(|| format!("cannot write {}", dest.display()))?;
            timings.search = took;
        }
        Ok(())
    })
    .map_err(BuildError::Failed)?;
    let warm_on = warm.is_on();
    let (reused, mut note) = warm.finish(&dest);
    if let Err(e) = findings.save() {
        note.push_str(&format!("; cannot keep the check's findings for the next build: {e}"));
    }
    (report.reused_pages, report.reused_other_pages, report.page_cache) =
        (reused.retro_pages, reused.other_pages, note);
    report.written_to = dest;
    report.pages = timings.pages;
    report.files = timings.files;
    phase.end("write", &mut report);
    // Pages are written while they render, and the search index inside the same folder, which
    // starts first (the render joins it when a core falls idle): both phases are given as their
    // own wall time, and "write" is what is left after both (the swap).
    let total = report.phases.pop().map_or(Duration::ZERO, |(_, d)| d);
    let phases = [("reuse", reuse_time, warm_on), ("search", timings.search, opts.search)];
    report.phases.extend(phases.into_iter().filter(|p| p.2).map(|(name, took, _)| (name, took)));
    report.phases.push(("render", timings.render));
    report.phases.push(("write", total.saturating_sub(reuse_time + both_time)));
    crate::memory::drop_later((book, public));
    Ok(report)
}

/// Runs `index` (the search index, when there is one) on a thread of its own, and `render` on
/// this thread as soon as the index leaves a core idle (its last bundles run one per thread): the
/// two share the cores from then on. The render's largest memory comes at its end (the index
/// pages), after the indexing's. A failed render stops the index from starting more bundles.
/// Returns the render's result and wall time, and the index's.
fn index_then_render<R, S: Send>(
    index: Option<impl FnOnce(&crate::search::Beside) -> anyhow::Result<S> + Send>,
    render: impl FnOnce() -> anyhow::Result<R>,
) -> (Timed<R>, Option<Timed<S>>) {
    let spare = Latch::default();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let indexing = index.map(|index| {
            scope.spawn(|| {
                let t = Instant::now();
                let open = || spare.open();
                let done = index(&crate::search::Beside { spare_core: Some(&open), cancel: Some(&cancel) });
                (done, t.elapsed())
            })
        });
        if indexing.is_some() {
            spare.wait();
            crate::memory::give_back_freed_memory();
        }
        let t = Instant::now();
        let rendered = render();
        let render_time = t.elapsed();
        if rendered.is_err() {
            cancel.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let indexed = indexing.map(|s| s.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        ((rendered, render_time), indexed)
    })
}

/// A result and the wall time it took.
type Timed<T> = (anyhow::Result<T>, Duration);

/// A gate that opens once and stays open: `wait` returns as soon as someone has called `open`.
#[derive(Default)]
struct Latch {
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
}

impl Latch {
    fn open(&self) {
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.opened.notify_all();
    }
    fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|p| p.into_inner());
        }
    }
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

/// Where unchanged search shards are kept between builds: `search/` in [`cache_root`].
pub fn cache_dir(dest: &Path) -> PathBuf {
    cache_root(dest).join("search")
}

/// The list of retro pages a warm build may take from the site at `dest` (in [`cache_root`]);
/// without it the next build renders every page.
pub fn page_cache_file(dest: &Path) -> PathBuf {
    cache_root(dest).join(pages::FILE)
}

/// The hidden folder beside the site (`.NAME-cache` for `NAME/`) that keeps what the next build
/// may reuse: search shards and the list of retro pages. Removing it makes the next build cold.
pub fn cache_root(dest: &Path) -> PathBuf {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    parent.join(format!(".{name}-cache"))
}

/// Lets `fill` write a fresh folder beside `dest`, then swaps it in. Until the swap, the old site
/// is untouched; a failure removes the half-written folder. The new folder carries the
/// `SITE_MARKER`; `dest` is replaced only when it is absent, empty or a site (see
/// `site_kind`), never when it is a file or a folder of something else. Leftovers of a killed
/// build beside `dest` (`.NAME.tmp-PID`, `.NAME.old-PID` of a process that is gone) are removed.
pub fn swap_in(dest: &Path, fill: impl FnOnce(&Path) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let cannot_write = || format!("cannot write {}", dest.display());
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Some(name) = dest.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(anyhow!("{} does not name a folder", dest.display())).with_context(cannot_write);
    };
    let replaceable = |dest: &Path| match std::fs::symlink_metadata(dest) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(anyhow::Error::new(e)),
        Ok(m) if !m.is_dir() => Err(anyhow!("{} is not a folder; not replacing it", dest.display())),
        Ok(_) if site_kind(dest) == SiteKind::Foreign => {
            Err(anyhow!("{} holds files and is not a site built by retrobook; not replacing it", dest.display()))
        }
        Ok(_) => Ok(true),
    };
    replaceable(dest).with_context(cannot_write)?;
    std::fs::create_dir_all(parent).with_context(cannot_write)?;
    remove_leftovers(parent, &name);
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).with_context(cannot_write)?;
    let written =
        std::fs::write(tmp.join(SITE_MARKER), MARKER_TEXT).with_context(cannot_write).and_then(|()| fill(&tmp));
    // From here on, a failure removes the half-written folder and leaves `dest` as it was.
    let swapped = written.and_then(|()| {
        // Checked again: the folder may have changed while the site was rendered.
        let had_old = replaceable(dest).with_context(cannot_write)?;
        if had_old {
            std::fs::rename(dest, &old).with_context(cannot_write)?;
        }
        if let Err(e) = std::fs::rename(&tmp, dest) {
            if had_old {
                let _ = std::fs::rename(&old, dest);
            }
            return Err(anyhow::Error::new(e).context(cannot_write()));
        }
        Ok(had_old)
    });
    match swapped {
        Ok(had_old) => {
            if had_old {
                remove_tree(&old);
            }
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Removes the folder `dir` and everything in it (best effort), the folders two levels down in
/// parallel: a site holds one folder per retro under `retros/`, and removing 10,000 of them one
/// after the other is a good part of a warm build. Links are removed, never followed.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let entries = |d: &Path| -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(d).map(|r| r.filter_map(Result::ok).collect()).unwrap_or_default()
    };
    let is_dir = |e: &std::fs::DirEntry| e.file_type().is_ok_and(|t| t.is_dir());
    let top = entries(dir);
    let second: Vec<std::fs::DirEntry> = top.iter().filter(|e| is_dir(e)).flat_map(|e| entries(&e.path())).collect();
    second.par_iter().for_each(|e| {
        let _ = if is_dir(e) { std::fs::remove_dir_all(e.path()) } else { std::fs::remove_file(e.path()) };
    });
    let _ = std::fs::remove_dir_all(dir);
}

const MARKER_TEXT: &str = "This folder is a site built by retrobook. `retrobook build` replaces folders that \
carry this file, and refuses to replace other non-empty folders.\n";

/// What an existing folder is, as a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SiteKind {
    Empty,
    /// Carries the [`SITE_MARKER`].
    Marked,
    /// A site of a retrobook version from before the marker: `index.html` generated by retrobook,
    /// with `404.html` and `sitemap.xml` beside it.
    Unmarked,
    /// Anything else: never replaced.
    Foreign,
}

/// What the folder `dir` holds (see [`SiteKind`]).
pub(crate) fn site_kind(dir: &Path) -> SiteKind {
    let Ok(mut entries) = std::fs::read_dir(dir) else { return SiteKind::Foreign };
    if entries.next().is_none() {
        return SiteKind::Empty;
    }
    if dir.join(SITE_MARKER).is_file() {
        return SiteKind::Marked;
    }
    let generated_by_us = std::fs::read(dir.join("index.html")).is_ok_and(|html| {
        let head = String::from_utf8_lossy(&html[..html.len().min(4096)]).into_owned();
        head.contains("<meta name=\"generator\" content=\"retrobook ")
    });
    if generated_by_us && dir.join("404.html").is_file() && dir.join("sitemap.xml").is_file() {
        SiteKind::Unmarked
    } else {
        SiteKind::Foreign
    }
}

/// Removes `.NAME.tmp-PID` and `.NAME.old-PID` folders in `parent` left by a build that was
/// killed (its process is gone). Folders of a build still running are kept.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let (tmp, old) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    for e in entries.filter_map(Result::ok) {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&tmp).or_else(|| file_name.strip_prefix(&old)) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || process_alive(pid) || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let _ = std::fs::remove_dir_all(e.path());
    }
}

/// Whether process `pid` is running. Where that cannot be told (no `/proc`), every other build
/// counts as gone.
fn process_alive(pid: u32) -> bool {
    Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

/// Checks that the site may be built into `dest` (relative paths are taken from the working
/// folder; callers join them to the book first) and returns the folder to write: `dest` with
/// symbolic links resolved, so a linked site keeps its link and is built into its target.
///
/// Refused: the book's folder or any folder containing it; the retros folder (`retros_dir`, from
/// book.toml) or anything inside it; `theme/` or anything inside it; anything inside a `.git`
/// folder; a file; an existing folder that is neither empty nor a site (see [`site_kind`]).
/// The error says why and what would be right.
pub(crate) fn check_dest(root: &Path, retros_dir: &str, dest: &Path) -> anyhow::Result<PathBuf> {
    let refuse = |why: String| {
        anyhow!(
            "refusing to build into {}: {why}. A build replaces its destination whole; choose a new or empty \
folder, or a site built earlier, outside the book's retros/, theme/ and .git, e.g. `--dest-dir site`",
            dest.display()
        )
    };
    let resolve = |p: &Path| resolve(p).map_err(|e| refuse(format!("cannot resolve {}: {e}", p.display())));
    let real = resolve(dest)?;
    let book = resolve(root)?;
    let retros = resolve(&root.join(retros_dir))?;
    let theme = resolve(&root.join("theme"))?;
    if real == book {
        return Err(refuse("it is the book's folder (book.toml, the retros)".into()));
    }
    if book.starts_with(&real) {
        return Err(refuse("it contains the book (it is a folder above it)".into()));
    }
    // A retros folder at the book's root (`dir = "."`) is protected by the other rules: its
    // retros make every folder holding them non-empty and not a site.
    if retros != book {
        if real == retros {
            return Err(refuse(format!("it is the retros folder `{retros_dir}/`; building would delete every retro")));
        }
        if real.starts_with(&retros) {
            return Err(refuse(format!("it is inside the retros folder `{retros_dir}/`")));
        }
        if retros.starts_with(&real) {
            return Err(refuse(format!("it contains the retros folder `{retros_dir}/`")));
        }
    }
    if real == theme {
        return Err(refuse("it is the theme folder `theme/`".into()));
    }
    if real.starts_with(&theme) {
        return Err(refuse("it is inside the theme folder `theme/`".into()));
    }
    if real.components().any(|c| c.as_os_str() == ".git") {
        return Err(refuse("it is inside a .git folder".into()));
    }
    let linked = std::fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_symlink());
    let shown_real = if linked { format!(" (the target of the link, {})", real.display()) } else { String::new() };
    match std::fs::symlink_metadata(&real) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(real),
        Err(e) => Err(refuse(format!("cannot read it: {e}"))),
        Ok(m) if !m.is_dir() => Err(refuse(format!("it is a file{shown_real}, and a build never replaces a file"))),
        Ok(_) => match site_kind(&real) {
            SiteKind::Foreign => Err(refuse(format!(
                "it is a folder{shown_real} that holds files and is not a site built by retrobook (it has no \
`{SITE_MARKER}` file); move its files away or pick another folder"
            ))),
            _ => Ok(real),
        },
    }
}

/// `path` made absolute, with `.`, `..` and symbolic links resolved as the file system would
/// (the part that does not exist yet is kept as written).
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let abs = std::path::absolute(path)?;
    // Components still to visit, last first.
    let mut rest: Vec<std::ffi::OsString> = abs.components().rev().map(|c| c.as_os_str().to_owned()).collect();
    let mut out = PathBuf::new();
    let mut links = 0;
    while let Some(c) = rest.pop() {
        match Path::new(&c).components().next() {
            Some(Component::Prefix(_)) => out = PathBuf::from(&c),
            Some(Component::RootDir) => out.push(&c),
            Some(Component::CurDir) | None => {}
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::Normal(n)) => {
                let next = out.join(n);
                match std::fs::symlink_metadata(&next) {
                    Ok(m) if m.file_type().is_symlink() => {
                        links += 1;
                        if links > 40 {
                            return Err(std::io::Error::other("too many levels of symbolic links"));
                        }
                        let target = std::fs::read_link(&next)?;
                        rest.extend(target.components().rev().map(|c| c.as_os_str().to_owned()));
                    }
                    _ => out = next,
                }
            }
        }
    }
    Ok(out)
}

/// Writes `files` under `dir` in parallel (inside [`swap_in`], so a failure leaves no half site).
pub fn write_files(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    use rayon::prelude::*;
    std::fs::create_dir_all(dir)?;
    files.par_iter().try_for_each(|f| write_file(dir, f))
}

/// Writes one file of the site under `dir`, creating its folder. The file is always a new one: a
/// file already at its path (a page linked from the previous site) is unlinked, never written
/// through.
fn write_file(dir: &Path, f: &OutputFile) -> std::io::Result<()> {
    use std::io::Write;
    if crate::text::escapes_root(&f.path) {
        return Err(std::io::Error::other(format!("refusing to write outside the site: {}", f.path)));
    }
    let path = dir.join(&f.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    let mut file = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&path)?;
            create()?
        }
        other => other?,
    };
    file.write_all(&f.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the `clean` fixture book in a temporary folder outside any git repository.
    fn clean_book_outside_git() -> tempfile::TempDir {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
        let tmp = tempfile::tempdir().expect("temporary folder");
        for e in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
            let to = tmp.path().join(e.path().strip_prefix(&from).expect("under the fixture"));
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("folder");
            std::fs::copy(e.path(), &to).expect("copy");
        }
        tmp
    }

    #[test]
    fn writing_a_page_over_a_linked_one_leaves_the_other_link_alone() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.html");
        std::fs::write(&old, "previous site").unwrap();
        let new = dir.path().join("new");
        std::fs::create_dir_all(new.join("retros/a")).unwrap();
        std::fs::hard_link(&old, new.join("retros/a/index.html")).unwrap();
        let page = OutputFile { path: "retros/a/index.html".into(), bytes: b"new page".to_vec() };
        write_file(&new, &page).unwrap();
        assert_eq!(std::fs::read(new.join("retros/a/index.html")).unwrap(), b"new page");
        assert_eq!(std::fs::read(&old).unwrap(), b"previous site");
    }

    #[test]
    fn removing_a_tree_removes_everything_and_follows_no_link() {
        let dir = tempfile::tempdir().unwrap();
        let keep = dir.path().join("keep");
        std::fs::create_dir_all(keep.join("inner")).unwrap();
        std::fs::write(keep.join("inner/file"), "kept").unwrap();
        let old = dir.path().join("old");
        for rel in ["a.html", "retros/x/index.html", "retros/y/deep/er/file.csv", "retros/z.txt"] {
            std::fs::create_dir_all(old.join(rel).parent().unwrap()).unwrap();
            std::fs::write(old.join(rel), rel).unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&keep, old.join("retros/link")).unwrap();
            std::os::unix::fs::symlink(&keep, old.join("top-link")).unwrap();
        }
        remove_tree(&old);
        assert!(!old.exists());
        assert_eq!(std::fs::read(keep.join("inner/file")).unwrap(), b"kept");
    }

    #[test]
    fn build_returns_its_notes_instead_of_printing_them() {
        let book = clean_book_outside_git();
        let opts = BuildOptions {
            dest: book.path().join("site"),
            today: Some(jiff::civil::date(2026, 1, 1)),
            search: false,
            audience: Audience::Internal,
        };
        let report = build(book.path(), &opts).expect("the clean fixture builds");
        assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
        assert!(report.notes[0].contains("not in a git repository"), "{:?}", report.notes);
    }

    #[test]
    fn a_refused_destination_and_a_failed_write_are_errors_with_their_cause() {
        let book = clean_book_outside_git();
        let opts = |dest: PathBuf| BuildOptions { dest, today: None, search: false, audience: Audience::Internal };
        let Err(BuildError::Destination(e)) = build(book.path(), &opts(book.path().join("retros"))) else {
            panic!("building into the retros folder must be refused");
        };
        assert!(format!("{e:#}").contains("it is the retros folder `retros/`"), "{e:#}");
        // A file where the site's folder would go: the swap fails and says which folder.
        let err = swap_in(&book.path().join("book.toml").join("site"), |_| Ok(())).expect_err("not a folder");
        assert!(format!("{err:#}").starts_with("cannot write "), "{err:#}");
    }
}
