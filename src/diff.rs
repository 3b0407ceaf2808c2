//! What a change does to the book: two [`Book`]s compared, as Markdown for a pull-request comment.
//! Pure: the books come from wherever (git trees in `cmd::diff`, memory in tests).

use crate::diagnostic::{Diagnostic, Level};
use crate::model::{Action, Book, Retro};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A retro as the comment names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RetroRef {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) path: String,
}

/// A factor of a new or changed retro, and the incidents of the base book that cite it too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FactorNote {
    pub(crate) id: String,
    /// Base-book retros citing the factor (not counting the retro itself), oldest first.
    pub(crate) seen_before: Vec<RetroRef>,
}

/// What happened to an action between the two books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ActionChange {
    Added,
    Closed,
    Reopened,
}

/// One action that was added, closed or reopened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionNote {
    pub(crate) change: ActionChange,
    pub(crate) retro: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) owner: Option<String>,
    pub(crate) status: &'static str,
}

/// The comparison of two books.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BookDiff {
    pub(crate) added: Vec<RetroRef>,
    pub(crate) changed: Vec<RetroRef>,
    pub(crate) removed: Vec<RetroRef>,
    /// New or changed retro id → its factors.
    pub(crate) factors: Vec<(RetroRef, Vec<FactorNote>)>,
    pub(crate) actions: Vec<ActionNote>,
    /// Check problems (errors and warnings) in the new and changed retros.
    pub(crate) problems: Vec<Diagnostic>,
    /// Writing suggestions (`note` level, e.g. completeness) in those retros: counted, not listed,
    /// so that the comment stays short.
    pub(crate) suggestions: usize,
}

fn rref(r: &Retro) -> RetroRef {
    RetroRef { id: r.id.clone(), title: r.title.clone(), path: r.path.clone() }
}

/// Compares `base` with `head`. Retros are matched by id; a retro changed when its bytes or its
/// path did. `diagnostics` are `check`'s findings on `head`; those of touched retros are kept.
pub fn diff(base: &Book, head: &Book, diagnostics: &[Diagnostic]) -> BookDiff {
    let base_by_id: BTreeMap<&str, &Retro> = base.retros.iter().map(|r| (r.id.as_str(), r)).collect();
    let head_by_id: BTreeMap<&str, &Retro> = head.retros.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut d = BookDiff::default();
    let mut touched: Vec<&Retro> = Vec::new();
    for (id, r) in &head_by_id {
        match base_by_id.get(id) {
            None => {
                d.added.push(rref(r));
                touched.push(r);
            }
            Some(b) if b.hash != r.hash || b.path != r.path => {
                d.changed.push(rref(r));
                touched.push(r);
            }
            Some(_) => {}
        }
    }
    d.removed = base_by_id.iter().filter(|(id, _)| !head_by_id.contains_key(*id)).map(|(_, r)| rref(r)).collect();
    for r in &touched {
        let mut ids: Vec<&str> = r.factors.iter().map(|f| f.id.as_str()).collect();
        ids.dedup();
        let mut seen_ids = BTreeSet::new();
        let notes = ids
            .into_iter()
            .filter(|id| seen_ids.insert(*id))
            .map(|fid| FactorNote {
                id: fid.to_string(),
                seen_before: base
                    .retros
                    .iter()
                    .filter(|b| b.id != r.id && b.factors.iter().any(|f| f.id == fid))
                    .map(rref)
                    .collect(),
            })
            .collect::<Vec<_>>();
        if !notes.is_empty() {
            d.factors.push((rref(r), notes));
        }
        let before: BTreeMap<&str, &Action> = base_by_id
            .get(r.id.as_str())
            .map(|b| b.actions.iter().map(|a| (a.id.as_str(), a)).collect())
            .unwrap_or_default();
        for a in &r.actions {
            let change = match before.get(a.id.as_str()) {
                None => Some(ActionChange::Added),
                Some(b) if b.status.is_open() && !a.status.is_open() => Some(ActionChange::Closed),
                Some(b) if !b.status.is_open() && a.status.is_open() => Some(ActionChange::Reopened),
                Some(_) => None,
            };
            if let Some(change) = change {
                d.actions.push(ActionNote {
                    change,
                    retro: r.id.clone(),
                    id: a.id.clone(),
                    title: a.title.clone(),
                    owner: a.owner.clone(),
                    status: a.status.as_str(),
                });
            }
        }
    }
    d.actions.sort_by(|a, b| (a.change, &a.retro, &a.id).cmp(&(b.change, &b.retro, &b.id)));
    let paths: BTreeSet<&str> = touched.iter().map(|r| r.path.as_str()).collect();
    let touched = diagnostics.iter().filter(|x| paths.contains(x.file.as_str()));
    d.suggestions = touched.clone().filter(|x| x.level == Level::Note).count();
    d.problems = touched.filter(|x| x.level != Level::Note).cloned().collect();
    crate::diagnostic::sort(&mut d.problems);
    d
}

/// Escapes text for inline Markdown (titles come from retros). An `@` gets a word joiner after it,
/// so that `@team` in a retro does not notify anyone when the comment is posted.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~') {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
        if c == '@' {
            out.push('\u{2060}');
        }
    }
    out
}

/// `s` as a code span: the fence is one backtick longer than the longest run inside, and a space
/// pads a value that starts or ends with a backtick. A code span cannot mention anyone.
fn code(s: &str) -> String {
    let s = s.replace('\n', " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders the comparison as Markdown. `site_url` makes retro and factor names links when it is
/// an absolute URL (`https://…`).
pub fn to_markdown(d: &BookDiff, site_url: &str) -> String {
    let base = (site_url.starts_with("https://") || site_url.starts_with("http://"))
        .then(|| format!("{}/", site_url.trim_end_matches('/')));
    let retro_link = |r: &RetroRef| match &base {
        Some(b) => format!("[{}]({b}retros/{}/)", md(&r.title), r.id),
        None => md(&r.title),
    };
    let factor_link = |id: &str| match &base {
        Some(b) => format!("[{}]({b}factors/{}/)", code(id), crate::render::format::segment(id)),
        None => code(id),
    };
    let mut out = String::from("### retrobook\n\n");
    if d.added.is_empty() && d.changed.is_empty() && d.removed.is_empty() {
        out.push_str("No retro changed.\n");
        return out;
    }
    let count = |n: usize, what: &str| if n == 1 { format!("1 retro {what}") } else { format!("{n} retros {what}") };
    let mut head = Vec::new();
    for (n, what) in [(d.added.len(), "added"), (d.changed.len(), "changed"), (d.removed.len(), "removed")] {
        if n > 0 {
            head.push(count(n, what));
        }
    }
    let _ = writeln!(out, "{}.\n", head.join(", "));
    for (title, list) in [("Added", &d.added), ("Changed", &d.changed), ("Removed", &d.removed)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{title}**\n");
        for r in list {
            let name = if title == "Removed" { md(&r.title) } else { retro_link(r) };
            let _ = writeln!(out, "- {name} ({})", code(&r.path));
        }
        out.push('\n');
    }
    if !d.factors.is_empty() {
        out.push_str("**Contributing factors**\n\n");
        for (r, notes) in &d.factors {
            let _ = writeln!(out, "- {}:", md(&r.title));
            for f in notes {
                if f.seen_before.is_empty() {
                    let _ = writeln!(out, "  - {}: new to the book", factor_link(&f.id));
                } else {
                    let n = f.seen_before.len();
                    let list: Vec<String> = f.seen_before.iter().map(&retro_link).collect();
                    let _ = writeln!(
                        out,
                        "  - {}: **recurring**, seen before in {n} {}: {}",
                        factor_link(&f.id),
                        if n == 1 { "incident" } else { "incidents" },
                        list.join(", ")
                    );
                }
            }
        }
        out.push('\n');
    }
    if !d.actions.is_empty() {
        out.push_str("**Actions**\n\n");
        for a in &d.actions {
            let what = match a.change {
                ActionChange::Added => "added",
                ActionChange::Closed => "closed",
                ActionChange::Reopened => "reopened",
            };
            let owner = a.owner.as_deref().map(|o| format!(", owner {}", md(o))).unwrap_or_default();
            let _ = writeln!(
                out,
                "- {what}: {} {} ({}{owner})",
                code(&format!("{}#{}", a.retro, a.id)),
                md(&a.title),
                a.status
            );
        }
        out.push('\n');
    }
    if !d.problems.is_empty() {
        let errors = d.problems.iter().filter(|p| p.level == Level::Error).count();
        let _ = writeln!(
            out,
            "**Check**: {}, {} in the changed retros\n",
            plural(errors, "error", "errors"),
            plural(d.problems.len() - errors, "warning", "warnings")
        );
        for p in &d.problems {
            let _ = writeln!(
                out,
                "- {} {} {}: {}",
                p.level.as_str(),
                code(&format!("{}:{}:{}", p.file, p.line, p.column)),
                p.rule,
                md(&p.message)
            );
        }
        out.push('\n');
    }
    if d.suggestions > 0 {
        let _ = writeln!(
            out,
            "{} for the changed retros (missing elements, wording): run `retrobook check` to see them.\n",
            plural(d.suggestions, "writing suggestion", "writing suggestions")
        );
    }
    out
}
