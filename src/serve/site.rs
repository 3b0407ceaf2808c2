//! The site `serve` holds in memory, and the incremental rebuild that keeps it current.
//!
//! The engine keeps the last loaded retros with the hash of their bytes, re-reads only the files
//! the watcher named, and re-parses only those whose bytes changed. Every rebuild re-runs the
//! (cheap) checks and cross-incident pages; a retro page is rendered again only when the key of
//! its inputs changed (see [`render::render_site_reusing`]). A theme, book.toml or date change
//! renders everything. Only files whose bytes differ replace the old ones, all at once.
//!
//! A rebuild that panics (a bug) is reported like the book's errors and leaves the last good site
//! in place; the next rebuild starts afresh. Rebuilds run on threads with large stacks, so deeply
//! nested input is more likely to end in a diagnostic than in a stack overflow (which no handler
//! can catch).

use super::watch::Plan;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level, Pos, rules};
use crate::model::{Book, Retro};
use crate::render::{self, OutputFile, RenderOptions, theme::Theme};
use anyhow::Context;
use axum::body::Bytes;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Where search bundles live in the site.
pub(crate) const SEARCH_PREFIX: &str = "pagefind/";

/// One consistent version of the site.
#[derive(Debug, Default)]
pub struct Site {
    /// Bumped by every rebuild that changed a page; pages carry it to notice missed reloads.
    pub generation: u64,
    /// Path relative to the site root (`retros/x/index.html`) → bytes.
    pub files: HashMap<String, Bytes>,
}

/// The current site and the book's diagnostics, shared between the rebuild thread and the server.
#[derive(Default)]
pub struct Store {
    site: RwLock<Arc<Site>>,
    /// Serialises writers (page rebuilds and search refreshes) so neither loses the other's files.
    write: Mutex<()>,
    /// The diagnostics of the book while it has errors (the site stays the last good one).
    errors: RwLock<Option<Arc<Vec<Diagnostic>>>>,
    /// Generation of the last finished search refresh (0: none yet).
    search_generation: RwLock<u64>,
    /// Search files of the bundle before the current one that the current one does not have,
    /// still served (see [`refresh_search`]).
    retired_search: Mutex<HashSet<String>>,
}

impl Store {
    /// The current site (a snapshot: later rebuilds do not change it).
    pub fn site(&self) -> Arc<Site> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    /// The diagnostics while the book has errors.
    pub fn errors(&self) -> Option<Arc<Vec<Diagnostic>>> {
        self.errors.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub(crate) fn set_errors(&self, e: Option<Vec<Diagnostic>>) {
        *self.errors.write().unwrap_or_else(|e| e.into_inner()) = e.map(Arc::new);
    }
    /// The page generation the search index was last built for.
    pub fn search_generation(&self) -> u64 {
        *self.search_generation.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the site by `update(old)`; returns the new site.
    fn update(&self, update: impl FnOnce(&Site) -> Option<Site>) -> Option<Arc<Site>> {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let old = self.site();
        let new = Arc::new(update(&old)?);
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = new.clone();
        Some(new)
    }
}

/// What a rebuild did.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Files changed; the new site (already in place) has this generation.
    Changed { generation: u64, files: usize, rendered: usize },
    /// The rebuild produced the same bytes as before.
    Unchanged,
    /// The book has errors; the last good site is still served.
    Errors(Vec<Diagnostic>),
}

struct LoadedFile {
    hash: [u8; 32],
    /// The file's retros: one, or one per incident of an incident log, replaced together.
    retros: Vec<Retro>,
    diagnostics: Vec<Diagnostic>,
}

/// Rebuilds the in-memory site from the book, incrementally.
pub(crate) struct Engine {
    root: PathBuf,
    today: Option<Date>,
    store: Arc<Store>,
    config: Option<Config>,
    theme: Option<Theme>,
    files: BTreeMap<PathBuf, LoadedFile>,
    /// Retro page path → key of the inputs of the bytes in the current site.
    keys: HashMap<String, [u8; 32]>,
    rendered_today: Option<Date>,
    /// Git history, read once at start: commits do not happen while an author edits (`.git/` is
    /// not watched), and pages show the history as of the last commit anyway.
    history: Option<crate::history::History>,
    /// The last good book, for the search refresh.
    pub last_book: Option<Arc<Book>>,
    /// Threads with large stacks that run rebuilds (`None`: the caller's thread and rayon's pool).
    pool: Option<Arc<rayon::ThreadPool>>,
    /// The findings of the rules that read one retro and the configuration only, from the last
    /// rebuild: a rebuild checks only the retros whose file changed with them.
    findings: crate::check::InMemory,
}

/// The stack of each rebuild thread: virtual memory, only touched as deep as a rebuild goes.
pub(crate) const REBUILD_STACK: usize = 64 << 20;

impl Engine {
    /// An engine for the book at `root` that publishes into `store`.
    pub(crate) fn new(root: &Path, today: Option<Date>, store: Arc<Store>) -> Engine {
        Engine {
            root: root.to_path_buf(),
            today,
            store,
            config: None,
            theme: None,
            files: BTreeMap::new(),
            keys: HashMap::new(),
            rendered_today: None,
            history: None,
            last_book: None,
            pool: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("retrobook-rebuild-{i}"))
                .stack_size(REBUILD_STACK)
                .build()
                .ok()
                .map(Arc::new),
            findings: Default::default(),
        }
    }

    /// The retros folder of the current configuration, relative to the book.
    pub(crate) fn retros_dir(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.retros.dir.as_str())
    }

    /// Applies `plan` (everything, the first time) and swaps the changed files in. A panic during
    /// the rebuild becomes an error diagnostic; the site stays as it was, and the next rebuild
    /// re-reads and re-renders everything.
    pub(crate) fn rebuild(&mut self, plan: &Plan) -> Outcome {
        let pool = self.pool.clone();
        let run = std::panic::AssertUnwindSafe(|| match &pool {
            Some(pool) => pool.install(|| self.rebuild_unguarded(plan)),
            None => self.rebuild_unguarded(plan),
        });
        match std::panic::catch_unwind(run) {
            Ok(outcome) => outcome,
            Err(payload) => {
                // Whatever the rebuild had half-updated is dropped: the next one starts afresh.
                self.files.clear();
                self.keys.clear();
                self.findings = Default::default();
                self.theme = None;
                self.rendered_today = None;
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                // The one file the change named, or the retros folder.
                let file = match plan.retros.first() {
                    Some(one) if plan.retros.len() == 1 && !plan.config && !plan.theme => {
                        crate::text::relative(&self.root, one)
                    }
                    _ => self.retros_dir().unwrap_or("retros").to_string(),
                };
                let msg = format!(
                    "retrobook crashed while rebuilding the site ({what}); this is a bug in retrobook, \
                     please report it. The last good site is still served; the next save rebuilds everything"
                );
                Outcome::Errors(vec![Diagnostic::error(&file, Pos::START, rules::INTERNAL_ERROR, msg)])
            }
        }
    }

    fn rebuild_unguarded(&mut self, plan: &Plan) -> Outcome {
        if plan.config || self.config.is_none() {
            self.config = None;
            self.files.clear();
            self.keys.clear();
            self.findings = Default::default();
            match Config::load(&self.root) {
                Ok(c) => self.config = Some(c),
                Err(diags) => return Outcome::Errors(diags),
            }
        }
        if plan.theme || self.theme.is_none() {
            self.keys.clear();
            self.theme = None;
            match Theme::load(&self.root) {
                Ok(t) => self.theme = Some(t),
                Err(e) => {
                    let msg = format!("cannot read the theme: {e}");
                    return Outcome::Errors(vec![Diagnostic::error("theme", Pos::START, rules::THEME, msg)]);
                }
            }
        }
        let Some(config) = self.config.clone() else { unreachable!("loaded above") };
        let (book, mut diags) = self.load(config, plan);
        let Some(theme) = &self.theme else { unreachable!("loaded above") };
        diags.extend(crate::check::check_book_remembering(&book, &self.findings));
        self.findings = std::mem::take(&mut self.findings).next();
        let mut diags = crate::check::apply_levels(&book.config, diags);
        crate::diagnostic::sort(&mut diags);
        if diags.iter().any(|d| d.level == Level::Error) {
            return Outcome::Errors(diags);
        }
        let today = crate::analyze::today(self.today, &book);
        if self.rendered_today != Some(today) {
            self.keys.clear();
        }
        let opts = RenderOptions { today, search: true };
        let current = self.store.site();
        let old_keys = &self.keys;
        let new_keys = Mutex::new(HashMap::new());
        let reuse = |path: &str, key: &[u8; 32]| {
            new_keys.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), *key);
            old_keys.get(path) == Some(key) && current.files.contains_key(path)
        };
        let out = Mutex::new(Vec::new());
        let sink = |f: OutputFile| {
            out.lock().map_err(render::page::sink_error)?.push(f);
            Ok(())
        };
        if let Err(e) = render::render_site_reusing(&book, theme, &opts, &sink, &reuse) {
            return Outcome::Errors(vec![Diagnostic::error("theme", Pos::START, rules::RENDER, format!("{e:#}"))]);
        }
        let rendered = out.into_inner().unwrap_or_else(|e| e.into_inner());
        let new_keys = new_keys.into_inner().unwrap_or_else(|e| e.into_inner());
        let first = current.generation == 0;
        let n_rendered = rendered.len();
        let mut changed = 0;
        let swapped = self.store.update(|old| {
            let mut files = HashMap::with_capacity(old.files.len());
            for f in rendered {
                match old.files.get(&f.path) {
                    Some(b) if b.as_ref() == f.bytes.as_slice() => {
                        files.insert(f.path, b.clone());
                    }
                    _ => {
                        changed += 1;
                        files.insert(f.path, Bytes::from(f.bytes));
                    }
                }
            }
            // Reused retro pages and the search bundle carry over.
            for path in new_keys.keys() {
                if let (false, Some(b)) = (files.contains_key(path), old.files.get(path)) {
                    files.insert(path.clone(), b.clone());
                }
            }
            for (path, b) in &old.files {
                if path.starts_with(SEARCH_PREFIX) {
                    files.insert(path.clone(), b.clone());
                }
            }
            changed += old.files.keys().filter(|p| !files.contains_key(*p)).count();
            (changed > 0 || first).then(|| Site { generation: old.generation + 1, files })
        });
        self.keys = new_keys;
        self.rendered_today = Some(today);
        self.last_book = Some(Arc::new(book));
        match swapped {
            Some(site) => Outcome::Changed { generation: site.generation, files: changed, rendered: n_rendered },
            None => Outcome::Unchanged,
        }
    }

    /// The book, re-reading only the files the plan names (or that are new) and re-parsing only
    /// those whose bytes changed.
    fn load(&mut self, config: Config, plan: &Plan) -> (Book, Vec<Diagnostic>) {
        let dir = self.root.join(&config.retros.dir);
        let found = crate::load::discover(&dir);
        let present: HashSet<&PathBuf> = found.iter().collect();
        self.files.retain(|p, _| present.contains(p));
        let stale: Vec<&PathBuf> =
            found.iter().filter(|p| plan.retros.contains(*p) || !self.files.contains_key(*p)).collect();
        use rayon::prelude::*;
        let fresh: Vec<(PathBuf, Option<LoadedFile>)> = stale
            .par_iter()
            .map(|path| {
                let rel = crate::text::relative(&self.root, path);
                let loaded = match std::fs::read(path) {
                    Ok(bytes) => {
                        #[cfg(test)]
                        test_hooks::panic_on_marker(&bytes, &rel);
                        let hash = *blake3::hash(&bytes).as_bytes();
                        if self.files.get(*path).is_some_and(|f| f.hash == hash) {
                            None
                        } else {
                            let (retros, diagnostics) = crate::load::load_retro(&bytes, &rel, path, &config);
                            Some(LoadedFile { hash, retros, diagnostics })
                        }
                    }
                    Err(e) => Some(LoadedFile {
                        hash: [0; 32],
                        retros: Vec::new(),
                        diagnostics: vec![Diagnostic::error(
                            &rel,
                            Pos::START,
                            rules::FILE_READ,
                            format!("cannot read file: {e}"),
                        )],
                    }),
                };
                ((*path).clone(), loaded)
            })
            .collect();
        for (path, loaded) in fresh {
            if let Some(l) = loaded {
                self.files.insert(path, l);
            }
        }
        let mut diagnostics = Vec::new();
        if !dir.is_dir() {
            diagnostics.push(crate::load::missing_dir(&config));
        }
        let mut retros = Vec::with_capacity(self.files.len());
        for f in self.files.values() {
            retros.extend(f.retros.iter().cloned());
            diagnostics.extend(f.diagnostics.iter().cloned());
        }
        retros.sort_by(|a, b| (a.date, &a.id, &a.path).cmp(&(b.date, &b.id, &b.path)));
        let (trackers, problem) = crate::tracking::store::read(&self.root);
        diagnostics.extend(problem);
        let mut book = Book { root: self.root.clone(), config, retros, history: Default::default(), trackers };
        let history = self.history.get_or_insert_with(|| {
            let h = crate::git::read_history(&book);
            for note in &h.notes {
                eprintln!("warning: {note}");
            }
            h
        });
        book.history = history.clone();
        (book, diagnostics)
    }
}

/// Builds the search bundle of `book` in a scratch folder and swaps its files into the site.
/// Runs after the pages are in place, so a page reload never waits for it.
pub(crate) fn refresh_search(
    store: &Store,
    book: &Book,
    generation: u64,
    scratch: &Path,
    cache: &Path,
) -> anyhow::Result<usize> {
    let _ = std::fs::remove_dir_all(scratch);
    crate::search::build_search(&render::records::Records(book), scratch, Some(cache))?;
    let mut bundle = HashMap::new();
    for entry in walkdir::WalkDir::new(scratch).into_iter().filter_map(Result::ok) {
        if entry.file_type().is_file() {
            let rel = crate::text::relative(scratch, entry.path());
            if rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            let bytes = std::fs::read(entry.path()).with_context(|| entry.path().display().to_string())?;
            bundle.insert(format!("{SEARCH_PREFIX}{rel}"), Bytes::from(bytes));
        }
    }
    let _ = std::fs::remove_dir_all(scratch);
    let n = bundle.len();
    let site = store.update(|old| {
        let mut retired = store.retired_search.lock().unwrap_or_else(|e| e.into_inner());
        let (files, kept) = swap_search(&old.files, bundle, &retired);
        *retired = kept;
        Some(Site { generation: old.generation, files })
    });
    if site.is_some() {
        *store.search_generation.write().unwrap_or_else(|e| e.into_inner()) = generation;
    }
    Ok(n)
}

/// The site's files with the search bundle `bundle` in place of the old one, and the paths of
/// the old bundle's files kept beside it. A search page that read the old bundle's entry just
/// before the swap still asks for that bundle's metadata, index chunks and fragments (their names
/// are content hashes, so they never clash with the new bundle's); without them Pagefind reads
/// the error page as its index and fails ("No pointer"). They are kept for one refresh only:
/// `retired`, the files kept by the previous swap, are dropped now.
fn swap_search(
    old: &HashMap<String, Bytes>,
    bundle: HashMap<String, Bytes>,
    retired: &HashSet<String>,
) -> (HashMap<String, Bytes>, HashSet<String>) {
    let mut kept = HashSet::new();
    let mut files = HashMap::with_capacity(old.len() + bundle.len());
    for (p, b) in old {
        let search = p.starts_with(SEARCH_PREFIX);
        if search && (bundle.contains_key(p) || retired.contains(p)) {
            continue;
        }
        if search {
            kept.insert(p.clone());
        }
        files.insert(p.clone(), b.clone());
    }
    files.extend(bundle);
    (files, kept)
}

/// Failures only tests can cause: compiled into the library's unit tests, never into `retrobook`.
#[cfg(test)]
pub(crate) mod test_hooks {
    /// A retro file holding this text makes its rebuild panic.
    pub(crate) const PANIC_MARKER: &str = "retrobook-test-hook: panic";

    pub(crate) fn panic_on_marker(bytes: &[u8], rel: &str) {
        if bytes.windows(PANIC_MARKER.len()).any(|w| w == PANIC_MARKER.as_bytes()) {
            panic!("test hook: {rel} asks for a panic");
        }
    }
}

#[cfg(test)]
mod log_tests {
    use super::*;

    const LOG: &str = "# Log\n\n## Incident on 2024-09-20 - Routes lost\n\n- 11:02 [detected] alert\n\n\
                       ## Incident on 2024-09-21 - Disk full\n\n- 08:00 [detected] alert\n";

    /// Editing an incident log replaces all of its retros at once: an incident removed from the
    /// file loses its page, a renamed one gets a new page, the others stay.
    #[test]
    fn an_incident_log_is_reloaded_as_a_group() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("retros")).unwrap();
        let file = dir.path().join("retros/log.md");
        std::fs::write(&file, LOG).unwrap();
        let store = Arc::new(Store::default());
        let mut engine = Engine::new(dir.path(), Some(jiff::civil::date(2025, 1, 1)), store.clone());
        assert!(matches!(engine.rebuild(&Plan { config: true, ..Plan::default() }), Outcome::Changed { .. }));
        let pages = |store: &Store| {
            let mut p: Vec<String> = store
                .site()
                .files
                .keys()
                .filter(|k| k.starts_with("retros/log-") && k.ends_with("/index.html"))
                .cloned()
                .collect();
            p.sort();
            p
        };
        assert_eq!(
            pages(&store),
            ["retros/log-2024-09-20-routes-lost/index.html", "retros/log-2024-09-21-disk-full/index.html"]
        );
        let edited =
            LOG.replace("Disk full", "Disk filled up") + "\n## Incident on 2024-09-22 - Queue stalled\n\n- 09:00 x\n";
        std::fs::write(&file, edited).unwrap();
        let plan = Plan { retros: [file.clone()].into(), ..Plan::default() };
        assert!(matches!(engine.rebuild(&plan), Outcome::Changed { .. }));
        assert_eq!(
            pages(&store),
            [
                "retros/log-2024-09-20-routes-lost/index.html",
                "retros/log-2024-09-21-disk-filled-up/index.html",
                "retros/log-2024-09-22-queue-stalled/index.html",
            ]
        );
        let book = engine.last_book.clone().unwrap();
        assert_eq!(book.retros.len(), 3);
        // Back to one incident: the file is no log any more, and becomes one retro again.
        std::fs::write(&file, "# Log\n\n## Incident on 2024-09-20 - Routes lost\n\n- 11:02 alert\n").unwrap();
        assert!(matches!(engine.rebuild(&plan), Outcome::Changed { .. }));
        assert_eq!(engine.last_book.clone().unwrap().retros.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["log"]);
        assert!(pages(&store).is_empty());
    }
}
