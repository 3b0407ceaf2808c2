//! Blameless-language rules over the prose of every section (not code, not block quotes, not
//! inline code, not HTML comments). Level from `[lint] blameless = off|warn|error`. A line is
//! silenced by `<!-- retrobook-allow blameless: <reason> -->` on it or on the line before; the
//! reason is required.

use super::prose::{find_word, people, pos_at, prose_ranges};
use crate::config::LintLevel;
use crate::diagnostic::{Diagnostic, Level, rules};
use crate::model::{Book, Retro, Section};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// One rule: an id, what it matches, and a message explaining why and what to write instead.
struct Rule {
    id: &'static str,
    re: Regex,
    message: &'static str,
}

/// Words for people as the subject of "failed to" (a system that failed to start is fine).
const PERSON_WORDS: &str = "he|she|they|we|i|you|someone|somebody|nobody|engineers?|operators?|developers?|on-call|oncall|admins?|sres?|staff|team|teams|person|user|reviewers?|author";

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |id, re: &str, message| Rule { id, re: Regex::new(re).unwrap(), message };
    vec![
        rule(
            rules::BLAMELESS_HUMAN_ERROR,
            r"(?i)\b(?:human|operator|user) errors?\b",
            "\"human error\" ends the inquiry where it should start; describe what made the action reasonable at the \
             time and which safeguard was missing, e.g. \"the command ran against production because the prompt did \
             not show the environment\"",
        ),
        rule(
            rules::BLAMELESS_SHOULD_HAVE,
            r"(?i)\b[\w'-]+\s+(?:should(?:\s+not|n't)?\s+have|should've)\b",
            "\"should have\" judges with hindsight; describe what was known and what the system showed at the time, \
             and what would have made the other choice the obvious one, e.g. \"the alert did not say which region, \
             so the rollback targeted EU first\"",
        ),
        rule(
            rules::BLAMELESS_FAILED_TO,
            &format!(r"(?i)\b(?:{PERSON_WORDS})\s+failed\s+to\b"),
            "\"failed to\" about people frames a condition as a personal failing; say what happened and why it made \
             sense then, e.g. \"the handoff note did not mention the restart\" instead of \"the engineer failed to \
             mention it\"",
        ),
        rule(
            rules::BLAMELESS_CARELESS,
            r"(?i)\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|sloppiness|lazy|incompeten(?:t|ce))\b",
            "judging people's care or competence teaches nothing; describe the conditions (time pressure, missing \
             information, a tool that made the wrong step easy) and the safeguard that was missing",
        ),
        rule(
            rules::BLAMELESS_FAULT,
            r"(?i)\b(?:at\s+fault|fault\s+(?:of|lies|was)|(?:his|her|their|my|our|your|[\w-]+'s)\s+fault)\b",
            "looking for whose fault it was stops the search for conditions; name the contributing factors instead: \
             what in the system, the process or the information let this happen",
        ),
        rule(
            rules::BLAMELESS_BLAME,
            r"(?i)\b(?:blame[ds]?|blaming|to\s+blame)\b",
            "assigning blame makes people hide what they know next time; describe the conditions, information and \
             safeguards that shaped the decision",
        ),
    ]
});

/// Verbs that make a named person the subject of a failure.
const FAILURE_VERBS: &str = r"^\s+(?:(?:had|has|have|was|were|just|also|then|again)\s+)?(?:failed\s+to|forgot|neglected|ignored|overlooked|missed|messed\s+up|screwed\s+up|did\s+not|didn't|should\s+have|should've|broke|caused|mistakenly|wrongly|accidentally)\b";

static FAILURE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("(?i){FAILURE_VERBS}")).unwrap());

/// Any rule's words, or a failure verb: most prose has none, and then it is not parsed at all.
static QUICK: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = FAILURE_VERBS.trim_start_matches(r"^\s+");
    let mut parts: Vec<String> =
        RULES.iter().map(|r| format!("(?:{})", r.re.as_str().trim_start_matches("(?i)"))).collect();
    parts.push(verbs.to_string());
    Regex::new(&format!("(?i){}", parts.join("|"))).unwrap()
});

/// The blameless rules for one retro.
pub(super) fn check(r: &Retro, book: &Book, out: &mut Vec<Diagnostic>) {
    let level = match book.config.lint.blameless {
        LintLevel::Off => return,
        LintLevel::Warn => Level::Warning,
        LintLevel::Error => Level::Error,
    };
    let names = people(r);
    for s in r.sections.iter().filter(|s| !s.bold_label) {
        let allowed = allowed_lines(r, s, out);
        if !QUICK.is_match(&s.markdown) {
            continue;
        }
        let mut found: Vec<(usize, &'static str, String)> = Vec::new();
        // Every finding holds a match of QUICK in the same text: pieces without one are skipped.
        for range in prose_ranges(&s.markdown).into_iter().filter(|r| QUICK.is_match(&s.markdown[r.clone()])) {
            for (at, id, message) in findings(&s.markdown[range.clone()], &names) {
                found.push((range.start + at, id, message));
            }
        }
        found.sort();
        for (at, id, message) in found {
            let pos = pos_at(s, at);
            if allowed.contains(&pos.line) {
                continue;
            }
            out.push(Diagnostic::new(&r.path, pos, id, level, message));
        }
    }
    // The prose of the front matter: factor summaries and whys, action whys. Their values carry
    // no positions of their own, so these point at the factor or the action.
    for f in &r.factors {
        let prose = f.summary.iter().map(|t| ("summary", t)).chain(f.whys.iter().map(|t| ("whys", t)));
        for (what, text) in prose.filter(|(_, t)| QUICK.is_match(t)) {
            for (_, id, message) in findings(text, &names) {
                out.push(Diagnostic::new(
                    &r.path,
                    f.pos,
                    id,
                    level,
                    format!("in the {what} of factor `{}`: {message}", f.id),
                ));
            }
        }
    }
    for a in &r.actions {
        for (_, id, message) in a.why.iter().filter(|t| QUICK.is_match(t)).flat_map(|t| findings(t, &names)) {
            out.push(Diagnostic::new(&r.path, a.pos, id, level, format!("in the why of action `{}`: {message}", a.id)));
        }
    }
}

/// Every blameless finding in one piece of prose: (byte offset, rule id, message).
fn findings(text: &str, names: &[String]) -> Vec<(usize, &'static str, String)> {
    let mut found = Vec::new();
    // Longest names first, so "Ana Ruiz forgot" is reported once, not again as "Ruiz".
    let mut named: Vec<std::ops::Range<usize>> = Vec::new();
    for name in names {
        for at in find_word(text, name) {
            if named.iter().any(|n| n.contains(&at)) {
                continue;
            }
            let after = &text[at + name.len()..];
            if let Some(m) = FAILURE.find(after) {
                named.push(at..at + name.len());
                found.push((
                    at,
                    rules::BLAMELESS_PERSON,
                    format!(
                        "`{name}` is the subject of \"{}\"; a person's name next to a failure makes the retro about \
                         them; write what the situation looked like to them and which condition, information or \
                         safeguard was missing",
                        m.as_str().trim()
                    ),
                ));
            }
        }
    }
    for rule in RULES.iter() {
        for m in rule.re.find_iter(text) {
            // "Ana should have" is reported once, as a person's name next to a failure.
            if rule.id == rules::BLAMELESS_SHOULD_HAVE && named.iter().any(|n| n.contains(&m.start())) {
                continue;
            }
            found.push((m.start(), rule.id, format!("\"{}\": {}", m.as_str(), rule.message)));
        }
    }
    found
}

/// File lines silenced by `<!-- retrobook-allow blameless: reason -->` (its own line and the
/// next). A marker without a reason silences nothing and is reported.
fn allowed_lines(r: &Retro, s: &Section, out: &mut Vec<Diagnostic>) -> BTreeSet<u32> {
    const MARK: &str = "retrobook-allow blameless";
    let mut lines = BTreeSet::new();
    if !s.markdown.contains(MARK) {
        return lines;
    }
    let mut offset = 0;
    for line in s.markdown.split_inclusive('\n') {
        if let Some(i) = line.find(MARK) {
            let rest = &line[i + MARK.len()..];
            let reason = rest.split("-->").next().unwrap_or("").trim().trim_start_matches(':').trim();
            let pos = pos_at(s, offset + i);
            if reason.is_empty() {
                out.push(Diagnostic::warning(
                    &r.path,
                    pos,
                    rules::BLAMELESS_ALLOW_REASON,
                    "`retrobook-allow blameless` needs a reason, e.g. `<!-- retrobook-allow blameless: quoting the \
                     customer's words -->`; without one the line is still checked",
                ));
            } else {
                lines.insert(pos.line);
                lines.insert(pos.line + 1);
            }
        }
        offset += line.len();
    }
    lines
}
