//! `retrobook init [DIR]`: a starter book. Refuses to overwrite anything.

use super::{EXIT_OK, Outcome, exit};
use anyhow::{Context, bail};
use retrobook::scaffold;
use std::path::Path;

/// Writes the starter book into `dir`, its example retro dated relative to `today` (default: the
/// clock); returns the exit code.
pub(crate) fn run(dir: &Path, today: Option<jiff::civil::Date>) -> Outcome {
    let today = today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let version = env!("CARGO_PKG_VERSION");
    let site_url = pages_site_url(dir);
    let example = format!("retros/{}.md", scaffold::init_example_id(today));
    let files: [(&str, String); 4] = [
        ("book.toml", scaffold::init_book_toml(&site_url)),
        (&example, scaffold::init_example_retro(today)),
        (".github/workflows/retros.yml", scaffold::init_github_workflow(version)),
        (".gitlab-ci.example.yml", scaffold::init_gitlab_ci(version)),
    ];
    let existing: Vec<&str> = files.iter().map(|(p, _)| *p).filter(|p| dir.join(p).exists()).collect();
    if !existing.is_empty() {
        bail!(
            "{} already exist{} in {}; init never overwrites — move {} away or init another folder",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" },
            dir.display(),
            if existing.len() == 1 { "it" } else { "them" }
        );
    }
    for (rel, text) in &files {
        write_new(&dir.join(rel), text)?;
    }
    // A repository often has a .gitignore already: keep it, and say what to add.
    let ignore = dir.join(".gitignore");
    if ignore.exists() {
        eprintln!(
            "note: {} exists and was left alone; add these lines to it so built sites are not committed:\n{}",
            ignore.display(),
            scaffold::INIT_GITIGNORE.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n")
        );
    } else {
        write_new(&ignore, scaffold::INIT_GITIGNORE)?;
    }
    eprintln!(
        "site-url is `{site_url}` in book.toml: where GitHub Pages serves the site of a repository named like \
         this folder; change it if the site is served elsewhere"
    );
    eprintln!("a new book is ready: `retrobook new \"Title\"` writes a retro, `retrobook check` validates the book");
    exit(EXIT_OK)
}

/// Creates `path` (and its folder) with `text`, never replacing a file; prints its path.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::OpenOptions::new().write(true).create_new(true).open(path))
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

/// The `site-url` for the GitHub Pages site of a repository named like `dir`: `/<name>/` (a
/// project site), or `/` for a `<owner>.github.io` repository or a name GitHub would not take.
fn pages_site_url(dir: &Path) -> String {
    let name = std::path::absolute(dir)
        .ok()
        .and_then(|p| p.components().next_back().map(|c| c.as_os_str().to_string_lossy().into_owned()))
        .unwrap_or_default();
    let repo_like = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !repo_like || name.to_ascii_lowercase().ends_with(".github.io") {
        return "/".to_string();
    }
    format!("/{name}/")
}

#[cfg(test)]
mod tests {
    use super::pages_site_url;
    use std::path::Path;

    #[test]
    fn the_site_url_is_the_project_path_github_pages_serves() {
        assert_eq!(pages_site_url(Path::new("/home/me/incident-retros")), "/incident-retros/");
        assert_eq!(pages_site_url(Path::new("/home/me/acme.github.io")), "/");
        assert_eq!(pages_site_url(Path::new("/home/me/retros 2024")), "/");
        assert_eq!(pages_site_url(Path::new("/home/me/retros/.")), "/retros/");
    }
}
