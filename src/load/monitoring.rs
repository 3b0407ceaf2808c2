//! Monitoring series: the CSV files beside a retro (`time,value`), read at load time so that
//! rendering never touches the disk.
//!
//! The path of a CSV comes from a retro, which may come from anyone who can open a pull request:
//! it is only ever read when it names a regular file inside the book (after following symlinks),
//! no larger than `[retros] max-data-size`, and no diagnostic ever quotes what is in it.

use crate::diagnostic::{Diagnostic, rules};
use crate::model::Monitoring;
use jiff::tz::TimeZone;
use std::io::Read;
use std::path::{Path, PathBuf};

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
        let Monitoring::Series { data, baseline, points, baseline_points, .. } = m else { continue };
        for (spec, out) in [(data.as_ref(), points), (baseline.as_ref(), baseline_points)] {
            let Some(spec) = spec else { continue };
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
            match parse_csv(&text, tz) {
                Ok(p) => *out = p,
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

/// Parses `time,value` rows (a header first). Times are RFC 3339 or `YYYY-MM-DD HH:MM` in `tz`.
/// Errors name the line and the field but never quote the file.
pub fn parse_csv(text: &str, tz: &TimeZone) -> Result<Vec<(i64, f64)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.to_ascii_lowercase().starts_with("time")) {
            continue;
        }
        let Some((t, v)) = line.split_once(',') else {
            return Err((i + 1, "the row has no comma between time and value".into()));
        };
        let t = t.trim().trim_matches('"');
        let at = super::parse_timestamp(t, tz).map_err(|_| (i + 1, "the time is not a date and time".to_string()))?;
        let v = v.trim().trim_matches('"');
        let value: f64 = v.parse().map_err(|_| (i + 1, "the value is not a number".to_string()))?;
        out.push((at.as_second(), value));
    }
    Ok(out)
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
