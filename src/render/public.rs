//! The public site — the customer-facing one of `build --audience external` ("public" is the
//! code's word for it, "external" the CLI's): a calm, status-page style incident history.
//! Everything here is rendered from [`PublicRetro`]s and a [`PublicSite`] only — this module never
//! sees a `Retro` or the `Book` (see `src/public.rs`); it shares the page helpers of
//! [`super::page`] with the internal site.

use super::OutputFile;
use super::page::{Job, Renderer, Sink, SiteInfo, feed_stamp};
use super::theme::{self, Theme};
use crate::model::{PublicRetro, PublicSite};
use crate::search::SearchRecord;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// Renders the public site: home (every incident by date, newest first), one page per incident,
/// search page, 404, Atom feed, sitemap and the theme's public assets. `retros` must be sorted
/// oldest first (the book's order). Returns the number of HTML pages.
pub(crate) fn render_public(
    site: &PublicSite,
    retros: &[PublicRetro],
    theme: &Theme,
    search: bool,
    sink: &Sink,
) -> Result<usize> {
    let info = SiteInfo {
        title: &site.title,
        description: &site.description,
        language: &site.language,
        base: &site.base,
        search,
        nav: None,
        today: None,
    };
    let renderer = Renderer::new(theme.public_tera()?, theme::PUBLIC_TEMPLATES, info);
    let index = index_page(retros);
    let feed = feed_ctx(site, retros);
    let r = &renderer;
    let mut jobs: Vec<Job> = vec![r.job("index.html", "index.html", || &index)];
    for p in retros {
        jobs.push(r.job(format!("{}index.html", p.url), "incident.html", move || p));
    }
    if search {
        jobs.push(r.job("search/index.html", "search.html", || ()));
    }
    jobs.push(r.job("404.html", "404.html", || ()));
    jobs.push(r.job("feed.xml", "feed.xml", || &feed));
    let paths = renderer.run(jobs, sink)?;
    let by_url: BTreeMap<&str, &str> = retros.iter().map(|r| (r.url.as_str(), r.date.as_str())).collect();
    let lastmod = |url: &str| by_url.get(url).map(|d| d.to_string()).unwrap_or_default();
    sink(renderer.sitemap(paths.iter().map(String::as_str), lastmod)?)?;
    for (path, bytes) in theme.public_assets(search) {
        sink(OutputFile { path, bytes: bytes.to_vec() })?;
    }
    Ok(paths.iter().filter(|p| p.ends_with(".html")).count())
}

/// The home page: incidents grouped by year, newest first.
fn index_page(retros: &[PublicRetro]) -> IndexPage<'_> {
    let mut years: Vec<YearGroup> = Vec::new();
    for r in retros.iter().rev() {
        match years.last_mut() {
            Some(g) if g.year == r.year => g.incidents.push(r),
            _ => years.push(YearGroup { year: &r.year, incidents: vec![r] }),
        }
    }
    IndexPage { years, count: retros.len() }
}

/// The Atom feed: the newest 50 incidents, stamped with their dates.
fn feed_ctx<'a>(site: &'a PublicSite, retros: &'a [PublicRetro]) -> FeedCtx<'a> {
    let entries: Vec<FeedEntry> = retros
        .iter()
        .rev()
        .take(50)
        .map(|r| FeedEntry {
            incident: r,
            updated: feed_stamp(Some(&r.date)),
            summary: r.impact.clone().unwrap_or_else(|| first_sentence(&r.message_text)),
        })
        .collect();
    FeedCtx {
        base: &site.base,
        id: format!("urn:retrobook:external:{}", crate::text::slugify(&site.title)),
        updated: entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| feed_stamp(None)),
        entries,
    }
}

/// The search records of the public site: one per incident, from its public fields only.
pub(crate) fn records(site: &PublicSite, retros: &[PublicRetro]) -> Vec<SearchRecord> {
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
