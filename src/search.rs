//! Full-text search for the generated site, built in-process with Pagefind's Rust API.
//!
//! Every retro becomes one Pagefind "custom record" (plain text plus filters, sort keys and metadata),
//! so nothing is scraped back out of the rendered HTML. Records name a shard (their year); consecutive
//! shards are joined, oldest first, into bundles of up to [`RECORDS_PER_BUNDLE`] records, and each bundle
//! is written as a complete, self-contained Pagefind bundle in `pagefind/<bundle>/` (named after its
//! shard, or `<first>-<last>`). The browser script (`theme/js/search.js`) loads the newest bundle and
//! merges the others with Pagefind's `mergeIndex`, driven by `pagefind/shards.json`.
//!
//! Bundles exist for rebuild speed and memory: a bundle whose records did not change is kept or copied
//! from the cache instead of being re-indexed, bundles that do need indexing are built in parallel, and
//! Pagefind holds only one bundle per thread in memory instead of the whole site. Their number is kept
//! small for the reader: each one costs a search its own entry, metadata and index requests.
//!
//! Layout written into `out_dir`:
//! ```text
//! shards.json                 {"format":1,"shards":[{"name":"2025-2026","dir":"2025-2026/","records":2291,"key":"…",
//!                               "meta":"pagefind.en_….pf_meta","wasm":"wasm.en.pagefind"}, …]}
//! 2025-2026/pagefind.js       one complete Pagefind bundle per group of shards (newest first in shards.json)
//! 2025-2026/pagefind-entry.json
//! 2025-2026/fragment/*.pf_fragment …
//! 2025-2026/.rb-search-key    hash of the records the bundle was built from
//! ```

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use serde::{Deserialize, Serialize};

/// Name of the manifest in `out_dir` that lists the shard bundles for the search page.
pub(crate) const SHARDS_FILE: &str = "shards.json";

/// Filter name the browser script attaches to every page of a shard (via Pagefind's `mergeFilter`) so it
/// can query one shard at a time; records may not use it themselves.
pub(crate) const SHARD_FILTER: &str = "rb_shard";

/// Most records one bundle holds (see [`group_into_bundles`]): a 10,000-retro book of eight years
/// makes three bundles, a book of a few thousand one. Fewer, bigger bundles cost the reader fewer
/// requests per query; smaller ones less memory while indexing and less work after a change.
const RECORDS_PER_BUNDLE: usize = 4000;

/// Most records being indexed at once, over all threads (a bundle larger than that is indexed alone).
/// Pagefind indexes one bundle on one thread and holds about 200 KB per record while it does, so two
/// full bundles at once keep both cores of a CI runner busy and bound the search phase's memory to
/// about 1.6 GB however large the book is. With room for one bundle only, a cold 10k build took
/// 19–20 s of search instead of 11–17 s, for 1.3 GB peak instead of 2.1–2.4 GB (docs/benchmarks.md).
const RECORDS_IN_FLIGHT: usize = 2 * RECORDS_PER_BUNDLE;

/// The one Pagefind filter every facet is stored in, as `name:value` (e.g. `severity:SEV1`). Pagefind
/// writes a file per filter name and bundle, which the browser fetches before it can show a facet
/// count; one filter keeps that to one request per bundle. The browser script splits the values again.
pub(crate) const FACET_FILTER: &str = "rb_facet";

/// Bumped whenever the way records are turned into an index changes, so old cache entries are not reused.
const CACHE_FORMAT: &str = "retrobook-search-v2";

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

/// Where [`build_search`] takes its records from. Only each record's URL and shard are asked for up
/// front, to group the records into bundles; a bundle's records are made when it is indexed (or its
/// cache key is computed) and dropped after, so a large book's records are never all in memory at
/// once (about 11 KB each for the synthetic book: 1.1 GB at 100,000 retros).
pub(crate) trait RecordSource: Sync {
    /// How many records there are.
    fn len(&self) -> usize;
    /// The URL and shard of record `i` (as [`SearchRecord::url`] and [`SearchRecord::shard`]).
    fn place(&self, i: usize) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>);
    /// Record `i` in full; its URL and shard must be the ones [`RecordSource::place`] gave.
    fn record(&self, i: usize) -> SearchRecord;
}

/// Records already in memory (the public site's few, and tests).
impl<T: AsRef<[SearchRecord]> + Sync> RecordSource for T {
    fn len(&self) -> usize {
        self.as_ref().len()
    }
    fn place(&self, i: usize) -> (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>) {
        let r = &self.as_ref()[i];
        (r.url.as_str().into(), r.shard.as_str().into())
    }
    fn record(&self, i: usize) -> SearchRecord {
        self.as_ref()[i].clone()
    }
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
pub(crate) fn build_search(
    records: &(impl RecordSource + ?Sized),
    out_dir: &Path,
    cache_dir: Option<&Path>,
) -> Result<SearchStats> {
    build_search_beside(records, out_dir, cache_dir, &Beside::default())
}

/// What a caller running other work at the same time as [`build_search_beside`] needs to know.
#[derive(Default)]
pub(crate) struct Beside<'a> {
    /// Called (possibly more than once, from an indexing thread) as soon as an indexing thread has
    /// no bundle left to start: from then on the indexing no longer keeps every core busy, and the
    /// caller's other work can have the rest. Also called when the indexing ends, however it ends.
    pub spare_core: Option<&'a (dyn Fn() + Sync)>,
    /// Set by the caller when its other work failed: no further bundle is started.
    pub cancel: Option<&'a AtomicBool>,
}

impl Beside<'_> {
    fn spare_core(&self) {
        if let Some(f) = self.spare_core {
            f();
        }
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::SeqCst))
    }
}

/// [`build_search`], telling `beside` when a core falls idle (see [`Beside`]).
pub(crate) fn build_search_beside(
    records: &(impl RecordSource + ?Sized),
    out_dir: &Path,
    cache_dir: Option<&Path>,
    beside: &Beside,
) -> Result<SearchStats> {
    struct Ended<'b, 'c>(&'b Beside<'c>);
    impl Drop for Ended<'_, '_> {
        fn drop(&mut self) {
            self.0.spare_core();
        }
    }
    let _ended = Ended(beside);
    let shards = group_into_bundles(group_into_shards(records)?, RECORDS_PER_BUNDLE);

    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    if let Some(cache) = cache_dir {
        fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    }

    // The key has to change when the Pagefind library changes (its index format and JS travel inside every
    // bundle), and the crate exposes no version, so ask it by indexing one record (about 10 ms). The key is
    // computed even without a cache because shards.json publishes it as the browser's cache tag.
    let fingerprint = on_fresh_thread(pagefind_fingerprint)?;

    let jobs: Vec<ShardJob> = shards.into_iter().map(|(name, entries)| ShardJob { name, entries }).collect();

    let outcomes = run_jobs(records, &fingerprint, &jobs, out_dir, cache_dir, beside)?;

    remove_stale(out_dir, &jobs, "pagefind-entry.json")?;
    if let Some(cache) = cache_dir {
        remove_stale(cache, &jobs, KEY_FILE)?;
    }

    // Newest first: the search page loads the first shard as Pagefind's primary index.
    let mut listed: Vec<ManifestShard> = jobs
        .iter()
        .zip(&outcomes)
        .map(|(job, outcome)| {
            let (meta, wasm) = first_files(&out_dir.join(&job.name));
            ManifestShard {
                name: job.name.clone(),
                dir: format!("{}/", job.name),
                records: job.entries.len(),
                key: outcome.key.clone(),
                meta,
                wasm,
            }
        })
        .collect();
    listed.sort_by(|a, b| b.name.cmp(&a.name));
    let manifest = serde_json::to_vec_pretty(&Manifest { format: 1, shards: listed })?;
    write_atomically(&out_dir.join(SHARDS_FILE), &manifest)?;

    Ok(SearchStats {
        records: jobs.iter().map(|job| job.entries.len()).sum(),
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
    /// The bundle's metadata file and WebAssembly, which Pagefind asks for once it has read the entry
    /// file: the search page fetches them early, together with `pagefind.js` (see [`first_files`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wasm: Option<String>,
}

/// The names of the metadata file (`pagefind.en_1a2b3c4d5e.pf_meta`) and WebAssembly
/// (`wasm.en.pagefind`) Pagefind loads first from a bundle, read from its `pagefind-entry.json`.
/// Known only when the bundle has one language (retrobook writes one per book), since Pagefind
/// picks the language by the page's; `None` otherwise, and the page then lets Pagefind find them.
fn first_files(bundle: &Path) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Entry {
        languages: BTreeMap<String, Language>,
    }
    #[derive(Deserialize)]
    struct Language {
        hash: String,
        wasm: Option<String>,
    }
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let entry = fs::read(bundle.join("pagefind-entry.json")).ok();
    let Some(Entry { languages }) = entry.and_then(|e| serde_json::from_slice(&e).ok()) else {
        return (None, None);
    };
    match languages.into_values().collect::<Vec<_>>().as_slice() {
        [Language { hash, wasm }] if plain(hash) => (
            Some(format!("pagefind.{hash}.pf_meta")),
            wasm.as_deref().filter(|w| plain(w)).map(|w| format!("wasm.{w}.pagefind")),
        ),
        _ => (None, None),
    }
}

struct ShardJob {
    /// The bundle's folder name: its shard, or its first and last shard joined by `-`.
    name: String,
    /// Sorted by URL so that the cache key and the index do not depend on the caller's order.
    entries: Vec<Entry>,
}

/// A record of a bundle, before it is made: its normalised URL and its place in the source.
#[derive(Debug, Clone)]
struct Entry {
    url: String,
    index: usize,
}

struct ShardOutcome {
    reused: bool,
    files: usize,
    /// The hash of the bundle's records ([`shard_key`]).
    key: String,
}

/// Checks every record's URL and shard and groups them by shard, each shard in URL order.
fn group_into_shards(records: &(impl RecordSource + ?Sized)) -> Result<BTreeMap<String, Vec<Entry>>> {
    let mut urls = HashSet::new();
    let mut shards: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for index in 0..records.len() {
        let (url, shard) = records.place(index);
        let url = normalized_url(&url).to_string();
        if url.is_empty() {
            bail!("search record {index} has an empty url");
        }
        // Pagefind keeps only the last record added for a URL; fail rather than lose one silently.
        if !urls.insert(url.clone()) {
            bail!("two search records share the url {url:?}");
        }
        if !valid_shard_name(&shard) {
            bail!(
                "search record {url:?} has shard {shard:?}: use letters, digits, '.', '_' and '-', not starting with '.'"
            );
        }
        match shards.get_mut(shard.as_ref()) {
            Some(entries) => entries.push(Entry { url, index }),
            None => {
                shards.insert(shard.into_owned(), vec![Entry { url, index }]);
            }
        }
    }
    for entries in shards.values_mut() {
        entries.sort_by(|a, b| a.url.cmp(&b.url));
    }
    Ok(shards)
}

/// Makes the records of a bundle, in its (URL) order, and checks what only the whole record shows.
fn make_records(source: &(impl RecordSource + ?Sized), entries: &[Entry]) -> Result<Vec<SearchRecord>> {
    entries
        .iter()
        .map(|entry| {
            let record = source.record(entry.index);
            let url = &entry.url;
            if normalized_url(&record.url) != url {
                bail!("search record {url:?} was made with another url, {:?}", record.url);
            }
            for name in record.filters.keys() {
                if name.is_empty()
                    || name.contains(':')
                    || [SHARD_FILTER, FACET_FILTER].contains(&name.as_str())
                    || RESERVED_FILTERS.contains(&name.as_str())
                {
                    bail!("search record {url:?} uses the reserved or empty filter name {name:?} (or one with a ':')");
                }
            }
            Ok(record)
        })
        .collect()
}

/// Joins consecutive shards, oldest first, into bundles of at most `budget` records, and splits a
/// shard larger than that into parts of equal size (`2025.1`, `2025.2`, … in URL order, which is
/// date order). Each bundle costs the reader's browser its own entry, metadata and index chunks for
/// every query, while indexing one holds all its records in Pagefind's memory and re-indexing it
/// after one record changed costs time in proportion to its size: the budget is the balance. Grouping
/// from the oldest shard keeps older bundles stable as new records arrive in the newest one.
fn group_into_bundles(shards: BTreeMap<String, Vec<Entry>>, budget: usize) -> Vec<(String, Vec<Entry>)> {
    let budget = budget.max(1);
    // (first shard, last shard, records); a part of a split shard is named in full as its first.
    let mut bundles: Vec<(String, Option<String>, Vec<Entry>)> = Vec::new();
    let mut joinable = false;
    for (name, records) in shards {
        if records.len() > budget {
            let parts = records.len().div_ceil(budget);
            let size = records.len().div_ceil(parts);
            let width = parts.to_string().len();
            for (i, part) in records.chunks(size).enumerate() {
                bundles.push((format!("{name}.{:0width$}", i + 1), None, part.to_vec()));
            }
            joinable = false;
            continue;
        }
        match bundles.last_mut() {
            Some((_, last, held)) if joinable && held.len() + records.len() <= budget => {
                *last = Some(name);
                held.extend(records);
            }
            _ => {
                bundles.push((name, None, records));
                joinable = true;
            }
        }
    }
    bundles
        .into_iter()
        .map(|(first, last, mut records)| {
            records.sort_by(|a, b| a.url.cmp(&b.url));
            let name = match last {
                Some(last) => format!("{first}-{last}"),
                None => first,
            };
            (name, records)
        })
        .collect()
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
fn shard_key(fingerprint: &str, name: &str, records: &[SearchRecord]) -> String {
    let key = crate::text::json_digest(blake3::Hasher::new(), &(CACHE_FORMAT, fingerprint, name, records));
    blake3::Hash::from_bytes(key).to_hex().to_string()
}

/// Runs the shard jobs on up to `available_parallelism` scoped threads. Borrowing the records from scoped
/// threads avoids copying every record into `'static` tasks.
fn run_jobs(
    source: &(impl RecordSource + ?Sized),
    fingerprint: &str,
    jobs: &[ShardJob],
    out_dir: &Path,
    cache_dir: Option<&Path>,
    beside: &Beside,
) -> Result<Vec<ShardOutcome>> {
    // Largest shards first, so that with few threads a big shard does not start last and run alone.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].entries.len()));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let outcomes: Mutex<Vec<Option<ShardOutcome>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let threads = cores.min(jobs.len()).max(1);
    if threads < cores {
        beside.spare_core();
    }
    let in_flight = InFlight::new(RECORDS_IN_FLIGHT);

    let errors: Vec<anyhow::Error> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    // A current-thread runtime per worker: Pagefind's API is async but its work is CPU bound,
                    // so one runtime thread per OS thread is all it needs. Pagefind indexes each record on
                    // the runtime's blocking pool, one record after the other; with its default size the
                    // pool started a fresh thread for many of them (25 threads in a 10k build instead of
                    // 8), each with heaps of its own (docs/benchmarks.md, "Twelfth session").
                    let runtime =
                        tokio::runtime::Builder::new_current_thread().max_blocking_threads(1).enable_all().build()?;
                    loop {
                        let n = next.fetch_add(1, Ordering::SeqCst);
                        if n >= order.len() || failed.load(Ordering::SeqCst) || beside.cancelled() {
                            beside.spare_core();
                            return Ok(());
                        }
                        let i = order[n];
                        let job = &jobs[i];
                        let place = Place { out_dir, cache_dir, fingerprint };
                        match run_job(&runtime, source, job, &place, &in_flight) {
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

/// Where a bundle goes and what its key is made of.
struct Place<'a> {
    out_dir: &'a Path,
    cache_dir: Option<&'a Path>,
    fingerprint: &'a str,
}

fn run_job(
    runtime: &tokio::runtime::Runtime,
    source: &(impl RecordSource + ?Sized),
    job: &ShardJob,
    place: &Place<'_>,
    in_flight: &InFlight,
) -> Result<ShardOutcome> {
    let Place { out_dir, cache_dir, fingerprint } = *place;
    let records = make_records(source, &job.entries)?;
    let key = shard_key(fingerprint, &job.name, &records);
    let target = out_dir.join(&job.name);
    // Incremental rebuilds into the same output (e.g. while serving) then touch nothing at all.
    if cache_dir.is_some() && has_key(&target, &key) {
        return Ok(ShardOutcome { reused: true, files: count_files(&target)?, key });
    }

    // Write next to the target and rename, so a server watching `out_dir` never sees half a bundle.
    let staging = out_dir.join(format!(".tmp-{}", job.name));
    remove_dir_if_exists(&staging)?;

    if let Some(cache) = cache_dir {
        let cached = cache.join(&job.name);
        if has_key(&cached, &key) {
            let files = copy_dir(&cached, &staging)?;
            replace_dir(&staging, &target)?;
            return Ok(ShardOutcome { reused: true, files, key });
        }
    }

    let permit = in_flight.acquire(records.len());
    let files = runtime.block_on(index_shard(records))?;
    drop(permit);
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
    fs::write(staging.join(KEY_FILE), &key)?;
    written += 1;

    if let Some(cache) = cache_dir {
        store_in_cache(cache, job, &staging)?;
    }
    replace_dir(&staging, &target)?;
    Ok(ShardOutcome { reused: false, files: written, key })
}

/// Counts the records being indexed, so that threads wait rather than hold more than `limit` at once.
struct InFlight {
    used: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

/// Records taken from an [`InFlight`]; given back when dropped (also when indexing fails).
struct Permit<'a> {
    pool: &'a InFlight,
    records: usize,
}

impl InFlight {
    fn new(limit: usize) -> Self {
        InFlight { used: Mutex::new(0), freed: Condvar::new(), limit }
    }

    /// Waits until `records` more fit under the limit, or nothing else is in flight (so a job larger
    /// than the limit still runs, alone).
    fn acquire(&self, records: usize) -> Permit<'_> {
        let mut used = self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while *used > 0 && *used + records > self.limit {
            used = self.freed.wait(used).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *used += records;
        Permit { pool: self, records }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut used = self.pool.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *used -= self.records;
        self.pool.freed.notify_all();
    }
}

/// Indexes one shard's records and returns the bundle files (paths relative to the bundle folder).
/// The records' text moves into the index: it is not held twice while the bundle is built.
async fn index_shard(records: Vec<SearchRecord>) -> Result<Vec<pagefind::api::SyntheticFile>> {
    let mut index = new_index()?;
    for record in records {
        let SearchRecord { url, title, content, language, filters, sort, mut meta, .. } = record;
        meta.insert("title".into(), title.clone());
        let facets: Vec<String> = filters
            .iter()
            .flat_map(|(name, values)| {
                values.iter().filter(|v| !v.trim().is_empty()).map(move |value| format!("{name}:{value}"))
            })
            .collect();
        let filters =
            if facets.is_empty() { BTreeMap::new() } else { BTreeMap::from([(FACET_FILTER.to_string(), facets)]) };
        let content = if content.trim().is_empty() { title } else { content };
        // Pagefind names index files after the language: anything but a well-formed tag (book.toml's
        // loader accepts no other) is indexed as `unknown` rather than written into a file name.
        let language = if crate::config::check_language(&language).is_ok() { language } else { "unknown".into() };
        index
            .add_custom_record(
                normalized_url(&url).to_string(),
                content,
                language,
                Some(meta),
                Some(filters),
                Some(sort),
            )
            .await
            .with_context(|| format!("indexing {url}"))?;
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
fn store_in_cache(cache: &Path, job: &ShardJob, bundle: &Path) -> Result<()> {
    let staging = cache.join(format!(".tmp-{}", job.name));
    remove_dir_if_exists(&staging)?;
    copy_dir(bundle, &staging)?;
    replace_dir(&staging, &cache.join(&job.name))
}

/// Removes the folders of `dir` that belong to no current shard and that this module wrote:
/// those holding `marker` (so unrelated folders a caller keeps there survive, and several caches
/// may share one folder) and the staging folders (`.tmp-…`) of interrupted builds. Keeps the
/// index and the cache from growing with shards that no longer exist.
fn remove_stale(dir: &Path, jobs: &[ShardJob], marker: &str) -> Result<()> {
    let current: BTreeSet<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
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
    fn every_facet_goes_into_one_filter_file_as_name_and_value() {
        use std::io::Read;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut a = record("retros/a/", "2025");
        a.filters.insert("severity".into(), vec!["SEV1".into()]);
        a.filters.insert("tag".into(), vec!["db".into(), " ".into(), "net:edge".into()]);
        let mut b = record("retros/b/", "2025");
        b.filters.insert("team".into(), vec!["sre".into()]);
        let files = rt.block_on(index_shard(vec![a, b])).unwrap();
        let filter_files = files.iter().filter(|f| f.filename.starts_with("filter")).count();
        assert_eq!(filter_files, 1, "one filter file for three facets");
        let mut found = Vec::new();
        for f in files.iter().filter(|f| f.filename.starts_with("fragment")) {
            let mut text = String::new();
            flate2::read::GzDecoder::new(&f.contents[..]).read_to_string(&mut text).unwrap();
            let json: serde_json::Value = serde_json::from_str(text.strip_prefix("pagefind_dcd").unwrap()).unwrap();
            found.push((json["url"].as_str().unwrap().to_string(), json["filters"].to_string()));
        }
        found.sort();
        assert_eq!(
            found,
            [
                ("retros/a/".to_string(), r#"{"rb_facet":["severity:SEV1","tag:db","tag:net:edge"]}"#.to_string()),
                ("retros/b/".to_string(), r#"{"rb_facet":["team:sre"]}"#.to_string()),
            ]
        );
    }

    #[test]
    fn a_bad_language_never_reaches_a_file_name() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for lang in ["x/../../../ESCAPED", &format!("en-{}", "a".repeat(80))] {
            let mut r = record("retros/a/", "2025");
            r.language = lang.to_string();
            let files = rt.block_on(index_shard(vec![r])).unwrap();
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

        for name in ["any", "rb_facet", "rb_shard", "a:b", ""] {
            let mut reserved = record("retros/a/", "2025");
            reserved.filters.insert(name.into(), vec!["x".into()]);
            let records = [reserved];
            let entries = &group_into_shards(&records).unwrap()["2025"];
            assert!(make_records(&records, entries).is_err(), "{name:?} accepted");
            let out = tempfile::tempdir().unwrap();
            assert!(build_search(&records, out.path(), None).is_err(), "{name:?} indexed");
        }
    }

    #[test]
    fn consecutive_shards_join_into_bundles_up_to_the_budget_oldest_first() {
        let mut records = Vec::new();
        for (year, n) in [("2019", 3), ("2020", 2), ("2021", 4), ("2022", 1), ("2023", 1)] {
            records.extend((0..n).map(|i| record(&format!("retros/{year}-{i}/"), year)));
        }
        let bundles = group_into_bundles(group_into_shards(&records).unwrap(), 5);
        let shape: Vec<(&str, usize)> = bundles.iter().map(|(name, held)| (name.as_str(), held.len())).collect();
        // 3 + 2 fit; 4 does not fit beside them; 4 + 1 fit; the newest year starts the last bundle.
        assert_eq!(shape, [("2019-2020", 5), ("2021-2022", 5), ("2023", 1)]);
        let urls: Vec<&str> = bundles[0].1.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["retros/2019-0/", "retros/2019-1/", "retros/2019-2/", "retros/2020-0/", "retros/2020-1/"]);

        // A shard over the budget is split into equal parts in URL order, joined with nothing else;
        // a large budget makes one bundle.
        let split = group_into_bundles(group_into_shards(&records).unwrap(), 2);
        let shape: Vec<(&str, usize)> = split.iter().map(|(name, held)| (name.as_str(), held.len())).collect();
        assert_eq!(shape, [("2019.1", 2), ("2019.2", 1), ("2020", 2), ("2021.1", 2), ("2021.2", 2), ("2022-2023", 2)]);
        assert_eq!(split[1].1[0].url, "retros/2019-2/");
        assert!(split.iter().all(|(name, _)| valid_shard_name(name)));
        let mut names: Vec<&str> = split.iter().map(|(name, _)| name.as_str()).collect();
        names.sort();
        assert_eq!(names, shape.iter().map(|(name, _)| *name).collect::<Vec<_>>(), "names sort in date order");
        let one = group_into_bundles(group_into_shards(&records).unwrap(), 100);
        assert_eq!((one.len(), one[0].0.as_str(), one[0].1.len()), (1, "2019-2023", 11));
        assert!(valid_shard_name(&one[0].0));
    }

    #[test]
    fn work_beside_the_index_hears_of_a_spare_core_and_can_stop_it() {
        let records = [record("retros/a/", "2025"), record("retros/b/", "2026")];
        let heard = AtomicUsize::new(0);
        let spare = || {
            heard.fetch_add(1, Ordering::SeqCst);
        };
        let out = tempfile::tempdir().unwrap();
        let beside = Beside { spare_core: Some(&spare), cancel: None };
        build_search_beside(&records, out.path(), None, &beside).unwrap();
        assert!(heard.load(Ordering::SeqCst) >= 1, "a caller waiting for a spare core would wait forever");
        assert!(out.path().join("2025-2026/pagefind-entry.json").is_file());

        // Cancelled before it starts: no bundle is indexed, it fails, and the caller still hears.
        let stop = AtomicBool::new(true);
        heard.store(0, Ordering::SeqCst);
        let out = tempfile::tempdir().unwrap();
        let beside = Beside { spare_core: Some(&spare), cancel: Some(&stop) };
        assert!(build_search_beside(&records, out.path(), None, &beside).is_err());
        assert!(!out.path().join("2025-2026").exists());
        assert!(heard.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn indexing_waits_while_the_records_in_flight_would_pass_the_limit() {
        let pool = InFlight::new(10);
        let big = pool.acquire(25); // larger than the limit, but alone: it runs
        let peak = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let _small = pool.acquire(4);
                peak.store(*pool.used.lock().unwrap(), Ordering::SeqCst);
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiter.is_finished(), "a job started beside one that holds 25 records");
            drop(big);
            waiter.join().unwrap();
        });
        assert_eq!(peak.load(Ordering::SeqCst), 4);
        let a = pool.acquire(6);
        let b = pool.acquire(4); // 6 + 4 fit under 10: no wait
        assert_eq!(*pool.used.lock().unwrap(), 10);
        drop((a, b));
        assert_eq!(*pool.used.lock().unwrap(), 0);
    }

    #[test]
    fn the_first_files_are_named_only_for_one_plain_language() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |json: &str| {
            fs::write(dir.path().join("pagefind-entry.json"), json).unwrap();
            first_files(dir.path())
        };
        let one = r#"{"version":"1.6.0","languages":{"en":{"hash":"en_89d22725db","wasm":"en","page_count":3}}}"#;
        assert_eq!(entry(one), (Some("pagefind.en_89d22725db.pf_meta".into()), Some("wasm.en.pagefind".into())));
        let two = r#"{"languages":{"en":{"hash":"en_1","wasm":"en"},"de":{"hash":"de_2","wasm":"de"}}}"#;
        assert_eq!(entry(two), (None, None), "Pagefind picks by the page's language");
        assert_eq!(entry(r#"{"languages":{"en":{"hash":"../x","wasm":"en"}}}"#), (None, None));
        assert_eq!(
            entry(r#"{"languages":{"en":{"hash":"en_1","wasm":"a/b"}}}"#),
            (Some("pagefind.en_1.pf_meta".into()), None)
        );
        assert_eq!(entry("not json"), (None, None));
        fs::remove_file(dir.path().join("pagefind-entry.json")).unwrap();
        assert_eq!(first_files(dir.path()), (None, None));
    }

    #[test]
    fn key_ignores_input_order_but_not_content() {
        let a = record("retros/a/", "2025");
        let b = record("retros/b/", "2025");
        let (forward, backward) = ([a.clone(), b.clone()], [b.clone(), a.clone()]);
        let made =
            |records: &[SearchRecord; 2]| make_records(records, &group_into_shards(records).unwrap()["2025"]).unwrap();
        let (one, two) = (made(&forward), made(&backward));
        assert_eq!(shard_key("f", "2025", &one), shard_key("f", "2025", &two));

        let mut changed = b;
        changed.content.push_str(" more");
        let three = made(&[a, changed]);
        assert_ne!(shard_key("f", "2025", &one), shard_key("f", "2025", &three));
        assert_ne!(shard_key("f", "2025", &one), shard_key("g", "2025", &one));
    }
}
