//! Rules for the stakeholder message of retros with `external: true`: it goes to customers
//! as it is written (see `build --audience external`), so it must exist, be real text, state
//! whether data was lost, and name no people and no internal systems.

use super::prose::{blank_comments, find_word, people, pos_at};
use crate::diagnostic::{Diagnostic, Pos, rules};
use crate::model::{Book, Retro, SectionKind};
use regex::Regex;
use std::sync::LazyLock;

/// A message longer than this many words gets a plain-language hint.
pub(super) const MAX_WORDS: usize = 200;

/// A message using this many different jargon terms gets a plain-language hint.
pub(super) const MAX_JARGON: usize = 3;

/// Words customers rarely know; each with a plainer way to say it.
pub(super) const JARGON: &[(&str, &str)] = &[
    ("api", "the connection our apps use"),
    ("backend", "our systems"),
    ("cache", "stored copy"),
    ("cluster", "group of servers"),
    ("config", "settings"),
    ("configuration", "settings"),
    ("cpu", "computing capacity"),
    ("database", "where we keep your data"),
    ("deploy", "release"),
    ("deployment", "release"),
    ("dns", "the address lookup"),
    ("endpoint", "service"),
    ("failover", "switch to a backup"),
    ("hotfix", "quick fix"),
    ("idempotency", "protection against repeated requests"),
    ("kubernetes", "our hosting platform"),
    ("latency", "slowness"),
    ("load balancer", "traffic distribution"),
    ("microservice", "part of our system"),
    ("on-call", "our engineers"),
    ("p99", "the slowest requests"),
    ("pod", "server"),
    ("postmortem", "review"),
    ("queue", "waiting list"),
    ("replica", "backup copy"),
    ("rollback", "undoing the change"),
    ("runbook", "procedure"),
    ("schema", "data structure"),
    ("shard", "part of the data"),
    ("slo", "our reliability target"),
    ("throughput", "how much we could process"),
    ("timeout", "waiting too long"),
    ("tls", "secure connection"),
    ("upstream", "a provider we rely on"),
    ("5xx", "errors"),
];

static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b").unwrap());
static HOST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+\b").unwrap());
static TICKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b").unwrap());
static DATA_LOSS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:data|information|details|orders?|records?)\b[^.]{0,60}\b(?:lost|loss|exposed|intact|safe|deleted)\b|\bno data\b|\bdata loss\b").unwrap()
});

/// Labels that make a dotted name an internal host rather than a public web address.
const INTERNAL_LABELS: &[&str] = &[
    "internal",
    "local",
    "lan",
    "corp",
    "intra",
    "intranet",
    "prod",
    "production",
    "staging",
    "stg",
    "svc",
    "cluster",
];

/// Whether a dotted name (`db-3.prod.internal`) is an internal host name.
fn internal_host(name: &str) -> bool {
    let labels: Vec<String> = name.split('.').map(str::to_ascii_lowercase).collect();
    if labels.len() < 2 || labels.iter().all(|l| l.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    let numbered = |l: &str| {
        let t = l.trim_end_matches(|c: char| c.is_ascii_digit());
        t.len() < l.len() && t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
    };
    labels.iter().any(|l| INTERNAL_LABELS.contains(&l.as_str())) || numbered(&labels[0])
}

/// The stakeholder-message rules for one retro (only `external: true` retros are checked).
pub(super) fn check(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    if !r.external {
        return;
    }
    let Some(s) = crate::analyze::stakeholder_message(r) else {
        if let Some(alias) = r.section(SectionKind::StakeholderMessage) {
            out.push(Diagnostic::warning(
                &r.path,
                Pos::new(alias.line, 1),
                rules::STAKEHOLDER_ALIAS,
                format!(
                    "this retro is `external: true`, but `{}` is not published on the external site: only a section \
                     headed `## Stakeholder message` is; rename the heading if this section is written for customers, \
                     or add a `## Stakeholder message`",
                    alias.heading
                ),
            ));
            return;
        }
        out.push(Diagnostic::warning(
            &r.path,
            r.id_pos,
            rules::STAKEHOLDER_MISSING,
            "this retro is `external: true` but has no `## Stakeholder message` section; add one in plain words for \
             customers: what they experienced and for how long, whether any data was lost, and what changes now",
        ));
        return;
    };
    let heading = Pos::new(s.line, 1);
    if crate::analyze::completeness::is_template_text(SectionKind::StakeholderMessage, s) {
        out.push(Diagnostic::warning(
            &r.path,
            heading,
            rules::STAKEHOLDER_TEMPLATE,
            "the stakeholder message still holds only the template's guidance; replace it with the message itself: \
             what customers experienced and for how long, whether data was lost, and what changes now",
        ));
        return;
    }
    let text = blank_comments(&s.markdown);
    if r.impact.data_loss.is_none() && !DATA_LOSS.is_match(&text) {
        out.push(Diagnostic::error(
            &r.path,
            heading,
            rules::STAKEHOLDER_DATA_LOSS,
            "an external retro must say whether data was lost: add `data-loss: false` (or `true`) under `impact:`, \
             or a sentence such as \"No customer data was lost.\" to the stakeholder message",
        ));
    }
    for f in findings(r, book, &text, true) {
        out.push(Diagnostic::error(&r.path, pos_at(s, f.at), f.rule, f.message("the stakeholder message")));
    }
    // The other values the external site shows as they are written.
    let mut fields: Vec<(String, &str, Pos)> = vec![("the title".into(), r.title.as_str(), r.id_pos)];
    if let Some(users) = &r.impact.users {
        fields.push(("`impact.users`".into(), users, r.id_pos));
    }
    for a in r.actions.iter().filter(|a| a.status != crate::model::ActionStatus::WontDo) {
        fields.push((format!("the title of action `{}`", a.id), &a.title, a.pos));
    }
    for (what, value, pos) in fields {
        for f in findings(r, book, value, false) {
            out.push(Diagnostic::error(
                &r.path,
                pos,
                f.rule,
                f.message(&format!("{what}, shown on the external site,")),
            ));
        }
    }
    plain_language(r, s, &text, out);
}

/// A personal name or an internal identifier found in a text customers will read.
struct Finding {
    at: usize,
    rule: &'static str,
    what: String,
    /// `None` for a name; else the kind of identifier ("an IP address").
    kind: Option<&'static str>,
}

impl Finding {
    fn message(&self, place: &str) -> String {
        match self.kind {
            None => format!(
                "{place} names `{}`, who is on this retro's team; customers need what happened, not who: write \
                 \"our engineers\" or \"we\"",
                self.what
            ),
            Some(kind) => format!(
                "{place} contains `{}`, {kind}; customers cannot use it and it exposes our internals: describe the \
                 effect in plain words (\"our payment system\", \"a settings change\")",
                self.what
            ),
        }
    }
}

/// Names of the retro's people, IP addresses, internal host names, ticket keys and factor ids
/// in `text`, by offset. Without `handles`, only personal names count (with a capital letter),
/// not lower-case handles such as `platform-team`, which action titles name legitimately.
fn findings(r: &Retro, book: &Book, text: &str, handles: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    // Longest names first: "Ana Ruiz" is reported once, not again as "Ana" and "Ruiz".
    let mut covered: Vec<std::ops::Range<usize>> = Vec::new();
    for name in people(r).into_iter().filter(|n| handles || n.chars().any(char::is_uppercase)) {
        for at in find_word(text, &name) {
            if covered.iter().any(|c| c.contains(&at)) {
                continue;
            }
            covered.push(at..at + name.len());
            out.push(Finding { at, rule: rules::STAKEHOLDER_NAME, what: name.clone(), kind: None });
        }
    }
    let mut internal: Vec<(usize, String, &'static str)> = Vec::new();
    for m in IPV4.find_iter(text) {
        internal.push((m.start(), m.as_str().to_string(), "an IP address"));
    }
    for m in HOST.find_iter(text) {
        if internal_host(m.as_str()) && !IPV4.is_match(m.as_str()) {
            internal.push((m.start(), m.as_str().to_string(), "an internal host name"));
        }
    }
    for m in TICKET.find_iter(text) {
        internal.push((m.start(), m.as_str().to_string(), "a ticket key"));
    }
    let mut factor_ids: Vec<&str> = r
        .factors
        .iter()
        .flat_map(|f| [f.id.as_str(), f.written_id.as_str()])
        .chain(book.config.factors.keys().map(String::as_str))
        .filter(|id| id.contains('-'))
        .collect();
    factor_ids.sort_unstable();
    factor_ids.dedup();
    for id in factor_ids {
        for at in find_word(text, id) {
            internal.push((at, id.to_string(), "a contributing-factor id"));
        }
    }
    internal.sort();
    internal.dedup_by(|a, b| a.0 == b.0);
    out.extend(internal.into_iter().map(|(at, what, kind)| Finding {
        at,
        rule: rules::STAKEHOLDER_INTERNAL_ID,
        what,
        kind: Some(kind),
    }));
    out.sort_by_key(|f| f.at);
    out
}

/// A hint, not an error: a long message or one full of jargon loses its readers.
fn plain_language(r: &Retro, s: &crate::model::Section, text: &str, out: &mut Vec<Diagnostic>) {
    let plain = crate::text::plain_text(text);
    let words = plain.split_whitespace().count();
    let mut used: Vec<(usize, &str, &str)> = Vec::new();
    for (term, instead) in JARGON {
        if let Some(at) = find_word(text, term).first() {
            used.push((*at, term, instead));
        }
    }
    used.sort();
    if used.len() >= MAX_JARGON {
        let list: Vec<String> = used.iter().map(|(_, t, i)| format!("`{t}` → \"{i}\"")).collect();
        out.push(Diagnostic::note(
            &r.path,
            pos_at(s, used[0].0),
            rules::STAKEHOLDER_PLAIN_LANGUAGE,
            format!(
                "the stakeholder message uses {} technical terms; customers read it, so say it plainly: {}",
                used.len(),
                list.join(", ")
            ),
        ));
    } else if words > MAX_WORDS {
        out.push(Diagnostic::note(
            &r.path,
            Pos::new(s.line, 1),
            rules::STAKEHOLDER_PLAIN_LANGUAGE,
            format!(
                "the stakeholder message has {words} words; keep it under {MAX_WORDS}: what customers experienced, \
                 for how long, whether data was lost, and what changes — the details belong in the narrative"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn internal_hosts() {
        use super::internal_host;
        assert!(internal_host("db-3.prod.internal"));
        assert!(internal_host("api.svc.cluster.local"));
        assert!(internal_host("web12.example.com"));
        assert!(!internal_host("example.com"));
        assert!(!internal_host("hearthbasket.example"));
        assert!(!internal_host("1.2"));
    }
}
