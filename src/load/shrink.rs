//! Loading grows a retro's lists by pushing (a `Vec` doubles its room as it fills) and the book
//! keeps every retro for the whole run: at 100k retros the spare room alone was ~0.2 GB. The
//! loader gives it back once a retro is complete (docs/benchmarks.md, "Changes in issue 19").

use crate::model::{Monitoring, Retro, Spanned};

/// Gives back the spare capacity of every list and text of a loaded retro.
pub(crate) fn retro(r: &mut Retro) {
    for s in [&mut r.id, &mut r.path, &mut r.title, &mut r.preamble] {
        s.shrink_to_fit();
    }
    r.abs_path.shrink_to_fit();
    for s in [&mut r.severity, &mut r.summary, &mut r.impact.users] {
        shrink_opt(s);
    }
    if let Some(slo) = &mut r.impact.slo {
        shrink_opt(&mut slo.name);
    }
    for list in [&mut r.services, &mut r.teams, &mut r.tags, &mut r.authors, &mut r.reviewers] {
        shrink_strings(list);
    }
    shrink_spanned(&mut r.related);
    r.roles.shrink_to_fit();
    for f in &mut r.factors {
        f.id.shrink_to_fit();
        f.written_id.shrink_to_fit();
        shrink_opt(&mut f.category);
        shrink_opt(&mut f.summary);
        shrink_strings(&mut f.whys);
    }
    r.factors.shrink_to_fit();
    for a in &mut r.actions {
        a.id.shrink_to_fit();
        a.title.shrink_to_fit();
        shrink_opt(&mut a.owner);
        shrink_opt(&mut a.why);
        if let Some(l) = &mut a.link {
            l.value.shrink_to_fit();
        }
        shrink_spanned(&mut a.addresses);
    }
    r.actions.shrink_to_fit();
    for m in &mut r.monitoring {
        match m {
            Monitoring::Series { points, more, baseline_points, .. } => {
                points.shrink_to_fit();
                baseline_points.shrink_to_fit();
                for (_, p) in more.iter_mut() {
                    p.shrink_to_fit();
                }
                more.shrink_to_fit();
            }
            Monitoring::Gap { text } => text.shrink_to_fit(),
        }
    }
    r.monitoring.shrink_to_fit();
    for s in &mut r.sections {
        s.heading.shrink_to_fit();
        s.slug.shrink_to_fit();
        s.markdown.shrink_to_fit();
    }
    r.sections.shrink_to_fit();
    for e in &mut r.timeline {
        shrink_opt(&mut e.author);
        e.text.shrink_to_fit();
    }
    r.timeline.shrink_to_fit();
    r.stated_durations.shrink_to_fit();
}

fn shrink_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        s.shrink_to_fit();
    }
}

fn shrink_strings(list: &mut Vec<String>) {
    list.iter_mut().for_each(String::shrink_to_fit);
    list.shrink_to_fit();
}

fn shrink_spanned(list: &mut Vec<Spanned<String>>) {
    list.iter_mut().for_each(|s| s.value.shrink_to_fit());
    list.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::load::load_retro;
    use std::path::Path;

    /// Every list and text of a loaded retro is exactly as large as what it holds: the book keeps
    /// them for the whole run.
    #[test]
    fn a_loaded_retro_keeps_no_spare_room() {
        let text = "---\nid: a\ntitle: T\ndate: 2025-01-02\nseverity: SEV1\n\
            services: [a, b, c, d, e]\ntags: [x, y, z]\nroles:\n  scribe: Ana\n\
            factors:\n  - id: f1\n    whys: [one, two, three]\n  - id: f2\n  - id: f3\n  - id: f4\n  - id: f5\n\
            actions:\n  - {id: A1, title: One, addresses: [f1, f2, f3]}\n  - {id: A2, title: Two}\n  - {id: A3, title: Three}\n\
            ---\n\n## Narrative\n\nIt broke.\n\n## Timeline\n\n- 10:00 [started] a\n- 10:01 b\n- 10:02 c\n- 10:03 d\n- 10:04 e\n\n\
            ## Monitoring\n\nNone.\n\n## Contributing factors\n\nf1.\n\n## Technical analysis\n\nDeep.\n";
        let (retros, _) = load_retro(text.as_bytes(), "a.md", Path::new("a.md"), &Config::default());
        let r = &retros[0];
        assert_eq!((r.sections.len(), r.timeline.len(), r.factors.len(), r.actions.len()), (5, 5, 5, 3));
        let spare = |what: &str, cap: usize, len: usize| assert_eq!(cap, len, "{what}: capacity {cap} for {len}");
        spare("sections", r.sections.capacity(), r.sections.len());
        spare("timeline", r.timeline.capacity(), r.timeline.len());
        spare("factors", r.factors.capacity(), r.factors.len());
        spare("actions", r.actions.capacity(), r.actions.len());
        spare("services", r.services.capacity(), r.services.len());
        spare("tags", r.tags.capacity(), r.tags.len());
        spare("whys", r.factors[0].whys.capacity(), r.factors[0].whys.len());
        spare("addresses", r.actions[0].addresses.capacity(), r.actions[0].addresses.len());
        for s in &r.sections {
            spare(&s.heading, s.markdown.capacity(), s.markdown.len());
        }
        for e in &r.timeline {
            spare(&e.text, e.text.capacity(), e.text.len());
        }
    }
}
