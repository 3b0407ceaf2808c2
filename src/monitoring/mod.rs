//! `retrobook monitoring pull` (docs/monitoring.md): runs each pulled series' query against its source
//! over the incident window (and the baseline window), and writes CSV plus provenance beside the
//! retro. Everything is planned and fetched before anything is written, so a failure anywhere
//! leaves the book as it was.

pub mod prometheus;

use crate::config::{SourceConfig, SourceKind};
use crate::load::monitoring::{AssetProblem, baseline_shift, locate, provenance_path, pulled_baseline_path};
use crate::model::{Book, Monitoring, Retro};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use prometheus::RangeSeries;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// About this many points per pulled window when no step is given.
pub const TARGET_POINTS: i64 = 300;

/// What to pull.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// Retros to pull for: files or folders (relative to the current folder, else to the book) or
    /// retro ids. Empty: every retro.
    pub retros: Vec<PathBuf>,
    /// Only series of this source.
    pub source: Option<String>,
    /// Seconds before `started` and after `resolved`.
    pub padding: i64,
    /// Seconds between points; `None`: [`choose_step`].
    pub step: Option<i64>,
    /// Pull again over existing data.
    pub refresh: bool,
    /// With `source`: this URL instead of book.toml's (a CI secret, a port-forward).
    pub url: Option<String>,
}

/// What a pull did, for the command to print.
#[derive(Debug, Default)]
pub struct PullReport {
    /// Book-relative paths written.
    pub written: Vec<String>,
    /// Series left alone because their data exists (`--refresh` pulls them again): retro path, data path.
    pub kept: Vec<(String, String)>,
}

/// One query over one window, to be fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// First sample time, Unix seconds (a multiple of `step`).
    pub start: i64,
    /// Last sample time, Unix seconds.
    pub end: i64,
    /// Seconds between samples.
    pub step: i64,
}

/// One series to pull.
struct Job<'a> {
    retro: &'a Retro,
    metric: &'a str,
    source_name: &'a str,
    source: &'a SourceConfig,
    query: &'a str,
    data: String,
    /// False when only the baseline is missing: `data` stays as it is.
    pull_data: bool,
    incident: Window,
    /// The shift back (seconds) and the window, when `baseline` is a duration.
    baseline: Option<(i64, String, Window)>,
}

/// The step for a window of `span` seconds: the smallest of 1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m,
/// 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d that gives at most [`TARGET_POINTS`] points.
pub fn choose_step(span: i64) -> i64 {
    const NICE: &[i64] =
        &[1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
    let raw = (span.max(1) + TARGET_POINTS - 1) / TARGET_POINTS;
    NICE.iter().copied().find(|&s| s >= raw).unwrap_or_else(|| (raw + 86_399) / 86_400 * 86_400)
}

/// The incident window of `(started, resolved)` with `padding`, on whole multiples of the step so
/// that pulling again gives the same sample times.
pub fn incident_window(started: i64, resolved: i64, padding: i64, step: Option<i64>) -> Window {
    let (a, b) = (started - padding, resolved + padding);
    let step = step.unwrap_or_else(|| choose_step(b - a)).max(1);
    Window {
        start: a.div_euclid(step) * step,
        end: b.div_euclid(step) * step + if b % step == 0 { 0 } else { step },
        step,
    }
}

/// A duration in words for provenance and messages: `90s`, `5m`, `1h30m`, `7d`.
pub fn duration_text(secs: i64) -> String {
    let mut out = String::new();
    let mut rest = secs;
    for (unit, n) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= n {
            out.push_str(&format!("{}{unit}", rest / n));
            rest %= n;
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

/// A file name from a metric's name: `checkout p99 latency` → `checkout-p99-latency`.
fn file_stem(metric: &str) -> String {
    let lower = metric.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() { "series".into() } else { words.join("-") }
}

fn rfc3339(t: i64) -> String {
    Timestamp::from_second(t).map(|t| t.to_string()).unwrap_or_else(|_| t.to_string())
}

/// The book-relative paths (or ids) of `wanted`, resolved the way `check` resolves its paths.
fn wanted_retros<'a>(book: &'a Book, wanted: &[PathBuf]) -> Result<Vec<&'a Retro>> {
    if wanted.is_empty() {
        return Ok(book.retros.iter().collect());
    }
    let root = book.root.canonicalize().unwrap_or_else(|_| book.root.clone());
    let mut out: Vec<&Retro> = Vec::new();
    for w in wanted {
        let text = w.to_string_lossy();
        let cwd = std::env::current_dir().unwrap_or_default().join(w);
        let abs = if w.is_absolute() || cwd.exists() { cwd } else { book.root.join(w) };
        let rel = abs.canonicalize().map(|a| crate::text::relative(&root, &a)).ok();
        let hits: Vec<&Retro> = book
            .retros
            .iter()
            .filter(|r| {
                r.id == text
                    || rel
                        .as_ref()
                        .is_some_and(|p| r.path == *p || p.is_empty() || r.path.starts_with(&format!("{p}/")))
            })
            .collect();
        if hits.is_empty() {
            bail!("`{text}` is neither a retro, a folder of retros nor a retro id in the book");
        }
        for h in hits {
            if !out.iter().any(|r| std::ptr::eq(*r, h)) {
                out.push(h);
            }
        }
    }
    Ok(out)
}

/// Plans every series to pull. Any problem (unknown source, no `started`/`resolved`, no `data`)
/// is an error before anything is fetched.
fn plan<'a>(
    book: &'a Book,
    sources: &'a BTreeMap<String, SourceConfig>,
    opts: &PullOptions,
    report: &mut PullReport,
) -> Result<Vec<Job<'a>>> {
    let known = || {
        if sources.is_empty() {
            "book.toml has no [monitoring.sources.<name>] table; add one with kind = \"prometheus\" and url".to_string()
        } else {
            format!("the sources in book.toml are: {}", sources.keys().cloned().collect::<Vec<_>>().join(", "))
        }
    };
    if let Some(s) = &opts.source
        && !sources.contains_key(s)
    {
        bail!("--source {s}: there is no [monitoring.sources.{s}]; {}", known());
    }
    let mut jobs = Vec::new();
    for retro in wanted_retros(book, &opts.retros)? {
        for m in &retro.monitoring {
            let Monitoring::Series { metric, data, baseline, source, query: Some(query), .. } = m else { continue };
            let at = |pos: crate::diagnostic::Pos| format!("{}:{}:{}", retro.path, pos.line, pos.column);
            let (source_name, pos) = match source {
                Some(s) => (s.value.as_str(), s.pos),
                None if sources.len() == 1 => (sources.keys().next().map_or("", String::as_str), query.pos),
                None => {
                    bail!("{}: series `{metric}` has a `query` but no `source`; name one ({})", at(query.pos), known())
                }
            };
            if opts.source.as_deref().is_some_and(|s| s != source_name) {
                continue;
            }
            let Some(source_cfg) = sources.get(source_name) else {
                bail!(
                    "{}: series `{metric}` names the source `{source_name}`, which book.toml does not define; {}",
                    at(pos),
                    known()
                );
            };
            let Some(data) = data else {
                bail!(
                    "{}: series `{metric}` has a `query` but no `data`; add e.g. `data: {}.csv` for the pulled CSV",
                    at(query.pos),
                    file_stem(metric)
                );
            };
            let (Some(started), Some(resolved)) = (&retro.impact.started, &retro.impact.resolved) else {
                bail!(
                    "{}: series `{metric}` cannot be pulled: the retro has no `impact.started` and `impact.resolved`, which make the incident window; add both",
                    at(query.pos)
                );
            };
            let data_rel = retro.asset_path(&data.value);
            // A retro may come from a pull request: nothing is written outside the book, not
            // even through a symlinked folder on the way to a file that does not exist yet.
            let outside = |rel: &str| {
                matches!(
                    locate(&book.root, &retro.path, rel, u64::MAX),
                    Err(AssetProblem::Outside | AssetProblem::LinksOutside)
                ) || !folder_inside(&book.root, &retro.asset_path(rel))
            };
            let files = [data.value.clone(), pulled_baseline_path(&data.value), provenance_path(&data.value)];
            if files.iter().any(|f| outside(f)) {
                bail!(
                    "{}: `data: {}` points outside the book; keep the CSV beside the retro",
                    at(data.pos),
                    data.value
                );
            }
            if let Some(f) = files
                .iter()
                .find(|f| matches!(locate(&book.root, &retro.path, f, u64::MAX), Err(AssetProblem::NotAFile)))
            {
                bail!(
                    "{}: `{}` is a folder or a special file, not a CSV; name a file",
                    at(data.pos),
                    retro.asset_path(f)
                );
            }
            let exists = |rel: &str| locate(&book.root, &retro.path, rel, u64::MAX).is_ok();
            let shift = baseline.as_ref().and_then(|b| baseline_shift(&b.value));
            // Existing files are kept: a baseline added later is pulled without touching the data.
            let pull_data = opts.refresh || !exists(&data.value);
            let shift = shift.filter(|_| opts.refresh || !exists(&pulled_baseline_path(&data.value)));
            if !pull_data && shift.is_none() {
                report.kept.push((retro.path.clone(), data_rel));
                continue;
            }
            let incident = incident_window(started.at.as_second(), resolved.at.as_second(), opts.padding, opts.step);
            let baseline = shift.map(|s| {
                let w = Window { start: incident.start - s, end: incident.end - s, step: incident.step };
                (s, pulled_baseline_path(&data.value), w)
            });
            jobs.push(Job {
                retro,
                metric,
                source_name,
                source: source_cfg,
                query: &query.value,
                data: data.value.clone(),
                pull_data,
                incident,
                baseline,
            });
        }
    }
    Ok(jobs)
}

/// Whether the nearest existing folder of the book-relative `rel` is inside the book once
/// symlinks are followed.
fn folder_inside(root: &Path, rel: &str) -> bool {
    let Ok(canonical_root) = root.canonicalize() else { return false };
    let path = root.join(rel);
    let Some(existing) = path.ancestors().skip(1).find(|a| a.exists()) else { return false };
    existing.canonicalize().is_ok_and(|c| c.starts_with(&canonical_root))
}

/// A file to write: book-relative path and content.
type Output = (String, String);

/// Pulls the series of the book at `book` as `opts` says and writes them. Nothing is written
/// unless every query succeeded.
pub fn pull(book: &Book, opts: &PullOptions, now: Timestamp) -> Result<PullReport> {
    let mut report = PullReport::default();
    let mut sources = book.config.monitoring.sources.clone();
    if let Some(url) = &opts.url {
        let Some(name) = &opts.source else { bail!("--url needs --source: the source whose URL it replaces") };
        if let Some(src) = sources.get_mut(name) {
            crate::config::check_url(url, false).map_err(|why| {
                anyhow::anyhow!("--url {}: it {why}; expected e.g. http://prometheus.internal:9090", redact_text(url))
            })?;
            src.url = url.clone();
        }
    }
    let jobs = plan(book, &sources, opts, &mut report)?;
    let mut outputs: Vec<Output> = Vec::new();
    let mut clients: BTreeMap<&str, prometheus::Client> = BTreeMap::new();
    for job in &jobs {
        if !clients.contains_key(job.source_name) {
            clients.insert(job.source_name, client_for(job.source_name, job.source)?);
        }
        outputs.extend(pull_job(book, job, &clients[job.source_name], now)?);
    }
    for (rel, content) in &outputs {
        write_atomic(&book.root.join(rel), content).with_context(|| format!("cannot write {rel}"))?;
        report.written.push(rel.clone());
    }
    Ok(report)
}

/// Fetches one series' windows; gives the files to write (nothing is written here).
fn pull_job(book: &Book, job: &Job, client: &prometheus::Client, now: Timestamp) -> Result<Vec<Output>> {
    let fetch = |w: &Window, what: &str| -> Result<Vec<RangeSeries>> {
        let series = client.query_range(job.query, w.start, w.end, w.step).with_context(|| {
            format!("{}: series `{}` ({what}, source `{}`)", job.retro.path, job.metric, job.source_name)
        })?;
        if series.iter().all(|s| s.values.is_empty()) {
            bail!(
                "{}: series `{}`: the query returned no samples from {} to {} ({what}); check the query in the Prometheus UI over that window",
                job.retro.path,
                job.metric,
                rfc3339(w.start),
                rfc3339(w.end)
            );
        }
        Ok(series)
    };
    let mut outputs = Vec::new();
    let prov_rel = job.retro.asset_path(&provenance_path(&job.data));
    let mut prov = if job.pull_data {
        let (csv, columns) = to_csv(&fetch(&job.incident, "incident window")?);
        outputs.push((job.retro.asset_path(&job.data), csv));
        serde_json::json!({
            "source": job.source_name,
            "kind": "prometheus",
            "url": prometheus::redact(&url::Url::parse(&job.source.url)?),
            "query": job.query,
            "window": window_json(&job.incident),
            "step": duration_text(job.incident.step),
            "pulled-at": now.to_string(),
            "columns": columns,
        })
    } else {
        // Only the baseline is new: keep what the provenance says about the data.
        std::fs::read_to_string(book.root.join(&prov_rel))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({ "source": job.source_name, "query": job.query }))
    };
    if let Some((shift, file, w)) = &job.baseline {
        let (csv, columns) = to_csv(&fetch(w, &format!("baseline {} before", duration_text(*shift)))?);
        outputs.push((job.retro.asset_path(file), csv));
        prov["baseline"] = serde_json::json!({
            "shift": duration_text(*shift),
            "file": file,
            "window": window_json(w),
            "step": duration_text(w.step),
            "pulled-at": now.to_string(),
            "columns": columns,
        });
    }
    let mut text = serde_json::to_string_pretty(&prov)?;
    text.push('\n');
    outputs.push((prov_rel, text));
    Ok(outputs)
}

/// A URL for a message: without user name, password or query.
fn redact_text(url: &str) -> String {
    url::Url::parse(url).map(|u| prometheus::redact(&u)).unwrap_or_else(|_| "(not a URL)".into())
}

fn window_json(w: &Window) -> serde_json::Value {
    serde_json::json!({ "start": rfc3339(w.start), "end": rfc3339(w.end) })
}

fn client_for(name: &str, src: &SourceConfig) -> Result<prometheus::Client> {
    let SourceKind::Prometheus = src.kind;
    let token = match &src.bearer_token_env {
        Some(var) => match std::env::var(var) {
            Ok(t) if !t.is_empty() => Some(t),
            _ => bail!(
                "source `{name}` takes its bearer token from ${var}, which is not set; export it (the token is never read from book.toml)"
            ),
        },
        None => None,
    };
    prometheus::Client::new(&src.url, token)
}

/// Writes through a temporary file beside `path`, so a reader never sees half a file.
fn write_atomic(path: &Path, content: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, content.as_bytes())?;
    tmp.persist(path)?;
    Ok(())
}

/// The header of each series' column: `value` for a single series; else the labels that tell
/// the series apart, as `{code="500",job="api"}` (all of them if none differ).
pub fn column_headers(series: &[RangeSeries]) -> Vec<String> {
    if series.len() == 1 {
        return vec!["value".into()];
    }
    let names: std::collections::BTreeSet<&String> = series.iter().flat_map(|s| s.labels.keys()).collect();
    let differing: Vec<&String> =
        names.into_iter().filter(|n| series.iter().any(|s| s.labels.get(*n) != series[0].labels.get(*n))).collect();
    series
        .iter()
        .map(|s| {
            let parts: Vec<String> = s
                .labels
                .iter()
                .filter(|(k, _)| differing.is_empty() || differing.contains(k))
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            format!("{{{}}}", parts.join(","))
        })
        .collect()
}

/// The CSV of a query's series (`time` then one column per series, times RFC 3339 UTC, values as
/// Prometheus wrote them, an empty cell where a series has no sample), and the provenance of the
/// columns (header and full label set).
pub fn to_csv(series: &[RangeSeries]) -> (String, serde_json::Value) {
    let headers = column_headers(series);
    let mut rows: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (i, s) in series.iter().enumerate() {
        for (t, v) in &s.values {
            rows.entry(*t).or_insert_with(|| vec![""; series.len()])[i] = v;
        }
    }
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut head = vec!["time".to_string()];
    head.extend(headers.iter().cloned());
    let _ = w.write_record(&head);
    for (t, vals) in rows {
        let mut rec = vec![rfc3339(t)];
        rec.extend(vals.into_iter().map(str::to_string));
        let _ = w.write_record(&rec);
    }
    let text = w.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let cols =
        series.iter().zip(&headers).map(|(s, h)| serde_json::json!({ "header": h, "labels": s.labels })).collect();
    (text, serde_json::Value::Array(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(labels: &[(&str, &str)], values: &[(i64, &str)]) -> RangeSeries {
        RangeSeries {
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            values: values.iter().map(|(t, v)| (*t, v.to_string())).collect(),
        }
    }

    #[test]
    fn step_gives_about_300_points_on_nice_values() {
        assert_eq!(choose_step(300), 1);
        assert_eq!(choose_step(3 * 3600), 60); // 3h: 36s would do, 1m is the next nice step
        assert_eq!(choose_step(4 * 3600), 60);
        assert_eq!(choose_step(6 * 3600), 120);
        assert_eq!(choose_step(7 * 86_400), 3600);
        assert_eq!(choose_step(400 * 86_400), 2 * 86_400);
        for span in [3600, 5 * 3600 + 17, 86_400, 30 * 86_400] {
            let n = span / choose_step(span);
            assert!(n <= TARGET_POINTS && n * 3 >= TARGET_POINTS, "{span}s gives {n} points");
        }
    }

    #[test]
    fn windows_are_padded_and_on_step_multiples() {
        // started 10:07:30, resolved 11:02:10 (UTC), padding 1h, step 1m.
        let s = 1_741_946_850;
        let w = incident_window(s, s + 3280, 3600, Some(60));
        assert_eq!(w.start % 60, 0);
        assert_eq!(w.end % 60, 0);
        assert!(w.start <= s - 3600 && w.start > s - 3660);
        assert!(w.end >= s + 3280 + 3600 && w.end < s + 3280 + 3660);
        let auto = incident_window(s, s + 3280, 3600, None);
        assert_eq!(auto.step, choose_step(3280 + 7200));
    }

    #[test]
    fn headers_name_the_labels_that_differ() {
        let one = [series(&[("job", "api")], &[(0, "1")])];
        assert_eq!(column_headers(&one), ["value"]);
        let two = [
            series(&[("__name__", "up"), ("job", "api"), ("code", "500")], &[]),
            series(&[("__name__", "up"), ("job", "api"), ("code", "503")], &[]),
        ];
        assert_eq!(column_headers(&two), [r#"{code="500"}"#, r#"{code="503"}"#]);
    }

    #[test]
    fn csv_keeps_nan_and_leaves_missing_samples_empty() {
        let s = [
            series(&[("code", "500")], &[(1_700_000_000, "1.5"), (1_700_000_060, "NaN")]),
            series(&[("code", "503")], &[(1_700_000_060, "+Inf"), (1_700_000_120, "2")]),
        ];
        let (csv, cols) = to_csv(&s);
        assert_eq!(
            csv,
            "time,\"{code=\"\"500\"\"}\",\"{code=\"\"503\"\"}\"\n\
             2023-11-14T22:13:20Z,1.5,\n\
             2023-11-14T22:14:20Z,NaN,+Inf\n\
             2023-11-14T22:15:20Z,,2\n"
        );
        assert_eq!(cols[1]["labels"]["code"], "503");
        // The loader reads back what was written: one column per series, NaN kept, gaps skipped.
        let back = crate::load::monitoring::parse_columns(&csv, &jiff::tz::TimeZone::UTC).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].0, r#"{code="500"}"#);
        assert_eq!(back[0].1.len(), 2);
        assert!(back[0].1[1].1.is_nan());
        assert_eq!(back[1].1, vec![(1_700_000_060, f64::INFINITY), (1_700_000_120, 2.0)]);
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_text(60), "1m");
        assert_eq!(duration_text(5400), "1h30m");
        assert_eq!(duration_text(7 * 86_400), "7d");
    }
}
