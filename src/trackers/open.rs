//! `actions open`: a tracker issue for each open action that has no link yet — title, a body
//! with the why, the factors it addresses and where the retro is — and, with `--write`, the new
//! link recorded in the retro.

use super::http::Client;
use super::links;
use crate::config::{Config, TrackerConfig, TrackerKind};
use crate::model::{Action, Book, Retro};
use std::fmt::Write as _;

/// The tracker issues are created in.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The tracker's name in book.toml (`[trackers.<name>]`).
    pub name: String,
    /// Which API it speaks.
    pub kind: TrackerKind,
    /// `owner/repo`, a GitLab project path or a Jira project key.
    pub project: String,
    /// Web address of the tracker, for the links written into retros.
    pub web: String,
    /// Base URL of its REST API.
    pub api: String,
}

/// Picks the tracker: the one named, or the only one with a `project`.
pub fn destination(config: &Config, name: Option<&str>) -> Result<Destination, String> {
    let with_project: Vec<(&String, &TrackerConfig)> = config
        .trackers
        .iter()
        .filter(|(n, t)| t.project.is_some() && name.is_none_or(|want| want == n.as_str()))
        .collect();
    let (name, t) = match (name, with_project.as_slice()) {
        (_, [one]) => *one,
        (Some(n), []) if config.trackers.contains_key(n) => {
            return Err(format!(
                "`[trackers.{n}]` has no `project`; add where new issues go (`project = \"acme/retros\"`)"
            ));
        }
        (Some(n), []) => {
            let known: Vec<&str> = config.trackers.keys().map(String::as_str).collect();
            return Err(format!("no `[trackers.{n}]` in book.toml; trackers: {}", list_or_none(&known)));
        }
        (None, []) => {
            return Err("no tracker in book.toml has a `project` to create issues in; add one to a \
                        `[trackers.*]` table (see docs/actions.md)"
                .into());
        }
        (_, many) => {
            let names: Vec<&str> = many.iter().map(|(n, _)| n.as_str()).collect();
            return Err(format!(
                "several trackers can take new issues ({}); choose one with --tracker",
                names.join(", ")
            ));
        }
    };
    let (web, api) = links::endpoints(t).map_err(|e| format!("`[trackers.{name}]`: {e}"))?;
    Ok(Destination { name: name.clone(), kind: t.kind, project: t.project.clone().unwrap_or_default(), web, api })
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// An issue to create for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The retro's path, relative to the book.
    pub path: String,
    /// The action's id in that retro.
    pub action: String,
    /// The title: the action's title.
    pub title: String,
    /// The body: why, the factors it addresses, a link to the retro page.
    pub body: String,
}

/// Every open or in-progress action without a link, as the issue that would be created.
pub fn plan(book: &Book) -> Vec<Planned> {
    let mut out = Vec::new();
    for r in &book.retros {
        for a in r.actions.iter().filter(|a| a.status.is_open() && a.link.is_none()) {
            out.push(Planned {
                path: r.path.clone(),
                action: a.id.clone(),
                title: a.title.clone(),
                body: body(book, r, a),
            });
        }
    }
    out
}

/// The text (Markdown): why, the factors, owner and due, and the retro's address.
fn body(book: &Book, r: &Retro, a: &Action) -> String {
    let mut s = String::new();
    if let Some(why) = &a.why {
        let _ = writeln!(s, "{why}\n");
    }
    for f in &a.addresses {
        let title = book
            .config
            .factors
            .get(&f.value)
            .and_then(|d| d.title.clone())
            .or_else(|| r.factors.iter().find(|x| x.id == f.value).and_then(|x| x.summary.clone()));
        let _ = match title {
            Some(t) => writeln!(s, "Addresses the contributing factor `{}`: {t}", f.value),
            None => writeln!(s, "Addresses the contributing factor `{}`", f.value),
        };
    }
    if let Some(o) = &a.owner {
        let _ = writeln!(s, "Owner: {o}");
    }
    if let Some(d) = a.due {
        let _ = writeln!(s, "Due: {d}");
    }
    let site = &book.config.output.html.site_url;
    let page = if site.starts_with("http://") || site.starts_with("https://") {
        format!("{}/retros/{}/", site.trim_end_matches('/'), r.id)
    } else {
        r.path.clone()
    };
    let _ = write!(
        s,
        "\nFollow-up action {} of the retro \"{}\" ({}): {page}",
        a.id,
        r.title,
        r.date.map(|d| d.to_string()).unwrap_or_default()
    );
    s
}

/// Creates the issue; returns its web address, checked to be a plain http(s) URL (it is written
/// into the retro as a YAML value, so a tracker cannot slip other keys in with it).
pub fn create(client: &Client, config: &Config, dest: &Destination, p: &Planned) -> anyhow::Result<String> {
    let t = config.trackers.get(&dest.name).ok_or_else(|| anyhow::anyhow!("no [trackers.{}]", dest.name))?;
    let url = match dest.kind {
        TrackerKind::Github => super::github::create(client, &dest.api, t, &dest.project, &p.title, &p.body),
        TrackerKind::Gitlab => super::gitlab::create(client, &dest.api, t, &dest.project, &p.title, &p.body),
        TrackerKind::Jira => super::jira::create(client, &dest.api, &dest.web, t, &dest.project, &p.title, &p.body),
    }?;
    safe_url(url)
}

/// `url` when it is an http(s) address without spaces, quotes or control characters.
pub fn safe_url(url: String) -> anyhow::Result<String> {
    match crate::config::check_url(&url, false) {
        Ok(()) if !url.contains(" #") => Ok(url),
        Ok(()) => Err(anyhow::anyhow!("the tracker answered with an address retrobook will not write: {url:?}")),
        Err(why) => Err(anyhow::anyhow!("the tracker answered with an address that {why}: {url:?}")),
    }
}

/// Issues already in the destination, title → address, so that `--write` run twice (or after a
/// run that created an issue but could not record it) links the existing issue instead of
/// opening a second one. GitHub and GitLab are listed page by page; Jira is not listed.
pub fn existing(client: &Client, config: &Config, dest: &Destination) -> anyhow::Result<Vec<(String, String)>> {
    let t = config.trackers.get(&dest.name).ok_or_else(|| anyhow::anyhow!("no [trackers.{}]", dest.name))?;
    let list = match dest.kind {
        TrackerKind::Github => super::github::existing(client, &dest.api, t, &dest.project)?,
        TrackerKind::Gitlab => super::gitlab::existing(client, &dest.api, t, &dest.project)?,
        TrackerKind::Jira => Vec::new(),
    };
    Ok(list.into_iter().filter_map(|(title, url)| Some((title, safe_url(url).ok()?))).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_returned_address_cannot_carry_yaml() {
        assert!(super::safe_url("https://github.com/a/b/issues/1".into()).is_ok());
        for bad in
            ["https://x.example/1\nstatus: done", "https://x.example/1 #c", "javascript:alert(1)", "\"https://x\""]
        {
            assert!(super::safe_url(bad.into()).is_err(), "{bad}");
        }
    }
}
