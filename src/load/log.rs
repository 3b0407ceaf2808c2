//! Incident logs (docs/format.md, "Incident logs"): one adopted file holding many incidents, one
//! heading each (`### Incident on 2024-09-20 - EKS subnet route tables destroyed`), becomes one
//! retro per incident.
//!
//! The rule is strict, to keep ordinary retros whole:
//!
//! - the file has no retrobook front matter (a foreign one, Jekyll or Hugo, is allowed) and
//!   `[retros.adopt] split` is not `"never"`;
//! - at the shallowest heading level where two or more headings name a dated incident, **every**
//!   heading of that level is an incident or a template placeholder (`YYYY-MM-DD`,
//!   `[Brief description]`, `<placeholder>`), and none of them sits under a timeline heading;
//! - an incident heading is `Incident on <date> - <title>` (also `Incident <date>: <title>`), or
//!   `<date> - <title>` whose section holds key events or a timeline (a line with a time); a date
//!   followed only by a time or a weekday (`### 2019-02-20 08:03`, `### 2025-07-26 Saturday`) is a
//!   timeline heading, not an incident.
//!
//! Each incident is read like a retro body (its section from the line after its heading, with file
//! lines kept), with the id `<file-id>-<date>-<slug of the title>`, the date and title of its heading
//! and the headings above it (not the document title) as tags.

use super::{Config, Diagnostic, Path, Retro, frontmatter, sections, value};
use crate::config::SplitMode;
use crate::model::SectionKind;
use jiff::civil::Date;
use std::sync::LazyLock;

/// One incident of a log, as cut from the file.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    /// The id the new retro gets: `<file id>-<date>-<slug of the title>`.
    pub id: String,
    /// The title in the incident's heading (after its date).
    pub title: String,
    /// The day in the incident's heading.
    pub date: Date,
    /// The headings above the incident's (quarter headings), as written.
    pub tags: Vec<String>,
    /// The incident's section, from the line after its heading to the next heading of its level
    /// or above.
    pub body: &'a str,
    /// File line of the first line of `body`.
    pub first_line: u32,
    /// File line of the incident's heading.
    pub heading_line: u32,
    /// The incident's heading line as written (hashed with the tags and the body: what the retro
    /// is made of).
    pub heading: &'a str,
}

/// An ATX heading of the body.
struct Heading<'a> {
    level: u8,
    /// The heading's text, closing `#`s removed, trimmed.
    text: &'a str,
    line: u32,
    /// Byte offsets of the heading line in the text and of the line after it.
    start: usize,
    end: usize,
}

/// What a heading says about itself.
enum Shape {
    /// `Incident on <date> - <title>` (keyword) or `<date> - <title>`.
    Incident {
        date: Date,
        title: String,
        keyword: bool,
    },
    Placeholder,
    Other,
}

/// The retros of `text` when it is an incident log (see the module docs), else `None`. Diagnostics
/// of each incident go to `diags`; those about an incident as a whole point at its heading.
pub(super) fn load_log(
    text: &str,
    rel: &str,
    abs: &Path,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<Retro>> {
    let parts = split(text, rel, config)?;
    let mut retros = Vec::with_capacity(parts.len());
    for p in &parts {
        let mut own = Vec::new();
        let mut retro = super::parse_retro(p.body, rel, abs, config, &mut own, Some(p));
        for d in &mut own {
            if (d.line, d.column) == (1, 1) {
                d.line = p.heading_line;
            }
        }
        diags.append(&mut own);
        let mut h = blake3::Hasher::new();
        h.update(p.heading.as_bytes());
        for t in &p.tags {
            h.update(t.as_bytes());
            h.update(&[0]);
        }
        h.update(p.body.as_bytes());
        retro.hash = *h.finalize().as_bytes();
        retros.push(retro);
    }
    Some(retros)
}

/// The incidents of `text` (UTF-8, LF) when it is an incident log, else `None`.
pub fn split<'a>(text: &'a str, rel: &str, config: &Config) -> Option<Vec<Part<'a>>> {
    if config.retros.adopt.split == SplitMode::Never || !maybe_log(text) {
        return None;
    }
    let (body, body_start, body_line) = match frontmatter::cut(text) {
        Err(_) => return None,
        Ok(None) => (text, 0, 1),
        Ok(Some(c)) => {
            let tree = match c.style {
                frontmatter::Style::Yaml => value::parse_yaml(c.matter, c.matter_line),
                frontmatter::Style::Toml => value::parse_toml(c.matter, c.matter_line),
            };
            // Retrobook front matter (or a broken one) keeps the file whole.
            if tree.map_or(true, |t| t.get("id").is_some()) {
                return None;
            }
            (c.body, text.len() - c.body.len(), c.body_line)
        }
    };
    let headings = headings(body, body_start, body_line);
    let shapes: Vec<Shape> = headings.iter().map(|h| shape(h.text)).collect();
    let dated = |level: u8| {
        headings.iter().zip(&shapes).filter(|(h, s)| h.level == level && matches!(s, Shape::Incident { .. })).count()
    };
    let level = (1..=6).find(|&l| dated(l) >= 2)?;
    // A leading first-level heading is the document's title, not a tag.
    let title_heading = headings.first().filter(|h| h.level == 1 && text[body_start..h.start].trim().is_empty());

    let file_id = crate::text::slugify(&super::file_stem_for_id(rel));
    let mut parts: Vec<Part> = Vec::new();
    // The nearest heading above, per level (1-based), for tags and the timeline test.
    let mut above: [Option<usize>; 7] = [None; 7];
    for (i, (h, s)) in headings.iter().zip(&shapes).enumerate() {
        if h.level < level {
            above[h.level as usize] = Some(i);
            above[h.level as usize + 1..].iter_mut().for_each(|a| *a = None);
            continue;
        }
        if h.level > level {
            continue;
        }
        let ancestors: Vec<&Heading> = above[1..level as usize].iter().flatten().map(|&a| &headings[a]).collect();
        if ancestors.iter().any(|a| sections::classify(a.text) == Some(SectionKind::Timeline)) {
            return None;
        }
        let (date, title, keyword) = match s {
            Shape::Placeholder => continue,
            Shape::Other => return None,
            Shape::Incident { date, title, keyword } => (*date, title, *keyword),
        };
        let end = headings[i + 1..].iter().find(|n| n.level <= level).map_or(text.len(), |n| n.start);
        let chunk = &text[h.end.min(end)..end];
        if !keyword && !holds_events(chunk) {
            return None;
        }
        let tags = ancestors
            .iter()
            .filter(|a| title_heading.is_none_or(|t| t.start != a.start))
            .map(|a| a.text.trim_end_matches(':').trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let title = if title.is_empty() { h.text.to_string() } else { title.clone() };
        parts.push(Part {
            id: incident_id(&file_id, date, &title),
            title,
            date,
            tags,
            body: chunk,
            first_line: h.line + 1,
            heading_line: h.line,
            heading: &text[h.start..h.end],
        });
    }
    if parts.len() < 2 {
        return None;
    }
    // Two incidents of the same day and title: the later ones get `-2`, `-3`, …
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for p in &mut parts {
        let n = seen.entry(p.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            p.id = format!("{}-{n}", p.id);
        }
    }
    Some(parts)
}

/// Cheap first look: at least two heading lines that start with a date or with "Incident".
/// Finds `#` with a fast substring search rather than walking every line.
fn maybe_log(text: &str) -> bool {
    let b = text.as_bytes();
    let mut n = 0;
    let mut skip_to = 0;
    for (i, _) in text.match_indices('#') {
        if i < skip_to {
            continue;
        }
        // the start of a heading line: up to three spaces after a line break (or the start)
        let before = b[..i].iter().rev().take_while(|&&c| c == b' ').count();
        if before > 3 || (i > before && b[i - before - 1] != b'\n') {
            continue;
        }
        let line_end = text[i..].find('\n').map_or(text.len(), |e| i + e);
        skip_to = line_end;
        let rest = text[i..line_end].trim_start_matches('#');
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let rest = rest.trim_start();
        if plausible(rest.as_bytes()) && INCIDENT.is_match(rest) {
            n += 1;
            if n >= 2 {
                return true;
            }
        }
    }
    false
}

/// Whether a heading's text may start like an incident's — a digit, "incident" or a month name —
/// before the regex looks (most headings of most files fail here).
fn plausible(b: &[u8]) -> bool {
    const STARTS: [&[u8]; 13] =
        [b"inc", b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];
    match b.first() {
        Some(c) if c.is_ascii_digit() => true,
        Some(_) if b.len() >= 3 => STARTS.iter().any(|s| b[..3].eq_ignore_ascii_case(s)),
        _ => false,
    }
}

/// The ATX headings of `body` (which starts at byte `offset` and line `first_line` of the file),
/// outside fenced code blocks.
fn headings(body: &str, offset: usize, first_line: u32) -> Vec<Heading<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut at = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches('\n');
        let t = content.trim_start_matches(' ');
        if content.len() - t.len() > 3 {
            continue;
        }
        let b = t.as_bytes();
        if let Some(&c) = b.first()
            && (c == b'`' || c == b'~')
        {
            let run = b.iter().take_while(|&&x| x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((f, n)) if f == c && run >= n && t[run..].trim().is_empty() => fence = None,
                    Some(_) => {}
                }
                continue;
            }
        }
        if fence.is_some() || !t.starts_with('#') {
            continue;
        }
        let level = t.bytes().take_while(|&x| x == b'#').count();
        let rest = &t[level..];
        if level > 6 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let mut text = rest.trim();
        // a closing sequence of `#`s (after a space) is not part of the text
        let stripped = text.trim_end_matches('#');
        if stripped.is_empty() || stripped.ends_with([' ', '\t']) {
            text = stripped.trim_end();
        }
        out.push(Heading {
            level: level as u8,
            text,
            line: first_line + i as u32,
            start: offset + start,
            end: offset + at,
        });
    }
    out
}

const MONTHS: &str = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

/// `Incident on <date> - <title>`, `<date>: <title>`, with an ISO or month-name date.
static INCIDENT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(&format!(
        r"(?ix)^
        (?P<kw>incident\s*(?:on|of|:)?\s+)?
        (?P<date>
            (?P<y1>\d{{4}})[-/](?P<m1>\d{{1,2}})[-/](?P<d1>\d{{1,2}})
          | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{MONTHS})\.?,?\s+(?P<y2>\d{{4}})
          | (?P<mon3>{MONTHS})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})
        )\b
        \s*(?:[-–—:|,]\s*)?
        (?P<title>.*)$"
    ))
    .expect("valid regex")
});

/// Placeholders left from a template: `YYYY-MM-DD`, `[Brief description]`, `<title>`.
static PLACEHOLDER: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"YYYY|MM-DD|\[[^\]]*\s[^\]]*\](?:[^(\[]|$)|<[A-Za-z][A-Za-z _-]*>").expect("valid regex")
});

/// A title that is only a time or a weekday: the heading is a timeline's, not an incident's.
static NOT_A_TITLE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?ix)^(?:
            \(?\d{1,2}[:.]\d{2}.*
          | \(?(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?\)?
        )$",
    )
    .expect("valid regex")
});

/// Key events (`Detected: 2024-09-20 11:02`) or timeline entries (`- 11:02 …`, `| 11:02 |`): a
/// line that names a moment or opens with a time, and holds a time.
static EVENTS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?mix)^[\ \t]*(?:[-*+]|\d+\.|\|)?[\ \t]*(?:\*\*|__|\*|_)?[\ \t]*
        (?:
            (?:first\s+detected|detected|fault\s+occurs|impact\s+started|started|repaired|mitigated|resolved|incident\s+declared)
            [^\n]*?\d{1,2}:\d{2}
          | (?:\d{4}-\d{2}-\d{2}[\ T])?\d{1,2}:\d{2}
        )",
    )
    .expect("valid regex")
});

fn shape(text: &str) -> Shape {
    if PLACEHOLDER.is_match(text) {
        return Shape::Placeholder;
    }
    let Some(c) = INCIDENT.captures(text) else { return Shape::Other };
    let date = super::date_from_captures(&c);
    let Some(date) = date else { return Shape::Other };
    let keyword = c.name("kw").is_some();
    let title = c.name("title").map_or("", |t| t.as_str()).trim();
    if !keyword && (title.is_empty() || NOT_A_TITLE.is_match(title)) {
        return Shape::Other;
    }
    Shape::Incident { date, title: title.to_string(), keyword }
}

/// Whether an incident's section holds key events or a timeline.
fn holds_events(chunk: &str) -> bool {
    EVENTS.is_match(chunk)
}

/// `<file-id>-<date>-<slug>`, the slug cut at a word so that the id stays within 100 characters.
fn incident_id(file_id: &str, date: Date, title: &str) -> String {
    let prefix = format!("{file_id}-{date}");
    let room = 100usize.saturating_sub(prefix.len() + 1).min(60);
    let mut slug = crate::text::slugify(title);
    if slug.len() > room {
        let cut = slug[..=room].rfind('-').unwrap_or(room);
        slug.truncate(cut);
    }
    let slug = slug.trim_end_matches(['-', '.']);
    if slug.is_empty() { prefix } else { format!("{prefix}-{slug}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Id, title, tags and first body line of each incident.
    type Seen = (String, String, Vec<String>, u32);

    fn ids(text: &str) -> Option<Vec<Seen>> {
        split(text, "retros/log.md", &Config::default())
            .map(|p| p.into_iter().map(|p| (p.id, p.title, p.tags, p.first_line)).collect())
    }

    #[test]
    fn incident_headings() {
        let log = "# Log\n\n## 2024 Q3\n\n### Incident on 2024-09-20 - Routes lost\n\n- Detected: 2024-09-20 11:02\n\n\
                   ### Incident on 2024-09-21 - Routes lost again\n\ntext\n\n## Template\n\n\
                   ### Incident on YYYY-MM-DD - [Brief description]\n";
        let got = ids(log).expect("a log");
        assert_eq!(
            got,
            vec![
                ("log-2024-09-20-routes-lost".into(), "Routes lost".into(), vec!["2024 Q3".to_string()], 6),
                ("log-2024-09-21-routes-lost-again".into(), "Routes lost again".into(), vec!["2024 Q3".into()], 10),
            ]
        );
    }

    #[test]
    fn not_logs() {
        // one incident only
        assert!(ids("## Incident on 2024-09-20 - A\n\n## Incident on YYYY-MM-DD - [Title here]\n").is_none());
        // headings without dates (one recurring problem each)
        assert!(ids("# Incidents\n\n## Postgres disk full\n\ntext\n\n## Indexing fails\n\ntext\n").is_none());
        // timeline headings: a date and a time, a date and a weekday, a bare date
        assert!(ids("## Timeline\n\n### 2019-02-20 08:03\n\nx\n\n### 2019-02-20 10:12\n\ny\n").is_none());
        assert!(
            ids("## What happened\n\n### 2025-07-26 Saturday\n\n- 10:00 x\n\n### 2025-07-27 Sunday\n\n- 11:00 y\n")
                .is_none()
        );
        assert!(ids("### 2023-07-19\n\n- 10:00 x\n\n### 2023-07-20\n\n- 11:00 y\n").is_none());
        // dated headings without key events or a timeline
        assert!(
            ids("## 2024-01-02 - Upgrade notes\n\nWe upgraded.\n\n## 2024-02-03 - More notes\n\nAgain.\n").is_none()
        );
        // another heading at the incidents' level
        assert!(
            ids("## Incident on 2024-09-20 - A\n\nx\n\n## Incident on 2024-09-21 - B\n\ny\n\n## Lessons\n\nz\n")
                .is_none()
        );
        // retrobook front matter
        assert!(
            ids("---\nid: x\n---\n\n## Incident on 2024-09-20 - A\n\nx\n\n## Incident on 2024-09-21 - B\n\ny\n")
                .is_none()
        );
        // inside a code block
        assert!(ids("```\n## Incident on 2024-09-20 - A\n## Incident on 2024-09-21 - B\n```\n").is_none());
        // turned off
        let never = Config::parse("[retros.adopt]\nsplit = \"never\"\n").unwrap();
        let log = "## Incident on 2024-09-20 - A\n\nx\n\n## Incident on 2024-09-21 - B\n\ny\n";
        assert!(split(log, "log.md", &never).is_none());
        assert!(split(log, "log.md", &Config::default()).is_some());
    }

    #[test]
    fn dated_headings_with_events_and_foreign_front_matter() {
        let log = "---\nlayout: post\n---\n\n## 20 September 2024: Queue stalled\n\n- 11:02 alert\n\n\
                   ## Sep 22, 2024 - Disk full\n\n| 2024-09-22 08:00 | full |\n";
        let got = ids(log).expect("a log");
        assert_eq!(got[0].0, "log-2024-09-20-queue-stalled");
        assert_eq!(got[1].0, "log-2024-09-22-disk-full");
        assert_eq!(got[1].3, 10);
    }

    #[test]
    fn first_look_finds_heading_lines_only() {
        assert!(maybe_log("## Incident on 2024-01-02 - A\n   ## Incident on 2024-01-03 - B\n"));
        assert!(maybe_log("intro\n### 2024-01-02 - A\n\n### Sep 3, 2024: B"));
        // mid-line `#`, four spaces of indent (code), `#` without a space, one heading only
        assert!(!maybe_log("x ## Incident on 2024-01-02 - A\n    ## Incident on 2024-01-03 - B\n"));
        assert!(!maybe_log("#2024-01-02 A\n#2024-01-03 B\n"));
        assert!(!maybe_log("## Incident on 2024-01-02 - A\n## Timeline\n## Impact\n"));
    }

    #[test]
    fn same_day_same_title_and_long_titles() {
        let log = "## Incident on 2024-09-20 - A\n\nx\n\n## Incident on 2024-09-20 - A\n\ny\n";
        let got = ids(log).unwrap();
        assert_eq!((got[0].0.as_str(), got[1].0.as_str()), ("log-2024-09-20-a", "log-2024-09-20-a-2"));
        let long = incident_id("log", jiff::civil::date(2024, 1, 2), &"word ".repeat(40));
        assert!(long.len() <= 100 && long.ends_with("-word"), "{long}");
    }
}
