//! Rendering: page contexts → Tera templates → files in memory. Nothing here parses Markdown
//! front matter or reads git; everything comes from the loaded [`Book`].

pub mod assets;
pub mod context;
pub mod conversation;
pub mod external;
pub mod format;
pub mod indexes;
pub mod markdown;
pub mod records;
pub mod stats;
pub mod svg;
pub mod theme;
pub mod visuals;

use crate::model::Book;
use context::{Link, Lookup, NavItem, RetroRow, SiteCtx};
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use theme::Theme;

/// One file of the site, by its path relative to the site root.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What to render.
pub struct RenderOptions {
    pub today: Date,
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

/// The site context for a page at `path` (e.g. `retros/x/index.html`).
fn site_ctx(book: &Book, path: &str, opts: &RenderOptions) -> SiteCtx {
    let depth = path.matches('/').count();
    let section = path.split('/').next().unwrap_or("");
    SiteCtx {
        title: book.config.book.title.clone(),
        description: book.config.book.description.clone(),
        language: book.config.book.language.clone(),
        // 404.html is served at any depth, so it links from the site's absolute prefix.
        root: if path == "404.html" { site_url(book) } else { "../".repeat(depth) },
        search: opts.search,
        nav: NAV
            .iter()
            .map(|(label, url)| NavItem { label, url, active: url.trim_end_matches('/') == section })
            .collect(),
        generator: format!("retrobook {}", env!("CARGO_PKG_VERSION")),
        today: opts.today.to_string(),
    }
}

/// `[output.html] site-url` with exactly one trailing slash.
pub fn site_url(book: &Book) -> String {
    format!("{}/", book.config.output.html.site_url.trim_end_matches('/'))
}

#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    site: &'a SiteCtx,
    page: &'a T,
}

/// Renders `template` with the site and page contexts.
fn render_page<T: Serialize>(tera: &tera::Tera, template: &str, site: &SiteCtx, page: &T) -> Result<String, String> {
    let ctx = tera::Context::from_serialize(&Page { site, page }).map_err(|e| format!("{template}: {e}"))?;
    tera.render(template, &ctx).map_err(|e| format!("{template}: {e}"))
}

/// A job: a path and a closure producing the page's HTML.
type Job<'a> = (String, Box<dyn Fn() -> Result<String, String> + Send + Sync + 'a>);

/// Renders every page of the internal site, in parallel.
pub fn render_site(book: &Book, theme: &Theme, opts: &RenderOptions) -> Result<Vec<OutputFile>, Vec<String>> {
    let out = std::sync::Mutex::new(Vec::new());
    render_site_to(book, theme, opts, &|f| {
        out.lock().map_err(|e| e.to_string())?.push(f);
        Ok(())
    })?;
    let mut files = out.into_inner().map_err(|e| vec![e.to_string()])?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders every page and hands each file to `sink` as soon as it is ready (in parallel), so a
/// build never holds the whole site in memory. Returns the number of HTML pages.
pub fn render_site_to(
    book: &Book,
    theme: &Theme,
    opts: &RenderOptions,
    sink: &(dyn Fn(OutputFile) -> Result<(), String> + Sync),
) -> Result<usize, Vec<String>> {
    render_site_reusing(book, theme, opts, sink, &|_, _| false)
}

/// A retro page's path and the key of everything its HTML depends on, given to `reuse`.
pub type ReuseCheck<'a> = dyn Fn(&str, &[u8; 32]) -> bool + Sync + 'a;

/// Like [`render_site_to`], but a retro page for which `reuse(path, key)` answers true is not
/// rendered (nor given to `sink`): the caller still has it from an earlier render with the same
/// key. The key hashes everything the page shows (the retro's file, its neighbours, the retros it
/// links to and from, its factors' incident counts); the caller must forget its keys when the
/// theme, book.toml or the date change. Used by `serve` to re-render only what an edit touched.
pub fn render_site_reusing(
    book: &Book,
    theme: &Theme,
    opts: &RenderOptions,
    sink: &(dyn Fn(OutputFile) -> Result<(), String> + Sync),
    reuse: &ReuseCheck,
) -> Result<usize, Vec<String>> {
    let tera = theme.tera().map_err(|e| vec![e])?;
    let l = Lookup::new(book, opts.today);
    let rows: Vec<RetroRow> = book.retros.iter().rev().map(|r| l.row(r)).collect();
    let tera = &tera;
    let l = &l;
    let rows = &rows;
    let summaries = &indexes::factor_summaries(l);
    let services = &indexes::facet_pages(l, "service", |r| &r.services);
    let tags = &indexes::facet_pages(l, "tag", |r| &r.tags);
    let feed = &feed_ctx(book);
    let mut jobs: Vec<Job> = Vec::new();
    let page = |path: &str| site_ctx(book, path, opts);

    jobs.push((
        "index.html".into(),
        Box::new(move || render_page(tera, "index.html", &page("index.html"), &home(l, rows))),
    ));
    jobs.push((
        "retros/index.html".into(),
        Box::new(move || {
            render_page(tera, "retros.html", &page("retros/index.html"), &ListPage { rows, facets: facets(rows) })
        }),
    ));
    let mut reused = Vec::new();
    for i in 0..book.retros.len() {
        let path = format!("retros/{}/index.html", book.retros[i].id);
        if reuse(&path, &retro_page_key(l, i)) {
            reused.push(path);
            continue;
        }
        let p = path.clone();
        jobs.push((path, Box::new(move || render_page(tera, "retro.html", &page(&p), &context::retro_page(l, i)))));
    }
    jobs.push((
        "factors/index.html".into(),
        Box::new(move || {
            render_page(tera, "factors.html", &page("factors/index.html"), &indexes::factors_page(l, summaries))
        }),
    ));
    for f in summaries {
        let path = format!("{}index.html", f.url);
        let p = path.clone();
        jobs.push((path, Box::new(move || render_page(tera, "factor.html", &page(&p), &indexes::factor_page(l, f)))));
    }
    jobs.push((
        "actions/index.html".into(),
        Box::new(move || render_page(tera, "actions.html", &page("actions/index.html"), &indexes::actions_page(l))),
    ));
    for (kind, dir, pages) in [("service", "services", services), ("tag", "tags", tags)] {
        let index_path = format!("{dir}/index.html");
        let ip = index_path.clone();
        jobs.push((
            index_path,
            Box::new(move || render_page(tera, "facets.html", &page(&ip), &indexes::facet_index(kind, pages))),
        ));
        for fp in pages {
            let path = format!("{}index.html", fp.url);
            let p = path.clone();
            jobs.push((path, Box::new(move || render_page(tera, "facet.html", &page(&p), fp))));
        }
    }
    if opts.search {
        jobs.push((
            "search/index.html".into(),
            Box::new(move || render_page(tera, "search.html", &page("search/index.html"), &())),
        ));
    }
    jobs.push(("404.html".into(), Box::new(move || render_page(tera, "404.html", &page("404.html"), &()))));

    jobs.push((
        "stats/index.html".into(),
        Box::new(move || render_page(tera, "stats.html", &page("stats/index.html"), &stats::stats_page(book))),
    ));
    jobs.push(("feed.xml".into(), Box::new(move || render_page(tera, "feed.xml", &page("feed.xml"), feed))));

    let results: Vec<Result<String, String>> = jobs
        .into_par_iter()
        .map(|(path, f)| {
            let html = f()?;
            sink(OutputFile { path: path.clone(), bytes: html.into_bytes() })?;
            Ok(path)
        })
        .collect();
    let mut paths = reused;
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(p) => paths.push(p),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let pages = paths.iter().filter(|p| p.ends_with(".html")).count();
    // The sitemap lists every page that was rendered, so it can never disagree with the site.
    let mut urls: Vec<(String, String)> = paths
        .iter()
        .filter(|p| p.ends_with("index.html"))
        .map(|p| (p.trim_end_matches("index.html").to_string(), String::new()))
        .collect();
    for (url, lastmod) in &mut urls {
        if let Some(id) = url.strip_prefix("retros/").and_then(|u| u.strip_suffix('/'))
            && let Some(d) = l.by_id.get(id).and_then(|r| r.date)
        {
            *lastmod = d.to_string();
        }
    }
    urls.sort();
    let sitemap = render_page(tera, "sitemap.xml", &page("sitemap.xml"), &SitemapCtx { base: site_url(book), urls })
        .map_err(|e| vec![e])?;
    let mut rest = vec![OutputFile { path: "sitemap.xml".into(), bytes: sitemap.into_bytes() }];
    for (rel, bytes) in theme.assets() {
        rest.push(OutputFile { path: rel.to_string(), bytes: bytes.to_vec() });
    }
    rest.extend(retro_assets(book));
    for f in rest {
        sink(f).map_err(|e| vec![e])?;
    }
    Ok(pages)
}

/// The key of the inputs of retro `i`'s page: the bytes of its file and of the retros it shows
/// (previous, next, related both ways), its path, and how many incidents cite each of its factors.
fn retro_page_key(l: &Lookup, i: usize) -> [u8; 32] {
    let retros = &l.book.retros;
    let r = &retros[i];
    let mut h = blake3::Hasher::new();
    h.update(&r.hash);
    h.update(r.path.as_bytes());
    h.update(&[0]);
    // created / updated / contributors and action ages come from the last commit of the file
    h.update(l.book.history.retro(&r.path).map_or(&b""[..], |g| g.commit.as_bytes()));
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
struct SitemapCtx {
    base: String,
    urls: Vec<(String, String)>,
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
    let stamp = |d: Option<Date>| d.map(|d| format!("{d}T00:00:00Z")).unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
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
        id: format!("urn:retrobook:{}", crate::load::slugify(&book.config.book.title)),
        updated: entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| stamp(None)),
        entries,
    }
}

#[derive(Serialize)]
struct Home<'a> {
    recent: &'a [RetroRow],
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

fn home<'a>(l: &Lookup, rows: &'a [RetroRow]) -> Home<'a> {
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
                link: Link { label: f.id.clone(), url: context::factor_url(&f.id) },
                incidents: f.incidents.len(),
                recurred_after_remediation: f.recurred_after_remediation,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct ListPage<'a> {
    rows: &'a [RetroRow],
    facets: Vec<(&'static str, Vec<String>)>,
}

/// The values of each filterable facet, in a fixed order, for the filter bar.
fn facets(rows: &[RetroRow]) -> Vec<(&'static str, Vec<String>)> {
    let mut m: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for r in rows {
        m.entry("severity").or_default().push(r.severity.clone());
        m.entry("status").or_default().push(r.status.to_string());
        m.entry("year").or_default().push(r.year.clone());
        m.entry("service").or_default().extend(r.services.iter().map(|s| s.label.clone()));
        m.entry("team").or_default().extend(r.teams.iter().cloned());
        m.entry("tag").or_default().extend(r.tags.iter().map(|s| s.label.clone()));
        m.entry("completeness").or_default().push(r.completeness.to_string());
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
