//! Search records: one per retro, its readable text (never the raw front matter), with the
//! filters and sort key the search page offers. Sharded by year.

use crate::model::{Book, Retro};
use crate::search::{RecordSource, SearchRecord};
use crate::text::plain_text;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The search records of every retro, each made only when the search index asks for it (see
/// [`RecordSource`]).
pub(crate) struct Records<'a>(pub &'a Book);

impl RecordSource for Records<'_> {
    fn len(&self) -> usize {
        self.0.retros.len()
    }
    fn place(&self, i: usize) -> (Cow<'_, str>, Cow<'_, str>) {
        let r = &self.0.retros[i];
        (super::context::retro_url(&r.id).into(), shard(r).into())
    }
    fn record(&self, i: usize) -> SearchRecord {
        record(self.0, &self.0.retros[i])
    }
}

/// A retro's shard: its year.
fn shard(r: &Retro) -> String {
    r.date.map(|d| d.year().to_string()).unwrap_or_else(|| "undated".into())
}

fn record(book: &Book, r: &Retro) -> SearchRecord {
    let mut content =
        String::with_capacity(r.preamble.len() + r.sections.iter().map(|s| s.markdown.len()).sum::<usize>());
    let mut push = |s: &str| {
        let s = s.trim();
        if !s.is_empty() {
            content.push_str(s);
            content.push('\n');
        }
    };
    push(r.summary.as_deref().unwrap_or(""));
    push(r.impact.users.as_deref().unwrap_or(""));
    push(&plain_text(&r.preamble));
    for s in r.sections.iter().filter(|s| !s.bold_label) {
        push(&s.heading);
        push(&plain_text(&s.markdown));
    }
    // Factors and actions come from the front matter; their text is often in the sections already
    // (a factor's summary under "Contributing factors", an action's title in the follow-up list).
    // Indexing it twice (or a reason shared by two actions twice) only makes the index and the
    // excerpt text larger; every word of it is still indexed.
    let mut push_new = |s: &str| {
        let s = s.trim();
        if !s.is_empty() && !content.contains(s) {
            content.push_str(s);
            content.push('\n');
        }
    };
    for f in &r.factors {
        push_new(f.summary.as_deref().unwrap_or(""));
        for w in &f.whys {
            push_new(w);
        }
    }
    for a in &r.actions {
        push_new(&a.title);
        push_new(a.why.as_deref().unwrap_or(""));
    }
    let year = shard(r);
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut put = |k: &str, v: Vec<String>| {
        let v: Vec<String> = v.into_iter().filter(|x| !x.trim().is_empty()).collect();
        if !v.is_empty() {
            filters.insert(k.to_string(), v);
        }
    };
    put("severity", r.severity.clone().into_iter().collect());
    put("status", vec![r.status.as_str().to_string()]);
    put("service", r.services.clone());
    put("team", r.teams.clone());
    put("tag", r.tags.clone());
    let mut factors: Vec<String> = r.factors.iter().map(|f| f.id.clone()).collect();
    factors.sort();
    factors.dedup();
    put("factor", factors);
    put("year", vec![year.clone()]);
    let date = r.date.map(|d| d.to_string()).unwrap_or_default();
    let mut meta = BTreeMap::new();
    meta.insert("date".to_string(), date.clone());
    meta.insert("severity".to_string(), r.severity.clone().unwrap_or_default());
    // Severity names are configurable, so the page's badge class travels with the record.
    meta.insert("severity_class".to_string(), super::context::severity_class(book, r.severity.as_deref()));
    meta.insert("summary".to_string(), r.summary.clone().unwrap_or_default());
    SearchRecord {
        url: super::context::retro_url(&r.id),
        title: r.title.clone(),
        content,
        language: book.config.book.language.clone(),
        filters,
        sort: BTreeMap::from([("date".to_string(), date)]),
        meta,
        shard: year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const TEXT: &str = "---\nid: r\ntitle: Queue stall\ndate: 2026-03-14\nseverity: SEV2\n\
        summary: Jobs stalled.\n\
        factors:\n  - id: pool\n    category: technology\n    summary: The pool was too small.\n\
        \x20   whys: [Nobody tuned it since launch.]\n\
        actions:\n  - id: A1\n    title: Raise the pool size\n    owner: sre\n    why: Fixes the cause.\n\
        \x20 - id: A2\n    title: Alert on pool saturation\n    owner: sre\n    why: Fixes the cause.\n---\n\n\
        ## Contributing factors\n\n**pool** (technology). The pool was too small.\n\n\
        ## Follow-up actions\n\n- [ ] A1: Raise the pool size (sre)\n";

    #[test]
    fn front_matter_text_already_in_the_sections_is_indexed_once() {
        let config = Config::parse("[retros]\ntimezone = \"UTC\"\n").unwrap();
        let (retros, _) = crate::load::load_retro(TEXT.as_bytes(), "r.md", std::path::Path::new("r.md"), &config);
        let book = Book { root: ".".into(), config, retros, history: Default::default(), trackers: Default::default() };
        let content = record(&book, &book.retros[0]).content;
        let count = |s: &str| content.matches(s).count();
        assert_eq!(count("The pool was too small."), 1, "{content}");
        assert_eq!(count("Raise the pool size"), 1, "{content}");
        assert_eq!(count("Fixes the cause."), 1, "{content}");
        // What the sections do not say is still indexed.
        assert_eq!(count("Nobody tuned it since launch."), 1, "{content}");
        assert_eq!(count("Alert on pool saturation"), 1, "{content}");
    }
}
