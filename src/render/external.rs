//! The customer-facing site (`build --audience external`): a calm, status-page style incident
//! history. Everything here is rendered from [`PublicRetro`]s and a [`PublicSite`] only — this
//! module never sees a `Retro` or the `Book` (see `src/public.rs`).

use super::OutputFile;
use super::theme::Theme;
use crate::model::{PublicRetro, PublicSite};
use crate::search::SearchRecord;
use serde::Serialize;
use std::collections::BTreeMap;

/// What every public page knows about the site.
#[derive(Debug, Clone, Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    /// Relative path from the page to the site root.
    root: String,
    search: bool,
    generator: String,
}

#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    site: &'a SiteCtx<'a>,
    page: &'a T,
}

#[derive(Serialize)]
struct YearGroup<'a> {
    year: &'a str,
    incidents: Vec<&'a PublicRetro>,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    years: Vec<YearGroup<'a>>,
    count: usize,
}

#[derive(Serialize)]
struct FeedCtx<'a> {
    base: &'a str,
    id: String,
    updated: String,
    entries: Vec<FeedEntry<'a>>,
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    incident: &'a PublicRetro,
    updated: String,
    summary: String,
}

#[derive(Serialize)]
struct SitemapCtx<'a> {
    base: &'a str,
    urls: Vec<(String, String)>,
}

fn render<T: Serialize>(tera: &tera::Tera, template: &str, site: &SiteCtx, page: &T) -> Result<String, String> {
    let ctx = tera::Context::from_serialize(&Page { site, page }).map_err(|e| format!("external/{template}: {e}"))?;
    tera.render(template, &ctx).map_err(|e| format!("external/{template}: {e}"))
}

/// Renders the public site: home (every incident by date, newest first), one page per incident,
/// search page, 404, Atom feed, sitemap and the theme's public assets. `retros` must be sorted
/// oldest first (the book's order). Returns the number of HTML pages.
pub fn render_external(
    site: &PublicSite,
    retros: &[PublicRetro],
    theme: &Theme,
    search: bool,
    sink: &dyn Fn(OutputFile) -> Result<(), String>,
) -> Result<usize, Vec<String>> {
    let tera = theme.external_tera().map_err(|e| vec![e])?;
    let ctx = |path: &str| SiteCtx {
        title: &site.title,
        description: &site.description,
        language: &site.language,
        root: if path == "404.html" { site.base.clone() } else { "../".repeat(path.matches('/').count()) },
        search,
        generator: format!("retrobook {}", env!("CARGO_PKG_VERSION")),
    };
    let newest_first: Vec<&PublicRetro> = retros.iter().rev().collect();
    let mut years: Vec<YearGroup> = Vec::new();
    for r in &newest_first {
        match years.last_mut() {
            Some(g) if g.year == r.year => g.incidents.push(r),
            _ => years.push(YearGroup { year: &r.year, incidents: vec![r] }),
        }
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let mut errors = Vec::new();
    let mut out = |path: String, res: Result<String, String>| match res {
        Ok(html) => files.push((path, html)),
        Err(e) => errors.push(e),
    };
    out(
        "index.html".into(),
        render(&tera, "index.html", &ctx("index.html"), &IndexPage { years, count: retros.len() }),
    );
    for r in retros {
        let path = format!("{}index.html", r.url);
        let res = render(&tera, "incident.html", &ctx(&path), r);
        out(path, res);
    }
    if search {
        out("search/index.html".into(), render(&tera, "search.html", &ctx("search/index.html"), &()));
    }
    out("404.html".into(), render(&tera, "404.html", &ctx("404.html"), &()));
    let stamp = |d: &str| if d.is_empty() { "1970-01-01T00:00:00Z".to_string() } else { format!("{d}T00:00:00Z") };
    let entries: Vec<FeedEntry> = newest_first
        .iter()
        .take(50)
        .map(|r| FeedEntry {
            incident: r,
            updated: stamp(&r.date),
            summary: r.impact.clone().unwrap_or_else(|| first_sentence(&r.message_text)),
        })
        .collect();
    let feed = FeedCtx {
        base: &site.base,
        id: format!("urn:retrobook:external:{}", crate::text::slugify(&site.title)),
        updated: entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| stamp("")),
        entries,
    };
    out("feed.xml".into(), render(&tera, "feed.xml", &ctx("feed.xml"), &feed));
    if !errors.is_empty() {
        return Err(errors);
    }
    let by_url: BTreeMap<&str, &str> = retros.iter().map(|r| (r.url.as_str(), r.date.as_str())).collect();
    let mut urls: Vec<(String, String)> = files
        .iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .map(|(p, _)| {
            let url = p.trim_end_matches("index.html").to_string();
            let lastmod = by_url.get(url.as_str()).map(|d| d.to_string()).unwrap_or_default();
            (url, lastmod)
        })
        .collect();
    urls.sort();
    let sitemap = render(&tera, "sitemap.xml", &ctx("sitemap.xml"), &SitemapCtx { base: &site.base, urls })
        .map_err(|e| vec![e])?;
    files.push(("sitemap.xml".into(), sitemap));
    let pages = files.iter().filter(|(p, _)| p.ends_with(".html")).count();
    for (path, text) in files {
        sink(OutputFile { path, bytes: text.into_bytes() }).map_err(|e| vec![e])?;
    }
    for (path, bytes) in theme.external_assets(search) {
        sink(OutputFile { path, bytes: bytes.to_vec() }).map_err(|e| vec![e])?;
    }
    Ok(pages)
}

/// The search records of the public site: one per incident, from its public fields only.
pub fn records(site: &PublicSite, retros: &[PublicRetro]) -> Vec<SearchRecord> {
    retros
        .iter()
        .map(|r| {
            let mut content = String::new();
            for part in [r.impact.as_deref().unwrap_or(""), r.data_loss.as_deref().unwrap_or(""), &r.message_text] {
                if !part.trim().is_empty() {
                    content.push_str(part.trim());
                    content.push('\n');
                }
            }
            for a in &r.actions {
                content.push_str(a);
                content.push('\n');
            }
            let mut filters = BTreeMap::new();
            filters.insert("severity".to_string(), vec![r.severity.clone()]);
            filters.insert("year".to_string(), vec![r.year.clone()]);
            let meta = BTreeMap::from([
                ("date".to_string(), r.date.clone()),
                ("severity".to_string(), r.severity.clone()),
                ("severity_class".to_string(), r.severity_class.clone()),
                ("summary".to_string(), r.impact.clone().unwrap_or_else(|| first_sentence(&r.message_text))),
            ]);
            SearchRecord {
                url: r.url.clone(),
                title: r.title.clone(),
                content,
                language: site.language.clone(),
                filters,
                sort: BTreeMap::from([("date".to_string(), r.date.clone())]),
                meta,
                shard: r.year.clone(),
            }
        })
        .collect()
}

/// The first sentence of a text (a feed or search summary when there is no impact statement).
fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text,
    }
}
