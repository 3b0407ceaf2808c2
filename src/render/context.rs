//! Typed page contexts, serialised for the templates. Every value a template shows comes from
//! here; templates never see the `Retro` itself.

use super::format::{duration, long_date, role_label, segment};
use super::markdown::{self, MarkdownOptions};
use super::visuals;
use crate::analyze::{self, FactorEntry};
use crate::model::{Action, Book, EntryKind, Monitoring, Retro, SectionKind};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A link to another page, with its URL relative to the site root.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Link {
    pub label: String,
    pub url: String,
}

/// A retro as shown in lists and tables.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RetroRow {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub date: String,
    pub date_long: String,
    pub year: String,
    pub severity: String,
    pub severity_rank: usize,
    pub severity_class: String,
    /// Whether the retro states a severity (an adopted file often does not).
    pub severity_stated: bool,
    pub status: &'static str,
    /// What the status badge says: the status, or `adopted` for a file without retrobook front
    /// matter (its status is not stated, and "draft" would be wrong for a published document).
    pub status_label: &'static str,
    /// Read from a file without retrobook front matter (docs/format.md, "Adoption").
    pub adopted: bool,
    #[serde(serialize_with = "super::shared::links")]
    pub services: Vec<Link>,
    pub teams: Vec<String>,
    #[serde(serialize_with = "super::shared::links")]
    pub tags: Vec<Link>,
    /// Facet values as slugs, space separated, for the list's filter script.
    pub services_attr: String,
    pub teams_attr: String,
    pub tags_attr: String,
    pub ttr_seconds: Option<i64>,
    pub ttr: Option<String>,
    pub open_actions: usize,
    pub overdue_actions: usize,
    /// Elements of the seven that are complete (see `analyze::completeness`).
    pub checklist_done: usize,
    /// `complete` or `incomplete`, for the list's filter.
    pub completeness: &'static str,
}

/// Builds list rows and per-retro lookups once per build.
pub(crate) struct Lookup<'a> {
    pub book: &'a Book,
    pub today: Date,
    pub factors: Vec<FactorEntry>,
    /// Every factor's incidents per quarter.
    pub trends: analyze::stats::Trends,
    /// Factor id → the retros citing it or addressing it (see `indexes::retros_by_factor`).
    pub retros_by_factor: std::collections::HashMap<&'a str, Vec<usize>>,
    /// Retro id → ids of retros that list it in `related`.
    pub related_by: BTreeMap<&'a str, Vec<&'a str>>,
    /// Retro id → the retro, for constant-time lookups of related retros.
    pub by_id: std::collections::HashMap<&'a str, &'a Retro>,
    /// Retro path → (elements complete, all complete): computed once, since every list page
    /// shows it and the checklist reads every section.
    /// By (path, id): the incidents of an incident log share a path.
    checklists: std::collections::HashMap<(&'a str, &'a str), (usize, bool)>,
    pub md: MarkdownOptions,
    /// Retro id → its index in `book.retros` (the last one with that id, as `by_id`).
    index: std::collections::HashMap<&'a str, usize>,
    /// The values of each filterable facet of the incident list, in a fixed order, for its filter
    /// bar (the rows themselves are kept as template values only).
    pub facets: Vec<(&'static str, Vec<String>)>,
    /// The same rows as template values with their digests (see `page::known_value`; the lists
    /// hold them as `shared::SharedValue`s, which their keys write as the digests), each made
    /// once, when a page first shows it: the many pages that show a row (its own page, the
    /// incidents list, facet, factor and related lists) share the value (a reference count)
    /// instead of serialising the row again. Made on demand, so the pages rendered before the
    /// lists ([`super::render_site_reusing`]) do not hold them all.
    rows: Vec<std::sync::OnceLock<(tera::Value, [u8; 32])>>,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(book: &'a Book, today: Date) -> Self {
        let mut related_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for r in &book.retros {
            for rel in &r.related {
                related_by.entry(rel.value.as_str()).or_default().push(r.id.as_str());
            }
        }
        use rayon::prelude::*;
        let checklists = book
            .retros
            .par_iter()
            .map(|r| {
                let c = analyze::completeness::completeness(r, &book.config);
                ((r.path.as_str(), r.id.as_str()), (c.done, c.complete))
            })
            .collect();
        let mut l = Lookup {
            by_id: book.retros.iter().map(|r| (r.id.as_str(), r)).collect(),
            index: book.retros.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect(),
            checklists,
            book,
            today,
            factors: analyze::factor_index(book),
            trends: analyze::stats::Trends::new(book),
            retros_by_factor: super::indexes::retros_by_factor(book),
            related_by,
            md: MarkdownOptions { allow_raw_html: book.config.output.html.allow_raw_html },
            facets: Vec::new(),
            rows: book.retros.iter().map(|_| std::sync::OnceLock::new()).collect(),
        };
        l.facets = super::facets(&l);
        l
    }

    /// The template value of the row of retro `i` (its index in `book.retros`).
    pub(crate) fn row_value(&self, i: usize) -> tera::Value {
        self.known_row(i).0.clone()
    }

    /// The row of retro `i` as a value many pages share, with its digest.
    pub(crate) fn shared_row(&self, i: usize) -> super::shared::SharedValue {
        let (value, digest) = self.known_row(i).clone();
        super::shared::SharedValue { value, digest }
    }

    fn known_row(&self, i: usize) -> &(tera::Value, [u8; 32]) {
        self.rows[i].get_or_init(|| super::page::known_value(&self.row(&self.book.retros[i])))
    }

    /// The index in `book.retros` of the retro with this id (the last one, as `by_id`).
    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub(crate) fn severity_class(&self, sev: Option<&str>) -> String {
        severity_class(self.book, sev)
    }

    /// How many of the seven elements retro `r` has complete, and whether all are.
    pub(crate) fn checklist(&self, r: &Retro) -> (usize, bool) {
        self.checklists.get(&(r.path.as_str(), r.id.as_str())).copied().unwrap_or_else(|| {
            let c = analyze::completeness::completeness(r, &self.book.config);
            (c.done, c.complete)
        })
    }

    pub(crate) fn row(&self, r: &Retro) -> RetroRow {
        let (done, complete) = self.checklist(r);
        let ttr = r.durations().resolve;
        let facet = |v: &[String]| v.iter().map(|s| segment(s)).collect::<Vec<_>>().join(" ");
        RetroRow {
            id: r.id.clone(),
            url: retro_url(&r.id),
            title: r.title.clone(),
            summary: r.summary.clone().unwrap_or_default(),
            date: r.date.map(|d| d.to_string()).unwrap_or_default(),
            date_long: r.date.map(long_date).unwrap_or_else(|| "undated".into()),
            year: r.date.map(|d| d.year().to_string()).unwrap_or_default(),
            severity: r.severity.clone().unwrap_or_else(|| NO_SEVERITY.into()),
            severity_rank: r.severity.as_deref().map_or(99, |s| self.book.config.severity_rank(s).min(98) + 1),
            severity_class: self.severity_class(r.severity.as_deref()),
            severity_stated: r.severity.is_some(),
            status: r.status.as_str(),
            status_label: if is_adopted(r) { "adopted" } else { r.status.as_str() },
            adopted: is_adopted(r),
            services: r
                .services
                .iter()
                .map(|s| Link { label: s.clone(), url: format!("services/{}/", segment(s)) })
                .collect(),
            teams: r.teams.clone(),
            tags: r.tags.iter().map(|s| Link { label: s.clone(), url: format!("tags/{}/", segment(s)) }).collect(),
            services_attr: facet(&r.services),
            teams_attr: facet(&r.teams),
            tags_attr: facet(&r.tags),
            ttr_seconds: ttr,
            ttr: ttr.map(duration),
            open_actions: r.actions.iter().filter(|a| a.status.is_open()).count(),
            overdue_actions: r.actions.iter().filter(|a| a.is_overdue(self.today)).count(),
            checklist_done: done,
            completeness: completeness_label(complete),
        }
    }
}

/// A row's `completeness`, for the list's filter.
pub(crate) fn completeness_label(complete: bool) -> &'static str {
    if complete { "complete" } else { "incomplete" }
}

/// A row's severity when its retro states none.
pub(crate) const NO_SEVERITY: &str = "—";

/// Whether a retro was adopted as it is: no retrobook front matter (none, or another tool's).
pub(crate) fn is_adopted(r: &Retro) -> bool {
    r.front_matter != crate::model::FrontMatterKind::Native
}

/// The badge class of a severity: `rb-sev-1` for the most severe of the book's first four.
pub(crate) fn severity_class(book: &Book, sev: Option<&str>) -> String {
    match sev.map(|s| book.config.severity_rank(s)) {
        Some(r) if r < 4 => format!("rb-sev-{}", r + 1),
        _ => "rb-sev-other".to_string(),
    }
}

/// The URL of a retro's page, relative to the site root.
pub(crate) fn retro_url(id: &str) -> String {
    format!("retros/{id}/")
}

/// The URL of a factor's page, relative to the site root.
pub(crate) fn factor_url(id: &str) -> String {
    format!("factors/{}/", segment(id))
}

/// One section of a retro page, rendered.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SectionCtx {
    pub heading: String,
    pub slug: String,
    pub kind: &'static str,
    pub html: String,
}

/// A timeline entry on a retro page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntryCtx {
    pub n: usize,
    pub time: String,
    pub datetime: String,
    pub kind: &'static str,
    pub html: String,
}

/// A contributing factor on a retro page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorCtx {
    pub id: String,
    pub url: String,
    pub title: String,
    pub category: String,
    pub summary: String,
    pub whys: Vec<String>,
    /// How many incidents in the book cite this factor.
    pub incidents: usize,
    pub recurring: bool,
}

/// A follow-up action as a table row.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionCtx {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub priority: &'static str,
    pub due: String,
    pub overdue_days: Option<i64>,
    pub link: Option<String>,
    #[serde(serialize_with = "super::shared::links")]
    pub addresses: Vec<Link>,
    pub why: String,
    #[serde(serialize_with = "super::shared::link")]
    pub retro: Option<Link>,
    /// Whole days since the action appeared in git, while it is open.
    pub age_days: Option<i64>,
    /// Whole days from appearing to being closed, from git.
    pub days_to_close: Option<i64>,
    /// What the last `actions sync` said (`.retrobook/trackers.json`), with drift.
    /// (Boxed: most actions have none, and the board holds every action's context at once.)
    pub tracker: Option<Box<crate::analyze::trackers::TrackerView>>,
}

impl ActionCtx {
    /// Adds the age and time to close that git history gives (nothing outside git), and the
    /// tracker state of the last sync.
    pub(crate) fn with_history(mut self, book: &Book, retro: &Retro, a: &Action, today: Date) -> Self {
        self.tracker = crate::analyze::trackers::view(a, book).map(Box::new);
        if let Some(href) = crate::analyze::trackers::href(a, &book.config).filter(|u| is_http(u)) {
            self.link = Some(href);
        }
        let tz = book.config.timezone();
        if let Some(age) =
            book.history.retro(&retro.path).and_then(|h| h.action_age(&self.id, retro.date, a.due, today, &tz))
        {
            self.age_days = matches!(self.status, "open" | "in-progress").then_some(age.age_days);
            self.days_to_close = age.days_to_close;
        }
        self
    }
}

/// A retro's git history on its page, with edit and history links when book.toml gives them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GitCtx {
    /// `YYYY-MM-DD` in the book's time zone, and RFC 3339 for `datetime`.
    pub created: Option<(String, String)>,
    pub updated: Option<(String, String)>,
    pub contributors: Vec<String>,
    pub commit: String,
    pub short: String,
    pub edit_url: Option<String>,
    pub history_url: Option<String>,
}

/// Percent-encodes a repository path for a URL, keeping `/`.
fn url_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The page listing the commits that changed `path` (relative to the repository root) on the
/// forge at `repo_url`: GitHub and GitLab forms by host name, else the Gitea/Forgejo form.
pub fn history_url(repo_url: &str, path: &str) -> String {
    let base = repo_url.trim_end_matches('/');
    let path = url_path(path);
    let host = base.split("://").nth(1).unwrap_or(base).split('/').next().unwrap_or("").to_ascii_lowercase();
    if host.contains("github") {
        format!("{base}/commits/main/{path}")
    } else if host.contains("gitlab") {
        format!("{base}/-/commits/main/{path}")
    } else {
        format!("{base}/commits/branch/main/{path}")
    }
}

/// Whether `u` is an absolute http(s) URL (case-insensitive scheme), the only kind a page links to
/// from book.toml or front matter.
pub(crate) fn is_http(u: &str) -> bool {
    let head = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    head.starts_with("https://") || head.starts_with("http://")
}

/// The git part of a retro page: `None` when there is neither history nor a link to show.
pub(crate) fn git_ctx(book: &Book, r: &Retro) -> Option<GitCtx> {
    let html = &book.config.output.html;
    let tz = book.config.timezone();
    let path = book.history.repo_path(&r.path);
    let h = book.history.retro(&r.path);
    let when = |t: jiff::Timestamp| (crate::history::day(t, &tz).to_string(), t.to_string());
    let ctx = GitCtx {
        created: h.map(|h| when(h.created)),
        updated: h.map(|h| when(h.updated)),
        contributors: h.map(|h| h.contributors.clone()).unwrap_or_default(),
        commit: h.map(|h| h.commit.clone()).unwrap_or_default(),
        short: h.map(|h| h.short.clone()).unwrap_or_default(),
        // book.toml's loader accepts only http(s) URLs; a Config built another way is held to that too.
        edit_url: html.edit_url_template.as_ref().filter(|t| is_http(t)).map(|t| t.replace("{path}", &url_path(&path))),
        history_url: html.git_repository_url.as_ref().filter(|u| is_http(u)).map(|u| history_url(u, &path)),
    };
    (h.is_some() || ctx.edit_url.is_some() || ctx.history_url.is_some()).then_some(ctx)
}

/// A monitoring series on a retro page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SeriesCtx {
    pub metric: String,
    pub unit: String,
    pub svg: String,
    /// A compact text equivalent: points, min, max, peak time.
    pub text: String,
    /// With a threshold: its first crossing during the incident and the detection delay, in words.
    pub delay: Option<String>,
}

/// Everything the retro page shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RetroPage {
    /// The retro's [`RetroRow`], as the value [`Lookup`] made once.
    pub row: tera::Value,
    pub authors: Vec<String>,
    pub reviewers: Vec<String>,
    pub roles: Vec<(String, String)>,
    pub external: bool,
    pub moments: Vec<(String, String, String)>,
    pub durations: Vec<(String, String)>,
    pub impact_users: Option<String>,
    pub data_loss: Option<bool>,
    pub slo: Option<String>,
    pub preamble_html: String,
    pub stakeholder: Option<SectionCtx>,
    pub narrative: Option<SectionCtx>,
    pub timeline: Option<SectionCtx>,
    pub monitoring: Option<SectionCtx>,
    pub factors_section: Option<SectionCtx>,
    pub analysis: Option<SectionCtx>,
    pub actions_section: Option<SectionCtx>,
    /// Sections that are none of the seven, keyed by the element they follow in the document.
    pub others: BTreeMap<&'static str, Vec<SectionCtx>>,
    pub entries: Vec<EntryCtx>,
    pub kinds_used: Vec<&'static str>,
    pub timeline_svg: Option<String>,
    /// What the conversation shows: participants, first response, update gaps, highlights.
    pub conversation: Option<super::conversation::ConversationCtx>,
    pub series: Vec<SeriesCtx>,
    pub gaps: Vec<String>,
    pub factors: Vec<FactorCtx>,
    pub fishbone_svg: Option<String>,
    pub actions: Vec<ActionCtx>,
    /// Rows ([`RetroRow`] values) of the retros this one lists as related.
    pub related: Vec<tera::Value>,
    /// Rows of the retros that list this one and that it does not list.
    pub related_by: Vec<tera::Value>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub source_path: String,
    /// The seven elements, each complete or not, with what is missing.
    pub checklist: analyze::completeness::Completeness,
    /// The checklist as shown: what is missing rendered from its Markdown.
    pub checklist_items: Vec<ChecklistItemCtx>,
    /// Open the checklist: only for a retro still being written (not adopted, not published)
    /// that is incomplete; for the others it is a note for authors, collapsed.
    pub checklist_open: bool,
    pub git: Option<GitCtx>,
}

/// One element of the checklist on a retro page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChecklistItemCtx {
    pub label: &'static str,
    pub ok: bool,
    /// What is missing, as inline HTML (the phrases quote keys and headings in backticks).
    pub missing_html: String,
}

/// Builds the retro page context. `index` is the retro's position in the date-sorted book.
pub(crate) fn retro_page(l: &Lookup, index: usize) -> RetroPage {
    let r = &l.book.retros[index];
    let md = |s: &str| markdown::render(s, l.md);
    let section = |kind: SectionKind| {
        // bold-label sections (adopted files) are shown where they stand, in their parent
        r.sections.iter().find(|s| s.kind == Some(kind) && !s.bold_label).map(|s| SectionCtx {
            heading: s.heading.clone(),
            slug: s.slug.clone(),
            kind: kind.as_str(),
            html: md(&s.markdown),
        })
    };
    let tz = l.book.config.timezone();
    let (entries, kinds_used) = entries_ctx(l, r);
    let (related, related_by) = related_rows(l, r);
    let link = |x: &Retro| Link { label: x.title.clone(), url: retro_url(&x.id) };
    let checklist = analyze::completeness::completeness(r, &l.book.config);
    let (series, gaps) = monitoring_ctx(r, &tz);
    RetroPage {
        row: l.row_value(index),
        authors: r.authors.clone(),
        reviewers: r.reviewers.clone(),
        roles: r.roles.iter().map(|(k, v)| (role_label(k), v.clone())).collect(),
        external: r.external,
        moments: moments_ctx(r, &tz),
        durations: durations_ctx(r),
        impact_users: r.impact.users.clone(),
        data_loss: r.impact.data_loss,
        slo: r.impact.slo.as_ref().map(slo_text),
        preamble_html: md(&r.preamble),
        stakeholder: section(SectionKind::StakeholderMessage),
        narrative: section(SectionKind::Narrative),
        timeline: section(SectionKind::Timeline),
        monitoring: section(SectionKind::Monitoring),
        factors_section: section(SectionKind::ContributingFactors),
        analysis: section(SectionKind::TechnicalAnalysis),
        actions_section: section(SectionKind::FollowUpActions),
        others: other_sections(l, r),
        entries,
        kinds_used,
        timeline_svg: visuals::timeline(r, &tz, super::conversation::gap_spans(r, &l.book.config)),
        conversation: super::conversation::context(
            &crate::analyze::conversation::conversation(r, l.book.config.timeline.update_interval()),
            &tz,
            l.md,
        ),
        series,
        gaps,
        factors: factors_ctx(l, r),
        fishbone_svg: visuals::fishbone(
            r,
            &l.book.config.retros.factor_categories,
            |id| l.book.config.factors.get(id).and_then(|d| d.title.clone()),
            |id| format!("../../{}", factor_url(id)),
        ),
        actions: r.actions.iter().map(|a| action_ctx(a, l.today, None).with_history(l.book, r, a, l.today)).collect(),
        related,
        related_by,
        prev: index.checked_sub(1).map(|i| link(&l.book.retros[i])),
        next: l.book.retros.get(index + 1).map(link),
        source_path: r.path.clone(),
        checklist_items: checklist
            .items
            .iter()
            .map(|i| ChecklistItemCtx {
                label: i.label,
                ok: i.ok,
                missing_html: markdown::render_inline(&i.missing.join("; "), l.md),
            })
            .collect(),
        checklist_open: !checklist.complete && !is_adopted(r) && r.status != crate::model::DocStatus::Published,
        checklist,
        git: git_ctx(l.book, r),
    }
}

/// Sections that are none of the seven, keyed by the element they follow in the document.
fn other_sections(l: &Lookup, r: &Retro) -> BTreeMap<&'static str, Vec<SectionCtx>> {
    let mut others: BTreeMap<&'static str, Vec<SectionCtx>> = BTreeMap::new();
    let mut anchor = "preamble";
    for s in r.sections.iter().filter(|s| !s.bold_label) {
        match s.kind {
            Some(k) => anchor = k.as_str(),
            None => others.entry(anchor).or_default().push(SectionCtx {
                heading: s.heading.clone(),
                slug: s.slug.clone(),
                kind: "other",
                html: markdown::render(&s.markdown, l.md),
            }),
        }
    }
    others
}

/// The timeline entries (with dates when the incident spans days) and the kinds they use.
fn entries_ctx(l: &Lookup, r: &Retro) -> (Vec<EntryCtx>, Vec<&'static str>) {
    let multi_day = r.timeline.first().zip(r.timeline.last()).is_some_and(|(a, b)| a.local.date() != b.local.date());
    let entries: Vec<EntryCtx> = r
        .timeline
        .iter()
        .enumerate()
        .map(|(i, e)| EntryCtx {
            n: i + 1,
            time: if multi_day {
                e.local.strftime("%Y-%m-%d %H:%M").to_string()
            } else {
                e.local.strftime("%H:%M").to_string()
            },
            datetime: e.at.to_string(),
            kind: e.kind.map_or("none", EntryKind::as_str),
            html: markdown::render_inline(&e.text, l.md),
        })
        .collect();
    let mut kinds_used: Vec<&'static str> = entries.iter().map(|e| e.kind).collect();
    kinds_used.sort_unstable();
    kinds_used.dedup();
    (entries, kinds_used)
}

/// The four moments that are known: (name, local time as shown, timestamp).
fn moments_ctx(r: &Retro, tz: &jiff::tz::TimeZone) -> Vec<(String, String, String)> {
    crate::model::Moment::ALL
        .iter()
        .filter_map(|m| {
            r.impact.moment(*m).map(|v| {
                let local = v.at.to_zoned_datetime(tz.clone());
                (m.as_str().to_string(), local.strftime("%Y-%m-%d %H:%M %Z").to_string(), v.at.to_string())
            })
        })
        .collect()
}

/// Time to detect, mitigate and resolve, "—" when unknown.
fn durations_ctx(r: &Retro) -> Vec<(String, String)> {
    let d = r.durations();
    [("detect", d.detect), ("mitigate", d.mitigate), ("resolve", d.resolve)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(duration).unwrap_or_else(|| "—".into())))
        .collect()
}

/// The SLO line: "name: 40% of the error budget", or either half.
fn slo_text(s: &crate::model::Slo) -> String {
    let burned = s.budget_burned.map(|b| format!("{:.0}% of the error budget", b * 100.0));
    match (&s.name, burned) {
        (Some(n), Some(b)) => format!("{n}: {b}"),
        (Some(n), None) => n.clone(),
        (None, Some(b)) => b,
        (None, None) => String::new(),
    }
}

/// The retro's factors with their titles and how many incidents cite each.
fn factors_ctx(l: &Lookup, r: &Retro) -> Vec<FactorCtx> {
    let factor_counts: BTreeMap<&str, usize> = l.factors.iter().map(|f| (f.id.as_str(), f.incidents.len())).collect();
    r.factors
        .iter()
        .map(|f| {
            let n = factor_counts.get(f.id.as_str()).copied().unwrap_or(1);
            FactorCtx {
                id: f.id.clone(),
                url: factor_url(&f.id),
                title: l.book.config.factors.get(&f.id).and_then(|d| d.title.clone()).unwrap_or_else(|| f.id.clone()),
                category: f.category.clone().unwrap_or_else(|| "uncategorised".into()),
                summary: f.summary.clone().unwrap_or_default(),
                whys: f.whys.clone(),
                incidents: n,
                recurring: n > 1,
            }
        })
        .collect()
}

/// The charts of a retro's series, and its monitoring gaps: the ones the author wrote, then the
/// spans the data itself has no samples for.
fn monitoring_ctx(r: &Retro, tz: &jiff::tz::TimeZone) -> (Vec<SeriesCtx>, Vec<String>) {
    let charts = visuals::series_charts(r, tz);
    let gaps = r
        .monitoring
        .iter()
        .filter_map(|m| match m {
            Monitoring::Gap { text } => Some(text.clone()),
            Monitoring::Series { .. } => None,
        })
        .chain(charts.iter().flat_map(|c| c.gaps.iter().cloned()))
        .collect();
    let series = charts
        .into_iter()
        .map(|c| SeriesCtx { metric: c.metric, unit: c.unit, svg: c.svg, text: c.text, delay: c.delay })
        .collect();
    (series, gaps)
}

/// The retros this one lists as related, and those pointing here that it does not list.
fn related_rows(l: &Lookup, r: &Retro) -> (Vec<tera::Value>, Vec<tera::Value>) {
    let rows = |ids: &mut dyn Iterator<Item = &str>| -> Vec<tera::Value> {
        ids.filter_map(|id| l.index_of(id)).map(|i| l.row_value(i)).collect()
    };
    let related = rows(&mut r.related.iter().map(|s| s.value.as_str()));
    let related_by = rows(
        &mut l
            .related_by
            .get(r.id.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| !r.related.iter().any(|x| x.value == *id)),
    );
    (related, related_by)
}

/// An action as a table row; `retro` is set on cross-retro boards.
pub(crate) fn action_ctx(a: &Action, today: Date, retro: Option<&Retro>) -> ActionCtx {
    use crate::model::ActionStatus::*;
    ActionCtx {
        id: a.id.clone(),
        title: a.title.clone(),
        owner: a.owner.clone().unwrap_or_else(|| "—".into()),
        status: a.status.as_str(),
        status_label: match a.status {
            Open => "open",
            InProgress => "in progress",
            Done => "done",
            WontDo => "won't do",
        },
        priority: a.priority.map_or("", |p| p.as_str()),
        due: a.due.map(|d| d.to_string()).unwrap_or_default(),
        overdue_days: a.is_overdue(today).then(|| a.due.map(|d| (today - d).get_days() as i64)).flatten(),
        link: a.link.as_ref().map(|l| l.value.clone()).filter(|u| is_http(u)),
        addresses: a.addresses.iter().map(|x| Link { label: x.value.clone(), url: factor_url(&x.value) }).collect(),
        why: a.why.clone().unwrap_or_default(),
        retro: retro.map(|r| Link { label: r.title.clone(), url: retro_url(&r.id) }),
        age_days: None,
        days_to_close: None,
        tracker: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing;

    fn book() -> Book {
        testing::book(
            "[book]\ntitle = \"t\"\n",
            &[
                "id: a\ntitle: Alpha\ndate: 2025-01-01\nstatus: published\nseverity: SEV1",
                "id: b\ntitle: Beta <b>\ndate: 2025-02-01\nstatus: draft\nrelated: [a]",
                "id: c\ntitle: Gamma\ndate: 2025-03-01\nstatus: published\nrelated: [a, b]",
            ],
        )
    }

    #[test]
    fn each_cached_row_value_is_its_own_retros_row() {
        let book = book();
        let l = Lookup::new(&book, "2025-12-01".parse().expect("a date"));
        assert_eq!(l.rows.len(), book.retros.len());
        for (i, r) in book.retros.iter().enumerate() {
            let fresh = tera::Value::from_serializable(&l.row(r));
            assert_eq!(l.row_value(i), fresh, "{}", r.id);
            assert_eq!(l.row_value(i).get_from_path("title").and_then(|t| t.as_str()), Some(r.title.as_str()));
            assert_eq!(l.index_of(&r.id), Some(i));
        }
        assert_eq!(l.index_of("nope"), None);
    }

    #[test]
    fn the_list_filters_offer_every_value_the_rows_show() {
        let book = testing::book(
            "[book]\ntitle = \"t\"\n",
            &[
                "id: a\ntitle: A\ndate: 2024-01-01\nstatus: published\nseverity: SEV1\nservices: [db, api]\ntags: [dns]",
                "id: b\ntitle: B\ndate: 2025-02-01\nstatus: draft\nteams: [core]\nservices: [api]\ntags: [dns, tls]",
                "id: c\ntitle: C\nstatus: published",
            ],
        );
        let l = Lookup::new(&book, "2025-12-01".parse().expect("a date"));
        let rows: Vec<RetroRow> = book.retros.iter().map(|r| l.row(r)).collect();
        let labels = |links: &[Link]| links.iter().map(|x| x.label.clone()).collect::<Vec<_>>();
        let facet = |r: &RetroRow, name: &str| match name {
            "severity" => vec![r.severity.clone()],
            "status" => vec![r.status.to_string()],
            "year" => vec![r.year.clone()],
            "service" => labels(&r.services),
            "team" => r.teams.clone(),
            "tag" => labels(&r.tags),
            "completeness" => vec![r.completeness.to_string()],
            other => panic!("an unexpected facet {other}"),
        };
        let names: Vec<&str> = l.facets.iter().map(|f| f.0).collect();
        assert_eq!(names, ["severity", "service", "team", "tag", "status", "year", "completeness"]);
        for (name, values) in &l.facets {
            let mut shown: Vec<String> = rows.iter().flat_map(|r| facet(r, name)).filter(|v| !v.is_empty()).collect();
            shown.sort();
            shown.dedup();
            assert_eq!(values, &shown, "{name}");
        }
        assert!(l.facets.iter().all(|f| !f.1.is_empty()), "these rows fill every facet: {:?}", l.facets);
    }

    #[test]
    fn related_rows_are_the_rows_of_the_retros_they_name() {
        let book = book();
        let l = Lookup::new(&book, "2025-12-01".parse().expect("a date"));
        let ids = |rows: Vec<tera::Value>| -> Vec<String> {
            rows.iter().filter_map(|v| v.get_from_path("id").and_then(|t| t.as_str()).map(String::from)).collect()
        };
        let at = |id: &str| &book.retros[l.index_of(id).expect("a retro")];
        let (related, related_by) = related_rows(&l, at("c"));
        assert_eq!((ids(related), ids(related_by)), (vec!["a".into(), "b".into()], vec![]));
        let (related, related_by) = related_rows(&l, at("a"));
        assert_eq!((ids(related), ids(related_by)), (vec![], vec!["b".to_string(), "c".to_string()]));
    }
}
