//! Monitoring series: the CSV files beside a retro (`time,value`), read at load time so that
//! rendering never touches the disk.
//!
//! The path of a CSV comes from a retro, which may come from anyone who can open a pull request:
//! it is only ever read when it names a regular file inside the book (after following symlinks),
//! no larger than `[retros] max-data-size`, and no diagnostic ever quotes what is in it.

use crate::diagnostic::{Diagnostic, rules};
use crate::model::{Monitoring, Spanned};
use jiff::tz::TimeZone;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One value column of a CSV: its header and its points (Unix seconds, value).
pub type Column = (String, Vec<(i64, f64)>);

/// Why a CSV named by a retro is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetProblem {
    /// Absolute, or `..` above the book's root.
    Outside,
    /// Inside the book as written, but a symlink on the way leads out of it.
    LinksOutside,
    /// Nothing at that path.
    Missing,
    /// A folder, a FIFO, a device or a socket.
    NotAFile,
    /// Larger than the limit: the size in bytes.
    TooLarge(u64),
    /// The path could not be examined (a folder on the way is unreadable): the error.
    Unreadable(String),
}

/// Finds the CSV that a retro at `retro_rel` (relative to the book at `root`) names as
/// `written`: the canonical path of a regular file inside the book of at most `max` bytes.
pub fn locate(root: &Path, retro_rel: &str, written: &str, max: u64) -> Result<PathBuf, AssetProblem> {
    let in_book = match retro_rel.rsplit_once('/') {
        Some((d, _)) => format!("{d}/{written}"),
        None => written.to_string(),
    };
    // `retros/` + `/etc/passwd` is not absolute as a string, but joining it to a path is.
    if Path::new(written).has_root() || Path::new(written).is_absolute() || crate::text::escapes_root(&in_book) {
        return Err(AssetProblem::Outside);
    }
    let root = if root.as_os_str().is_empty() { Path::new(".") } else { root };
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => AssetProblem::Missing,
        _ => AssetProblem::Unreadable(e.to_string()),
    };
    let canonical_root = root.canonicalize().map_err(unreadable)?;
    let canonical = root.join(&in_book).canonicalize().map_err(unreadable)?;
    if !canonical.starts_with(&canonical_root) {
        return Err(AssetProblem::LinksOutside);
    }
    let meta = std::fs::metadata(&canonical).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(AssetProblem::NotAFile);
    }
    if meta.len() > max {
        return Err(AssetProblem::TooLarge(meta.len()));
    }
    Ok(canonical)
}

/// Reads a located CSV as text, never more than `max` bytes (the file may have grown since it
/// was located). The error says why, without any of the file's content.
pub fn read_capped(path: &Path, max: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // Opening may have raced with the file being swapped for something else.
    if !file.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err("it is not a regular file".into());
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("it is larger than {max} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// The book root of a retro at `abs` whose book-relative path is `rel`.
fn book_root<'a>(abs: &'a Path, rel: &str) -> &'a Path {
    abs.ancestors().nth(rel.split('/').count()).unwrap_or(Path::new("."))
}

/// A duration as written in a retro or on the command line: whole numbers with a unit, `s`, `m`,
/// `h`, `d` or `w`, one or more (`7d`, `1w`, `24h`, `1h30m`). Gives seconds; `None` for anything
/// else (a CSV path, a zero or negative duration).
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return None,
        };
        let n: i64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    (digits.is_empty() && total > 0).then_some(total)
}

/// The shift of a series' baseline when `baseline` is a duration (a pulled baseline), else `None`
/// (`baseline` names a CSV of its own).
pub fn baseline_shift(baseline: &str) -> Option<i64> {
    parse_duration(baseline)
}

/// Where `monitoring pull` writes a duration baseline, beside `data` as written:
/// `checkout-5xx.csv` → `checkout-5xx.baseline.csv`.
pub fn pulled_baseline_path(data: &str) -> String {
    format!("{}.baseline.csv", strip_csv(data))
}

/// Where `monitoring pull` writes the provenance of `data`: `checkout-5xx.csv` → `checkout-5xx.json`.
pub fn provenance_path(data: &str) -> String {
    format!("{}.json", strip_csv(data))
}

fn strip_csv(data: &str) -> &str {
    data.strip_suffix(".csv").or_else(|| data.strip_suffix(".CSV")).unwrap_or(data)
}

/// The CSV a series' baseline is read from: `baseline` itself, or the pulled file when it is a
/// duration (with the shift that lays it over the incident window).
pub fn baseline_file(data: Option<&str>, baseline: &str) -> Option<(String, i64)> {
    match baseline_shift(baseline) {
        Some(shift) => data.map(|d| (pulled_baseline_path(d), shift)),
        None => Some((baseline.to_string(), 0)),
    }
}

/// Reads the `data` and `baseline` CSVs of every series. Paths that cannot be used (outside the
/// book, missing, not a file, too large) are reported by `check` (`monitoring-data`); files that
/// cannot be read and rows that cannot be parsed are reported here, once per file.
pub fn read_series(
    series: &mut [Monitoring],
    abs: &Path,
    rel: &str,
    tz: &TimeZone,
    max: u64,
    diags: &mut Vec<Diagnostic>,
) {
    let root = book_root(abs, rel);
    for m in series {
        let Monitoring::Series { data, baseline, points, more, label, baseline_points, .. } = m else { continue };
        let pulled_baseline = baseline.as_ref().and_then(|b| {
            let (file, shift) = baseline_file(data.as_ref().map(|d| d.value.as_str()), &b.value)?;
            Some((Spanned::new(file, b.pos), shift))
        });
        let mut baseline_more = Vec::new();
        let mut baseline_label = String::new();
        let targets = [
            (data.as_ref(), 0, points, more, label),
            (
                pulled_baseline.as_ref().map(|p| &p.0),
                pulled_baseline.as_ref().map_or(0, |p| p.1),
                baseline_points,
                &mut baseline_more,
                &mut baseline_label,
            ),
        ];
        for (spec, shift, out, out_more, out_label) in targets {
            let Some(spec) = spec else { continue };
            if shift != 0 && locate(root, rel, &spec.value, max).is_err() {
                continue; // not pulled yet: `check` says so
            }
            let cannot_read = |why: &str| {
                Diagnostic::warning(
                    rel,
                    spec.pos,
                    rules::MONITORING_DATA,
                    format!("cannot read `{}`: {why}; the series is drawn without it", spec.value),
                )
            };
            let path = match locate(root, rel, &spec.value, max) {
                Ok(p) => p,
                Err(AssetProblem::Unreadable(e)) => {
                    diags.push(cannot_read(&e));
                    continue;
                }
                Err(_) => continue, // `check` says what is wrong with the path
            };
            let text = match read_capped(&path, max) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(cannot_read(&e));
                    continue;
                }
            };
            match parse_columns(&text, tz) {
                Ok(mut columns) => {
                    for (_, pts) in &mut columns {
                        pts.iter_mut().for_each(|p| p.0 = p.0.saturating_add(shift));
                    }
                    let mut columns = columns.into_iter();
                    if let Some((head, first)) = columns.next() {
                        (*out, *out_label) = (first, head);
                    }
                    *out_more = columns.collect();
                }
                Err((line, msg)) => diags.push(Diagnostic::warning(
                    rel,
                    spec.pos,
                    rules::MONITORING_CSV,
                    format!("`{}` line {line}: {msg}; expected a header `time,value` and rows like `2025-03-14T09:00:00Z,412`", spec.value),
                )),
            }
        }
    }
}

/// Parses a CSV of `time` and one or more value columns (a header first, as `monitoring pull`
/// writes when a query returns several series): one `(header, points)` per value column. An empty
/// cell is a missing sample (that series had none at that time); `NaN` is kept as a gap. Without
/// a header the columns are named `value`, `value 2`, …. Errors as [`parse_csv`].
pub fn parse_columns(text: &str, tz: &TimeZone) -> Result<Vec<Column>, (usize, String)> {
    let mut columns: Vec<Column> = Vec::new();
    let mut quoted: Vec<String>;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        // Rows are plain `time,number,…`; only a header of label sets needs CSV quoting rules.
        let cells: Vec<&str> = if line.contains('"') {
            quoted =
                split_quoted(line).ok_or((line_no, "the row is not valid CSV (an unclosed quote?)".to_string()))?;
            quoted.iter().map(|c| c.trim()).collect()
        } else {
            line.split(',').map(str::trim).collect()
        };
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if i == 0 && cells[0].eq_ignore_ascii_case("time") {
            columns = cells[1..].iter().map(|h| (h.to_string(), Vec::new())).collect();
            continue;
        }
        if cells.len() < 2 {
            return Err((line_no, "the row has no comma between time and value".into()));
        }
        if columns.is_empty() {
            columns = (1..cells.len())
                .map(|n| (if n == 1 { "value".into() } else { format!("value {n}") }, Vec::new()))
                .collect();
        }
        if cells.len() - 1 > columns.len() {
            return Err((
                line_no,
                format!("the row has {} values but the header names {}", cells.len() - 1, columns.len()),
            ));
        }
        let at = super::parse_timestamp(cells[0], tz)
            .map_err(|_| (line_no, "the time is not a date and time".to_string()))?;
        for (cell, (_, pts)) in cells[1..].iter().zip(columns.iter_mut()) {
            if cell.is_empty() {
                continue;
            }
            let value: f64 = cell.parse().map_err(|_| (line_no, "the value is not a number".to_string()))?;
            pts.push((at.as_second(), value));
        }
    }
    Ok(columns)
}

/// The fields of one CSV line with quotes (RFC 4180: `"a ""b"""` is `a "b"`), read with the csv
/// crate; `None` when the line is not valid CSV.
fn split_quoted(line: &str) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
    let record = reader.records().next()?.ok()?;
    // A quote left open swallows the end of the line: the reader then sees no terminator.
    let closed = line.matches('"').count().is_multiple_of(2);
    closed.then(|| record.iter().map(str::to_string).collect())
}

/// Parses `time,value` rows (a header first): the first value column of [`parse_columns`]. Times
/// are RFC 3339 or `YYYY-MM-DD HH:MM` in `tz`. Errors name the line and the field but never quote
/// the file.
pub fn parse_csv(text: &str, tz: &TimeZone) -> Result<Vec<(i64, f64)>, (usize, String)> {
    Ok(parse_columns(text, tz)?.into_iter().next().map(|c| c.1).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_reports_the_bad_one() {
        let tz = jiff::tz::TimeZone::UTC;
        let ok = super::parse_csv("time,value\n2025-03-14T09:00:00Z,1.5\n2025-03-14 09:01,2\n", &tz).unwrap();
        assert_eq!(ok, vec![(1741942800, 1.5), (1741942860, 2.0)]);
        let err = super::parse_csv("time,value\n2025-03-14T09:00:00Z,abc\n", &tz).unwrap_err();
        assert_eq!(err.0, 2);
    }

    #[test]
    fn durations_and_pulled_paths() {
        assert_eq!(parse_duration("7d"), Some(7 * 86_400));
        assert_eq!(parse_duration("1w"), Some(7 * 86_400));
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        for not in ["", "0s", "7", "d", "baseline.csv", "1.5h", "-1h", "99999999999999999999d"] {
            assert_eq!(parse_duration(not), None, "{not}");
        }
        assert_eq!(pulled_baseline_path("sub/x.csv"), "sub/x.baseline.csv");
        assert_eq!(provenance_path("x.csv"), "x.json");
        assert_eq!(baseline_file(Some("x.csv"), "7d"), Some(("x.baseline.csv".into(), 7 * 86_400)));
        assert_eq!(baseline_file(Some("x.csv"), "old.csv"), Some(("old.csv".into(), 0)));
        assert_eq!(baseline_file(None, "7d"), None);
    }

    #[test]
    fn columns_missing_samples_nan_and_time_zones() {
        let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
        let text = "time,\"{code=\"\"500\"\"}\",\"{code=\"\"503\"\"}\"\n\
                    2026-11-17T13:00:00Z,1,\n\
                    2026-11-17 14:01,NaN,2\n\
                    2026-11-17T13:02:00+01:00,,+Inf\n";
        let cols = parse_columns(text, &tz).unwrap();
        assert_eq!(cols.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), [r#"{code="500"}"#, r#"{code="503"}"#]);
        // RFC 3339 keeps its offset; `YYYY-MM-DD HH:MM` is in the book's zone (CET: UTC+1 in November).
        let t0 = 1_794_920_400; // 13:00Z
        assert_eq!(cols[0].1[0], (t0, 1.0));
        assert_eq!(cols[0].1[1].0, t0 + 60);
        assert!(cols[0].1[1].1.is_nan());
        assert_eq!(cols[0].1.len(), 2, "an empty cell is a missing sample");
        assert_eq!(cols[1].1, vec![(t0 + 60, 2.0), (t0 - 3600 + 120, f64::INFINITY)]);
        let plain = parse_columns("2026-11-17T13:00:00Z,1,2\n", &tz).unwrap();
        assert_eq!(plain.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["value", "value 2"]);
        assert_eq!(parse_columns("time,value\n2026-11-17T13:00:00Z,1,2\n", &tz).unwrap_err().0, 2);
        assert_eq!(parse_columns("time,value\n\"unclosed,1\n", &tz).unwrap_err().0, 2);
    }

    #[test]
    fn a_duration_baseline_is_read_from_the_pulled_file_and_laid_over_the_window() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("retros")).unwrap();
        std::fs::write(dir.path().join("retros/x.csv"), "time,value\n2026-11-17T13:00:00Z,9\n").unwrap();
        std::fs::write(dir.path().join("retros/x.baseline.csv"), "time,value\n2026-11-10T13:00:00Z,1\n").unwrap();
        let spanned = |s: &str| Some(Spanned::new(s.to_string(), crate::diagnostic::Pos::START));
        let mut series = vec![Monitoring::Series {
            metric: "m".into(),
            unit: None,
            data: spanned("x.csv"),
            baseline: spanned("7d"),
            source: None,
            query: spanned("up"),
            threshold: None,
            points: vec![],
            more: vec![],
            label: String::new(),
            baseline_points: vec![],
        }];
        let mut diags = Vec::new();
        read_series(&mut series, &dir.path().join("retros/r.md"), "retros/r.md", &TimeZone::UTC, 1 << 20, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let Monitoring::Series { points, baseline_points, label, .. } = &series[0] else { unreachable!() };
        assert_eq!(points, &[(1_794_920_400, 9.0)]);
        assert_eq!(label, "value");
        assert_eq!(baseline_points, &[(1_794_920_400, 1.0)], "a week later: over the incident");
    }

    #[test]
    fn parse_errors_never_quote_the_file() {
        let tz = jiff::tz::TimeZone::UTC;
        for text in ["s3cr3t\n", "time,value\ns3cr3t,1\n", "time,value\n2025-03-14T09:00:00Z,s3cr3t\n"] {
            let (_, msg) = parse_csv(text, &tz).unwrap_err();
            assert!(!msg.contains("s3cr3t"), "{msg}");
        }
    }

    #[test]
    fn locate_accepts_files_in_the_book_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("book");
        std::fs::create_dir_all(root.join("retros/sub")).unwrap();
        std::fs::write(root.join("retros/a.csv"), "time,value\n").unwrap();
        std::fs::write(root.join("top.csv"), "time,value\n").unwrap();
        std::fs::write(dir.path().join("outside.csv"), "time,value\n").unwrap();
        let at = |written: &str| locate(&root, "retros/x.md", written, 1000);
        assert!(at("a.csv").is_ok());
        assert!(at("../top.csv").is_ok(), "anywhere in the book is fine");
        assert!(at("sub/../a.csv").is_ok());
        assert_eq!(at("../../outside.csv"), Err(AssetProblem::Outside));
        assert_eq!(at("/etc/passwd"), Err(AssetProblem::Outside));
        assert_eq!(at(dir.path().join("outside.csv").to_str().unwrap()), Err(AssetProblem::Outside));
        assert_eq!(at("nope.csv"), Err(AssetProblem::Missing));
        assert_eq!(at("sub"), Err(AssetProblem::NotAFile));
        assert_eq!(locate(&root, "retros/x.md", "a.csv", 3), Err(AssetProblem::TooLarge(11)));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside.csv"), root.join("retros/out.csv")).unwrap();
            std::os::unix::fs::symlink(root.join("top.csv"), root.join("retros/in.csv")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", root.join("retros/zero.csv")).unwrap();
            assert_eq!(at("out.csv"), Err(AssetProblem::LinksOutside));
            assert_eq!(at("zero.csv"), Err(AssetProblem::LinksOutside));
            assert_eq!(at("in.csv"), Ok(root.join("top.csv").canonicalize().unwrap()));
        }
    }

    #[test]
    fn reading_stops_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "x".repeat(100)).unwrap();
        assert_eq!(read_capped(&p, 100).map(|s| s.len()), Ok(100));
        assert!(read_capped(&p, 99).unwrap_err().contains("larger than 99 bytes"));
    }

    #[test]
    fn the_book_root_of_a_retro() {
        assert_eq!(book_root(Path::new("/b/retros/x/index.md"), "retros/x/index.md"), Path::new("/b"));
        assert_eq!(book_root(Path::new("a.md"), "a.md"), Path::new(""));
    }
}
