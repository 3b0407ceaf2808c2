//! What an action's `link` points at (docs/actions.md): a GitHub issue or pull request, a GitLab issue
//! or merge request, a Jira issue — or another page, which is shown but never synced.

use crate::config::{Config, TrackerConfig, TrackerKind};
use regex::Regex;
use std::sync::LazyLock;

/// The item a tracker link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A GitHub issue or pull request.
    Github {
        /// The repository's owner.
        owner: String,
        /// The repository.
        repo: String,
        /// The issue or pull request number.
        number: u64,
        /// A pull request rather than an issue.
        pull: bool,
    },
    /// A GitLab issue or merge request.
    Gitlab {
        /// The project's path (`group/sub/project`).
        project: String,
        /// The issue's or merge request's number within the project.
        iid: u64,
        /// A merge request rather than an issue.
        merge_request: bool,
    },
    /// A Jira issue.
    Jira {
        /// The issue key, e.g. `PAY-123`.
        key: String,
    },
}

/// A recognised tracker link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerLink {
    /// The `[trackers.<name>]` that serves it, when book.toml has one.
    pub tracker: Option<String>,
    /// Which API serves it.
    pub kind: TrackerKind,
    /// Web origin of the tracker, e.g. `https://github.com`.
    pub web: String,
    /// Where a reader goes: the link as written when it is a URL, else the resolved address.
    pub url: String,
    /// The item the link names.
    pub target: Target,
}

impl TrackerLink {
    /// The tracker's name in book.toml, or its kind when book.toml has none for it.
    pub fn tracker_name(&self) -> &str {
        self.tracker.as_deref().unwrap_or(self.kind.as_str())
    }

    /// The book.toml settings of its tracker, if any.
    pub fn config<'a>(&self, config: &'a Config) -> Option<&'a TrackerConfig> {
        self.tracker.as_ref().and_then(|t| config.trackers.get(t))
    }

    /// The REST API root: `api-url` when book.toml gives one, else the tracker's public API.
    pub fn api_base(&self, config: &Config) -> String {
        if let Some(api) = self.config(config).and_then(|t| t.api_url.as_deref()) {
            return api.trim_end_matches('/').to_string();
        }
        default_api(self.kind, &self.web)
    }
}

/// The public REST API root of a tracker at `web`.
fn default_api(kind: TrackerKind, web: &str) -> String {
    match kind {
        TrackerKind::Github if web == "https://github.com" => "https://api.github.com".into(),
        TrackerKind::Github => format!("{web}/api/v3"),
        TrackerKind::Gitlab => format!("{web}/api/v4"),
        TrackerKind::Jira => format!("{web}/rest/api/2"),
    }
}

/// The web origin and the REST API root of a configured tracker (for creating issues).
pub fn endpoints(t: &TrackerConfig) -> Result<(String, String), String> {
    let web = match (&t.url, t.kind) {
        (Some(u), _) => origin_of(u),
        (None, TrackerKind::Github) => "https://github.com".to_string(),
        (None, kind) => return Err(format!("a {} tracker needs `url`", kind.as_str())),
    };
    let api = t.api_url.as_deref().map_or_else(|| default_api(t.kind, &web), |a| a.trim_end_matches('/').to_string());
    Ok((web, api))
}

static SHORTHAND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)#([0-9]+)$").expect("valid regex"));
static JIRA_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9_]*-[0-9]+$").expect("valid regex"));

const EXPECTED: &str = "expected an issue URL (`https://github.com/OWNER/REPO/issues/N`, \
`https://GITLAB/GROUP/PROJECT/-/issues/N`, `https://SITE.atlassian.net/browse/KEY-N`), \
`OWNER/REPO#N` or a Jira key such as `PAY-123`";

/// Reads a link. `Ok(None)`: an http(s) address of no known tracker (shown, not synced).
/// `Err`: a link that cannot be right, with what would be.
pub fn parse(link: &str, config: &Config) -> Result<Option<TrackerLink>, String> {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return parse_url(link, config);
    }
    if let Some(c) = SHORTHAND.captures(link) {
        let (name, t) = first_of(config, TrackerKind::Github).unzip();
        let web = t.and_then(|t| t.url.as_deref()).map_or("https://github.com".to_string(), origin_of);
        let number = number(&c[3], link)?;
        let (owner, repo) = (c[1].to_string(), c[2].to_string());
        return Ok(Some(TrackerLink {
            tracker: name.cloned(),
            kind: TrackerKind::Github,
            url: format!("{web}/{owner}/{repo}/issues/{number}"),
            web,
            target: Target::Github { owner, repo, number, pull: false },
        }));
    }
    if JIRA_KEY.is_match(link) {
        let Some((name, web)) =
            first_of(config, TrackerKind::Jira).and_then(|(n, t)| Some((n, origin_of(t.url.as_deref()?))))
        else {
            return Err(format!(
                "`{link}` looks like a Jira key, but book.toml has no `[trackers.*]` with `kind = \"jira\"` and a \
                 `url` to resolve it; add one, or write the whole address (`https://SITE.atlassian.net/browse/{link}`)"
            ));
        };
        return Ok(Some(TrackerLink {
            tracker: Some(name.clone()),
            kind: TrackerKind::Jira,
            url: format!("{web}/browse/{link}"),
            web,
            target: Target::Jira { key: link.to_string() },
        }));
    }
    Err(format!("`{link}` is not a link retrobook can follow; {EXPECTED}"))
}

fn number(s: &str, link: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{link}`: `{s}` is not an issue number; {EXPECTED}")),
    }
}

/// `scheme://host[:port]` of a URL written in book.toml (already checked there).
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_string(),
    }
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
}

/// The first tracker of a kind, by name.
fn first_of(config: &Config, kind: TrackerKind) -> Option<(&String, &TrackerConfig)> {
    config.trackers.iter().find(|(_, t)| t.kind == kind)
}

/// The tracker of `kind` whose web host is `host`. A GitHub tracker without `url` serves
/// github.com; a GitHub Enterprise one may give only `api-url` (`https://ghe.example/api/v3`).
fn tracker_for<'a>(config: &'a Config, kind: TrackerKind, host: &str) -> Option<(&'a String, &'a TrackerConfig)> {
    config.trackers.iter().filter(|(_, t)| t.kind == kind).find(|(_, t)| {
        let web = match (&t.url, &t.api_url, kind) {
            (Some(u), _, _) => host_of(u),
            (None, Some(api), TrackerKind::Github) if api.trim_end_matches('/').ends_with("/api/v3") => host_of(api),
            (None, _, TrackerKind::Github) => Some("github.com".into()),
            _ => None,
        };
        web.as_deref() == Some(host)
    })
}

fn parse_url(link: &str, config: &Config) -> Result<Option<TrackerLink>, String> {
    let u = url::Url::parse(link).map_err(|e| format!("`{link}` is not a valid URL ({e}); {EXPECTED}"))?;
    let Some(host) = u.host_str().map(str::to_ascii_lowercase).filter(|h| !h.is_empty()) else {
        return Err(format!("`{link}` has no host; {EXPECTED}"));
    };
    let web = u.origin().ascii_serialization();
    let segs: Vec<&str> = u.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let make = |kind, tracker: Option<(&String, &TrackerConfig)>, target| {
        Ok(Some(TrackerLink {
            tracker: tracker.map(|(n, _)| n.clone()),
            kind,
            web: web.clone(),
            url: link.to_string(),
            target,
        }))
    };
    let github = tracker_for(config, TrackerKind::Github, &host);
    if host == "github.com" || host == "www.github.com" || github.is_some() {
        return match segs.as_slice() {
            [owner, repo, kind @ ("issues" | "pull"), n, ..] => {
                let target = Target::Github {
                    owner: owner.to_string(),
                    repo: repo.to_string(),
                    number: number(n, link)?,
                    pull: *kind == "pull",
                };
                let web = if host == "www.github.com" { "https://github.com".to_string() } else { web.clone() };
                Ok(Some(TrackerLink {
                    tracker: github.map(|(n, _)| n.clone()),
                    kind: TrackerKind::Github,
                    web,
                    url: link.to_string(),
                    target,
                }))
            }
            _ => Err(format!(
                "`{link}` points at GitHub but not at an issue or pull request; expected \
                 `https://{host}/OWNER/REPO/issues/N` or `…/pull/N`"
            )),
        };
    }
    if let Some(dash) = segs.iter().position(|s| *s == "-")
        && let Some(kind @ ("issues" | "merge_requests")) = segs.get(dash + 1).copied()
    {
        let Some(n) = segs.get(dash + 2) else {
            return Err(format!("`{link}` names no GitLab {kind} number; expected `…/-/{kind}/N`"));
        };
        if dash == 0 {
            return Err(format!(
                "`{link}` names no GitLab project; expected `https://{host}/GROUP/PROJECT/-/{kind}/N`"
            ));
        }
        let target =
            Target::Gitlab { project: segs[..dash].join("/"), iid: number(n, link)?, merge_request: kind != "issues" };
        return make(TrackerKind::Gitlab, tracker_for(config, TrackerKind::Gitlab, &host), target);
    }
    let jira = tracker_for(config, TrackerKind::Jira, &host);
    let strict_jira = jira.is_some() || host.ends_with(".atlassian.net");
    if let Some(b) = segs.iter().position(|s| *s == "browse") {
        match segs.get(b + 1) {
            Some(key) if JIRA_KEY.is_match(key) => {
                return make(TrackerKind::Jira, jira, Target::Jira { key: key.to_string() });
            }
            _ if strict_jira => {
                return Err(format!(
                    "`{link}` names no Jira issue; expected `https://{host}/browse/KEY-N`, e.g. `/browse/PAY-123`"
                ));
            }
            _ => {}
        }
    }
    if strict_jira {
        return Err(format!("`{link}` points at Jira but not at an issue; expected `https://{host}/browse/KEY-N`"));
    }
    if tracker_for(config, TrackerKind::Gitlab, &host).is_some() {
        return Err(format!(
            "`{link}` points at GitLab but not at an issue or merge request; expected \
             `https://{host}/GROUP/PROJECT/-/issues/N`"
        ));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        Config::parse(toml).expect("valid book.toml")
    }

    fn ok(link: &str, c: &Config) -> TrackerLink {
        parse(link, c).expect("no error").expect("a tracker link")
    }

    #[test]
    fn github_issue_pull_and_shorthand() {
        let c = Config::default();
        let l = ok("https://github.com/acme/api/issues/12", &c);
        assert_eq!(l.target, Target::Github { owner: "acme".into(), repo: "api".into(), number: 12, pull: false });
        assert_eq!((l.tracker_name(), l.api_base(&c).as_str()), ("github", "https://api.github.com"));
        let l = ok("https://github.com/acme/api/pull/7/files#diff", &c);
        assert!(matches!(l.target, Target::Github { number: 7, pull: true, .. }));
        let l = ok("acme/api#3", &c);
        assert_eq!(l.url, "https://github.com/acme/api/issues/3");
        assert!(matches!(l.target, Target::Github { number: 3, .. }));
    }

    #[test]
    fn github_enterprise_host_from_book_toml() {
        let c = config("[trackers.ghe]\nkind = \"github\"\napi-url = \"https://ghe.example/api/v3\"\n");
        let l = ok("https://ghe.example/ops/infra/issues/4", &c);
        assert_eq!((l.tracker.as_deref(), l.api_base(&c).as_str()), (Some("ghe"), "https://ghe.example/api/v3"));
        // Without the tracker, the same host is just a page.
        assert_eq!(parse("https://ghe.example/ops/infra/issues/4", &Config::default()), Ok(None));
        let l = ok("ops/infra#9", &c);
        assert_eq!(l.url, "https://github.com/ops/infra/issues/9", "shorthand without `url` goes to github.com");
    }

    #[test]
    fn gitlab_any_host_with_subgroups() {
        let c = Config::default();
        let l = ok("https://git.example.org/grp/sub/proj/-/merge_requests/41", &c);
        assert_eq!(l.target, Target::Gitlab { project: "grp/sub/proj".into(), iid: 41, merge_request: true });
        assert_eq!(l.api_base(&c), "https://git.example.org/api/v4");
        let c = config("[trackers.gitlab]\nurl = \"https://gitlab.com\"\napi-url = \"http://127.0.0.1:9/api/v4\"\n");
        let l = ok("https://gitlab.com/g/p/-/issues/2", &c);
        assert_eq!((l.tracker_name(), l.api_base(&c).as_str()), ("gitlab", "http://127.0.0.1:9/api/v4"));
    }

    #[test]
    fn jira_url_and_bare_key() {
        let c = Config::default();
        let l = ok("https://acme.atlassian.net/browse/PAY-123", &c);
        assert_eq!(l.target, Target::Jira { key: "PAY-123".into() });
        assert_eq!(l.api_base(&c), "https://acme.atlassian.net/rest/api/2");
        let err = parse("PAY-123", &c).unwrap_err();
        assert!(err.contains("no `[trackers.*]` with `kind = \"jira\"`"), "{err}");
        let c = config("[trackers.jira]\nkind = \"jira\"\nurl = \"https://acme.atlassian.net\"\n");
        let l = ok("PAY-123", &c);
        assert_eq!((l.url.as_str(), l.tracker_name()), ("https://acme.atlassian.net/browse/PAY-123", "jira"));
    }

    #[test]
    fn book_toml_trackers_are_checked() {
        let errs = |toml: &str| Config::parse(toml).unwrap_err().into_iter().map(|d| d.message).collect::<Vec<_>>();
        let e = errs("[trackers.github]\ntoken-evn = \"X\"\n");
        assert!(e[0].contains("unknown key `token-evn` in [trackers.github]; did you mean `token-env`?"), "{e:?}");
        let e = errs("[trackers.work]\nurl = \"https://x.example\"\n");
        assert!(e[0].contains("`[trackers.work]` has no `kind`"), "{e:?}");
        let e = errs("[trackers.jira]\nurl = \"javascript:alert(1)\"\n");
        assert!(e[0].contains("`url = \"javascript:alert(1)\"` uses the `javascript:` scheme"), "{e:?}");
        // A table named after a kind needs no `kind`.
        assert_eq!(
            config("[trackers.gitlab]\nurl = \"https://gitlab.com\"\n").trackers["gitlab"].kind,
            TrackerKind::Gitlab
        );
    }

    #[test]
    fn other_pages_are_not_trackers() {
        let c = Config::default();
        assert_eq!(parse("https://tracker.example/PAY-12", &c), Ok(None));
        assert_eq!(parse("https://wiki.example/browse/overview", &c), Ok(None));
    }

    #[test]
    fn malformed_links_say_what_would_be_right() {
        let c = Config::default();
        for (link, says) in [
            ("https://github.com/acme/api", "not at an issue or pull request"),
            ("https://github.com/acme/api/issues/abc", "`abc` is not an issue number"),
            ("https://github.com/acme/api/issues/0", "`0` is not an issue number"),
            ("https://gitlab.com/-/issues/3", "names no GitLab project"),
            ("https://gitlab.com/g/p/-/issues", "names no GitLab issues number"),
            ("https://acme.atlassian.net/browse/pay", "names no Jira issue"),
            ("https://acme.atlassian.net/jira/your-work", "points at Jira but not at an issue"),
            ("javascript:alert(1)", "not a link retrobook can follow"),
            ("see the ticket", "not a link retrobook can follow"),
            ("acme/api#x", "not a link retrobook can follow"),
            ("https://", "not a valid URL"),
        ] {
            let err = parse(link, &c).expect_err(link);
            assert!(err.contains(says), "{link}: {err}");
            assert!(err.contains("expected") || err.contains("add one"), "{link}: {err}");
        }
    }
}
