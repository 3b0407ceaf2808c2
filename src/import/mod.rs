//! Chat conversations → timeline entries of one retro (docs/import.md).
//!
//! Each source (`slack`, `teams`, `csv`) reads its files into a [`Conversation`]: plain
//! [`ChatMessage`]s with their own timestamps, and a count of what was dropped and why. Writing is
//! one pure function, [`insert_entries`], that adds the messages to a retro's text in time order
//! without changing a byte of what is there; [`import`] ties both to the files of a book.

pub mod csv;
pub mod slack;
pub mod teams;
mod write;

pub use write::{Insertion, entry_key, format_entry, insert_entries};

use crate::config::Config;
use crate::model::EntryKind;
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One message of a conversation, as it will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The message's own timestamp (never a file name or a page order).
    pub at: Timestamp,
    /// Display name, else real name; a bot's or app's name.
    pub author: String,
    /// Plain text with markup resolved (mentions to names, links to labels), possibly multi-line.
    pub text: String,
    /// Sent by a bot or an app (an alert, an integration).
    pub bot: bool,
}

impl ChatMessage {
    /// The kind and the text to write: a message that starts with a kind in brackets
    /// (`[comms] Update for stakeholders…`) was tagged by its author; otherwise the kind is
    /// suggested from the words (docs/import.md: only unambiguous ones).
    pub fn entry(&self) -> (Option<EntryKind>, &str) {
        let text = self.text.trim();
        if let Some(rest) = text.strip_prefix('[')
            && let Some((word, after)) = rest.split_once(']')
            && let Some(kind) = EntryKind::parse(word)
        {
            return (Some(kind), after.trim_start());
        }
        (suggest_kind(text, self.bot), text)
    }
}

/// Messages read from a source and what was left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// The messages kept, in time order.
    pub messages: Vec<ChatMessage>,
    /// What was left out, counted by reason.
    pub dropped: Dropped,
}

/// Counts of messages left out, by reason ("joins and leaves", "deleted", …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped(pub BTreeMap<&'static str, usize>);

impl Dropped {
    /// Counts one message left out for `reason`.
    pub fn add(&mut self, reason: &'static str) {
        *self.0.entry(reason).or_default() += 1;
    }
    /// All messages left out.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
    /// `3 joins and leaves, 1 deleted` (empty when nothing was dropped).
    pub fn describe(&self) -> String {
        self.0.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
    }
}

impl Conversation {
    /// Keeps the messages in `[from, to]` (either end open), in time order; the others are
    /// counted as dropped. Fails when `from` is after `to`.
    pub fn window(&mut self, from: Option<Timestamp>, to: Option<Timestamp>) -> Result<()> {
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            bail!("--from {f} is after --to {t}; give the start of the window first");
        }
        let before = self.messages.len();
        self.messages.retain(|m| from.is_none_or(|f| m.at >= f) && to.is_none_or(|t| m.at <= t));
        for _ in self.messages.len()..before {
            self.dropped.add("outside --from/--to");
        }
        // A stable sort keeps the source's order for messages of the same second.
        self.messages.sort_by_key(|m| m.at);
        Ok(())
    }
}

/// Suggests a kind only from unambiguous words: `declaring SEV2` → escalated, `mitigated`,
/// `resolved` / `all clear`, a bot's firing alert → detected. An author confirms it in review.
pub fn suggest_kind(text: &str, bot: bool) -> Option<EntryKind> {
    use std::sync::LazyLock;
    static ESCALATED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bdeclar(?:e|es|ed|ing)\s+(?:an?\s+|the\s+)?(?:sev\s?\d|incident)\b").unwrap()
    });
    static NEGATED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:not|isn't|wasn't|never|un)\s*(?:yet\s+)?(?:fully\s+)?(?:resolved|mitigated)\b")
            .unwrap()
    });
    static RESOLVED: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)\b(?:resolved|all[ -]clear)\b").unwrap());
    static MITIGATED: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"(?i)\bmitigated\b").unwrap());
    static FIRING: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"(?i)\b(?:firing|fired)\b").unwrap());
    let first = text.lines().next().unwrap_or("");
    if bot {
        // A bot's "resolved" is the alert clearing, not the incident: only firing is read.
        return FIRING.is_match(first).then_some(EntryKind::Detected);
    }
    if ESCALATED.is_match(text) {
        Some(EntryKind::Escalated)
    } else if NEGATED.is_match(text) {
        None
    } else if RESOLVED.is_match(text) {
        Some(EntryKind::Resolved)
    } else if MITIGATED.is_match(text) {
        Some(EntryKind::Mitigated)
    } else {
        None
    }
}

/// Where the entries go.
#[derive(Debug, Clone)]
pub enum Target {
    /// An existing retro: a path (relative to the book, or as given) or a retro id.
    Into(String),
    /// A new retro made as `new` makes it, with this title.
    New(String),
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The retro written, relative to the book.
    pub path: String,
    /// The new entries, as written.
    pub added: Vec<String>,
    /// Messages already in the retro.
    pub already: usize,
    /// What the source held but the import left out, by reason.
    pub dropped: Dropped,
    /// The retro was created by this import.
    pub created: bool,
}

/// Writes `conversation` into the target retro of the book at `root` (nothing is written when
/// `dry_run`). Every error names the file and leaves the book as it was.
pub fn import(
    root: &Path,
    config: &Config,
    conversation: Conversation,
    target: &Target,
    dry_run: bool,
) -> Result<Outcome> {
    let (path, text, created) = match target {
        Target::Into(name) => {
            let path = resolve_retro(root, config, name)?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            (path, text, false)
        }
        Target::New(title) => {
            let (path, text) = new_retro(root, config, title, &conversation.messages)?;
            (path, text, true)
        }
    };
    let rel = crate::text::relative(root, &path);
    let insertion = insert_entries(&text, &conversation.messages, config, &rel)?;
    if !dry_run && (created || !insertion.added.is_empty()) {
        write_atomically(&path, &insertion.text, created)?;
    }
    Ok(Outcome {
        path: rel,
        added: insertion.added,
        already: insertion.already,
        dropped: conversation.dropped,
        created,
    })
}

/// Finds the retro named on the command line: a file (relative to the book or to the current
/// folder) or the id of a retro in the book.
fn resolve_retro(root: &Path, config: &Config, name: &str) -> Result<PathBuf> {
    let dir = root.join(&config.retros.dir);
    for candidate in [root.join(name), PathBuf::from(name)] {
        if candidate.is_file() {
            return inside_retros(&dir, candidate);
        }
    }
    for path in crate::load::discover(&dir) {
        if written_id(&path).as_deref() == Some(name) {
            return Ok(path);
        }
    }
    bail!(
        "no retro `{name}`: neither a file nor the id of a retro in {}; give a path such as \
         retros/2026-03-14-checkout.md, an id, or use --new \"TITLE\" to create one",
        dir.display()
    )
}

/// `path`, when it is a file of the retros folder and not a symbolic link: import never writes
/// anywhere else.
fn inside_retros(dir: &Path, path: PathBuf) -> Result<PathBuf> {
    let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let canonical = path.canonicalize().with_context(|| format!("cannot read {}", path.display()))?;
    let retros = dir.canonicalize().with_context(|| format!("cannot read the retros folder {}", dir.display()))?;
    if link || !canonical.starts_with(&retros) {
        bail!(
            "{} is not a retro file of this book (inside {}, not a symbolic link); import writes only into the \
             book's retros",
            path.display(),
            dir.display()
        );
    }
    Ok(path)
}

/// The `id:` written in a file's front matter, or the file's stem.
fn written_id(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let front = text.strip_prefix("---")?;
    let end = front.find("\n---").unwrap_or(front.len());
    front[..end].lines().find_map(|l| l.strip_prefix("id:").map(|v| v.trim().trim_matches(['"', '\'']).to_string()))
}

/// The text of a new retro made as `new` makes it, dated by the first message, with the first
/// and last message as hints for the moments (comments, not values).
fn new_retro(root: &Path, config: &Config, title: &str, messages: &[ChatMessage]) -> Result<(PathBuf, String)> {
    let tz = config.timezone();
    let Some(first) = messages.first() else {
        bail!("no messages to import; a new retro is only made from at least one message");
    };
    let last = messages.last().unwrap_or(first);
    let local = |t: Timestamp| t.to_zoned_datetime(tz.clone()).datetime().strftime("%Y-%m-%d %H:%M").to_string();
    let date = first.at.to_zoned_datetime(tz.clone()).date();
    let severity = config.retros.severities.last().cloned().unwrap_or_else(|| "SEV4".into());
    let slug = crate::text::slugify(title);
    let slug = if slug.is_empty() { "incident".to_string() } else { slug.chars().take(60).collect() };
    let base = format!("{date}-{}", slug.trim_end_matches(['-', '.']));
    let dir = root.join(&config.retros.dir);
    let taken: Vec<String> = crate::load::discover(&dir).iter().filter_map(|p| written_id(p)).collect();
    let id = (1..10_000)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !taken.contains(id) && !dir.join(format!("{id}.md")).exists())
        .with_context(|| format!("no free file name for `{base}` in {}", dir.display()))?;
    let mut text = crate::scaffold::new_retro(&id, title, date, &severity, &config.retros.factor_categories);
    // Hints for the moments, as comments: the author decides which message was which moment.
    let placeholder = format!("  # started: \"{date} 09:00\"\n");
    let hint = format!(
        "  # started: \"{}\"    # the first imported message\n  # resolved: \"{}\"   # the last imported message\n",
        local(first.at),
        local(last.at)
    );
    if let Some(i) = text.find(&placeholder) {
        text.replace_range(i..i + placeholder.len(), &hint);
    } else if let Some(i) = text.find("\nimpact:\n") {
        text.insert_str(i + "\nimpact:\n".len(), &hint);
    }
    Ok((dir.join(format!("{id}.md")), text))
}

/// Writes through a temporary file beside `path`, so a failure never leaves half a retro; a new
/// retro is never written over a file that appeared meanwhile.
fn write_atomically(path: &Path, text: &str, create: bool) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    if create {
        tmp.persist_noclobber(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot create {}", path.display()))?;
    } else {
        if let Ok(meta) = std::fs::metadata(path) {
            // Keep the retro's permissions: a temporary file is created 0600.
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Decodes the HTML escapes Slack and Graph use in text (`&amp;`, `&lt;`, `&gt;`, quotes and
/// numeric references); anything else is left as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
        let decoded = end.and_then(|j| {
            let name = &rest[1..j];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_only_from_unambiguous_words() {
        assert_eq!(suggest_kind("Declaring SEV2, I'm IC", false), Some(EntryKind::Escalated));
        assert_eq!(suggest_kind("we are declaring an incident", false), Some(EntryKind::Escalated));
        assert_eq!(suggest_kind("Error rate back to baseline, mitigated", false), Some(EntryKind::Mitigated));
        assert_eq!(suggest_kind("All clear from payments", false), Some(EntryKind::Resolved));
        assert_eq!(suggest_kind("this is not resolved yet", false), None);
        assert_eq!(suggest_kind("is the sev2 still open?", false), None);
        assert_eq!(suggest_kind("[FIRING:1] CheckoutErrorRate", true), Some(EntryKind::Detected));
        assert_eq!(suggest_kind("[RESOLVED] CheckoutErrorRate", true), None);
        assert_eq!(suggest_kind("the alert is firing again", false), None);
    }

    #[test]
    fn a_kind_tagged_by_the_author_is_taken_and_cut_from_the_text() {
        let m =
            |text: &str| ChatMessage { at: Timestamp::UNIX_EPOCH, author: "a".into(), text: text.into(), bot: false };
        assert_eq!(m("[comms] Update: all good").entry(), (Some(EntryKind::Comms), "Update: all good"));
        assert_eq!(m("[Breakthrough]found it").entry(), (Some(EntryKind::Breakthrough), "found it"));
        assert_eq!(m("[FIRING:1] x").entry(), (None, "[FIRING:1] x"));
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(decode_entities("a &amp;lt; b &lt;3 &gt; &#39;x&#x27; & fish;"), "a &lt; b <3 > 'x' & fish;");
    }

    #[test]
    fn a_window_drops_what_is_outside_and_refuses_reversed_ends() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let msg = |t: &str| ChatMessage { at: at(t), author: "a".into(), text: "x".into(), bot: false };
        let mut c = Conversation {
            messages: vec![msg("2026-01-01T10:00:00Z"), msg("2026-01-01T09:00:00Z"), msg("2026-01-01T12:00:00Z")],
            ..Default::default()
        };
        assert!(c.clone().window(Some(at("2026-01-02T00:00:00Z")), Some(at("2026-01-01T00:00:00Z"))).is_err());
        c.window(Some(at("2026-01-01T09:30:00Z")), None).unwrap();
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[0].at, at("2026-01-01T10:00:00Z"));
        assert_eq!(c.dropped.describe(), "1 outside --from/--to");
    }
}
