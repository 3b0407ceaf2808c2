//! Contexts of the cross-incident pages: factors, actions, services and tags.

use super::context::{ActionCtx, Link, Lookup, action_ctx, factor_url};
use super::format::segment;
use super::shared::SharedValue;
use crate::analyze;
use crate::model::Retro;
use serde::Serialize;
use std::collections::BTreeMap;

/// A factor in the factor index.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorSummary {
    pub id: String,
    pub url: String,
    pub title: String,
    pub category: String,
    pub incidents: usize,
    pub first_seen: String,
    pub last_seen: String,
    pub recurred_after_remediation: bool,
    pub open_actions: usize,
    pub trend_svg: String,
    /// The first and the last quarter of the trend ("2024 Q4"), its period labels.
    pub trend_from: String,
    pub trend_to: String,
}

/// A table of the factor index: recurring factors, or those seen once.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorGroup {
    pub id: &'static str,
    pub title: &'static str,
    /// Shown when the group has no factor; groups that may be empty are omitted instead.
    pub empty: &'static str,
    pub factors: Vec<FactorSummary>,
}

/// The factor index page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorsPage {
    pub groups: Vec<FactorGroup>,
    pub categories: Vec<(String, usize)>,
    /// The largest count of `categories` (at least 1), the full length of their bars.
    pub category_max: usize,
}

/// One incident on a factor page: the retro and what it said about the factor.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorIncident {
    /// The retro's [`RetroRow`], as the value [`Lookup`] made once.
    pub row: SharedValue,
    pub summary: String,
    pub whys: Vec<String>,
}

/// A factor's own page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FactorPage {
    pub summary: FactorSummary,
    pub description: String,
    pub aliases: Vec<String>,
    pub incidents: Vec<FactorIncident>,
    pub actions: Vec<ActionCtx>,
    pub has_whys: bool,
    /// Incidents citing the factor per quarter, as a bar chart with its axis and quarters.
    pub trend_chart: String,
}

/// The title a factor has in book.toml's `[factors.<id>]`, else its id.
pub(crate) fn factor_title(book: &crate::model::Book, id: &str) -> String {
    book.config.factors.get(id).and_then(|d| d.title.clone()).unwrap_or_else(|| id.to_string())
}

/// Summaries of every factor, in factor-index order (most incidents first).
pub(crate) fn factor_summaries(l: &Lookup) -> Vec<FactorSummary> {
    let actions = analyze::actions(l.book, l.today);
    let open = analyze::open_actions_by_factor(&actions);
    use rayon::prelude::*;
    l.factors
        .par_iter()
        .map(|f| (f, l.trends.of(&l.book.config, &f.id)))
        .map(|(f, trend)| FactorSummary {
            id: f.id.clone(),
            url: factor_url(&f.id),
            title: factor_title(l.book, &f.id),
            category: f.category.clone().unwrap_or_else(|| "uncategorised".into()),
            incidents: f.incidents.len(),
            first_seen: f.first_seen.map(|d| d.to_string()).unwrap_or_default(),
            last_seen: f.last_seen.map(|d| d.to_string()).unwrap_or_default(),
            recurred_after_remediation: f.recurred_after_remediation,
            open_actions: open.get(f.id.as_str()).map_or(0, Vec::len),
            trend_svg: {
                let (labels, values): (Vec<String>, Vec<u32>) = trend.iter().cloned().unzip();
                super::svg::sparkline_svg(
                    &values,
                    &labels,
                    &format!("trend-{}", segment(&f.id)),
                    &format!("Incidents citing {} per quarter", f.id),
                )
            },
            trend_from: trend.first().map(|t| t.0.clone()).unwrap_or_default(),
            trend_to: trend.last().map(|t| t.0.clone()).unwrap_or_default(),
        })
        .collect()
}

/// The factor index page.
pub(crate) fn factors_page(l: &Lookup, summaries: &[FactorSummary]) -> FactorsPage {
    let (recurring, single): (Vec<_>, Vec<_>) = summaries.iter().cloned().partition(|f| f.incidents > 1);
    let categories = analyze::stats::category_rollup(l.book);
    let mut groups = vec![FactorGroup {
        id: "recurring",
        title: "Recurring factors",
        empty: "No factor has been cited by more than one incident.",
        factors: recurring,
    }];
    if !single.is_empty() {
        groups.push(FactorGroup { id: "single", title: "Seen once", empty: "", factors: single });
    }
    let category_max = categories.iter().map(|c| c.1).max().unwrap_or(0).max(1);
    FactorsPage { groups, categories, category_max }
}

/// For each factor id, the retros (indexes in `book.retros`, ascending) that cite it or have an
/// action addressing it: the only ones its page looks at.
pub(crate) fn retros_by_factor(book: &crate::model::Book) -> std::collections::HashMap<&str, Vec<usize>> {
    let mut by: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, r) in book.retros.iter().enumerate() {
        let cited = r.factors.iter().map(|f| f.id.as_str());
        let addressed = r.actions.iter().flat_map(|a| a.addresses.iter().map(|x| x.value.as_str()));
        for id in cited.chain(addressed) {
            let list = by.entry(id).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    by
}

/// A factor's page, from the retros that cite it or address it (see [`retros_by_factor`]).
pub(crate) fn factor_page(l: &Lookup, summary: &FactorSummary, retros: &[usize]) -> FactorPage {
    let def = l.book.config.factors.get(&summary.id);
    let mut incidents = Vec::new();
    let mut actions = Vec::new();
    for (i, r) in retros.iter().map(|&i| (i, &l.book.retros[i])) {
        if let Some(f) = r.factors.iter().find(|f| f.id == summary.id) {
            incidents.push(FactorIncident {
                row: l.shared_row(i),
                summary: f.summary.clone().unwrap_or_default(),
                whys: f.whys.clone(),
            });
        }
        for a in r.actions.iter().filter(|a| analyze::addresses(a, &summary.id)) {
            actions.push(action_ctx(a, l.today, Some(r)).with_history(l.book, r, a, l.today));
        }
    }
    actions.sort_by_key(|a| (!matches!(a.status, "open" | "in-progress"), a.overdue_days.is_none(), a.due.clone()));
    FactorPage {
        summary: summary.clone(),
        description: def.and_then(|d| d.description.clone()).unwrap_or_default(),
        aliases: def.map(|d| d.aliases.clone()).unwrap_or_default(),
        has_whys: incidents.iter().any(|i| !i.whys.is_empty()),
        incidents,
        actions,
        trend_chart: trend_chart(l, summary),
    }
}

/// Incidents citing a factor per quarter, every quarter of the book, as bars over labelled quarters.
fn trend_chart(l: &Lookup, summary: &FactorSummary) -> String {
    let trend = l.trends.of(&l.book.config, &summary.id);
    if trend.is_empty() {
        return String::new();
    }
    let (columns, values): (Vec<String>, Vec<u32>) = trend.into_iter().unzip();
    let bars = super::svg::StackedBars {
        title: format!("Incidents citing {} per quarter", summary.title),
        y_label: "incidents".into(),
        columns,
        series: vec![super::svg::BarSeries { label: "incidents".into(), values }],
    };
    super::svg::stacked_bars_svg(&bars, &format!("factor-trend-{}", segment(&summary.id)))
}

/// An owner's group on the actions board; `A` is an action's [`ActionCtx`], or its template value
/// once the board is rendered (see [`ActionsPage::into_values`]).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OwnerGroup<A> {
    pub owner: String,
    pub open: usize,
    pub overdue: usize,
    pub actions: Vec<A>,
}

/// The actions board.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionsPage<A> {
    pub open: usize,
    pub overdue: usize,
    /// Actions whose status disagrees with their tracker.
    pub drift: usize,
    pub groups: Vec<OwnerGroup<A>>,
    pub closed: Vec<A>,
}

impl ActionsPage<ActionCtx> {
    /// The same board with every action as a template value, each made as its context is
    /// dropped, so a book's actions are never held twice (the values alone are about 4 KB an
    /// action: 0.97 GB for the 232,000 actions of 100,000 synthetic retros).
    pub(crate) fn into_values(self) -> ActionsPage<tera::Value> {
        let value = |a: ActionCtx| super::shared::value(&a);
        // The closed actions first: most actions are closed, and a list's contexts are freed as
        // a whole once it is made into values, so the longest list is not held to the end.
        let closed = self.closed.into_iter().map(value).collect();
        let groups = self
            .groups
            .into_iter()
            .map(|g| OwnerGroup {
                owner: g.owner,
                open: g.open,
                overdue: g.overdue,
                actions: g.actions.into_iter().map(value).collect(),
            })
            .collect();
        ActionsPage { open: self.open, overdue: self.overdue, drift: self.drift, groups, closed }
    }
}

/// Open and in-progress actions by owner (owners with overdue actions first), then closed ones.
pub(crate) fn actions_page(l: &Lookup) -> ActionsPage<ActionCtx> {
    // (how many days overdue, due date) order the open actions; the due date the closed ones
    let mut groups: BTreeMap<String, Vec<ActionCtx>> = BTreeMap::new();
    let mut closed: Vec<ActionCtx> = Vec::new();
    let mut drift = 0;
    for r in &l.book.retros {
        for a in &r.actions {
            let ctx = action_ctx(a, l.today, Some(r)).with_history(l.book, r, a, l.today);
            drift += usize::from(ctx.tracker.as_ref().is_some_and(|t| t.drift.is_some()));
            if a.status.is_open() {
                groups.entry(ctx.owner.clone()).or_default().push(ctx);
            } else {
                closed.push(ctx);
            }
        }
    }
    let mut groups: Vec<OwnerGroup<ActionCtx>> = groups
        .into_iter()
        .map(|(owner, mut actions)| {
            actions.sort_by(|a, b| b.overdue_days.cmp(&a.overdue_days).then_with(|| a.due.cmp(&b.due)));
            OwnerGroup {
                overdue: actions.iter().filter(|a| a.overdue_days.is_some()).count(),
                open: actions.len(),
                owner,
                actions,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.overdue.cmp(&a.overdue).then_with(|| b.open.cmp(&a.open)).then_with(|| a.owner.cmp(&b.owner))
    });
    closed.sort_by(|a, b| b.due.cmp(&a.due));
    ActionsPage {
        drift,
        open: groups.iter().map(|g| g.open).sum(),
        overdue: groups.iter().map(|g| g.overdue).sum(),
        groups,
        closed,
    }
}

/// A service or a tag: which one, and its page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FacetPage {
    /// "service" or "tag"
    pub kind: &'static str,
    pub name: String,
    pub url: String,
    /// Its incidents' rows ([`RetroRow`] values), newest first.
    pub rows: Vec<SharedValue>,
    /// Factors cited by its incidents (labelled with their titles), most cited first.
    pub factors: Vec<(Link, usize)>,
    pub actions: Vec<ActionCtx>,
    /// Open actions of its incidents that are overdue.
    pub overdue: usize,
}

/// The index of services or tags.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FacetIndex {
    pub kind: &'static str,
    pub title: &'static str,
    pub items: Vec<(Link, usize)>,
}

/// Pages for every value of a facet (`services` or `tags`), newest incidents first.
pub(crate) fn facet_pages(l: &Lookup, kind: &'static str, values: fn(&Retro) -> &[String]) -> Vec<FacetPage> {
    // Value slug → (the value as first written, its retros, their ids: a retro is listed once).
    type Entry<'r> = (String, Vec<usize>, std::collections::HashSet<&'r str>);
    let mut by: BTreeMap<String, Entry> = BTreeMap::new();
    let retros = &l.book.retros;
    for (i, r) in retros.iter().enumerate() {
        for v in values(r) {
            let e = by.entry(segment(v)).or_insert_with(|| (v.clone(), Vec::new(), Default::default()));
            if e.2.insert(r.id.as_str()) {
                e.1.push(i);
            }
        }
    }
    let dir = if kind == "service" { "services" } else { "tags" };
    by.into_iter()
        .map(|(slug, (name, indexes, _))| {
            let retros: Vec<&Retro> = indexes.iter().map(|&i| &retros[i]).collect();
            let mut factors: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &retros {
                for f in &r.factors {
                    *factors.entry(f.id.as_str()).or_default() += 1;
                }
            }
            let mut factors: Vec<(Link, usize)> = factors
                .into_iter()
                .map(|(id, n)| (Link { label: factor_title(l.book, id), url: factor_url(id) }, n))
                .collect();
            factors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let overdue =
                retros.iter().flat_map(|r| &r.actions).filter(|a| a.status.is_open() && a.is_overdue(l.today)).count();
            let actions = retros
                .iter()
                .flat_map(|r| {
                    r.actions.iter().filter(|a| a.status.is_open()).map(move |a| action_ctx(a, l.today, Some(r)))
                })
                .collect();
            FacetPage {
                kind,
                url: format!("{dir}/{slug}/"),
                name,
                rows: indexes.iter().rev().map(|&i| l.shared_row(i)).collect(),
                factors,
                actions,
                overdue,
            }
        })
        .collect()
}

/// The index page of a facet.
pub(crate) fn facet_index(kind: &'static str, pages: &[FacetPage]) -> FacetIndex {
    let mut items: Vec<(Link, usize)> =
        pages.iter().map(|p| (Link { label: p.name.clone(), url: p.url.clone() }, p.rows.len())).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    FacetIndex { kind, title: if kind == "service" { "Services" } else { "Tags" }, items }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing;

    #[test]
    fn factor_summaries_count_each_open_action_once() {
        let book = testing::book(
            "[book]\ntitle = \"t\"\n",
            &[
                "id: r1\ntitle: One\ndate: 2025-01-01\nstatus: published\nfactors: [{id: drift}, {id: alert}]\nactions:\n  \
                 - {id: A1, title: Late, status: open, due: 2025-02-01, addresses: [drift, alert, drift]}\n  \
                 - {id: A2, title: Closed, status: done, addresses: [alert]}",
                "id: r2\ntitle: Two\ndate: 2025-03-01\nstatus: published\nfactors: [{id: drift}, {id: pager}]\nactions:\n  \
                 - {id: A1, title: Soon, status: in-progress, addresses: [drift]}",
            ],
        );
        let today = "2025-12-01".parse().expect("a date");
        let site: Vec<(String, usize)> =
            factor_summaries(&Lookup::new(&book, today)).into_iter().map(|f| (f.id, f.open_actions)).collect();
        // r1#A1 lists drift twice and counts once; r1#A2 is done. report::factors lists the same
        // actions (both take analyze::open_actions_by_factor).
        assert_eq!(site, [("drift".to_string(), 2), ("alert".to_string(), 1), ("pager".to_string(), 0)]);
    }
}
