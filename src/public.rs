//! The public view of a retro, for the customer-facing build (`build --audience external`).
//!
//! Leak-proof by construction: [`project`] is the ONE place where a [`Retro`] is read for the
//! external site. It copies the few fields a customer may see into a [`PublicRetro`]; the external
//! renderer, its templates, feed, sitemap and search index only ever receive `PublicRetro`s and a
//! [`PublicSite`] (built from `[output.external]` alone). A new field of `Retro` is therefore
//! private until someone adds it here on purpose. The two types are plain data in the model (the
//! renderer sits below this module and names them); only this module fills them.

use crate::analyze::stakeholder_message;
use crate::config::Config;
use crate::model::{ActionStatus, DocStatus, Moment, Retro};
pub(crate) use crate::model::{PublicRetro, PublicSite};
use crate::render::format::{duration, long_date};
use crate::render::markdown::{self, MarkdownOptions};

/// The public site's identity from the configuration.
pub(crate) fn site(config: &Config) -> PublicSite {
    let ext = &config.output.external;
    PublicSite {
        title: ext.title.clone(),
        description: ext.description.clone(),
        language: config.book.language.clone(),
        base: format!("{}/", ext.site_url.trim_end_matches('/')),
    }
}

/// The projection: `Some` only for a retro that is `external: true` and `status: published`.
pub(crate) fn project(r: &Retro, config: &Config) -> Option<PublicRetro> {
    if !r.external || r.status != DocStatus::Published {
        return None;
    }
    let mitigate = r.impact.duration_to(Moment::Mitigated);
    let resolve = r.impact.duration_to(Moment::Resolved);
    let impact_secs = mitigate.or(resolve).filter(|s| *s >= 0);
    let resolved_after = resolve.filter(|s| *s >= 0 && Some(*s) != impact_secs);
    // Only a section headed as the stakeholder message is published: an alias such as "Customer
    // impact" is often written for the team, with customer names in it.
    let message = stakeholder_message(r).map(|s| s.markdown.as_str()).unwrap_or("");
    // Comments (template guidance, retrobook-allow markers) go first, also those CommonMark would
    // not call comments (one spanning a blank line). Raw HTML is never kept on the public site,
    // whatever `[output.html] allow-raw-html` says.
    let message_md = crate::text::strip_html_comments(message);
    let message_md = message_md.as_str();
    let html = markdown::render(message_md, MarkdownOptions { allow_raw_html: false });
    let message_html = markdown::sanitize(&html);
    let message_text = crate::text::plain_text(message_md).trim().to_string();
    Some(PublicRetro {
        slug: r.id.clone(),
        url: format!("incidents/{}/", r.id),
        title: r.title.clone(),
        date: r.date.map(|d| d.to_string()).unwrap_or_default(),
        date_long: r.date.map(long_date).unwrap_or_default(),
        year: r.date.map(|d| d.year().to_string()).unwrap_or_else(|| "undated".into()),
        severity: severity_label(config, r.severity.as_deref()),
        severity_class: match r.severity.as_deref().map(|s| config.severity_rank(s)) {
            Some(rank) if rank < 4 => format!("rb-sev-{}", rank + 1),
            _ => "rb-sev-other".into(),
        },
        impact: r.impact.users.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        impact_duration: impact_secs.map(duration),
        resolved_after: resolved_after.map(duration),
        data_loss: r.impact.data_loss.map(|lost| {
            if lost {
                "Some customer data was lost. The message below says what, and what we did about it.".to_string()
            } else {
                "No customer data was lost.".to_string()
            }
        }),
        message_html,
        message_text,
        actions: r.actions.iter().filter(|a| a.status != ActionStatus::WontDo).map(|a| a.title.clone()).collect(),
    })
}

/// The public wording of a severity: `[output.external.severity-labels]`, else a plain default
/// by rank (most severe first), so internal names like `SEV1` never reach customers.
pub(crate) fn severity_label(config: &Config, severity: Option<&str>) -> String {
    let Some(sev) = severity else { return "Incident".into() };
    if let Some(label) = config.output.external.severity_labels.get(sev) {
        return label.clone();
    }
    match config.severity_rank(sev) {
        0 => "Major outage",
        1 => "Partial outage",
        2 => "Degraded service",
        usize::MAX => "Incident",
        _ => "Minor issue",
    }
    .to_string()
}
