//! Where the site is deployed, as far as the repository tells: `build` warns when
//! `[output.html] site-url` does not match the GitHub Pages site a workflow of the repository
//! publishes to (docs/site.md, "GitHub Pages"). A project site lives under `/<repo>/`, so the
//! default `site-url = "/"` sends the 404 page's links and every absolute URL (feed, sitemap)
//! outside it.

use std::path::Path;

/// A GitHub repository: `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRepo {
    /// The user or organisation.
    pub owner: String,
    /// The repository's name.
    pub name: String,
}

impl GithubRepo {
    /// `owner/name`, as in `GITHUB_REPOSITORY`.
    pub fn parse_slug(slug: &str) -> Option<GithubRepo> {
        let (owner, name) = slug.trim().split_once('/')?;
        let name = name.trim_end_matches('/').trim_end_matches(".git");
        let ok = |s: &str| !s.is_empty() && !s.contains('/') && !s.contains(char::is_whitespace);
        (ok(owner) && ok(name)).then(|| GithubRepo { owner: owner.into(), name: name.into() })
    }

    /// The repository of a git remote URL on github.com (`https://github.com/o/r.git`,
    /// `git@github.com:o/r.git`, `ssh://git@github.com/o/r`); `None` for another host.
    pub fn from_remote(url: &str) -> Option<GithubRepo> {
        let url = url.trim();
        let rest = [
            "https://github.com/",
            "http://github.com/",
            "ssh://git@github.com/",
            "git@github.com:",
            "git://github.com/",
        ]
        .iter()
        .find_map(|p| url.strip_prefix(p))?;
        GithubRepo::parse_slug(rest)
    }

    /// The URL GitHub Pages serves this repository's site at, without a custom domain: the user or
    /// organisation site `https://owner.github.io/` for a repository named `owner.github.io`, else
    /// the project site `https://owner.github.io/name/`.
    pub fn pages_url(&self) -> String {
        let host = format!("{}.github.io", self.owner.to_ascii_lowercase());
        if self.name.eq_ignore_ascii_case(&host) {
            format!("https://{host}/")
        } else {
            format!("https://{host}/{}/", self.name)
        }
    }
}

/// Whether a workflow file publishes to GitHub Pages.
pub fn deploys_to_pages(workflow: &str) -> bool {
    workflow.contains("actions/deploy-pages") || workflow.contains("actions/upload-pages-artifact")
}

/// The path part of a `site-url` (`https://x.github.io/repo` → `/repo/`, `/` → `/`), with one
/// trailing slash; and its host, when it has one.
fn split_site_url(site_url: &str) -> (Option<String>, String) {
    let s = site_url.trim();
    let (host, path) = match s.split_once("://") {
        Some((_, rest)) => match rest.split_once('/') {
            Some((h, p)) => (Some(h.to_ascii_lowercase()), format!("/{p}")),
            None => (Some(rest.to_ascii_lowercase()), "/".to_string()),
        },
        None => (None, if s.starts_with('/') { s.to_string() } else { format!("/{s}") }),
    };
    (host, format!("{}/", path.trim_end_matches('/')))
}

/// The warning for a `site-url` that does not fit the Pages site of `repo`; `None` when it fits.
/// A `site-url` on another host is taken to be a custom domain and is not second-guessed.
pub fn pages_mismatch(site_url: &str, repo: &GithubRepo, workflow: &str) -> Option<String> {
    let want = repo.pages_url();
    let (want_host, want_path) = split_site_url(&want);
    let (host, path) = split_site_url(site_url);
    if host.as_ref().is_some_and(|h| Some(h) != want_host.as_ref()) || path == want_path {
        return None;
    }
    Some(format!(
        "site-url = \"{site_url}\" in book.toml, but {workflow} publishes this book to GitHub Pages at {want}: \
         the site's absolute links (404 page, feed, sitemap) would point outside it. Set \
         [output.html] site-url = \"{want}\" (or the URL of the site's custom domain)"
    ))
}

/// Notes for `build` about the deployment: at most one, when a workflow of the git repository
/// around `root` publishes to GitHub Pages and `site_url` does not fit that site. The repository
/// is `GITHUB_REPOSITORY` when set (in Actions), else the `origin` remote. Nothing outside git, or
/// when no workflow deploys to Pages.
pub fn pages_notes(root: &Path, site_url: &str) -> Vec<String> {
    let Ok(repo) = git2::Repository::discover(root) else { return Vec::new() };
    let Some(workdir) = repo.workdir() else { return Vec::new() };
    let dir = workdir.join(".github/workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut workflows: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let name = format!(".github/workflows/{}", p.file_name()?.to_string_lossy());
            deploys_to_pages(&text).then_some((name, text))
        })
        .collect();
    workflows.sort();
    let Some((workflow, _)) = workflows.first() else { return Vec::new() };
    let github = std::env::var("GITHUB_REPOSITORY").ok().and_then(|s| GithubRepo::parse_slug(&s)).or_else(|| {
        let remote = repo.find_remote("origin").ok()?;
        GithubRepo::from_remote(remote.url().ok()?)
    });
    github.and_then(|g| pages_mismatch(site_url, &g, workflow)).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(owner: &str, name: &str) -> GithubRepo {
        GithubRepo { owner: owner.into(), name: name.into() }
    }

    #[test]
    fn remotes_and_slugs() {
        let want = Some(repo("acme", "retros"));
        for url in [
            "https://github.com/acme/retros.git",
            "https://github.com/acme/retros",
            "git@github.com:acme/retros.git",
            "ssh://git@github.com/acme/retros",
        ] {
            assert_eq!(GithubRepo::from_remote(url), want, "{url}");
        }
        assert_eq!(GithubRepo::from_remote("https://gitlab.com/acme/retros.git"), None);
        assert_eq!(GithubRepo::parse_slug("acme/retros"), want);
        assert_eq!(GithubRepo::parse_slug("acme"), None);
    }

    #[test]
    fn pages_urls_of_project_and_user_sites() {
        assert_eq!(repo("Acme", "retros").pages_url(), "https://acme.github.io/retros/");
        assert_eq!(repo("acme", "acme.github.io").pages_url(), "https://acme.github.io/");
    }

    #[test]
    fn site_url_against_the_pages_site() {
        let wf = ".github/workflows/retros.yml";
        let project = repo("acme", "retros");
        // The default "/" on a project site: warned, with the URL that would work.
        let w = pages_mismatch("/", &project, wf).expect("a warning");
        assert!(w.contains("site-url = \"https://acme.github.io/retros/\"") && w.contains(wf), "{w}");
        assert!(pages_mismatch("/other/", &project, wf).is_some());
        // What fits: the full URL (with or without the trailing slash) or its path.
        for ok in ["https://acme.github.io/retros/", "https://acme.github.io/retros", "/retros/", "/retros"] {
            assert_eq!(pages_mismatch(ok, &project, wf), None, "{ok}");
        }
        // A custom domain is not second-guessed; a user site lives at "/".
        assert_eq!(pages_mismatch("https://status.acme.com/", &project, wf), None);
        assert_eq!(pages_mismatch("/", &repo("acme", "acme.github.io"), wf), None);
        assert!(pages_mismatch("https://acme.github.io/", &project, wf).is_some(), "right host, wrong path");
    }

    #[test]
    fn pages_workflows() {
        assert!(deploys_to_pages("steps:\n  - uses: actions/deploy-pages@v4\n"));
        assert!(deploys_to_pages("  - uses: actions/upload-pages-artifact@v3"));
        assert!(!deploys_to_pages("  - run: retrobook check --format github"));
    }
}
