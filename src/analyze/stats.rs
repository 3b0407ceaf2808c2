//! Statistics over a book (docs/report.md, `report stats`): incidents and time to detect,
//! mitigate and resolve by severity, service, year and quarter, incidents per month, plus the
//! factor roll-ups that reports show beside the factor index. Pure functions over a [`Book`].

use crate::model::{Book, Moment, Retro};
use jiff::civil::Date;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// Count, median, 90th percentile and mean of a set of durations, in whole seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DurationStats {
    /// How many retros have both moments of this duration.
    pub n: usize,
    /// The middle value; of an even count, the mean of the two middle values rounded down.
    pub median: Option<i64>,
    /// Nearest rank: the ⌈0.9·n⌉-th smallest value.
    pub p90: Option<i64>,
    /// The arithmetic mean, rounded down to a whole second.
    pub mean: Option<i64>,
}

/// Sorts `values` and summarises them as docs/report.md says; an empty set gives `n = 0` and nulls.
pub(crate) fn percentile_summary(values: &mut [i64]) -> DurationStats {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return DurationStats::default();
    }
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        // i128 so that the sum cannot overflow; div_euclid rounds toward −∞ ("rounded down")
        // also for the negative durations of a retro whose moments are out of order.
        let sum = i128::from(values[n / 2 - 1]) + i128::from(values[n / 2]);
        sum.div_euclid(2) as i64
    };
    let rank = (9 * n).div_ceil(10);
    // i128 again so that no sum overflows; rounded toward −∞ like the median.
    let mean = values.iter().map(|&v| i128::from(v)).sum::<i128>().div_euclid(n as i128) as i64;
    DurationStats { n, median: Some(median), p90: Some(values[rank - 1]), mean: Some(mean) }
}

/// Incidents and the three durations of a group of retros.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct GroupStats {
    pub incidents: usize,
    /// Time to detect: detected − started.
    pub detect: DurationStats,
    /// Time to mitigate: mitigated − started.
    pub mitigate: DurationStats,
    /// Time to resolve: resolved − started.
    pub resolve: DurationStats,
}

impl GroupStats {
    /// The statistics of a group of retros.
    pub(crate) fn of(retros: &[&Retro]) -> GroupStats {
        let summary = |m: Moment| {
            let mut v: Vec<i64> = retros.iter().filter_map(|r| r.impact.duration_to(m)).collect();
            percentile_summary(&mut v)
        };
        GroupStats {
            incidents: retros.len(),
            detect: summary(Moment::Detected),
            mitigate: summary(Moment::Mitigated),
            resolve: summary(Moment::Resolved),
        }
    }
}

/// A list of (key, value) that serialises as a JSON object in list order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> OrderedMap<V> {
    /// The value under `key`.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// The keys, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Incidents of one month by severity; serialises as
/// `{ "month": "2025-02", "SEV1": n, …, "unstated": n }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Every severity of the book, in the book's order, with its count (0 included).
    pub counts: Vec<(String, usize)>,
    /// Incidents of the month that state no severity (always present, 0 included).
    pub unstated: usize,
}

impl MonthCount {
    /// Incidents of the month, with a severity or not.
    pub(crate) fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum::<usize>() + self.unstated
    }
}

impl Serialize for MonthCount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.counts.len() + 2))?;
        map.serialize_entry("month", &self.month)?;
        for (k, v) in &self.counts {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("unstated", &self.unstated)?;
        map.end()
    }
}

/// How many retros lack each of the four moments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Missing {
    pub started: usize,
    pub detected: usize,
    pub mitigated: usize,
    pub resolved: usize,
}

/// Which moments the retros record: durations can only be as good as this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Completeness {
    pub missing: Missing,
    /// Retros with all four moments.
    pub complete: usize,
}

/// The `report stats --format json` document (docs/report.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Stats {
    pub incidents: usize,
    /// Every severity of book.toml, most severe first, then any other severity a retro uses.
    pub by_severity: OrderedMap<GroupStats>,
    /// Services by name; a retro with several services counts under each.
    pub by_service: OrderedMap<GroupStats>,
    /// Every year from the first incident's to the last's.
    pub by_year: OrderedMap<GroupStats>,
    /// Every quarter (`2024-Q3`) from the first incident's to the last's, empty ones included.
    pub by_quarter: OrderedMap<GroupStats>,
    /// Every month from the first incident's to the last's, empty months included.
    pub per_month: Vec<MonthCount>,
    pub completeness: Completeness,
}

/// The severities to report: book.toml's order, then any other a retro uses (sorted).
pub(crate) fn severity_keys(book: &Book) -> Vec<String> {
    let mut keys = book.config.retros.severities.clone();
    let others: BTreeSet<&str> =
        book.retros.iter().filter_map(|r| r.severity.as_deref()).filter(|s| !keys.iter().any(|k| k == s)).collect();
    keys.extend(others.into_iter().map(String::from));
    keys
}

/// The statistics of a whole book. Retros without a date count in `incidents`, `by_severity` and
/// `by_service` only; retros without a severity are left out of `by_severity` and count as
/// `unstated` in `per_month`.
pub(crate) fn stats(book: &Book) -> Stats {
    let severities = severity_keys(book);
    let by_severity = OrderedMap(
        severities
            .iter()
            .map(|s| {
                let group: Vec<&Retro> = book.retros.iter().filter(|r| r.severity.as_deref() == Some(s)).collect();
                (s.clone(), GroupStats::of(&group))
            })
            .collect(),
    );

    let mut services: BTreeMap<&str, Vec<&Retro>> = BTreeMap::new();
    for r in &book.retros {
        let names: BTreeSet<&str> = r.services.iter().map(String::as_str).collect();
        for s in names {
            services.entry(s).or_default().push(r);
        }
    }
    let by_service = OrderedMap(services.into_iter().map(|(s, g)| (s.to_string(), GroupStats::of(&g))).collect());

    let dates: Vec<Date> = book.retros.iter().filter_map(|r| r.date).collect();
    let (first, last) = (dates.iter().min().copied(), dates.iter().max().copied());

    let by_year = match (first, last) {
        (Some(f), Some(l)) => OrderedMap(
            (f.year()..=l.year())
                .map(|y| {
                    let g: Vec<&Retro> = book.retros.iter().filter(|r| r.date.is_some_and(|d| d.year() == y)).collect();
                    (y.to_string(), GroupStats::of(&g))
                })
                .collect(),
        ),
        _ => OrderedMap::default(),
    };

    let by_quarter = match (first, last) {
        (Some(f), Some(l)) => OrderedMap(
            quarters(f, l)
                .into_iter()
                .map(|(y, q)| {
                    let g: Vec<&Retro> =
                        book.retros.iter().filter(|r| r.date.is_some_and(|d| quarter_of(d) == (y, q))).collect();
                    (format!("{y:04}-Q{q}"), GroupStats::of(&g))
                })
                .collect(),
        ),
        _ => OrderedMap::default(),
    };

    let per_month = match (first, last) {
        (Some(f), Some(l)) => months(f, l)
            .into_iter()
            .map(|(y, m)| {
                let in_month: Vec<&Retro> =
                    book.retros.iter().filter(|r| r.date.is_some_and(|d| d.year() == y && d.month() == m)).collect();
                MonthCount {
                    month: format!("{y:04}-{m:02}"),
                    counts: severities
                        .iter()
                        .map(|s| (s.clone(), in_month.iter().filter(|r| r.severity.as_deref() == Some(s)).count()))
                        .collect(),
                    unstated: in_month.iter().filter(|r| r.severity.is_none()).count(),
                }
            })
            .collect(),
        _ => Vec::new(),
    };

    let lacking = |m: Moment| book.retros.iter().filter(|r| r.impact.moment(m).is_none()).count();
    let completeness = Completeness {
        missing: Missing {
            started: lacking(Moment::Started),
            detected: lacking(Moment::Detected),
            mitigated: lacking(Moment::Mitigated),
            resolved: lacking(Moment::Resolved),
        },
        complete: book.retros.iter().filter(|r| Moment::ALL.iter().all(|&m| r.impact.moment(m).is_some())).count(),
    };

    Stats { incidents: book.retros.len(), by_severity, by_service, by_year, by_quarter, per_month, completeness }
}

/// The (year, quarter 1–4) of a date.
pub(crate) fn quarter_of(d: Date) -> (i16, i8) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

/// Every (year, quarter) from `first`'s to `last`'s, inclusive.
fn quarters(first: Date, last: Date) -> Vec<(i16, i8)> {
    let mut out = Vec::new();
    let (mut q, end) = (quarter_of(first), quarter_of(last));
    while q <= end {
        out.push(q);
        q = if q.1 == 4 { (q.0 + 1, 1) } else { (q.0, q.1 + 1) };
    }
    out
}

/// Every (year, month) from `first`'s to `last`'s, inclusive.
fn months(first: Date, last: Date) -> Vec<(i16, i8)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (first.year(), first.month());
    while (y, m) <= (last.year(), last.month()) {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// What incidents burned of one SLO's error budget (`impact.slo`), for the statistics page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SloRollup {
    /// As the retros write it; retros that name no SLO are grouped under "SLO not named".
    pub name: String,
    /// Incidents that state this SLO.
    pub incidents: usize,
    /// Of those, the incidents that state no `budget-burned`.
    pub without_figure: usize,
    /// Sum of the budget fractions the incidents burned (1.0 = one whole budget).
    pub burned_total: f64,
    /// The incident that burned the most: (retro id, fraction).
    pub largest: Option<(String, f64)>,
    /// Months (`YYYY-MM`) in which this SLO's incidents burned a whole budget or more, oldest first.
    pub exhausted_months: Vec<String>,
}

/// Per SLO named in `impact.slo`, by name: incidents, budget burned in total and at most, and the
/// months in which incidents together burned the whole budget (budgets are taken to be monthly
/// when the months are counted; a retro without a date counts in the totals only).
pub(crate) fn slo_rollup(book: &Book) -> Vec<SloRollup> {
    let mut by: BTreeMap<String, Vec<&Retro>> = BTreeMap::new();
    for r in &book.retros {
        if let Some(slo) = &r.impact.slo {
            let name = slo.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "SLO not named".into());
            by.entry(name).or_default().push(r);
        }
    }
    by.into_iter()
        .map(|(name, retros)| {
            let burned = |r: &Retro| r.impact.slo.as_ref().and_then(|s| s.budget_burned);
            let mut per_month: BTreeMap<String, f64> = BTreeMap::new();
            let mut largest: Option<(String, f64)> = None;
            for r in &retros {
                let Some(b) = burned(r) else { continue };
                if let Some(d) = r.date {
                    *per_month.entry(format!("{:04}-{:02}", d.year(), d.month())).or_insert(0.0) += b;
                }
                if largest.as_ref().is_none_or(|(_, l)| b > *l) {
                    largest = Some((r.id.clone(), b));
                }
            }
            SloRollup {
                name,
                incidents: retros.len(),
                without_figure: retros.iter().filter(|r| burned(r).is_none()).count(),
                burned_total: retros.iter().filter_map(|r| burned(r)).sum(),
                largest,
                exhausted_months: per_month.into_iter().filter(|(_, b)| *b >= 1.0).map(|(m, _)| m).collect(),
            }
        })
        .collect()
}

/// The category of a factor as cited in a retro: book.toml's definition first, then the retro's.
fn factor_category<'a>(book: &'a Book, f: &'a crate::model::Factor) -> Option<&'a str> {
    book.config.factors.get(&f.id).and_then(|d| d.category.as_deref()).or(f.category.as_deref())
}

/// Per category, the number of incidents with at least one factor of that category: every
/// category of book.toml in its order (zeros included), then any other category used, by name.
/// Factors without a category are not counted.
pub(crate) fn category_rollup(book: &Book) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &book.retros {
        let cats: BTreeSet<&str> = r.factors.iter().filter_map(|f| factor_category(book, f)).collect();
        for c in cats {
            *counts.entry(c).or_insert(0) += 1;
        }
    }
    let known = &book.config.retros.factor_categories;
    let mut out: Vec<(String, usize)> =
        known.iter().map(|c| (c.clone(), counts.get(c.as_str()).copied().unwrap_or(0))).collect();
    out.extend(counts.iter().filter(|(c, _)| !known.iter().any(|k| k == *c)).map(|(c, n)| (c.to_string(), *n)));
    out
}

/// Two factor ids that may name the same thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DuplicatePair {
    /// The id to keep: defined in book.toml, else cited by more incidents, else first by name.
    pub a: String,
    /// The id that would become an alias of `a`.
    pub b: String,
    pub a_incidents: usize,
    pub b_incidents: usize,
    /// Why they look alike, e.g. "edit distance 1; same category process".
    pub reason: String,
}

impl DuplicatePair {
    /// The book.toml line that would merge `b` into `a`, keeping `a`'s existing aliases.
    pub(crate) fn alias_hint(&self, book: &Book) -> String {
        let mut aliases: Vec<String> = book.config.factors.get(&self.a).map(|d| d.aliases.clone()).unwrap_or_default();
        aliases.push(self.b.clone());
        let list: Vec<String> = aliases.iter().map(|a| format!("\"{a}\"")).collect();
        format!("[factors.{}] aliases = [{}]", self.a, list.join(", "))
    }
}

/// Whether two words of factor ids match: equal, one a prefix of the other (`config` ~
/// `configuration`), or one letter apart in longer words (the same test as `text::similar`).
fn word_match(x: &str, y: &str) -> bool {
    x == y
        || (x.len().min(y.len()) >= 4 && (x.starts_with(y) || y.starts_with(x)))
        || (x.len().min(y.len()) >= 5 && strsim::levenshtein(x, y) <= 1)
}

/// Pairs of distinct factor ids (after aliases) that look like the same thing: those
/// `text::similar` finds (the `factor-twin` warning), and ids of the same category one of whose
/// words are all in the other (`alert` ~ `missing-alert`). Ids that are both defined in
/// book.toml are taken to be distinct on purpose. Sorted by `a`, then `b`.
pub(crate) fn possible_duplicates(book: &Book) -> Vec<DuplicatePair> {
    /// What the comparison needs to know of one id.
    struct Known {
        id: String,
        incidents: usize,
        category: Option<String>,
        /// Defined in book.toml.
        defined: bool,
    }
    let mut ids: BTreeMap<String, Known> = BTreeMap::new();
    for f in super::factor_index(book) {
        let defined = book.config.factors.contains_key(&f.id);
        ids.insert(f.id.clone(), Known { id: f.id, incidents: f.incidents.len(), category: f.category, defined });
    }
    for (id, def) in &book.config.factors {
        ids.entry(id.clone()).or_insert_with(|| Known {
            id: id.clone(),
            incidents: 0,
            category: def.category.clone(),
            defined: true,
        });
    }
    let list: Vec<&Known> = ids.values().collect();
    let mut out = Vec::new();
    for (i, x) in list.iter().enumerate() {
        for y in &list[i + 1..] {
            if x.defined && y.defined {
                continue;
            }
            let same_category = x.category.is_some() && x.category == y.category;
            let wx: Vec<&str> = x.id.split('-').filter(|w| !w.is_empty()).collect();
            let wy: Vec<&str> = y.id.split('-').filter(|w| !w.is_empty()).collect();
            let shared: Vec<&str> = wx.iter().copied().filter(|a| wy.iter().any(|b| word_match(a, b))).collect();
            let contained = |p: &[&str], q: &[&str]| p.iter().all(|a| q.iter().any(|b| word_match(a, b)));
            let subset = !shared.is_empty() && (contained(&wx, &wy) || contained(&wy, &wx));
            if !(crate::text::similar(&x.id, &y.id) || (same_category && subset)) {
                continue;
            }
            let mut why = Vec::new();
            let distance = strsim::damerau_levenshtein(&x.id, &y.id);
            if distance <= 2 {
                why.push(format!("edit distance {distance}"));
            } else if !shared.is_empty() {
                why.push(format!("shares words {}", shared.join(", ")));
            }
            if same_category && let Some(c) = &x.category {
                why.push(format!("same category {c}"));
            }
            // Keep the id defined in book.toml, else the more cited, else the first by name.
            let key = |k: &Known| (!k.defined, std::cmp::Reverse(k.incidents), k.id.clone());
            let (a, b) = if key(x) <= key(y) { (x, y) } else { (y, x) };
            out.push(DuplicatePair {
                a: a.id.clone(),
                b: b.id.clone(),
                a_incidents: a.incidents,
                b_incidents: b.incidents,
                reason: why.join("; "),
            });
        }
    }
    out.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
    out
}

/// Incidents citing `factor_id` (normalised and resolved through aliases) per quarter
/// ("2025 Q1"), for every quarter from the book's first incident to its last. For many factors,
/// make [`Trends`] once instead: this scans the whole book.
#[cfg(test)]
pub(crate) fn quarterly_trend(book: &Book, factor_id: &str) -> Vec<(String, u32)> {
    Trends::new(book).of(&book.config, factor_id)
}

/// Every factor's incidents per quarter, from one pass over the book: each factor page and the
/// factor index show a trend, and scanning the book once per factor was quadratic.
pub(crate) struct Trends {
    /// Every quarter from the book's first incident to its last, oldest first.
    quarters: Vec<(i16, i8)>,
    /// Factor id (as retros cite it, after aliases) → incidents citing it in each of `quarters`.
    counts: std::collections::HashMap<String, Vec<u32>>,
}

impl Trends {
    pub(crate) fn new(book: &Book) -> Self {
        let dates = book.retros.iter().filter_map(|r| r.date);
        let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
            return Trends { quarters: Vec::new(), counts: Default::default() };
        };
        let mut quarters = Vec::new();
        let (mut q, end) = (quarter_of(first), quarter_of(last));
        while q <= end {
            quarters.push(q);
            q = if q.1 == 4 { (q.0 + 1, 1) } else { (q.0, q.1 + 1) };
        }
        let mut counts: std::collections::HashMap<String, Vec<u32>> = Default::default();
        for r in &book.retros {
            let Some(d) = r.date else { continue };
            // `quarters` is consecutive from the first: the position is the distance in quarters.
            let (y, n) = quarter_of(d);
            let at = (i32::from(y) - i32::from(first.year())) * 4 + i32::from(n) - i32::from(quarters[0].1);
            for (i, f) in r.factors.iter().enumerate() {
                // a retro citing a factor twice is one incident
                if r.factors[..i].iter().any(|g| g.id == f.id) {
                    continue;
                }
                let row = counts.entry(f.id.clone()).or_insert_with(|| vec![0; quarters.len()]);
                row[at as usize] += 1;
            }
        }
        Trends { quarters, counts }
    }

    /// Incidents citing `factor_id` (normalised and resolved through `config`'s aliases) per
    /// quarter ("2025 Q1"), for every quarter from the book's first incident to its last.
    pub(crate) fn of(&self, config: &crate::config::Config, factor_id: &str) -> Vec<(String, u32)> {
        let written = crate::text::normalize_factor_id(factor_id);
        let row = self.counts.get(config.canonical_factor(&written));
        self.quarters.iter().enumerate().map(|(i, q)| (format!("{} Q{}", q.0, q.1), row.map_or(0, |r| r[i]))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    /// A book in memory from a book.toml and retro front matters (YAML, without the `---`).
    fn book(toml: &str, retros: &[&str]) -> Book {
        let config = Config::parse(toml).expect("valid book.toml");
        let mut list = Vec::new();
        for (i, fm) in retros.iter().enumerate() {
            let text = format!("---\n{fm}\n---\n\n## Narrative\n\nText.\n");
            let rel = format!("retros/r{i}.md");
            let (r, diags) = crate::load::load_retro(text.as_bytes(), &rel, Path::new(&rel), &config);
            assert!(
                diags.iter().all(|d| d.level != crate::diagnostic::Level::Error),
                "retro {i} has errors: {diags:#?}"
            );
            list.push(r.into_iter().next().expect("a retro"));
        }
        list.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        Book { root: ".".into(), config, retros: list, history: Default::default(), trackers: Default::default() }
    }

    fn summary(values: &[i64]) -> DurationStats {
        percentile_summary(&mut values.to_vec())
    }

    fn ds(n: usize, median: i64, p90: i64, mean: i64) -> DurationStats {
        DurationStats { n, median: Some(median), p90: Some(p90), mean: Some(mean) }
    }

    #[test]
    fn percentiles_follow_the_spec() {
        // n = 0: nulls.
        assert_eq!(summary(&[]), DurationStats { n: 0, median: None, p90: None, mean: None });
        // n = 1: the value itself; ⌈0.9⌉ = 1st.
        assert_eq!(summary(&[300]), ds(1, 300, 300, 300));
        // n = 2, unsorted input: median (301 + 1200) / 2 = 750.5 → 750; p90 ⌈1.8⌉ = 2nd = 1200.
        assert_eq!(summary(&[1200, 301]), ds(2, 750, 1200, 750));
        // n = 3: median the 2nd = 3600; p90 ⌈2.7⌉ = 3rd = 4800.
        assert_eq!(summary(&[4800, 2400, 3600]), ds(3, 3600, 4800, 3600));
        // n = 10 (1..=10 minutes): median (300 + 360) / 2 = 330; p90 ⌈9.0⌉ = 9th = 540.
        let ten: Vec<i64> = (1..=10).rev().map(|m| m * 60).collect();
        assert_eq!(summary(&ten), ds(10, 330, 540, 330));
        // n = 11: median the 6th = 360; p90 ⌈9.9⌉ = 10th = 600.
        let eleven: Vec<i64> = (1..=11).map(|m| m * 60).collect();
        assert_eq!(summary(&eleven), ds(11, 360, 600, 360));
        // n = 20 (1..=20 s): p90 ⌈18.0⌉ = 18th = 18; median (10 + 11) / 2 = 10.5 → 10.
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(summary(&twenty), ds(20, 10, 18, 10));
        // Rounded down means toward −∞ for out-of-order moments: (−3 + 0) / 2 = −1.5 → −2.
        assert_eq!(summary(&[0, -3]).median, Some(-2));
        assert_eq!(summary(&[0, -3]).mean, Some(-2));
        // No overflow on extreme values: (MAX + MAX) / 2 = MAX.
        assert_eq!(summary(&[i64::MAX, i64::MAX]).median, Some(i64::MAX));
        assert_eq!(summary(&[i64::MAX, i64::MAX, i64::MAX]).mean, Some(i64::MAX));
        // The mean is rounded down: (60 + 120 + 121) / 3 = 100.33 → 100 (the median is 120).
        assert_eq!(summary(&[121, 60, 120]), ds(3, 120, 121, 100));
    }

    const TOML: &str = r#"
[retros]
severities = ["SEV1", "SEV2", "SEV3"]
factor-categories = ["process", "tooling", "technology"]

[factors.config-drift]
category = "process"
aliases = ["config-mismatch"]
"#;

    /// Four retros: a (SEV1, 2024-12, checkout+payments), b (SEV2, 2025-02, api, no detected),
    /// c (SEV2, 2025-02, no moments), d (SEV1, 2025-04, payments).
    fn four() -> Book {
        book(
            TOML,
            &[
                "id: a\ntitle: A\ndate: 2024-12-20\nseverity: SEV1\nservices: [checkout, payments]\n\
                 impact:\n  started: 2024-12-20T08:00:00Z\n  detected: 2024-12-20T08:05:01Z\n  \
                 mitigated: 2024-12-20T08:30:00Z\n  resolved: 2024-12-20T09:00:00Z\n\
                 factors:\n  - id: config-mismatch\n  - id: deploy-freeze\n    category: process",
                "id: b\ntitle: B\ndate: 2025-02-14\nseverity: SEV2\nservices: [api]\n\
                 impact:\n  started: 2025-02-14T14:00:00Z\n  mitigated: 2025-02-14T15:00:00Z\n  \
                 resolved: 2025-02-14T16:00:00Z\n\
                 factors:\n  - id: missing-alert\n    category: tooling\n  - id: alert\n    category: tooling",
                "id: c\ntitle: C\ndate: 2025-02-27\nseverity: SEV2\n\
                 factors:\n  - id: deploy-freze\n    category: process\n  - id: vendor-outage",
                "id: d\ntitle: D\ndate: 2025-04-02\nseverity: SEV1\nservices: [payments]\n\
                 impact:\n  started: 2025-04-02T22:00:00Z\n  detected: 2025-04-02T22:20:00Z\n  \
                 mitigated: 2025-04-02T23:00:00Z\n  resolved: 2025-04-03T01:00:00Z\n\
                 factors:\n  - id: config-drift\n    category: process",
            ],
        )
    }

    #[test]
    fn incidents_without_a_severity_count_in_their_month() {
        let mut book = four();
        book.retros.iter_mut().filter(|r| r.id == "b" || r.id == "c").for_each(|r| r.severity = None);
        let s = stats(&book);
        let feb = &s.per_month[2];
        assert_eq!((feb.month.as_str(), feb.unstated, feb.total()), ("2025-02", 2, 2));
        let json = serde_json::to_string(feb).unwrap();
        assert_eq!(json, r#"{"month":"2025-02","SEV1":0,"SEV2":0,"SEV3":0,"unstated":2}"#);
        assert_eq!(s.per_month.iter().map(MonthCount::total).sum::<usize>(), 4, "every incident counted");
    }

    #[test]
    fn stats_by_severity_service_year_and_month() {
        let s = stats(&four());
        assert_eq!(s.incidents, 4);
        assert_eq!(s.by_severity.keys().collect::<Vec<_>>(), ["SEV1", "SEV2", "SEV3"]);
        // SEV1 = a + d. detect 301, 1200 → median 1501/2 = 750; mitigate 1800, 3600 → 2700;
        // resolve 3600, 10800 → 7200; p90 of two values is the larger.
        let sev1 = s.by_severity.get("SEV1").unwrap();
        assert_eq!(sev1.incidents, 2);
        assert_eq!(sev1.detect, ds(2, 750, 1200, 750));
        assert_eq!(sev1.mitigate, ds(2, 2700, 3600, 2700));
        assert_eq!(sev1.resolve, ds(2, 7200, 10800, 7200));
        // SEV2 = b (no detected) + c (no moments): detect n 0; mitigate and resolve n 1.
        let sev2 = s.by_severity.get("SEV2").unwrap();
        assert_eq!(sev2.incidents, 2);
        assert_eq!(sev2.detect, DurationStats::default());
        assert_eq!(sev2.mitigate, ds(1, 3600, 3600, 3600));
        assert_eq!(sev2.resolve, ds(1, 7200, 7200, 7200));
        // SEV3 has no incident but is listed.
        assert_eq!(s.by_severity.get("SEV3").unwrap(), &GroupStats::default());

        // a has two services and counts under each; c has none.
        assert_eq!(s.by_service.keys().collect::<Vec<_>>(), ["api", "checkout", "payments"]);
        assert_eq!(s.by_service.get("checkout").unwrap().incidents, 1);
        assert_eq!(s.by_service.get("checkout").unwrap().detect.median, Some(301));
        assert_eq!(s.by_service.get("payments").unwrap(), sev1);

        // 2024 = a; 2025 = b, c, d.
        assert_eq!(s.by_year.keys().collect::<Vec<_>>(), ["2024", "2025"]);
        let y2025 = s.by_year.get("2025").unwrap();
        assert_eq!(y2025.incidents, 3);
        assert_eq!(y2025.detect, ds(1, 1200, 1200, 1200));
        // mitigate 3600 (b), 3600 (d) → 3600; resolve 7200 (b), 10800 (d) → 9000.
        assert_eq!(y2025.mitigate, ds(2, 3600, 3600, 3600));
        assert_eq!(y2025.resolve, ds(2, 9000, 10800, 9000));

        // 2024-12 … 2025-04: five months, 2025-01 and 2025-03 empty.
        let months: Vec<(&str, usize)> = s.per_month.iter().map(|m| (m.month.as_str(), m.total())).collect();
        assert_eq!(months, [("2024-12", 1), ("2025-01", 0), ("2025-02", 2), ("2025-03", 0), ("2025-04", 1)]);
        let json = serde_json::to_string(&s.per_month[2]).unwrap();
        assert_eq!(json, r#"{"month":"2025-02","SEV1":0,"SEV2":2,"SEV3":0,"unstated":0}"#);

        // Quarters 2024-Q4 (a), 2025-Q1 (b, c), 2025-Q2 (d), in the same shape as years.
        assert_eq!(s.by_quarter.keys().collect::<Vec<_>>(), ["2024-Q4", "2025-Q1", "2025-Q2"]);
        let q1 = s.by_quarter.get("2025-Q1").unwrap();
        assert_eq!((q1.incidents, q1.detect.n, q1.resolve), (2, 0, ds(1, 7200, 7200, 7200)));
        assert_eq!(s.by_quarter.get("2025-Q2").unwrap().resolve, ds(1, 10800, 10800, 10800));

        // b lacks detected; c lacks all four.
        assert_eq!(
            s.completeness,
            Completeness { missing: Missing { started: 1, detected: 2, mitigated: 1, resolved: 1 }, complete: 2 }
        );
    }

    #[test]
    fn stats_json_keeps_the_book_order() {
        let json = serde_json::to_string(&stats(&four())).unwrap();
        let sev = json.find("\"by_severity\":{\"SEV1\"").unwrap();
        assert!(json[sev..].find("\"SEV2\"").unwrap() < json[sev..].find("\"SEV3\"").unwrap());
        assert!(json.contains(r#""detect":{"n":0,"median":null,"p90":null,"mean":null}"#));
        let at = |k: &str| json.find(k).unwrap();
        assert!(at("\"by_year\"") < at("\"by_quarter\"") && at("\"by_quarter\"") < at("\"per_month\""));
    }

    #[test]
    fn empty_book_has_no_months() {
        let s = stats(&book(TOML, &[]));
        assert_eq!(s.incidents, 0);
        assert!(s.per_month.is_empty() && s.by_year.0.is_empty() && s.by_service.0.is_empty());
        assert!(s.by_quarter.0.is_empty());
        assert_eq!(s.by_severity.0.len(), 3);
        assert!(quarterly_trend(&book(TOML, &[]), "config-drift").is_empty());
    }

    #[test]
    fn categories_count_incidents_once() {
        // process: a (config-drift through the alias, deploy-freeze: once), c, d = 3;
        // tooling: b (two tooling factors: once) = 1; technology: 0; then vendor (not in book.toml,
        // which the loader rejects, but a Book built in code may have it): c = 1.
        let mut b = four();
        b.retros[2].factors[1].category = Some("vendor".into());
        assert_eq!(
            category_rollup(&b),
            [("process".into(), 3), ("tooling".into(), 1), ("technology".into(), 0), ("vendor".into(), 1)]
        );
    }

    #[test]
    fn duplicates_with_reasons() {
        let pairs = possible_duplicates(&four());
        let got: Vec<(&str, &str, usize, usize, &str)> = pairs
            .iter()
            .map(|p| (p.a.as_str(), p.b.as_str(), p.a_incidents, p.b_incidents, p.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                // Not `similar` (one word of two), but same category and all of `alert` is in the other.
                ("alert", "missing-alert", 1, 1, "shares words alert; same category tooling"),
                // freeze ~ freze: one letter apart.
                ("deploy-freeze", "deploy-freze", 1, 1, "edit distance 1; same category process"),
            ]
        );
        assert_eq!(pairs[1].alias_hint(&four()), r#"[factors.deploy-freeze] aliases = ["deploy-freze"]"#);
    }

    #[test]
    fn duplicates_keep_the_defined_id_and_its_aliases() {
        // `config-drfit` (2 incidents) vs `config-drift` (defined, 1 incident): keep the defined one.
        let b = book(
            TOML,
            &[
                "id: a\ntitle: A\ndate: 2025-01-01\nseverity: SEV1\nfactors:\n  - id: config-drfit",
                "id: b\ntitle: B\ndate: 2025-01-02\nseverity: SEV1\nfactors:\n  - id: config-drfit",
                "id: c\ntitle: C\ndate: 2025-01-03\nseverity: SEV1\nfactors:\n  - id: config-drift",
            ],
        );
        let pairs = possible_duplicates(&b);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a.as_str(), pairs[0].a_incidents, pairs[0].b_incidents), ("config-drift", 1, 2));
        assert_eq!(pairs[0].reason, "edit distance 1");
        assert_eq!(pairs[0].alias_hint(&b), r#"[factors.config-drift] aliases = ["config-mismatch", "config-drfit"]"#);
    }

    #[test]
    fn quarters_span_the_book() {
        // Book: 2024-12-20 … 2025-04-02 → 2024 Q4, 2025 Q1, 2025 Q2. config-drift: a (alias) in
        // Q4, d in Q2; the id is normalised and resolved through aliases.
        let b = four();
        let want = [("2024 Q4".to_string(), 1), ("2025 Q1".to_string(), 0), ("2025 Q2".to_string(), 1)];
        assert_eq!(quarterly_trend(&b, "config-drift"), want);
        assert_eq!(quarterly_trend(&b, "Config_Mismatch"), want);
        assert_eq!(
            quarterly_trend(&b, "missing-alert"),
            [("2024 Q4".to_string(), 0), ("2025 Q1".to_string(), 1), ("2025 Q2".to_string(), 0)]
        );
    }

    #[test]
    fn trends_count_an_incident_once_and_span_every_quarter() {
        // a cites drift twice (one incident); b, a year later, cites it once; nothing in between.
        let b = book(
            TOML,
            &[
                "id: a\ntitle: A\ndate: 2024-02-10\nseverity: SEV1\nfactors:\n  - id: drift\n  - id: drift",
                "id: b\ntitle: B\ndate: 2025-03-31\nseverity: SEV1\nfactors:\n  - id: drift",
            ],
        );
        let trends = Trends::new(&b);
        let got = trends.of(&b.config, "drift");
        assert_eq!(got.len(), 5, "2024 Q1 … 2025 Q1: {got:?}");
        assert_eq!(got.first(), Some(&("2024 Q1".to_string(), 1)));
        assert_eq!(got.last(), Some(&("2025 Q1".to_string(), 1)));
        assert_eq!(got.iter().map(|q| q.1).sum::<u32>(), 2);
        assert!(trends.of(&b.config, "never-cited").iter().all(|q| q.1 == 0));
        let empty = book(TOML, &[]);
        assert!(Trends::new(&empty).of(&empty.config, "drift").is_empty());
    }

    #[test]
    fn slo_rollup_sums_budgets_per_slo_and_month() {
        let b = book(
            TOML,
            &[
                "id: a\ntitle: A\ndate: 2025-03-02\nseverity: SEV1\nimpact:\n  slo:\n    name: checkout\n    budget-burned: 0.6",
                "id: b\ntitle: B\ndate: 2025-03-20\nseverity: SEV2\nimpact:\n  slo:\n    name: checkout\n    budget-burned: 45%",
                "id: c\ntitle: C\ndate: 2025-05-01\nseverity: SEV2\nimpact:\n  slo:\n    name: checkout\n    budget-burned: 0.3",
                "id: d\ntitle: D\ndate: 2025-05-09\nseverity: SEV3\nimpact:\n  slo:\n    name: checkout",
                "id: e\ntitle: E\ndate: 2025-06-01\nseverity: SEV3\nimpact:\n  slo:\n    name: search\n    budget-burned: 0.1",
                "id: f\ntitle: F\ndate: 2025-06-02\nseverity: SEV3",
            ],
        );
        let r = slo_rollup(&b);
        assert_eq!(r.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["checkout", "search"]);
        // checkout: a 0.6 + b 0.45 (March: 1.05, a whole budget) + c 0.3 (May) = 1.35; d states none.
        let c = &r[0];
        assert_eq!((c.incidents, c.without_figure), (4, 1));
        assert!((c.burned_total - 1.35).abs() < 1e-9, "{}", c.burned_total);
        assert_eq!(c.largest, Some(("a".to_string(), 0.6)));
        assert_eq!(c.exhausted_months, ["2025-03"]);
        // search: one incident, 0.1, never exhausted; f states no SLO and is not counted.
        assert_eq!((r[1].incidents, r[1].without_figure, r[1].largest.clone()), (1, 0, Some(("e".into(), 0.1))));
        assert!(r[1].exhausted_months.is_empty());
        assert!(slo_rollup(&book(TOML, &[])).is_empty());
    }
}
