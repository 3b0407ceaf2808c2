//! Full-text search for the generated site, built in-process with Pagefind's Rust API.
//!
//! Every retro becomes one Pagefind "custom record" (plain text plus filters, sort keys and metadata),
//! so nothing is scraped back out of the rendered HTML. Records are grouped into shards (normally one per
//! year) and each shard is written as a complete, self-contained Pagefind bundle in `pagefind/<shard>/`.
//! The browser script (`theme/js/search.js`) loads the newest shard and merges the others with
//! Pagefind's `mergeIndex`, driven by `pagefind/shards.json`.
//!
//! Sharding exists for rebuild speed and memory: a shard whose records did not change is kept or copied
//! from the cache instead of being re-indexed, shards that do need indexing are built in parallel, and
//! Pagefind holds only one shard per thread in memory instead of the whole site.
//!
//! Layout written into `out_dir`:
//! ```text
//! shards.json                 {"format":1,"shards":[{"name":"2025","dir":"2025/","records":12,"key":"…"}, …]}
//! 2025/pagefind.js            one complete Pagefind bundle per shard (newest first in shards.json)
//! 2025/pagefind-entry.json
//! 2025/fragment/*.pf_fragment …
//! 2025/.rb-search-key         hash of the records the bundle was built from
//! ```

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use serde::{Deserialize, Serialize};

/// Name of the manifest in `out_dir` that lists the shard bundles for the search page.
pub(crate) const SHARDS_FILE: &str = "shards.json";

/// Filter name the browser script attaches to every page of a shard (via Pagefind's `mergeFilter`) so it
/// can query one shard at a time; records may not use it themselves.
pub(crate) const SHARD_FILTER: &str = "rb_shard";

/// Bumped whenever the way records are turned into an index changes, so old cache entries are not reused.
const CACHE_FORMAT: &str = "retrobook-search-v1";

/// File inside each bundle (in the output and in the cache) holding the hash the bundle was built from.
const KEY_FILE: &str = ".rb-search-key";

/// Filter names that Pagefind's filter syntax treats as boolean operators (`{"any": …}`), so a filter with
/// one of these names could never be selected from the browser.
const RESERVED_FILTERS: [&str; 4] = ["any", "all", "not", "none"];

/// Bundle files that `get_files` produces but that retrobook's own search page never loads (Pagefind's
/// ready-made UIs). Skipping them saves about 430 KB per shard.
const UNUSED_BUNDLE_PREFIXES: [&str; 5] =
    ["pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/"];

/// One searchable document (one retro): readable text only, never raw YAML.
///
/// All strings are plain text. Pagefind stores them as they are and the search page inserts them into
/// the DOM as text, so callers must not HTML-escape anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SearchRecord {
    /// Site-relative URL of the page, e.g. `retros/db-failover/` (a leading `/` is tolerated and dropped).
    /// Must be unique across all records.
    pub url: String,
    /// Page title; stored as the `title` metadata (which Pagefind ranks highly), overriding `meta["title"]`.
    pub title: String,
    /// Plain text: summary plus every section's text. When blank the title is indexed instead, because
    /// Pagefind silently drops records without any words.
    pub content: String,
    /// ISO 639-1 language code, e.g. `en`; it picks Pagefind's stemmer. Blank means `unknown`.
    pub language: String,
    /// Facets: filter name → values, e.g. `severity` → `["SEV1"]`. Empty values are ignored.
    pub filters: BTreeMap<String, Vec<String>>,
    /// Sort keys, e.g. `date` → `2025-03-14`. Values sort as numbers when all parse as numbers, otherwise as
    /// strings, so dates must be ISO formatted. A record without `date` is left out of the date-sorted listing.
    pub sort: BTreeMap<String, String>,
    /// Extra fields returned with each result (`date`, `severity`, `summary`, …).
    pub meta: BTreeMap<String, String>,
    /// Shard this record is indexed in, e.g. the year `2025`. Letters, digits, `.`, `_` and `-` only, not
    /// starting with `.`; shard names should sort chronologically because the newest (greatest) loads first.
    pub shard: String,
}

/// What [`build_search`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SearchStats {
    /// Records indexed (or reused from the cache).
    pub records: usize,
    /// Shard bundles written.
    pub shards: usize,
    /// Shards taken from the cache (or kept in `out_dir`) instead of being re-indexed.
    pub shards_reused: usize,
    /// Files making up the search bundle in `out_dir`, including `shards.json`.
    pub files: usize,
}

/// Builds the Pagefind bundle into `out_dir` (the site's `pagefind/` folder).
///
/// Writes one Pagefind index per shard in `out_dir/<shard>/` plus `out_dir/shards.json`, which lists the
/// shard folders newest first (descending shard name) for the search page. Shard folders left over from an
/// earlier build are removed; other files in `out_dir` are left alone.
///
/// When `cache_dir` is given, a shard whose records (and Pagefind version) hash the same as in the cache is
/// copied from there instead of being re-indexed, and freshly indexed shards are stored there. A shard that
/// is already in `out_dir` with the same hash is left in place. Without a cache every shard is indexed from
/// scratch. Each bundle records its hash in a small `.rb-search-key` file.
///
/// Shards are indexed in parallel on scoped threads, each with its own single-threaded Tokio runtime, so
/// this function works the same whether or not it is called from inside a Tokio runtime (from async
/// code, call it through `spawn_blocking`: it blocks).
pub(crate) fn build_search(records: &[SearchRecord], out_dir: &Path, cache_dir: Option<&Path>) -> Result<SearchStats> {
    let shards = group_into_shards(records)?;

    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    if let Some(cache) = cache_dir {
        fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    }

    // The key has to change when the Pagefind library changes (its index format and JS travel inside every
    // bundle), and the crate exposes no version, so ask it by indexing one record (about 10 ms). The key is
    // computed even without a cache because shards.json publishes it as the browser's cache tag.
    let fingerprint = on_fresh_thread(pagefind_fingerprint)?;

    let jobs: Vec<ShardJob<'_>> = shards
        .into_iter()
        .map(|(name, records)| {
            let key = shard_key(&fingerprint, name, &records);
            ShardJob { name, records, key }
        })
        .collect();

    let outcomes = run_jobs(&jobs, out_dir, cache_dir)?;

    remove_stale(out_dir, &jobs, "pagefind-entry.json")?;
    if let Some(cache) = cache_dir {
        remove_stale(cache, &jobs, KEY_FILE)?;
    }

    // Newest first: the search page loads the first shard as Pagefind's primary index.
    let mut listed: Vec<ManifestShard> = jobs
        .iter()
        .map(|job| ManifestShard {
            name: job.name.to_string(),
            dir: format!("{}/", job.name),
            records: job.records.len(),
            key: job.key.clone(),
        })
        .collect();
    listed.sort_by(|a, b| b.name.cmp(&a.name));
    let manifest = serde_json::to_vec_pretty(&Manifest { format: 1, shards: listed })?;
    write_atomically(&out_dir.join(SHARDS_FILE), &manifest)?;

    Ok(SearchStats {
        records: records.len(),
        shards: jobs.len(),
        shards_reused: outcomes.iter().filter(|o| o.reused).count(),
        files: outcomes.iter().map(|o| o.files).sum::<usize>() + 1,
    })
}

#[derive(Serialize)]
struct Manifest {
    format: u32,
    shards: Vec<ManifestShard>,
}

#[derive(Serialize)]
struct ManifestShard {
    name: String,
    /// Folder of the bundle relative to `out_dir`, with a trailing slash as Pagefind's `basePath` wants.
    dir: String,
    records: usize,
    /// Content hash of the shard; the search page passes it as Pagefind's `metaCacheTag`, so browsers may
    /// cache the entry file until the shard changes.
    key: String,
}

struct ShardJob<'a> {
    name: &'a str,
    /// Sorted by URL so that the cache key and the index do not depend on the caller's order.
    records: Vec<&'a SearchRecord>,
    key: String,
}

struct ShardOutcome {
    reused: bool,
    files: usize,
}

/// Checks every record and groups them by shard.
fn group_into_shards(records: &[SearchRecord]) -> Result<BTreeMap<&str, Vec<&SearchRecord>>> {
    let mut urls = HashSet::new();
    let mut shards: BTreeMap<&str, Vec<&SearchRecord>> = BTreeMap::new();
    for record in records {
        let url = normalized_url(&record.url);
        if url.is_empty() {
            bail!("search record {:?} has an empty url", record.title);
        }
        // Pagefind keeps only the last record added for a URL; fail rather than lose one silently.
        if !urls.insert(url) {
            bail!("two search records share the url {url:?}");
        }
        if !valid_shard_name(&record.shard) {
            bail!(
                "search record {url:?} has shard {:?}: use letters, digits, '.', '_' and '-', not starting with '.'",
                record.shard
            );
        }
        for name in record.filters.keys() {
            if name.is_empty() || name == SHARD_FILTER || RESERVED_FILTERS.contains(&name.as_str()) {
                bail!("search record {url:?} uses the reserved or empty filter name {name:?}");
            }
        }
        shards.entry(record.shard.as_str()).or_default().push(record);
    }
    for records in shards.values_mut() {
        records.sort_by(|a, b| normalized_url(&a.url).cmp(normalized_url(&b.url)));
    }
    Ok(shards)
}

fn normalized_url(url: &str) -> &str {
    url.trim().trim_start_matches('/')
}

/// Shard names become folder names and URL path segments, so keep them boring.
fn valid_shard_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Hash of everything that determines a shard's bundle: the cache format, the Pagefind fingerprint and
/// the records in canonical (URL) order. JSON of `BTreeMap`s is canonical, so this is stable across runs.
fn shard_key(fingerprint: &str, name: &str, records: &[&SearchRecord]) -> String {
    let mut hasher = blake3::Hasher::new();
    serde_json::to_writer(&mut hasher, &(CACHE_FORMAT, fingerprint, name, records))
        .expect("serialising search records to a hasher cannot fail");
    hasher.finalize().to_hex().to_string()
}

/// Runs the shard jobs on up to `available_parallelism` scoped threads. Borrowing the records from scoped
/// threads avoids copying every record into `'static` tasks.
fn run_jobs(jobs: &[ShardJob<'_>], out_dir: &Path, cache_dir: Option<&Path>) -> Result<Vec<ShardOutcome>> {
    // Largest shards first, so that with few threads a big shard does not start last and run alone.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].records.len()));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let outcomes: Mutex<Vec<Option<ShardOutcome>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(jobs.len()).max(1);

    let errors: Vec<anyhow::Error> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    // A current-thread runtime per worker: Pagefind's API is async but its work is CPU bound,
                    // so one runtime thread per OS thread is all it needs.
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                    loop {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if n >= order.len() || failed.load(Ordering::SeqCst) {
                            return Ok(());
                        }
                        let i = order[n];
                        let job = &jobs[i];
                        match run_job(&runtime, job, out_dir, cache_dir) {
                            Ok(outcome) => {
                                outcomes.lock().expect("no worker panics while holding the lock")[i] = Some(outcome)
                            }
                            Err(error) => {
                                failed.store(true, Ordering::SeqCst);
                                return Err(error.context(format!("building search shard {:?}", job.name)));
                            }
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .filter_map(|worker| match worker.join() {
                Ok(Ok(())) => None,
                Ok(Err(error)) => Some(error),
                Err(panic) => Some(anyhow!("search indexing thread panicked: {}", panic_message(&panic))),
            })
            .collect()
    });
    if let Some(error) = errors.into_iter().next() {
        return Err(error);
    }
    outcomes
        .into_inner()
        .expect("workers are joined")
        .into_iter()
        .map(|o| o.ok_or_else(|| anyhow!("a search shard was not built")))
        .collect()
}

fn run_job(
    runtime: &tokio::runtime::Runtime,
    job: &ShardJob<'_>,
    out_dir: &Path,
    cache_dir: Option<&Path>,
) -> Result<ShardOutcome> {
    let target = out_dir.join(job.name);
    // Incremental rebuilds into the same output (e.g. while serving) then touch nothing at all.
    if cache_dir.is_some() && has_key(&target, &job.key) {
        return Ok(ShardOutcome { reused: true, files: count_files(&target)? });
    }

    // Write next to the target and rename, so a server watching `out_dir` never sees half a bundle.
    let staging = out_dir.join(format!(".tmp-{}", job.name));
    remove_dir_if_exists(&staging)?;

    if let Some(cache) = cache_dir {
        let cached = cache.join(job.name);
        if has_key(&cached, &job.key) {
            let files = copy_dir(&cached, &staging)?;
            replace_dir(&staging, &target)?;
            return Ok(ShardOutcome { reused: true, files });
        }
    }

    let files = runtime.block_on(index_shard(&job.records))?;
    fs::create_dir_all(&staging)?;
    let mut written = 0;
    for file in &files {
        let relative = file.filename.to_string_lossy().replace('\\', "/");
        if UNUSED_BUNDLE_PREFIXES.iter().any(|prefix| relative.starts_with(prefix)) {
            continue;
        }
        let path = staging.join(&file.filename);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
        written += 1;
    }
    drop(files);
    // Inside the bundle, so the key can never describe other content than the files next to it.
    fs::write(staging.join(KEY_FILE), &job.key)?;
    written += 1;

    if let Some(cache) = cache_dir {
        store_in_cache(cache, job, &staging)?;
    }
    replace_dir(&staging, &target)?;
    Ok(ShardOutcome { reused: false, files: written })
}

/// Indexes one shard's records and returns the bundle files (paths relative to the bundle folder).
async fn index_shard(records: &[&SearchRecord]) -> Result<Vec<pagefind::api::SyntheticFile>> {
    let mut index = new_index()?;
    for record in records {
        let mut meta = record.meta.clone();
        meta.insert("title".into(), record.title.clone());
        let filters: BTreeMap<String, Vec<String>> = record
            .filters
            .iter()
            .map(|(name, values)| {
                (name.clone(), values.iter().filter(|v| !v.trim().is_empty()).cloned().collect::<Vec<_>>())
            })
            .filter(|(_, values)| !values.is_empty())
            .collect();
        let content = if record.content.trim().is_empty() { record.title.clone() } else { record.content.clone() };
        // Pagefind names index files after the language: anything but a well-formed tag (book.toml's
        // loader accepts no other) is indexed as `unknown` rather than written into a file name.
        let language = if crate::config::check_language(&record.language).is_ok() {
            record.language.clone()
        } else {
            "unknown".into()
        };
        index
            .add_custom_record(
                normalized_url(&record.url).to_string(),
                content,
                language,
                Some(meta),
                Some(filters),
                Some(record.sort.clone()),
            )
            .await
            .with_context(|| format!("indexing {}", record.url))?;
    }
    index.get_files().await
}

fn new_index() -> Result<PagefindIndex> {
    // Custom record URLs are used verbatim by Pagefind; keep_index_url only stops it from touching them
    // should a record URL ever end in index.html.
    PagefindIndex::new(Some(PagefindServiceConfig::builder().keep_index_url(true).build()))
}

/// Identifies the Pagefind library in use: the version in its entry file plus a hash of its JS.
fn pagefind_fingerprint() -> Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut index = new_index()?;
        index.add_custom_record("probe/".into(), "probe".into(), "en".into(), None, None, None).await?;
        let files = index.get_files().await?;
        let mut hasher = blake3::Hasher::new();
        for name in ["pagefind-entry.json", "pagefind.js", "pagefind-worker.js"] {
            let file = files
                .iter()
                .find(|f| f.filename == Path::new(name))
                .ok_or_else(|| anyhow!("Pagefind produced no {name}"))?;
            if name == "pagefind-entry.json" {
                // The entry file holds page hashes that vary with content; only its version matters.
                let entry: serde_json::Value = serde_json::from_slice(&file.contents)?;
                hasher.update(entry["version"].to_string().as_bytes());
            } else {
                hasher.update(&file.contents);
            }
        }
        Ok(hasher.finalize().to_hex().to_string())
    })
}

/// Runs `f` on a new thread: a Tokio runtime cannot be started from a thread that already runs one.
fn on_fresh_thread<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        scope.spawn(f).join().unwrap_or_else(|panic| Err(anyhow!("thread panicked: {}", panic_message(&panic))))
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn has_key(bundle: &Path, key: &str) -> bool {
    fs::read_to_string(bundle.join(KEY_FILE)).is_ok_and(|found| found == key)
}

/// Replaces the cache entry for `job` with the bundle in `bundle` (staged and renamed, like the output).
fn store_in_cache(cache: &Path, job: &ShardJob<'_>, bundle: &Path) -> Result<()> {
    let staging = cache.join(format!(".tmp-{}", job.name));
    remove_dir_if_exists(&staging)?;
    copy_dir(bundle, &staging)?;
    replace_dir(&staging, &cache.join(job.name))
}

/// Removes the folders of `dir` that belong to no current shard and that this module wrote:
/// those holding `marker` (so unrelated folders a caller keeps there survive, and several caches
/// may share one folder) and the staging folders (`.tmp-…`) of interrupted builds. Keeps the
/// index and the cache from growing with shards that no longer exist.
fn remove_stale(dir: &Path, jobs: &[ShardJob<'_>], marker: &str) -> Result<()> {
    let current: BTreeSet<&str> = jobs.iter().map(|j| j.name).collect();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !path.is_dir() || current.contains(name.as_str()) {
            continue;
        }
        if name.starts_with(".tmp-") || path.join(marker).is_file() {
            fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

fn replace_dir(from: &Path, to: &Path) -> Result<()> {
    remove_dir_if_exists(to)?;
    fs::rename(from, to).with_context(|| format!("moving {} to {}", from.display(), to.display()))
}

fn remove_dir_if_exists(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(anyhow::Error::new(e).context(format!("removing {}", dir.display())))
        }
        _ => Ok(()),
    }
}

fn count_files(dir: &Path) -> Result<usize> {
    let mut files = 0;
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        files += if entry.file_type()?.is_dir() { count_files(&entry.path())? } else { 1 };
    }
    Ok(files)
}

/// Copies a directory tree and returns the number of files copied.
fn copy_dir(from: &Path, to: &Path) -> Result<usize> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut files = 0;
    let mut pending: Vec<(PathBuf, PathBuf)> = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((source, destination)) = pending.pop() {
        for entry in fs::read_dir(&source).with_context(|| format!("reading {}", source.display()))? {
            let entry = entry?;
            let target = destination.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                fs::create_dir_all(&target)?;
                pending.push((entry.path(), target));
            } else {
                fs::copy(entry.path(), &target).with_context(|| format!("copying to {}", target.display()))?;
                files += 1;
            }
        }
    }
    Ok(files)
}

/// Replaces the file at `path` with `contents` at once (written beside it, then renamed): `serve`
/// answers from the folder while it is indexed. The one atomic write of a single file; a whole
/// site is swapped in by `build::swap_in`.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let staging = path.with_extension("tmp");
    fs::write(&staging, contents).with_context(|| format!("writing {}", staging.display()))?;
    fs::rename(&staging, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(url: &str, shard: &str) -> SearchRecord {
        SearchRecord {
            url: url.into(),
            title: "T".into(),
            content: "words".into(),
            language: "en".into(),
            shard: shard.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_bad_language_never_reaches_a_file_name() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for lang in ["x/../../../ESCAPED", &format!("en-{}", "a".repeat(80))] {
            let mut r = record("retros/a/", "2025");
            r.language = lang.to_string();
            let files = rt.block_on(index_shard(&[&r])).unwrap();
            for f in &files {
                let name = f.filename.to_string_lossy();
                assert!(!name.contains("..") && !name.contains("ESCAPED") && !name.contains("aaaa"), "{name}");
            }
        }
    }

    #[test]
    fn rejects_duplicate_urls_bad_shards_and_reserved_filters() {
        let dup = [record("retros/a/", "2025"), record("/retros/a/", "2024")];
        assert!(group_into_shards(&dup).unwrap_err().to_string().contains("share the url"));

        for shard in ["", "../x", ".hidden", "a/b", "a b"] {
            assert!(group_into_shards(&[record("retros/a/", shard)]).is_err(), "{shard:?} accepted");
        }

        let mut reserved = record("retros/a/", "2025");
        reserved.filters.insert("any".into(), vec!["x".into()]);
        assert!(group_into_shards(&[reserved]).is_err());
    }

    #[test]
    fn key_ignores_input_order_but_not_content() {
        let a = record("retros/a/", "2025");
        let b = record("retros/b/", "2025");
        let (forward, backward) = ([a.clone(), b.clone()], [b.clone(), a.clone()]);
        let one = group_into_shards(&forward).unwrap();
        let two = group_into_shards(&backward).unwrap();
        assert_eq!(shard_key("f", "2025", &one["2025"]), shard_key("f", "2025", &two["2025"]));

        let mut changed = b;
        changed.content.push_str(" more");
        let edited = [a, changed];
        let three = group_into_shards(&edited).unwrap();
        assert_ne!(shard_key("f", "2025", &one["2025"]), shard_key("f", "2025", &three["2025"]));
        assert_ne!(shard_key("f", "2025", &one["2025"]), shard_key("g", "2025", &one["2025"]));
    }
}
