//! A CSV timeline (RFC 4180) → a [`Conversation`]. Columns are found by their header unless
//! named on the command line; times carry an offset or are read in the book's zone.

use super::{ChatMessage, Conversation};
use anyhow::{Context, Result, bail};
use jiff::tz::TimeZone;
use std::path::Path;

/// Header names recognised for each column (case-insensitive) (docs/import.md).
const TIME: &[&str] = &["time", "timestamp", "date", "datetime", "date/time"];
const AUTHOR: &[&str] = &["author", "user", "who", "name", "from", "sender"];
const TEXT: &[&str] = &["message", "text", "event", "description", "body"];

/// Columns chosen on the command line (a header name or a 1-based number).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// The time column; None finds it by header (`time`, `timestamp`, `date`).
    pub time: Option<String>,
    /// The author column; None finds it by header (`author`, `user`, `who`, `name`).
    pub author: Option<String>,
    /// The message column; None finds it by header (`message`, `text`, `event`, `description`).
    pub text: Option<String>,
}

/// Reads `path`; civil times are in `tz`.
pub fn read(path: &Path, columns: &Columns, tz: &TimeZone) -> Result<Conversation> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&bytes, &path.display().to_string(), columns, tz)
}

/// Parses CSV bytes; `name` names the file in errors.
pub fn parse(bytes: &[u8], name: &str, columns: &Columns, tz: &TimeZone) -> Result<Conversation> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().with_context(|| format!("{name}: cannot read the header line"))?.clone();
    let heads: Vec<&str> = headers.iter().map(str::trim).collect();
    let find = |given: &Option<String>, names: &[&str], what: &str, required: bool| -> Result<Option<usize>> {
        if let Some(g) = given {
            if let Ok(n) = g.parse::<usize>()
                && n >= 1
                && n <= heads.len()
            {
                return Ok(Some(n - 1));
            }
            return match heads.iter().position(|h| h.eq_ignore_ascii_case(g.trim())) {
                Some(i) => Ok(Some(i)),
                None => bail!("{name}: no column `{g}` for the {what}; the header has: {}", heads.join(", ")),
            };
        }
        let found = heads.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
        if found.is_none() && required {
            bail!(
                "{name}:1: no {what} column in the header ({}); name one `{}`, or choose it with --{what}-col",
                heads.join(", "),
                names.join("`, `")
            );
        }
        Ok(found)
    };
    let time = find(&columns.time, TIME, "time", true)?.unwrap_or(0);
    let author = find(&columns.author, AUTHOR, "author", false)?;
    let text = find(&columns.text, TEXT, "text", true)?.unwrap_or(0);
    let mut conversation = Conversation::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{name}:{line}: {e}; quote fields that hold commas, quotes or line breaks (RFC 4180)")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let written = cell(time);
        let at = crate::load::parse_timestamp(written, tz).map_err(|_| {
            anyhow::anyhow!(
                "{name}:{line}: `{written}` in column `{}` is not a time; expected RFC 3339 \
                 (2026-03-14T09:14:05+01:00) or `YYYY-MM-DD HH:MM[:SS]` in the book's zone ({})",
                heads.get(time).unwrap_or(&""),
                tz.iana_name().unwrap_or("its zone")
            )
        })?;
        let body = cell(text).replace("\r\n", "\n");
        if body.is_empty() {
            conversation.dropped.add("empty");
            continue;
        }
        let who = author.map(cell).unwrap_or("").to_string();
        conversation.messages.push(ChatMessage { at, author: who, text: body, bot: false });
    }
    Ok(conversation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_header_and_quoting_follows_rfc_4180() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let csv = "When,Who,Event,Time\r\nx,Ana,\"Paged, \"\"loudly\"\"\nsecond line\",2026-03-14 09:00:05\r\n\
                   y,Bo,ok,2026-03-14T08:30:00Z\r\n";
        let c = parse(csv.as_bytes(), "t.csv", &Columns::default(), &tz).unwrap();
        assert_eq!(c.messages[0].at.to_string(), "2026-03-14T08:00:05Z");
        assert_eq!(c.messages[0].author, "Ana");
        assert_eq!(c.messages[0].text, "Paged, \"loudly\"\nsecond line");
        assert_eq!(c.messages[1].at.to_string(), "2026-03-14T08:30:00Z");
    }

    #[test]
    fn a_missing_time_column_and_a_bad_time_are_named() {
        let tz = TimeZone::UTC;
        let e = parse(b"who,message\nAna,hi\n", "t.csv", &Columns::default(), &tz).unwrap_err().to_string();
        assert!(e.contains("t.csv:1: no time column in the header (who, message)"), "{e}");
        let e = parse(b"time,message\nnoon,hi\n", "t.csv", &Columns::default(), &tz).unwrap_err().to_string();
        assert!(e.starts_with("t.csv:2: `noon` in column `time` is not a time"), "{e}");
        let cols = Columns { time: Some("2".into()), text: Some("message".into()), author: None };
        let c = parse(b"message,at\nhi,2026-01-01 10:00\n", "t.csv", &cols, &tz).unwrap();
        assert_eq!(c.messages[0].at.to_string(), "2026-01-01T10:00:00Z");
    }
}
