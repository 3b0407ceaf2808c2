//! What both renderers share — the internal site ([`super::render_site_reusing`]) and the public
//! one ([`super::public::render_public`]): the site part of every page's context, rendering one
//! page, rendering a list of pages in parallel into a sink, and the sitemap of what was rendered.
//!
//! Nothing here knows a `Book` or a `PublicRetro`: each renderer describes its site with a
//! [`SiteInfo`] and hands over ready page contexts, so the public renderer's only input stays
//! `src/public.rs`.

use super::OutputFile;
use anyhow::{Context, Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;

/// Where rendered files go, each as soon as it is ready (called from several threads).
pub(crate) type Sink<'a> = dyn Fn(OutputFile) -> Result<()> + Sync + 'a;

/// What a site says about itself on every page.
pub(crate) struct SiteInfo<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// Absolute URL of the site root with exactly one trailing slash; `404.html`, which is served
    /// at any depth, links from it.
    pub base: &'a str,
    pub search: bool,
    /// Header navigation as (label, URL relative to the root); `None` leaves `site.nav` out.
    pub nav: Option<&'a [(&'static str, &'static str)]>,
    /// The date the site was built for; `None` leaves `site.today` out.
    pub today: Option<String>,
}

/// The `site` half of every page's template context.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteCtx<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// Relative path from the current page to the site root ("", "../", "../../").
    pub root: String,
    pub search: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nav: Option<Vec<NavItem>>,
    pub generator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub today: Option<&'a str>,
}

/// A header navigation entry.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NavItem {
    pub label: &'static str,
    pub url: &'static str,
    pub active: bool,
}

#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    site: &'a SiteCtx<'a>,
    page: &'a T,
}

/// A page to render: its path in the site and a closure producing its text, or nothing when the
/// caller still has the page from an earlier render (see [`Renderer::keyed_job`]).
pub(crate) type Job<'a> = (String, Box<dyn Fn() -> Result<Option<String>> + Send + Sync + 'a>);

/// A page's path and the key of everything its text depends on: true when the caller still has
/// that page from an earlier render with the same key, so it need not be rendered again.
pub(crate) type ReuseCheck<'a> = dyn Fn(&str, &[u8; 32]) -> bool + Sync + 'a;

/// One site's templates and identity: renders its pages.
pub(crate) struct Renderer<'a> {
    tera: tera::Tera,
    /// Where the templates live in the theme (`templates/`, `external/templates/`), for errors.
    templates: &'static str,
    site: SiteInfo<'a>,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(tera: tera::Tera, templates: &'static str, site: SiteInfo<'a>) -> Self {
        Renderer { tera, templates, site }
    }

    /// The site context of the page at `path` (e.g. `retros/x/index.html`).
    pub(crate) fn site_ctx(&self, path: &str) -> SiteCtx<'_> {
        let section = path.split('/').next().unwrap_or("");
        SiteCtx {
            title: self.site.title,
            description: self.site.description,
            language: self.site.language,
            root: if path == "404.html" { self.site.base.to_string() } else { "../".repeat(path.matches('/').count()) },
            search: self.site.search,
            nav: self.site.nav.map(|nav| {
                nav.iter()
                    .map(|(label, url)| NavItem { label, url, active: url.trim_end_matches('/') == section })
                    .collect()
            }),
            generator: format!("retrobook {}", env!("CARGO_PKG_VERSION")),
            today: self.site.today.as_deref(),
        }
    }

    /// Renders `template` for the page at `path` with the site context and `page`.
    pub(crate) fn render<T: Serialize>(&self, path: &str, template: &str, page: &T) -> Result<String> {
        let ctx = self.context(path, template, page)?;
        self.render_context(path, template, &ctx)
    }

    /// The template context of the page at `path`: its site context and `page`.
    fn context<T: Serialize>(&self, path: &str, template: &str, page: &T) -> Result<tera::Context> {
        let site = self.site_ctx(path);
        super::shared::context(&Page { site: &site, page }).with_context(|| self.what(path, template))
    }

    fn render_context(&self, path: &str, template: &str, ctx: &tera::Context) -> Result<String> {
        self.tera.render(template, ctx).with_context(|| self.what(path, template))
    }

    /// What failed, for an error: the page and the theme's template.
    fn what(&self, path: &str, template: &str) -> String {
        format!("rendering {path} with the theme's {}{template}", self.templates)
    }

    /// A job rendering `template` at `path` with the context `page()` makes when the job runs.
    pub(crate) fn job<T: Serialize>(
        &'a self,
        path: impl Into<String>,
        template: &'static str,
        page: impl Fn() -> T + Send + Sync + 'a,
    ) -> Job<'a> {
        let path = path.into();
        let at = path.clone();
        (path, Box::new(move || self.render(&at, template, &page()).map(Some)))
    }

    /// Like [`Renderer::job`], but the page is not rendered when `reuse` answers true for its
    /// path and its [`Renderer::plain_key`]: the template's output depends on nothing else but
    /// the templates themselves, which the caller keys with the site. The page's template values
    /// are made only when it is rendered.
    pub(crate) fn keyed_job<T: Serialize>(
        &'a self,
        path: impl Into<String>,
        template: &'static str,
        page: impl Fn() -> T + Send + Sync + 'a,
        reuse: &'a ReuseCheck<'a>,
    ) -> Job<'a> {
        let path = path.into();
        let at = path.clone();
        let job = move || {
            let page = page();
            if reuse(&at, &self.plain_key(&at, template, &page)) {
                return Ok(None);
            }
            self.render(&at, template, &page).map(Some)
        };
        (path, Box::new(job))
    }

    /// The key of the page at `path` for a page made only of structs, vectors, ordered maps and
    /// [`SharedValue`](super::shared::SharedValue)s (no other template values, no hash maps): the
    /// digest of its JSON with the site context, whose form is fixed, so it keys the page without
    /// making its template values first; a shared value is written as its digest. The page's
    /// context is made from the same serialisation.
    pub(crate) fn plain_key<T: Serialize>(&self, path: &str, template: &str, page: &T) -> [u8; 32] {
        let site = self.site_ctx(path);
        let mut h = blake3::Hasher::new();
        h.update(b"plain\0");
        h.update(template.as_bytes());
        h.update(&[0]);
        crate::text::json_digest(h, &Page { site: &site, page })
    }

    /// Renders every job in parallel, handing each page to `sink` as soon as it is ready, and
    /// returns the paths rendered, in the order of `jobs`. When pages fail, the error names how
    /// many and carries the first failure by path (they usually share one cause, a template).
    pub(crate) fn run(&self, jobs: Vec<Job<'_>>, sink: &Sink) -> Result<Vec<String>> {
        // One job per task: pages differ in length by a thousand times (the actions board, a retro
        // page), and a thread must be able to take any page the others have not started.
        let results: Vec<(String, Result<()>)> = jobs
            .into_par_iter()
            .with_max_len(1)
            .map(|(path, render)| {
                let done = render().and_then(|text| match text {
                    Some(text) => sink(OutputFile { path: path.clone(), bytes: text.into_bytes() }),
                    None => Ok(()),
                });
                (path, done)
            })
            .collect();
        super::shared::forget();
        let mut failed: Vec<(String, anyhow::Error)> = Vec::new();
        let mut paths = Vec::with_capacity(results.len());
        for (path, done) in results {
            match done {
                Ok(()) => paths.push(path),
                Err(e) => failed.push((path, e)),
            }
        }
        failed.sort_by(|a, b| a.0.cmp(&b.0));
        let n = failed.len();
        match failed.into_iter().next() {
            None => Ok(paths),
            Some((_, first)) if n == 1 => Err(first),
            Some((_, first)) => Err(first.context(format!("{n} pages could not be rendered; the first of them"))),
        }
    }

    /// The sitemap of the pages at `paths` (every `…index.html` is listed by its folder URL),
    /// with the `lastmod` date that `lastmod(url)` gives (empty: none). It lists exactly what was
    /// rendered, so it never disagrees with the site.
    pub(crate) fn sitemap<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p str>,
        lastmod: impl Fn(&str) -> String,
    ) -> Result<OutputFile> {
        #[derive(Serialize)]
        struct SitemapCtx<'a> {
            base: &'a str,
            urls: Vec<(String, String)>,
        }
        let mut urls: Vec<(String, String)> = paths
            .into_iter()
            .filter(|p| p.ends_with("index.html"))
            .map(|p| {
                let url = p.trim_end_matches("index.html").to_string();
                let date = lastmod(&url);
                (url, date)
            })
            .collect();
        urls.sort();
        let text = self.render("sitemap.xml", "sitemap.xml", &SitemapCtx { base: self.site.base, urls })?;
        Ok(OutputFile { path: "sitemap.xml".into(), bytes: text.into_bytes() })
    }
}

/// The feed's `updated` stamp of a `YYYY-MM-DD` date (the Unix epoch when there is none), so
/// the feed is the same for the same book.
pub(crate) fn feed_stamp(date: Option<&str>) -> String {
    match date.filter(|d| !d.is_empty()) {
        Some(d) => format!("{d}T00:00:00Z"),
        None => "1970-01-01T00:00:00Z".to_string(),
    }
}

/// An error for a sink that could not take a file.
pub(crate) fn sink_error(what: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot keep a rendered file: {what}")
}

/// The template value of `x` and a digest of `x` (of its JSON: a struct's fields come in their
/// declared order and its maps are sorted, so equal values give equal digests in every process).
pub(crate) fn known_value<T: Serialize>(x: &T) -> (tera::Value, [u8; 32]) {
    (super::shared::value(x), crate::text::json_digest(blake3::Hasher::new(), x))
}

#[cfg(test)]
mod tests {
    use super::super::shared::SharedValue;
    use super::*;

    #[test]
    fn a_plain_key_follows_every_field_and_a_shared_value_by_its_digest() {
        #[derive(Serialize)]
        struct Rows {
            title: &'static str,
            rows: Vec<SharedValue>,
        }
        let r = renderer(&[("t.html", "{{ page.title }}:{% for x in page.rows %}{{ x.id }},{% endfor %}")]);
        let shared = |id: &str, digest: u8| SharedValue {
            value: tera::Value::from_serializable(&serde_json::json!({ "id": id })),
            digest: [digest; 32],
        };
        let page = Rows { title: "T", rows: vec![shared("r1", 1), shared("r2", 2)] };
        let key = |p: &Rows| r.plain_key("x/index.html", "t.html", p);
        let base = key(&page);
        assert_eq!(base, key(&Rows { title: "T", rows: vec![shared("r1", 1), shared("r2", 2)] }));
        assert_ne!(base, key(&Rows { title: "U", ..page }), "a field");
        let page = Rows { title: "T", rows: vec![shared("r1", 1), shared("r2", 2)] };
        assert_ne!(base, key(&Rows { title: "T", rows: vec![shared("r1", 1), shared("r2", 3)] }), "a digest");
        assert_ne!(base, key(&Rows { title: "T", rows: vec![shared("r2", 2), shared("r1", 1)] }), "the order");
        // The digest stands for the value: the key does not walk it.
        assert_eq!(base, key(&Rows { title: "T", rows: vec![shared("r1", 1), shared("x", 2)] }));
        assert_ne!(base, r.plain_key("x/y/index.html", "t.html", &page), "the site context (the root)");
        assert_ne!(base, r.plain_key("x/index.html", "u.html", &page), "the template");
        assert_eq!(r.render("x/index.html", "t.html", &page).unwrap(), "T:r1,r2,", "the page shows the values");
    }

    fn renderer(templates: &[(&str, &str)]) -> Renderer<'static> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.to_string(), t.to_string()))).unwrap();
        let site = SiteInfo {
            title: "T",
            description: "D",
            language: "en",
            base: "https://x.example/",
            search: false,
            nav: Some(&[("Incidents", "retros/")]),
            today: None,
        };
        Renderer::new(tera, "templates/", site)
    }

    #[test]
    fn roots_are_relative_except_on_the_404_page() {
        let r = renderer(&[]);
        assert_eq!(r.site_ctx("index.html").root, "");
        assert_eq!(r.site_ctx("retros/a/index.html").root, "../../");
        assert_eq!(r.site_ctx("404.html").root, "https://x.example/");
        let nav = r.site_ctx("retros/index.html").nav.unwrap();
        assert!(nav[0].active);
        assert!(!r.site_ctx("factors/index.html").nav.unwrap()[0].active);
    }

    #[test]
    fn absent_nav_and_today_are_not_in_the_context() {
        let mut r = renderer(&[]);
        r.site.nav = None;
        let json = serde_json::to_value(r.site_ctx("index.html")).unwrap();
        assert!(json.get("nav").is_none() && json.get("today").is_none(), "{json}");
    }

    #[test]
    fn a_failing_page_names_its_path_template_and_the_count() {
        let r = renderer(&[("ok.html", "fine"), ("bad.html", "{{ page.nope.deeper }}")]);
        let jobs = vec![
            r.job("b/index.html", "bad.html", || ()),
            r.job("ok/index.html", "ok.html", || ()),
            r.job("a/index.html", "bad.html", || ()),
        ];
        let kept = std::sync::Mutex::new(Vec::new());
        let sink = |f: OutputFile| {
            kept.lock().map_err(sink_error)?.push(f.path);
            Ok(())
        };
        let err = format!("{:#}", r.run(jobs, &sink).unwrap_err());
        assert!(err.starts_with("2 pages could not be rendered"), "{err}");
        assert!(err.contains("rendering a/index.html with the theme's templates/bad.html"), "{err}");
        assert!(err.contains("nope"), "{err}");
        assert_eq!(kept.into_inner().unwrap(), ["ok/index.html"]);
    }

    #[test]
    fn the_sitemap_lists_folders_with_their_dates() {
        let r =
            renderer(&[("sitemap.xml", "{% for u in page.urls %}{{ page.base }}{{ u[0] }}={{ u[1] }};{% endfor %}")]);
        let paths = ["retros/b/index.html", "index.html", "404.html", "feed.xml", "retros/a/index.html"];
        let f = r.sitemap(paths, |u| if u == "retros/a/" { "2025-01-02".into() } else { String::new() }).unwrap();
        assert_eq!(f.path, "sitemap.xml");
        let text = String::from_utf8(f.bytes).unwrap();
        assert_eq!(text, "https://x.example/=;https://x.example/retros/a/=2025-01-02;https://x.example/retros/b/=;");
    }

    #[test]
    fn feed_stamps_default_to_the_epoch() {
        assert_eq!(feed_stamp(Some("2025-03-04")), "2025-03-04T00:00:00Z");
        assert_eq!(feed_stamp(Some("")), "1970-01-01T00:00:00Z");
        assert_eq!(feed_stamp(None), "1970-01-01T00:00:00Z");
    }
}
