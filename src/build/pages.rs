//! Warm builds: the pages of the previous build are reused when nothing they show changed.
//!
//! After an internal build, [`FILE`] in the cache folder beside the site (see
//! [`super::cache_root`]) lists every page with its key — a retro page's the key of its inputs (see
//! `render::render_site_reusing`), another page's the key of its whole template context (see
//! `render::page::Renderer::plain_key`) — the size and hash of its bytes, and how its file looked on
//! disk. The next build reuses a page (hard-links the previous site's file into the new folder, or
//! copies it where links fail, so the previous site stays whole until the swap) when
//!
//! - the cache's format and site key are the same: retrobook itself, the theme, book.toml, the
//!   date, the audience, search on or off, the tracker states and the book's place in its git
//!   repository (see [`site_key`]);
//! - the page's own key is the same;
//! - the file in the previous site is the one the entry describes: its linked copy has the
//!   device, inode, size and modification time recorded after the last build (and its change time
//!   then was older than the cache file), or else it is read again and has the recorded size and
//!   hash. A page edited by hand in the site is therefore rendered again.
//!
//! A cache that is missing, unreadable or of other inputs gives a cold build (with a note for
//! `build -v`); the cache never decides what a page says, only whether it is rendered again.

use super::Audience;
use crate::model::Book;
use crate::render::theme::Theme;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bumped when the layout of [`FILE`] or the meaning of its keys changes.
const FORMAT: u32 = 1;

/// The page cache, in the cache folder beside the site.
pub(crate) const FILE: &str = "pages.json";

/// Everything every page of a site depends on besides its own inputs.
pub(crate) struct SiteInputs<'a> {
    pub(crate) root: &'a Path,
    pub(crate) book: &'a Book,
    pub(crate) theme: &'a Theme,
    pub(crate) today: Date,
    pub(crate) search: bool,
    pub(crate) audience: Audience,
}

/// The key of what all pages share. `None` when it cannot be told (the running program cannot be
/// examined): then nothing is reused.
pub(crate) fn site_key(i: &SiteInputs) -> Option<[u8; 32]> {
    let mut h = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(&FORMAT.to_le_bytes());
    program_key(&mut field)?;
    field(format!("{:?}", i.audience).as_bytes());
    field(&[u8::from(i.search)]);
    field(i.today.to_string().as_bytes());
    config_key(i.root, &i.book.config.retros.dir, &mut field);
    for p in i.theme.paths() {
        field(p.as_bytes());
        field(i.theme.file(p).unwrap_or_default());
    }
    field(i.book.trackers.to_json().as_bytes());
    field(i.book.history.prefix.as_deref().unwrap_or("\0not in git").as_bytes());
    Some(*h.finalize().as_bytes())
}

/// Gives `field` what stands for the running program: its version and, since another build of
/// the same version (a developer's, or a fix) may work differently, its size and modification
/// time (hashing 100 MB would cost more than a warm build saves; an unpacked release archive
/// keeps its time, so CI runs stay warm). `None` when the program cannot be examined.
pub(super) fn program_key(field: &mut impl FnMut(&[u8])) -> Option<()> {
    field(env!("CARGO_PKG_VERSION").as_bytes());
    let exe = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    field(&exe.len().to_le_bytes());
    field(format!("{:?}", exe.modified().ok()?).as_bytes());
    Some(())
}

/// Gives `field` what stands for the configuration: book.toml's bytes (or why there are none),
/// and the retros folder `dir`, which an implicit configuration chooses by the folders it finds.
pub(super) fn config_key(root: &Path, dir: &str, field: &mut impl FnMut(&[u8])) {
    match std::fs::read(root.join(crate::config::FILE)) {
        Ok(bytes) => field(&bytes),
        Err(e) => field(format!("no book.toml: {:?}", e.kind()).as_bytes()),
    }
    field(dir.as_bytes());
}

/// The path of retro `id`'s page in the site, as the renderer names it.
fn page_path(id: &str) -> String {
    format!("retros/{id}/index.html")
}

/// [`FILE`] as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// [`site_key`], hex.
    site: String,
    /// Page path → entry.
    pages: BTreeMap<String, StoredPage>,
}

#[derive(Serialize, Deserialize)]
struct StoredPage {
    /// The page's key, hex.
    key: String,
    size: u64,
    /// blake3 of the page's bytes, hex.
    hash: String,
    /// The file after the build, when the platform tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seen: Option<Seen>,
}

/// How a file looked: enough to tell, without reading it, that it was not written since.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    dev: u64,
    ino: u64,
    /// Modification time: (seconds, nanoseconds).
    mtime: (i64, i64),
    /// Change time (also moved by links and renames): (seconds, nanoseconds).
    ctime: (i64, i64),
}

#[cfg(unix)]
fn seen(m: &std::fs::Metadata) -> Option<Seen> {
    use std::os::unix::fs::MetadataExt;
    Some(Seen { dev: m.dev(), ino: m.ino(), mtime: (m.mtime(), m.mtime_nsec()), ctime: (m.ctime(), m.ctime_nsec()) })
}

#[cfg(not(unix))]
fn seen(_: &std::fs::Metadata) -> Option<Seen> {
    None
}

/// What a page of the cache promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) key: [u8; 32],
    pub(crate) size: u64,
    pub(crate) hash: [u8; 32],
}

/// The previous build's pages: the retro pages already in the new folder, checked, and the others
/// to be linked when the renderer asks for them with the same key.
#[derive(Default)]
pub(crate) struct Placed {
    /// Path → what the page is (its key decides whether it is kept).
    pub(crate) pages: HashMap<String, Page>,
    /// Path → what another page (an index page, the feed) was, and how its file looked after the
    /// last build when that can be trusted: the renderer only knows these pages' keys once it has
    /// made their contexts, and whether such a page is still part of the site at all.
    later: HashMap<String, (Page, Option<Seen>)>,
    /// For `build -v`: what the cache offered, or why it offered nothing.
    pub(crate) note: String,
}

/// The page cache during one build: what was placed from the previous site, which retro pages
/// the renderer asked about, and the size and hash of those it rendered.
pub(crate) struct Warm {
    /// `None`: no reuse, and the cache file is removed at the end.
    site: Option<[u8; 32]>,
    file: PathBuf,
    placed: Placed,
    /// The previous site, where `placed.later` pages are linked from.
    dest: PathBuf,
    asked: Mutex<Vec<(String, [u8; 32])>>,
    rendered: Mutex<HashMap<String, (u64, [u8; 32])>>,
    /// Pages of `placed.later` linked into the new folder.
    linked: Mutex<HashMap<String, Page>>,
}

impl Warm {
    /// The cache of an internal build with these inputs, in `file`.
    pub(crate) fn new(inputs: &SiteInputs, file: PathBuf) -> Warm {
        let site = site_key(inputs);
        let mut warm = Warm::off(file, "retrobook cannot examine its own program file, so every page is rendered");
        if site.is_some() {
            warm.site = site;
            warm.placed.note.clear();
        }
        warm
    }

    /// No reuse, for the reason `why` (shown by `build -v`); the cache file goes.
    pub(crate) fn off(file: PathBuf, why: &str) -> Warm {
        let placed = Placed { note: why.to_string(), ..Placed::default() };
        let (asked, rendered, linked) = Default::default();
        Warm { site: None, file, placed, dest: PathBuf::new(), asked, rendered, linked }
    }

    /// Whether pages may be reused.
    pub(crate) fn is_on(&self) -> bool {
        self.site.is_some()
    }

    /// Places the previous site's pages into `tmp` (see [`place`]).
    pub(crate) fn place(&mut self, book: &Book, dest: &Path, tmp: &Path) {
        if let Some(site) = &self.site {
            self.placed = place(&self.file, site, book, dest, tmp);
            self.dest = dest.to_path_buf();
        }
    }

    /// The renderer's question for the page at `path` with `key`: true keeps the placed page (a
    /// retro page), or links the previous site's one into `tmp` when it checks out (another page).
    /// A placed page of another key is removed before the new one is written (it shares its
    /// inode with the previous site).
    pub(crate) fn reuse(&self, tmp: &Path, path: &str, key: &[u8; 32]) -> bool {
        lock(&self.asked).push((path.to_string(), *key));
        match self.placed.pages.get(path) {
            Some(p) if p.key == *key => true,
            Some(_) => {
                let _ = std::fs::remove_file(tmp.join(path));
                false
            }
            None => match self.placed.later.get(path) {
                Some((page, seen)) if page.key == *key => {
                    let kept = link_checked(&self.dest.join(path), &tmp.join(path), page, *seen);
                    if kept {
                        lock(&self.linked).insert(path.to_string(), *page);
                    }
                    kept
                }
                _ => false,
            },
        }
    }

    /// Notes the size and hash of a page the renderer wrote.
    pub(crate) fn rendered(&self, f: &crate::render::OutputFile) {
        if self.site.is_some() && is_page(&f.path) {
            let hash = *blake3::hash(&f.bytes).as_bytes();
            lock(&self.rendered).insert(f.path.clone(), (f.bytes.len() as u64, hash));
        }
    }

    /// After the new site is in place at `dest`: writes the cache for it (or removes the file
    /// when pages were not cached). Returns the retro pages and the other pages reused, and the
    /// note for `build -v`.
    pub(crate) fn finish(self, dest: &Path) -> (Reused, String) {
        let Warm { site, file, placed, asked, rendered, linked, .. } = self;
        let mut note = placed.note;
        let Some(site) = site else {
            let _ = std::fs::remove_file(&file);
            return (Reused::default(), note);
        };
        let rendered = rendered.into_inner().unwrap_or_else(|e| e.into_inner());
        let linked = linked.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut reused = Reused::default();
        let mut entries = Vec::new();
        for (path, key) in asked.into_inner().unwrap_or_else(|e| e.into_inner()) {
            let kept = placed.pages.get(&path).or_else(|| linked.get(&path)).filter(|p| p.key == key).copied();
            if kept.is_some() {
                if is_retro_page(&path) { reused.retro_pages += 1 } else { reused.other_pages += 1 }
            }
            let page = kept.or_else(|| rendered.get(&path).map(|&(size, hash)| Page { key, size, hash }));
            entries.extend(page.map(|p| (path, p)));
        }
        if let Err(e) = store(&file, &site, dest, entries) {
            note.push_str(&format!("; cannot write {}: {e}", file.display()));
        }
        (reused, note)
    }
}

/// What a warm build took from the previous site.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reused {
    pub(crate) retro_pages: usize,
    /// Index pages, the feed and the other pages keyed by their context.
    pub(crate) other_pages: usize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `path` is a page the cache may keep (HTML or the feed, not an asset).
fn is_page(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml")
}

/// Whether `path` is a retro's page (`retros/<id>/index.html`), placed before the render.
fn is_retro_page(path: &str) -> bool {
    path.strip_prefix("retros/").and_then(|p| p.strip_suffix("/index.html")).is_some_and(|id| !id.contains('/'))
}

/// Reads the cache at `file` and puts each page of the previous site `dest` that `book` still
/// has and that checks out into the new folder `tmp`, in parallel. Anything wrong with the cache
/// gives nothing placed and a note.
pub(crate) fn place(file: &Path, site: &[u8; 32], book: &Book, dest: &Path, tmp: &Path) -> Placed {
    let nothing = |note: String| Placed { note, ..Placed::default() };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return nothing("no page cache yet".into()),
        Err(e) => return nothing(format!("cannot read {}: {e}", file.display())),
    };
    // Entries whose change time is not older than the cache file may have changed in the same
    // clock tick after they were looked at: those are read again.
    let written = std::fs::metadata(file).ok().as_ref().and_then(seen).map(|s| s.mtime);
    let stored: Stored = match serde_json::from_slice(&bytes) {
        Ok(s) => s,
        Err(e) => return nothing(format!("{} is not a page cache ({e})", file.display())),
    };
    if stored.format != FORMAT {
        return nothing(format!("the page cache has format {}, not {FORMAT}", stored.format));
    }
    if stored.site != blake3::Hash::from_bytes(*site).to_hex().as_str() {
        return nothing(
            "the page cache is of other inputs (retrobook, the theme, book.toml, the date, the audience, search, \
             tracker states or the git repository changed)"
                .into(),
        );
    }
    let wanted: HashSet<String> = book.retros.iter().map(|r| page_path(&r.id)).collect();
    let entry = |path: &str, e: &StoredPage| {
        let page = Page { key: from_hex(&e.key)?, size: e.size, hash: from_hex(&e.hash)? };
        let fresh = e.seen.filter(|s| written.is_some_and(|w| s.ctime < w));
        (!crate::text::escapes_root(path) && is_page(path)).then_some((page, fresh))
    };
    let (retro, other): (BTreeMap<_, _>, BTreeMap<_, _>) =
        stored.pages.into_iter().partition(|(p, _)| is_retro_page(p));
    let offered = retro.len();
    let pages: HashMap<String, Page> = retro
        .into_par_iter()
        .filter(|(path, _)| wanted.contains(path))
        .filter_map(|(path, e)| {
            let (page, fresh) = entry(&path, &e)?;
            link_checked(&dest.join(&path), &tmp.join(&path), &page, fresh).then_some((path, page))
        })
        .collect();
    let later = other.into_iter().filter_map(|(path, e)| Some((path.clone(), entry(&path, &e)?))).collect();
    let note = format!("{} of {offered} cached retro pages are in the previous site as built", pages.len());
    Placed { pages, later, note }
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    blake3::Hash::from_hex(s).ok().map(|h| *h.as_bytes())
}

/// Links (or copies) `from` to `to` and keeps it when it is `page`: unchanged since `seen` (the
/// same inode, size and modification time), or else read again with the right size and hash.
/// Anything else is removed again and answers false.
fn link_checked(from: &Path, to: &Path, page: &Page, seen_then: Option<Seen>) -> bool {
    let Ok(before) = std::fs::symlink_metadata(from) else { return false };
    if !before.file_type().is_file() || before.len() != page.size {
        return false;
    }
    let Some(parent) = to.parent() else { return false };
    if std::fs::create_dir_all(parent).is_err() {
        return false;
    }
    if std::fs::hard_link(from, to).is_err() && std::fs::copy(from, to).is_err() {
        let _ = std::fs::remove_file(to);
        return false;
    }
    let ok = std::fs::symlink_metadata(to).is_ok_and(|after| {
        if !after.file_type().is_file() || after.len() != page.size {
            return false;
        }
        let unchanged = match (seen_then, seen(&before), seen(&after)) {
            // The link is the inode that was looked at after the last build, not written since
            // (linking moves the change time, not the modification time).
            (Some(then), Some(b), Some(a)) => then == b && (a.dev, a.ino, a.mtime) == (b.dev, b.ino, b.mtime),
            _ => false,
        };
        unchanged
            || std::fs::read(to)
                .is_ok_and(|bytes| bytes.len() as u64 == page.size && blake3::hash(&bytes).as_bytes() == &page.hash)
    });
    if !ok {
        let _ = std::fs::remove_file(to);
    }
    ok
}

/// Writes the cache of the site just built at `dest`: `pages` (path → what it is), each looked at
/// on disk now. Replaces the file atomically; a failure only means a cold build next time.
pub(crate) fn store(file: &Path, site: &[u8; 32], dest: &Path, pages: Vec<(String, Page)>) -> std::io::Result<()> {
    let pages: BTreeMap<String, StoredPage> = pages
        .into_par_iter()
        .map(|(path, p)| {
            let seen = std::fs::symlink_metadata(dest.join(&path)).ok().as_ref().and_then(seen);
            let hex = |b: [u8; 32]| blake3::Hash::from_bytes(b).to_hex().to_string();
            (path, StoredPage { key: hex(p.key), size: p.size, hash: hex(p.hash), seen })
        })
        .collect();
    let stored = Stored { format: FORMAT, site: blake3::Hash::from_bytes(*site).to_hex().to_string(), pages };
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(&stored).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_retro_pages_are_cached() {
        assert!(is_retro_page("retros/2025-01-01-x/index.html"));
        for other in ["retros/index.html", "retros/a/b/index.html", "factors/x/index.html", "retros/a/chart.png"] {
            assert!(!is_retro_page(other), "{other}");
        }
    }

    fn book() -> Book {
        crate::analyze::testing::book(
            "[book]\ntitle = \"t\"\n",
            &["id: a\ntitle: A\ndate: 2025-01-01", "id: b\ntitle: B\ndate: 2025-01-02"],
        )
    }

    fn page(bytes: &[u8], key: u8) -> Page {
        Page { key: [key; 32], size: bytes.len() as u64, hash: *blake3::hash(bytes).as_bytes() }
    }

    /// A previous site in `dir/site` with pages a and b and its cache; returns (site, cache file).
    fn previous(dir: &Path, site_key: &[u8; 32]) -> (PathBuf, PathBuf) {
        let site = dir.join("site");
        for (id, bytes) in [("a", b"page a".as_slice()), ("b", b"page b")] {
            std::fs::create_dir_all(site.join("retros").join(id)).unwrap();
            std::fs::write(site.join(page_path(id)), bytes).unwrap();
        }
        // Older than the cache file by more than a clock tick: the entries are not racy.
        std::thread::sleep(std::time::Duration::from_millis(30));
        let cache = dir.join("cache").join(FILE);
        let pages = vec![(page_path("a"), page(b"page a", 1)), (page_path("b"), page(b"page b", 2))];
        store(&cache, site_key, &site, pages).unwrap();
        (site, cache)
    }

    #[test]
    fn pages_that_check_out_are_placed_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let (site, cache) = previous(dir.path(), &[7; 32]);
        let tmp = dir.path().join("new");
        let placed = place(&cache, &[7; 32], &book(), &site, &tmp);
        assert_eq!(placed.pages.len(), 2, "{}", placed.note);
        assert_eq!(placed.pages[&page_path("a")], page(b"page a", 1));
        assert_eq!(std::fs::read(tmp.join(page_path("b"))).unwrap(), b"page b");

        // Edited by hand in the site (same size, and the old modification time put back).
        let a = site.join(page_path("a"));
        let mtime = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::fs::write(&a, b"page X").unwrap();
        std::fs::File::options().write(true).open(&a).unwrap().set_modified(mtime).unwrap();
        // A link where a page was: never followed, never placed.
        let b = site.join(page_path("b"));
        std::fs::remove_file(&b).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"page b").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&elsewhere, &b).unwrap();
        let tmp = dir.path().join("newer");
        let placed = place(&cache, &[7; 32], &book(), &site, &tmp);
        assert!(placed.pages.is_empty(), "{:?}", placed.pages.keys());
        assert!(!tmp.join(page_path("a")).exists() && !tmp.join(page_path("b")).exists(), "nothing left behind");
    }

    #[test]
    fn a_cache_of_other_inputs_another_format_or_garbage_places_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (site, cache) = previous(dir.path(), &[7; 32]);
        let placed = place(&cache, &[8; 32], &book(), &site, &dir.path().join("t1"));
        assert!(placed.pages.is_empty() && placed.note.contains("other inputs"), "{}", placed.note);
        let text = std::fs::read_to_string(&cache).unwrap();
        std::fs::write(&cache, text.replacen(&format!("\"format\":{FORMAT}"), "\"format\":999", 1)).unwrap();
        let placed = place(&cache, &[7; 32], &book(), &site, &dir.path().join("t2"));
        assert!(placed.pages.is_empty() && placed.note.contains("format 999"), "{}", placed.note);
        std::fs::write(&cache, "[]").unwrap();
        let placed = place(&cache, &[7; 32], &book(), &site, &dir.path().join("t3"));
        assert!(placed.pages.is_empty() && placed.note.contains("not a page cache"), "{}", placed.note);
        // A retro the book no longer has is not placed either.
        let (site, cache) = previous(&dir.path().join("again"), &[7; 32]);
        let one = crate::analyze::testing::book("[book]\ntitle = \"t\"\n", &["id: b\ntitle: B\ndate: 2025-01-02"]);
        let placed = place(&cache, &[7; 32], &one, &site, &dir.path().join("t4"));
        assert_eq!(placed.pages.keys().collect::<Vec<_>>(), [&page_path("b")]);
    }

    #[test]
    fn the_site_key_follows_every_input_all_pages_share() {
        let dir = tempfile::tempdir().unwrap();
        let b = book();
        let theme = Theme::default();
        let root = dir.path();
        fn at<'a>(root: &'a Path, book: &'a Book, theme: &'a Theme) -> SiteInputs<'a> {
            let today = jiff::civil::date(2026, 1, 1);
            SiteInputs { root, book, theme, today, search: true, audience: Audience::Internal }
        }
        let inputs = |b| at(root, b, &theme);
        let base = site_key(&inputs(&b)).expect("the test program can be examined");
        assert_eq!(site_key(&inputs(&b)), Some(base), "the same inputs, the same key");
        let mut keys = vec![
            site_key(&SiteInputs { today: jiff::civil::date(2026, 1, 2), ..inputs(&b) }),
            site_key(&SiteInputs { search: false, ..inputs(&b) }),
            site_key(&SiteInputs { audience: Audience::External, ..inputs(&b) }),
        ];
        std::fs::create_dir_all(dir.path().join("theme/css")).unwrap();
        std::fs::write(dir.path().join("theme/css/extra.css"), "body{}").unwrap();
        let with_theme = Theme::load(dir.path()).unwrap();
        keys.push(site_key(&SiteInputs { theme: &with_theme, ..inputs(&b) }));
        let mut tracked = book();
        tracked.trackers = crate::tracking::store::Store::parse(
            r#"{"https://example.com/1": {"tracker": "github", "state": "open", "fetched_at": "2026-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        keys.push(site_key(&inputs(&tracked)));
        let mut moved = book();
        moved.history.prefix = Some("docs/".into());
        keys.push(site_key(&inputs(&moved)));
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"t\"\n").unwrap();
        keys.push(site_key(&inputs(&b)));
        let mut seen = std::collections::HashSet::from([base]);
        for (i, k) in keys.into_iter().enumerate() {
            assert!(seen.insert(k.expect("a key")), "input {i} did not change the key");
        }
    }
}
