//! Rendering: page contexts → Tera templates → files in memory. Nothing here parses Markdown
//! front matter or reads git; everything comes from the loaded [`Book`].

pub(crate) mod assets;
pub mod context;
pub(crate) mod conversation;
pub(crate) mod format;
pub(crate) mod indexes;
pub mod markdown;
pub(crate) mod notfound;
pub(crate) mod page;
pub(crate) mod public;
pub(crate) mod records;
pub(crate) mod shared;
pub(crate) mod stats;
pub(crate) mod svg;
pub mod theme;
pub(crate) mod visuals;
pub(crate) mod yaml_syntax;

use crate::model::Book;
use anyhow::Result;
use context::{Link, Lookup};
use jiff::civil::Date;
use page::{Job, Renderer, Sink, SiteInfo};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use theme::Theme;

/// One file of the site, by its path relative to the site root.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative to the site root, with `/` separators.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// What writing a site took, phase by phase (pages go to disk as they are rendered, so
/// "render" includes writing them): for the build's summary line and `build -v`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phases {
    /// Rendering and writing the pages, the sitemap and the assets.
    pub render: Duration,
    /// Building the search index (zero without search).
    pub search: Duration,
    /// HTML pages in the site.
    pub pages: usize,
    /// Files written by the renderer (pages, sitemap, feed, assets; not the search index).
    pub files: usize,
}

/// What to render.
pub struct RenderOptions {
    /// The day overdue actions and ages are counted from.
    pub today: Date,
    /// Render the search page and link it (the index itself is built by `build`).
    pub search: bool,
}

const NAV: &[(&str, &str)] = &[
    ("Incidents", "retros/"),
    ("Factors", "factors/"),
    ("Actions", "actions/"),
    ("Services", "services/"),
    ("Tags", "tags/"),
    ("Stats", "stats/"),
];

/// `[output.html] site-url` with exactly one trailing slash.
pub(crate) fn site_url(book: &Book) -> String {
    format!("{}/", book.config.output.html.site_url.trim_end_matches('/'))
}

/// Renders every page of the internal site, in parallel.
pub fn render_site(book: &Book, theme: &Theme, opts: &RenderOptions) -> Result<Vec<OutputFile>> {
    let out = std::sync::Mutex::new(Vec::new());
    render_site_to(book, theme, opts, &|f| {
        out.lock().map_err(page::sink_error)?.push(f);
        Ok(())
    })?;
    let mut files = out.into_inner().map_err(page::sink_error)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders every page and hands each file to `sink` as soon as it is ready (in parallel), so a
/// build never holds the whole site in memory. Returns the number of HTML pages.
pub(crate) fn render_site_to(book: &Book, theme: &Theme, opts: &RenderOptions, sink: &Sink) -> Result<usize> {
    render_site_reusing(book, theme, opts, sink, &|_, _| false)
}

pub(crate) use page::ReuseCheck;

/// Like [`render_site_to`], but a retro page for which `reuse(path, key)` answers true is not
/// rendered (nor given to `sink`): the caller still has it from an earlier render with the same
/// key. The key hashes everything the page shows (the retro's file, its neighbours, the retros it
/// links to and from, its factors' incident counts); the caller must forget its keys when the
/// theme, book.toml or the date change. Used by `serve` to re-render only what an edit touched.
pub(crate) fn render_site_reusing(
    book: &Book,
    theme: &Theme,
    opts: &RenderOptions,
    sink: &Sink,
    reuse: &ReuseCheck,
) -> Result<usize> {
    let base = site_url(book);
    let site = SiteInfo {
        title: &book.config.book.title,
        description: &book.config.book.description,
        language: &book.config.book.language,
        base: &base,
        search: opts.search,
        nav: Some(NAV),
        today: Some(opts.today.to_string()),
    };
    let l = Lookup::new(book, opts.today);
    let renderer = Renderer::new(theme.tera()?, theme::TEMPLATES, site);
    // First the pages that list no incident rows: the board, whose action values are the largest
    // thing a render holds, and the retro pages, each of which makes its own row's value. Then,
    // once the board's values are gone, the lists, with the last eighth of the retro pages to
    // keep every thread busy while one renders the list of every incident. (At 100,000 retros
    // the board and the rows together were 1.1 GB of the render's peak.)
    let (mut first, reused) = board_and_retro_pages(&renderer, &l, reuse);
    let last = first.split_off(first.len() - first.len().saturating_sub(1) / 8);
    let mut paths = renderer.run(first, sink)?;
    let data = SiteData::new(&l);
    let mut second = index_pages(&renderer, &data, opts, reuse);
    second.extend(last);
    paths.extend(renderer.run(second, sink)?);
    paths.extend(reused);
    let pages = paths.iter().filter(|p| p.ends_with(".html")).count();
    let lastmod = |url: &str| {
        url.strip_prefix("retros/")
            .and_then(|u| u.strip_suffix('/'))
            .and_then(|id| l.by_id.get(id).and_then(|r| r.date))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    sink(renderer.sitemap(paths.iter().map(String::as_str), lastmod)?)?;
    for (rel, bytes) in theme.assets() {
        sink(OutputFile { path: rel.to_string(), bytes: bytes.to_vec() })?;
    }
    for f in retro_assets(book) {
        sink(f)?;
    }
    Ok(pages)
}

/// What the index pages of the internal site are made of, computed once for all of them.
struct SiteData<'a> {
    l: &'a Lookup<'a>,
    /// Every retro's row value, newest first.
    rows: Vec<shared::SharedValue>,
    summaries: Vec<indexes::FactorSummary>,
    services: Vec<indexes::FacetPage>,
    tags: Vec<indexes::FacetPage>,
    feed: FeedCtx,
}

impl<'a> SiteData<'a> {
    fn new(l: &'a Lookup<'a>) -> Self {
        use rayon::prelude::*;
        // The rows no retro page has made yet (all of them in a warm build), in parallel.
        let rows = (0..l.book.retros.len()).into_par_iter().rev().map(|i| l.shared_row(i)).collect();
        // Each scans the whole book: side by side.
        let ((summaries, feed), (services, tags)) = rayon::join(
            || rayon::join(|| indexes::factor_summaries(l), || feed_ctx(l.book)),
            || {
                rayon::join(
                    || indexes::facet_pages(l, "service", |r| &r.services),
                    || indexes::facet_pages(l, "tag", |r| &r.tags),
                )
            },
        );
        SiteData { l, rows, summaries, services, tags, feed }
    }
}

/// The actions board and every retro page as jobs, and the paths of the retro pages `reuse` keeps.
fn board_and_retro_pages<'a>(
    r: &'a Renderer<'a>,
    l: &'a Lookup<'a>,
    reuse: &'a ReuseCheck<'a>,
) -> (Vec<Job<'a>>, Vec<String>) {
    // The board of every action first: it is the longest page, and one thread renders it while
    // the others go through the retro pages. Every page but the retro pages is kept when its whole
    // context is what it was (see `Renderer::keyed_job`); the board's key is the digest of its
    // plain contexts: only when it is rendered do its actions become template values (about 2 KB
    // each), and only until then. A retro page has a cheaper key, of its inputs (`retro_page_key`).
    let board = move || {
        let (path, template) = ("actions/index.html", "actions.html");
        let page = indexes::actions_page(l);
        if reuse(path, &r.plain_key(path, template, &page)) {
            return Ok(None);
        }
        r.render(path, template, &page.into_values()).map(Some)
    };
    let mut jobs: Vec<Job> = vec![("actions/index.html".to_string(), Box::new(board))];
    let mut reused = Vec::new();
    for i in 0..l.book.retros.len() {
        let path = format!("retros/{}/index.html", l.book.retros[i].id);
        if reuse(&path, &retro_page_key(l, i)) {
            reused.push(path);
        } else {
            jobs.push(r.job(path, "retro.html", move || context::retro_page(l, i)));
        }
    }
    (jobs, reused)
}

/// The other pages of the internal site as jobs: the lists, the stats, the feed.
fn index_pages<'a>(
    r: &'a Renderer<'a>,
    d: &'a SiteData<'a>,
    opts: &RenderOptions,
    reuse: &'a ReuseCheck<'a>,
) -> Vec<Job<'a>> {
    let l = d.l;
    let rows = &d.rows[..];
    // The longest first: one thread renders the list of every incident while the others go
    // through the rest.
    let mut jobs: Vec<Job> = vec![
        r.keyed_job("retros/index.html", "retros.html", move || ListPage { rows, facets: &l.facets }, reuse),
        r.keyed_job("index.html", "index.html", move || home(l, rows), reuse),
        r.keyed_job("factors/index.html", "factors.html", move || indexes::factors_page(l, &d.summaries), reuse),
    ];
    let by_factor = &l.retros_by_factor;
    for f in &d.summaries {
        let retros = by_factor.get(f.id.as_str()).map_or(&[][..], Vec::as_slice);
        let page = move || indexes::factor_page(l, f, retros);
        jobs.push(r.keyed_job(format!("{}index.html", f.url), "factor.html", page, reuse));
    }
    for (kind, dir, pages) in [("service", "services", &d.services), ("tag", "tags", &d.tags)] {
        jobs.push(r.keyed_job(
            format!("{dir}/index.html"),
            "facets.html",
            move || indexes::facet_index(kind, pages),
            reuse,
        ));
        for fp in pages {
            jobs.push(r.keyed_job(format!("{}index.html", fp.url), "facet.html", move || fp, reuse));
        }
    }
    if opts.search {
        jobs.push(r.keyed_job("search/index.html", "search.html", || (), reuse));
    }
    jobs.push(r.keyed_job("404.html", "404.html", notfound::page, reuse));
    jobs.push(r.keyed_job("stats/index.html", "stats.html", move || stats::stats_page(l.book), reuse));
    jobs.push(r.keyed_job("feed.xml", "feed.xml", move || &d.feed, reuse));
    jobs
}

/// The key of the inputs of retro `i`'s page: the bytes of its file and of the retros it shows
/// (previous, next, related both ways), its path, its git history, its monitoring data, and how
/// many incidents cite each of its factors. What all pages share (theme, book.toml, the date,
/// tracker states, the book's place in its repository) is the caller's to key.
fn retro_page_key(l: &Lookup, i: usize) -> [u8; 32] {
    let retros = &l.book.retros;
    let r = &retros[i];
    let mut h = blake3::Hasher::new();
    h.update(&r.hash);
    h.update(r.path.as_bytes());
    h.update(&[0]);
    // created / updated / contributors and action ages: the whole history of the file, since a
    // deeper clone changes `created` under the same last commit
    match l.book.history.retro(&r.path).map(serde_json::to_vec) {
        Some(Ok(json)) => h.update(&json),
        _ => h.update(b"-"),
    };
    h.update(&[0]);
    // monitoring charts are drawn from CSV files beside the retro, which `r.hash` does not cover
    for m in &r.monitoring {
        hash_series_data(&mut h, m);
    }
    h.update(&[0]);
    // A neighbour that does not exist hashes as an empty id and a zero hash.
    let mut shown = |x: Option<&crate::model::Retro>| {
        h.update(x.map_or(&b""[..], |x| x.id.as_bytes()));
        h.update(&[0]);
        h.update(x.map_or(&[0; 32], |x| &x.hash));
    };
    shown(i.checked_sub(1).and_then(|j| retros.get(j)));
    shown(retros.get(i + 1));
    let links = r.related.iter().map(|s| s.value.as_str());
    for id in links.chain(l.related_by.get(r.id.as_str()).into_iter().flatten().copied()) {
        shown(l.by_id.get(id).copied());
    }
    for f in &r.factors {
        let n = l.factors.iter().find(|e| e.id == f.id).map_or(0, |e| e.incidents.len());
        h.update(f.id.as_bytes());
        h.update(&(n as u64).to_le_bytes());
    }
    *h.finalize().as_bytes()
}

/// Hashes what a monitoring entry read from its CSV files. The other fields are written in the
/// retro's file; the pattern names every field, so a new one must be placed on either side.
fn hash_series_data(h: &mut blake3::Hasher, m: &crate::model::Monitoring) {
    let crate::model::Monitoring::Series {
        metric: _,
        unit: _,
        data: _,
        baseline: _,
        source: _,
        query: _,
        threshold: _,
        points,
        more,
        label,
        baseline_points,
    } = m
    else {
        return;
    };
    let series = |h: &mut blake3::Hasher, points: &[(i64, f64)]| {
        h.update(&(points.len() as u64).to_le_bytes());
        for (t, v) in points {
            h.update(&t.to_le_bytes());
            h.update(&v.to_bits().to_le_bytes());
        }
    };
    series(h, points);
    series(h, baseline_points);
    for (name, points) in more {
        series(h, points);
        h.update(name.as_bytes());
        h.update(&[0]);
    }
    h.update(label.as_bytes());
    h.update(&[0]);
}

/// Files beside a folder retro's `index.md` (images, CSVs) are published beside its page: plain
/// files of known asset types only (see [`assets`]); what is left out is listed by `build -v`.
fn retro_assets(book: &Book) -> Vec<OutputFile> {
    assets::collect(book)
        .files
        .into_iter()
        .filter_map(|(src, path)| std::fs::read(src).ok().map(|bytes| OutputFile { path, bytes }))
        .collect()
}

#[derive(Serialize)]
struct FeedCtx {
    base: String,
    id: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    id: String,
    updated: String,
    severity: String,
    summary: String,
}

/// The Atom feed: the newest 50 retros. Dates are the incident dates, so the feed is stable.
fn feed_ctx(book: &Book) -> FeedCtx {
    let stamp = |d: Option<Date>| page::feed_stamp(d.map(|d| d.to_string()).as_deref());
    let entries: Vec<FeedEntry> = book
        .retros
        .iter()
        .rev()
        .take(50)
        .map(|r| FeedEntry {
            title: r.title.clone(),
            url: context::retro_url(&r.id),
            id: r.id.clone(),
            updated: stamp(r.date),
            severity: r.severity.clone().unwrap_or_default(),
            summary: r.summary.clone().unwrap_or_default(),
        })
        .collect();
    FeedCtx {
        base: site_url(book),
        id: format!("urn:retrobook:{}", crate::text::slugify(&book.config.book.title)),
        updated: entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| stamp(None)),
        entries,
    }
}

#[derive(Serialize)]
struct Home<'a> {
    recent: &'a [shared::SharedValue],
    retros: usize,
    open_actions: usize,
    overdue_actions: usize,
    recurring: Vec<RecurringFactor>,
}

#[derive(Serialize)]
struct RecurringFactor {
    link: Link,
    incidents: usize,
    recurred_after_remediation: bool,
}

fn home<'a>(l: &Lookup, rows: &'a [shared::SharedValue]) -> Home<'a> {
    let actions = l.book.retros.iter().flat_map(|r| &r.actions);
    Home {
        recent: &rows[..rows.len().min(8)],
        retros: rows.len(),
        open_actions: actions.clone().filter(|a| a.status.is_open()).count(),
        overdue_actions: actions.filter(|a| a.is_overdue(l.today)).count(),
        recurring: l
            .factors
            .iter()
            .filter(|f| f.incidents.len() > 1)
            .take(5)
            .map(|f| RecurringFactor {
                link: Link { label: indexes::factor_title(l.book, &f.id), url: context::factor_url(&f.id) },
                incidents: f.incidents.len(),
                recurred_after_remediation: f.recurred_after_remediation,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct ListPage<'a> {
    rows: &'a [shared::SharedValue],
    facets: &'a [(&'static str, Vec<String>)],
}

/// The values of each filterable facet of the incident rows, in a fixed order, for the filter
/// bar: read from the retros, so the rows need not be made first.
fn facets(l: &Lookup) -> Vec<(&'static str, Vec<String>)> {
    let mut m: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for r in &l.book.retros {
        m.entry("severity").or_default().push(r.severity.clone().unwrap_or_else(|| context::NO_SEVERITY.into()));
        m.entry("status").or_default().push(r.status.as_str().to_string());
        m.entry("year").or_default().push(r.date.map(|d| d.year().to_string()).unwrap_or_default());
        m.entry("service").or_default().extend(r.services.iter().cloned());
        m.entry("team").or_default().extend(r.teams.iter().cloned());
        m.entry("tag").or_default().extend(r.tags.iter().cloned());
        m.entry("completeness").or_default().push(context::completeness_label(l.checklist(r).1).to_string());
    }
    ["severity", "service", "team", "tag", "status", "year", "completeness"]
        .into_iter()
        .map(|k| {
            let mut v = m.remove(k).unwrap_or_default();
            v.sort();
            v.dedup();
            v.retain(|x| !x.is_empty());
            (k, v)
        })
        .collect()
}
