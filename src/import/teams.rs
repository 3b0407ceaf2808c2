//! Microsoft Graph channel messages → a [`Conversation`].
//!
//! Reads the pages a user saves from Graph Explorer or a script: `GET
//! /teams/{id}/channels/{id}/messages` responses (`value`, `@odata.nextLink`), with replies inline
//! (`$expand=replies`) or as separate `…/messages/{id}/replies` pages. Each `chatMessage` keeps its
//! own `createdDateTime`; page order means nothing.

use super::{ChatMessage, Conversation};
use anyhow::{Context, Result};
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use jiff::Timestamp;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashSet;
use std::path::Path;

/// Reads every page in `files` into one conversation.
pub fn read(files: &[impl AsRef<Path>]) -> Result<Conversation> {
    let mut conversation = Conversation::default();
    let mut seen = HashSet::new();
    for file in files {
        let file = file.as_ref();
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let page: Page =
            serde_json::from_slice(&bytes).map_err(|e| super::slack::json_error(&file.display().to_string(), &e))?;
        let messages = match page {
            Page::Response { value } => value,
            Page::Array(v) => v,
        };
        for m in messages {
            take(m, file, &mut seen, &mut conversation)?;
        }
    }
    Ok(conversation)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Page {
    Response { value: Vec<Message> },
    Array(Vec<Message>),
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Message {
    id: String,
    message_type: Option<String>,
    created_date_time: Option<String>,
    deleted_date_time: Option<String>,
    from: Option<From>,
    body: Option<Body>,
    attachments: Vec<Attachment>,
    replies: Vec<Message>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct From {
    user: Option<Identity>,
    application: Option<Identity>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Identity {
    display_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Body {
    content_type: Option<String>,
    content: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Attachment {
    content_type: Option<String>,
    content: Option<String>,
    name: Option<String>,
}

fn take(m: Message, file: &Path, seen: &mut HashSet<String>, out: &mut Conversation) -> Result<()> {
    let Message { id, message_type, created_date_time, deleted_date_time, from, body, attachments, replies } = m;
    for r in replies {
        take(r, file, seen, out)?;
    }
    match message_type.as_deref() {
        Some("message") | None => {}
        Some("systemEventMessage" | "chatEvent") => {
            out.dropped.add("system events");
            return Ok(());
        }
        Some(_) => {
            out.dropped.add("messages of other types (typing, unknownFutureValue)");
            return Ok(());
        }
    }
    if deleted_date_time.is_some() {
        out.dropped.add("deleted");
        return Ok(());
    }
    // The same message on a page with replies inline and on a reply page is one message.
    if !id.is_empty() && !seen.insert(id.clone()) {
        out.dropped.add("duplicates");
        return Ok(());
    }
    let created =
        created_date_time.with_context(|| format!("{}: message {id:?} has no `createdDateTime`", file.display()))?;
    let at: Timestamp = created.parse().with_context(|| {
        format!("{}: message {id:?}: `createdDateTime` {created:?} is not an RFC 3339 time", file.display())
    })?;
    let (author, bot) = match from.as_ref().map(|f| (&f.user, &f.application)) {
        Some((Some(u), _)) if non_empty(&u.display_name).is_some() => (non_empty(&u.display_name), false),
        Some((_, Some(a))) => (non_empty(&a.display_name), true),
        _ => (None, false),
    };
    let author = author.unwrap_or("unknown").to_string();
    let body = body.unwrap_or_default();
    let mut text = match body.content_type.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("text") => body.content.unwrap_or_default().trim().to_string(),
        _ => html_to_text(body.content.as_deref().unwrap_or("")),
    };
    if text.is_empty() {
        text = attachments_text(&attachments);
    }
    if text.is_empty() {
        out.dropped.add("empty");
        return Ok(());
    }
    out.messages.push(ChatMessage { at, author, text, bot });
    Ok(())
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Text of attachments when the body has none: a card's title and text, a file's name.
fn attachments_text(attachments: &[Attachment]) -> String {
    let mut parts = Vec::new();
    for a in attachments {
        let card = a.content_type.as_deref().is_some_and(|t| t.contains("card"));
        if card && let Some(v) = a.content.as_deref().and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()) {
            card_text(&v, &mut parts);
        } else if let Some(n) = non_empty(&a.name) {
            parts.push(format!("(shared {n})"));
        }
    }
    parts.join("\n")
}

/// `title`, `subtitle` and `text` values of an Adaptive or hero card, in order.
fn card_text(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("title" | "subtitle" | "text", Value::String(s)) if !s.trim().is_empty() => {
                        out.push(s.trim().into())
                    }
                    _ => card_text(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|e| card_text(e, out)),
        _ => {}
    }
}

/// The text of a Teams HTML body: paragraphs and `<br>` as line breaks, `<at>` mentions as
/// `@Name`, links as their label, `<code>` and `<pre>` as Markdown code, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(html.into());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    let mut lines: Vec<&str> = state.out.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    // At most one blank line in a row.
    let mut text = String::new();
    let mut blank = false;
    for l in &lines[start..] {
        if l.trim().is_empty() {
            blank = true;
            continue;
        }
        if !text.is_empty() {
            text.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        text.push_str(l);
    }
    text
}

#[derive(Default)]
struct TextSink {
    state: RefCell<TextState>,
}

#[derive(Default)]
struct TextState {
    out: String,
    pre: bool,
    mention: bool,
    skip: usize,
}

impl TextState {
    fn newline(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }
    fn text(&mut self, s: &str) {
        if self.skip > 0 {
            return;
        }
        if self.pre {
            self.out.push_str(s);
            return;
        }
        let s = s.replace('\u{a0}', " ");
        for (i, w) in s.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            let at_start = self.out.is_empty() || self.out.ends_with(['\n', ' ']);
            if i > 0 && !at_start {
                self.out.push(' ');
            }
            self.out.push_str(w);
        }
    }
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut s = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(t) => s.text(&t),
            Token::TagToken(tag) => {
                let start = tag.kind == TagKind::StartTag;
                match &*tag.name {
                    "br" => s.out.push('\n'),
                    "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "blockquote" => {
                        s.newline();
                        if start && &*tag.name == "li" {
                            s.out.push_str("- ");
                        }
                    }
                    "pre" => {
                        s.newline();
                        s.out.push_str("```\n");
                        s.pre = start;
                    }
                    "code" if !s.pre => s.out.push('`'),
                    "at" => {
                        if start {
                            s.text("@");
                            s.mention = true;
                        } else {
                            s.mention = false;
                        }
                    }
                    "emoji" if start => {
                        if let Some(a) = tag.attrs.iter().find(|a| &*a.name.local == "alt") {
                            let alt = a.value.to_string();
                            s.text(&alt);
                        }
                    }
                    "script" | "style" | "attachment" | "systemeventmessage" => {
                        if start && !tag.self_closing {
                            s.skip += 1;
                        } else if !start {
                            s.skip = s.skip.saturating_sub(1);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_become_plain_text() {
        assert_eq!(
            html_to_text(
                "<p>Thanks <at id=\"0\">Lena Hoffmann</at>, see <a href=\"https://x.test\">the runbook</a> &amp; \
                 <code>kubectl get pods</code></p><p>p99&nbsp;&lt; 300ms<br>second line</p>"
            ),
            "Thanks @Lena Hoffmann, see the runbook & `kubectl get pods`\np99 < 300ms\nsecond line"
        );
        assert_eq!(html_to_text("<div>a</div><pre>x = 1\ny = 2</pre>"), "a\n```\nx = 1\ny = 2\n```");
        assert_eq!(html_to_text("<attachment id=\"abc\"></attachment>"), "");
        assert_eq!(html_to_text("<div><emoji alt=\"👍\" id=\"yes\"></emoji> done</div>"), "👍 done");
    }
}
