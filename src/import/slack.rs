//! A Slack workspace export (a folder, or the `.zip` Slack hands out) → a [`Conversation`].
//!
//! The export holds `users.json`, `channels.json` (and `groups.json`, `mpims.json`, `dms.json`
//! in exports of private conversations) and one folder per conversation with one JSON array of
//! messages per day. The day a file is named for is the exporting workspace's day, not UTC nor
//! the book's, so a message's time is always its own `ts`, never the file name.

use super::{ChatMessage, Conversation, decode_entities};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reads the messages of channel `channel` (a name, `#name` or id) of the export at `path`.
pub fn read(path: &Path, channel: &str) -> Result<Conversation> {
    let mut source = Source::open(path)?;
    read_from(&mut source, channel)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    id: String,
    name: String,
    real_name: Option<String>,
    is_bot: bool,
    profile: Profile,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Profile {
    display_name: Option<String>,
    real_name: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Channel {
    id: String,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Message {
    #[serde(rename = "type")]
    kind: Option<String>,
    subtype: Option<String>,
    ts: Option<String>,
    user: Option<String>,
    bot_id: Option<String>,
    username: Option<String>,
    text: Option<String>,
    hidden: bool,
    user_profile: Option<Profile>,
    bot_profile: Option<BotProfile>,
    attachments: Vec<Attachment>,
    files: Vec<File>,
    blocks: Vec<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BotProfile {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Attachment {
    pretext: Option<String>,
    title: Option<String>,
    text: Option<String>,
    fallback: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct File {
    name: Option<String>,
    title: Option<String>,
    mode: Option<String>,
}

/// The largest file read from a zip export.
const MAX_FILE: u64 = 1 << 30;

/// The export, as a folder or a zip archive; paths inside use `/`.
enum Source {
    Folder(PathBuf),
    Zip { archive: zip::ZipArchive<std::fs::File>, prefix: String, path: PathBuf },
}

impl Source {
    fn open(path: &Path) -> Result<Source> {
        if path.is_dir() {
            return Ok(Source::Folder(path.to_path_buf()));
        }
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open the Slack export {} (a folder or a .zip)", path.display()))?;
        let archive = zip::ZipArchive::new(file)
            .with_context(|| format!("{} is neither a folder nor a readable .zip of a Slack export", path.display()))?;
        // Some tools re-zip the export with its folder on top: find the folder that holds users.json.
        let prefix = archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| n.ends_with("channels.json") || n.ends_with("users.json"))
            .map(|n| n[..n.rfind('/').map_or(0, |i| i + 1)].to_string())
            .min_by_key(String::len)
            .unwrap_or_default();
        Ok(Source::Zip { archive, prefix, path: path.to_path_buf() })
    }

    fn name(&self, inner: &str) -> String {
        match self {
            Source::Folder(dir) => dir.join(inner).display().to_string(),
            Source::Zip { path, prefix, .. } => format!("{}:{prefix}{inner}", path.display()),
        }
    }

    /// The bytes of a file inside the export, or `None` when it is not there.
    fn read(&mut self, inner: &str) -> Result<Option<Vec<u8>>> {
        let shown = self.name(inner);
        match self {
            Source::Folder(dir) => match std::fs::read(dir.join(inner)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot read {shown}")),
            },
            Source::Zip { archive, prefix, .. } => {
                let entry = match archive.by_name(&format!("{prefix}{inner}")) {
                    Ok(e) => e,
                    Err(zip::result::ZipError::FileNotFound) => return Ok(None),
                    Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
                };
                // A day file of a real export is kilobytes; refuse what would fill the memory.
                let mut bytes = Vec::with_capacity(entry.size().min(1 << 26) as usize);
                entry.take(MAX_FILE + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {shown}"))?;
                if bytes.len() as u64 > MAX_FILE {
                    bail!("{shown} unpacks to more than {} MB; this is not a Slack export file", MAX_FILE >> 20);
                }
                Ok(Some(bytes))
            }
        }
    }

    /// The `.json` files directly inside `folder`, sorted by name.
    fn day_files(&self, folder: &str) -> Result<Vec<String>> {
        let mut names: Vec<String> = match self {
            Source::Folder(dir) => {
                let d = dir.join(folder);
                std::fs::read_dir(&d)
                    .with_context(|| format!("cannot list {}", d.display()))?
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".json"))
                    .collect()
            }
            Source::Zip { archive, prefix, .. } => {
                let start = format!("{prefix}{folder}/");
                archive
                    .file_names()
                    .filter_map(Result::ok)
                    .filter_map(|n| n.strip_prefix(start.as_str()).map(str::to_string))
                    .filter(|n| n.ends_with(".json") && !n.contains('/'))
                    .collect()
            }
        };
        names.sort();
        Ok(names)
    }

    fn json<T: for<'de> Deserialize<'de>>(&mut self, inner: &str) -> Result<Option<T>> {
        let Some(bytes) = self.read(inner)? else { return Ok(None) };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| json_error(&self.name(inner), &e))
    }
}

/// A JSON error naming the file, line and column, and what to do.
pub(super) fn json_error(file: &str, e: &serde_json::Error) -> anyhow::Error {
    let hint = if e.is_eof() {
        "the file ends in the middle of the JSON: it was cut short; export (or download) it again"
    } else if e.is_syntax() {
        "the file is not valid JSON"
    } else {
        "the JSON does not have the shape of this export format"
    };
    anyhow::anyhow!("{file}:{}:{}: {e}; {hint}", e.line(), e.column())
}

fn read_from(source: &mut Source, wanted: &str) -> Result<Conversation> {
    let users: Vec<User> = source
        .json("users.json")?
        .or(source.json("org_users.json")?)
        .with_context(|| format!("{} has no users.json: is it a Slack workspace export?", source.name("")))?;
    let mut channels: Vec<(String, Channel)> = Vec::new();
    for list in ["channels.json", "groups.json", "mpims.json", "dms.json"] {
        for c in source.json::<Vec<Channel>>(list)?.unwrap_or_default() {
            // Direct-message folders are named by id; the others by name.
            let folder = c.name.clone().filter(|_| list != "dms.json").unwrap_or_else(|| c.id.clone());
            channels.push((folder, c));
        }
    }
    let wanted = wanted.trim().trim_start_matches('#');
    let Some((folder, _)) = channels.iter().find(|(folder, c)| folder == wanted || c.id == wanted) else {
        let mut names: Vec<&str> = channels.iter().map(|(f, _)| f.as_str()).collect();
        names.sort_unstable();
        bail!(
            "no channel `{wanted}` in the Slack export {}; the channels there are: {}",
            source.name(""),
            if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
        );
    };
    let folder = folder.clone();
    let names = Names {
        users: users.iter().map(|u| (u.id.as_str(), u)).collect(),
        channels: channels.iter().map(|(f, c)| (c.id.as_str(), f.as_str())).collect(),
    };
    let mut conversation = Conversation::default();
    let mut seen: HashSet<String> = HashSet::new();
    for day in source.day_files(&folder)? {
        let inner = format!("{folder}/{day}");
        let messages: Vec<Message> = source.json(&inner)?.unwrap_or_default();
        for (i, m) in messages.iter().enumerate() {
            let Some(ts) = m.ts.as_deref() else {
                conversation.dropped.add("without a time");
                continue;
            };
            let at = parse_ts(ts).with_context(|| format!("{}: message {}", source.name(&inner), i + 1))?;
            if let Some(why) = dropped(m) {
                conversation.dropped.add(why);
                continue;
            }
            // A reply sent to the channel too may be exported twice; it is one message.
            if !seen.insert(ts.to_string()) {
                conversation.dropped.add("duplicates");
                continue;
            }
            let (author, bot) = names.author(m);
            let text = names.text(m);
            if text.trim().is_empty() {
                conversation.dropped.add("empty");
                continue;
            }
            conversation.messages.push(ChatMessage { at, author, text, bot });
        }
    }
    Ok(conversation)
}

/// Why a message is left out (docs/import.md), if it is.
fn dropped(m: &Message) -> Option<&'static str> {
    if m.kind.as_deref().is_some_and(|k| k != "message") {
        return Some("system events");
    }
    match m.subtype.as_deref() {
        None | Some("bot_message" | "thread_broadcast" | "file_share" | "me_message" | "reply_broadcast") => {
            if m.hidden { Some("system events") } else { None }
        }
        Some("channel_join" | "channel_leave" | "group_join" | "group_leave") => Some("joins and leaves"),
        Some("tombstone" | "message_deleted") => Some("deleted"),
        Some("message_changed") => Some("edit events (the message is kept with its final text)"),
        Some(_) => Some("system events"),
    }
}

/// `"1710407645.001200"` → the instant, microseconds kept.
fn parse_ts(ts: &str) -> Result<Timestamp> {
    let bad =
        || anyhow::anyhow!("`ts` {ts:?} is not a Slack timestamp (seconds.microseconds, e.g. \"1710407645.001200\")");
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let secs: i64 = secs.parse().map_err(|_| bad())?;
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let nanos: i32 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().map_err(|_| bad())? };
    Timestamp::new(secs, nanos).map_err(|_| bad())
}

struct Names<'a> {
    users: HashMap<&'a str, &'a User>,
    channels: HashMap<&'a str, &'a str>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Names<'_> {
    /// Display name, else real name (deactivated users too); a bot message without a user takes
    /// its `username`.
    fn author(&self, m: &Message) -> (String, bool) {
        let bot = m.subtype.as_deref() == Some("bot_message") || m.bot_id.is_some();
        if let Some(u) = m.user.as_deref().and_then(|id| self.users.get(id)) {
            let name = non_empty(&u.profile.display_name)
                .or(non_empty(&u.profile.real_name))
                .or(non_empty(&u.real_name))
                .unwrap_or(&u.name);
            return (name.to_string(), bot || u.is_bot);
        }
        if let Some(p) = &m.user_profile
            && let Some(name) = non_empty(&p.display_name).or(non_empty(&p.real_name)).or(non_empty(&p.name))
        {
            return (name.to_string(), bot);
        }
        let name = non_empty(&m.username)
            .or(m.bot_profile.as_ref().and_then(|b| non_empty(&b.name)))
            .or(m.user.as_deref())
            .or(m.bot_id.as_deref())
            .unwrap_or("unknown");
        (name.to_string(), bot)
    }

    /// The message's text; an alert posted only as attachments or blocks takes their text, a file
    /// shared without words its name.
    fn text(&self, m: &Message) -> String {
        let mut text = non_empty(&m.text).map(|t| self.markup(t)).unwrap_or_default();
        if text.is_empty() {
            let parts: Vec<String> = m
                .attachments
                .iter()
                .flat_map(|a| {
                    let body = non_empty(&a.text).or(non_empty(&a.fallback));
                    [non_empty(&a.pretext), non_empty(&a.title), body]
                })
                .flatten()
                .map(|t| self.markup(t))
                .collect();
            text = parts.join("\n");
        }
        if text.is_empty() {
            let mut parts = Vec::new();
            for b in &m.blocks {
                block_text(b, &mut parts);
            }
            text = self.markup(&parts.join("\n"));
        }
        let files: Vec<&str> = m
            .files
            .iter()
            .filter(|f| f.mode.as_deref() != Some("tombstone"))
            .filter_map(|f| non_empty(&f.title).or(non_empty(&f.name)))
            .collect();
        if text.is_empty() && !files.is_empty() {
            text = format!("(shared {})", files.join(", "));
        }
        text
    }

    /// Resolves `<@U…>`, `<#C…|name>`, `<!here>`, `<url|label>` and decodes `&amp; &lt; &gt;`.
    fn markup(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('<') {
            out.push_str(&decode_entities(&rest[..i]));
            let Some(j) = rest[i..].find('>') else {
                rest = &rest[i..];
                break;
            };
            let inner = &rest[i + 1..i + j];
            out.push_str(&self.token(inner));
            rest = &rest[i + j + 1..];
        }
        out.push_str(&decode_entities(rest));
        out
    }

    fn token(&self, inner: &str) -> String {
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(decode_entities(l))),
            None => (inner, None),
        };
        if let Some(id) = target.strip_prefix('@') {
            let name = self.users.get(id).map(|u| {
                non_empty(&u.profile.display_name)
                    .or(non_empty(&u.profile.real_name))
                    .or(non_empty(&u.real_name))
                    .unwrap_or(&u.name)
                    .to_string()
            });
            return format!("@{}", name.or(label).unwrap_or_else(|| id.to_string()));
        }
        if let Some(id) = target.strip_prefix('#') {
            let name = self.channels.get(id).map(|s| s.to_string());
            return format!("#{}", label.filter(|l| !l.is_empty()).or(name).unwrap_or_else(|| id.to_string()));
        }
        if let Some(special) = target.strip_prefix('!') {
            if let Some(l) = label {
                return l;
            }
            let word = special.split('^').next().unwrap_or(special);
            return format!("@{word}");
        }
        label
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| decode_entities(target.strip_prefix("mailto:").unwrap_or(target)))
    }
}

/// Text of a Block Kit block: section and header text, rich-text elements, context elements.
fn block_text(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(t)) = o.get("text")
                && let Some(Value::String(s)) = t.get("text")
            {
                out.push(s.clone());
            } else if o.get("type").and_then(Value::as_str) == Some("text")
                && let Some(Value::String(s)) = o.get("text")
            {
                out.push(s.clone());
            }
            for key in ["elements", "fields"] {
                if let Some(Value::Array(a)) = o.get(key) {
                    for e in a {
                        block_text(e, out);
                    }
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|e| block_text(e, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> (Vec<User>, Vec<(String, Channel)>) {
        let users = serde_json::from_str(
            r#"[{"id":"U1","name":"lena","profile":{"display_name":"","real_name":"Lena Hoffmann"}},
                {"id":"U2","name":"raj","profile":{"display_name":"raj.p","real_name":"Raj Patel"}}]"#,
        )
        .unwrap();
        (users, vec![("inc-checkout".into(), Channel { id: "C9".into(), name: Some("inc-checkout".into()) })])
    }

    #[test]
    fn markup_is_resolved_and_escapes_decoded() {
        let (users, channels) = names();
        let n = Names {
            users: users.iter().map(|u| (u.id.as_str(), u)).collect(),
            channels: channels.iter().map(|(f, c)| (c.id.as_str(), f.as_str())).collect(),
        };
        assert_eq!(
            n.markup("<@U1> &amp; <@U2> see <#C9> and <#C7|ops>, <!here> <https://x.test/a?b=1&amp;c=2|the runbook> <https://y.test>"),
            "@Lena Hoffmann & @raj.p see #inc-checkout and #ops, @here the runbook https://y.test"
        );
        assert_eq!(
            n.markup("p99 &lt; 300ms &gt; `a &amp;&amp; b` <!subteam^S1|@sre-oncall>"),
            "p99 < 300ms > `a && b` @sre-oncall"
        );
        assert_eq!(n.markup("<@U404> unclosed <"), "@U404 unclosed <");
    }

    #[test]
    fn timestamps_keep_microseconds_and_reject_garbage() {
        assert_eq!(parse_ts("1710407645.001200").unwrap().to_string(), "2024-03-14T09:14:05.0012Z");
        assert_eq!(parse_ts("1710407645").unwrap().as_second(), 1710407645);
        assert!(parse_ts("yesterday").is_err());
        assert!(parse_ts("1710407645.12x").is_err());
    }
}
