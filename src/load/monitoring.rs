//! Monitoring series: the CSV files beside a retro (`time,value`), read at load time so that
//! rendering never touches the disk.

use crate::diagnostic::Diagnostic;
use crate::model::Monitoring;
use jiff::tz::TimeZone;
use std::path::Path;

/// Reads the `data` and `baseline` CSVs of every series. Missing files are reported by `check`
/// (`monitoring-data`); rows that cannot be read are reported here, once per file.
pub fn read_series(series: &mut [Monitoring], abs: &Path, rel: &str, tz: &TimeZone, diags: &mut Vec<Diagnostic>) {
    let dir = abs.parent().unwrap_or(Path::new("."));
    for m in series {
        let Monitoring::Series { data, baseline, points, baseline_points, .. } = m else { continue };
        for (spec, out) in [(data.as_ref(), points), (baseline.as_ref(), baseline_points)] {
            let Some(spec) = spec else { continue };
            let in_book = match rel.rsplit_once('/') {
                Some((d, _)) => format!("{d}/{}", spec.value),
                None => spec.value.clone(),
            };
            if crate::check::escapes_root(&in_book) {
                continue; // never read outside the book; `check` reports it
            }
            let Ok(text) = std::fs::read_to_string(dir.join(&spec.value)) else { continue };
            match parse_csv(&text, tz) {
                Ok(p) => *out = p,
                Err((line, msg)) => diags.push(Diagnostic::warning(
                    rel,
                    spec.pos,
                    "monitoring-csv",
                    format!("`{}` line {line}: {msg}; expected a header `time,value` and rows like `2025-03-14T09:00:00Z,412`", spec.value),
                )),
            }
        }
    }
}

/// Parses `time,value` rows (a header first). Times are RFC 3339 or `YYYY-MM-DD HH:MM` in `tz`.
pub fn parse_csv(text: &str, tz: &TimeZone) -> Result<Vec<(i64, f64)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.to_ascii_lowercase().starts_with("time")) {
            continue;
        }
        let Some((t, v)) = line.split_once(',') else {
            return Err((i + 1, format!("`{line}` has no comma")));
        };
        let t = t.trim().trim_matches('"');
        let at = super::parse_timestamp(t, tz).map_err(|_| (i + 1, format!("`{t}` is not a time")))?;
        let v = v.trim().trim_matches('"');
        let value: f64 = v.parse().map_err(|_| (i + 1, format!("`{v}` is not a number")))?;
        out.push((at.as_second(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_rows_and_reports_the_bad_one() {
        let tz = jiff::tz::TimeZone::UTC;
        let ok = super::parse_csv("time,value\n2025-03-14T09:00:00Z,1.5\n2025-03-14 09:01,2\n", &tz).unwrap();
        assert_eq!(ok, vec![(1741942800, 1.5), (1741942860, 2.0)]);
        let err = super::parse_csv("time,value\n2025-03-14T09:00:00Z,abc\n", &tz).unwrap_err();
        assert_eq!(err.0, 2);
    }
}
