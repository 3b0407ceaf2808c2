//! Hugo as a peer in the same run: the same retros laid out as a Hugo site, built by `hugo`.
//!
//! Each retro is copied as it is to `content/retros/<name>/index.md` (its YAML front matter is
//! valid Hugo front matter: `title` and `date` are read, the rest become page parameters). The
//! layouts are the least a site needs: a base page, a retro page (title, date, content), a list
//! page (sections and tag pages) and a home page listing every retro. Hugo also writes its
//! defaults: tag and category pages, an RSS feed per list and a sitemap. See docs/benchmarks.md
//! for what that does and does not do compared with retrobook.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Hugo site of the book, laid out once, and where `hugo` writes it.
pub(crate) struct HugoSite {
    /// The site's source folder (config, layouts, content).
    pub(crate) source: PathBuf,
    /// The `--destination` folder, deleted before every run.
    pub(crate) public: PathBuf,
    /// How many retros the site holds (each must come out as a page).
    pub(crate) retros: usize,
}

/// `hugo version`'s line when `hugo` is on PATH and runs, None otherwise.
pub(crate) fn version() -> Option<String> {
    let out = Command::new("hugo").arg("version").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

const CONFIG: &str = r#"baseURL = "https://example.org/"
title = "Synthetic incident retrospectives"
languageCode = "en"
"#;

const BASEOF: &str = r#"<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#;

const SINGLE: &str = r#"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
</article>{{ end }}
"#;

const LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>{{ end }}
"#;

const HOME: &str = r#"{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<ul>{{ range .Site.RegularPages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>{{ end }}
"#;

/// Lays the retros `files` (named `names`, one per file) out as a Hugo site under `dir`, which
/// must not exist yet.
pub(crate) fn lay_out(dir: &Path, files: &[PathBuf], names: &[String]) -> anyhow::Result<HugoSite> {
    let source = dir.join("src");
    let write = |rel: &str, text: &str| -> anyhow::Result<()> {
        let path = source.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("config.toml", CONFIG)?;
    write("layouts/_default/baseof.html", BASEOF)?;
    write("layouts/_default/single.html", SINGLE)?;
    write("layouts/_default/list.html", LIST)?;
    write("layouts/index.html", HOME)?;
    let content = source.join("content").join("retros");
    for (file, name) in files.iter().zip(names) {
        let page = content.join(name);
        std::fs::create_dir_all(&page).with_context(|| format!("cannot create {}", page.display()))?;
        std::fs::copy(file, page.join("index.md"))
            .with_context(|| format!("cannot copy {} into the Hugo site", file.display()))?;
    }
    Ok(HugoSite { source, public: dir.join("public"), retros: files.len() })
}

/// Deletes the previous output (not timed), then times one `hugo --quiet` build of `site`.
pub(crate) fn run(site: &HugoSite) -> anyhow::Result<Duration> {
    remove_dir(&site.public)?;
    let mut cmd = Command::new("hugo");
    // --buildFuture: a retro dated after the machine's clock is still a page, as in retrobook.
    cmd.arg("--quiet").arg("--buildFuture").arg("--source").arg(&site.source).arg("--destination").arg(&site.public);
    let t = Instant::now();
    let out = cmd.output().context("cannot run hugo")?;
    let elapsed = t.elapsed();
    if !out.status.success() {
        bail!("hugo failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(elapsed)
}

/// Checks (not timed) that the last run wrote one page per retro, so that Hugo cannot look fast
/// by skipping pages (drafts, dates in the future, front matter it refused).
pub(crate) fn check_pages(site: &HugoSite) -> anyhow::Result<()> {
    let dir = site.public.join("retros");
    let pages = std::fs::read_dir(&dir)
        .with_context(|| format!("hugo wrote no {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .count();
    if pages != site.retros {
        bail!("hugo wrote {pages} retro pages into {}, expected {}", dir.display(), site.retros);
    }
    Ok(())
}

/// Removes `dir` and everything in it; a folder that is not there is fine.
pub(crate) fn remove_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).context(format!("cannot remove {}", dir.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_one_bundle_per_retro_with_the_text_unchanged() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let a = tmp.path().join("a.md");
        let b = tmp.path().join("b.md");
        std::fs::write(&a, "---\ntitle: \"A\"\ndate: 2024-01-02\n---\n\nBody of a.\n").expect("write a");
        std::fs::write(&b, "---\ntitle: \"B\"\ndate: 2024-03-04\n---\n\nBody of b.\n").expect("write b");
        let site = lay_out(&tmp.path().join("hugo"), &[a.clone(), b], &["x".into(), "y".into()]).expect("lays out");
        assert_eq!(site.retros, 2);
        let copied = std::fs::read(site.source.join("content/retros/x/index.md")).expect("x copied");
        assert_eq!(copied, std::fs::read(&a).expect("read a"));
        assert!(site.source.join("content/retros/y/index.md").is_file());
        for layout in ["_default/baseof.html", "_default/single.html", "_default/list.html", "index.html"] {
            assert!(site.source.join("layouts").join(layout).is_file(), "{layout}");
        }
    }

    #[test]
    fn a_missing_page_is_an_error() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = HugoSite { source: tmp.path().join("src"), public: tmp.path().join("public"), retros: 2 };
        std::fs::create_dir_all(site.public.join("retros/x")).expect("mkdir");
        std::fs::write(site.public.join("retros/x/index.html"), "<p>x</p>").expect("write");
        let err = check_pages(&site).expect_err("one page of two");
        assert!(err.to_string().contains("wrote 1 retro pages"), "{err}");
        std::fs::create_dir_all(site.public.join("retros/y")).expect("mkdir");
        std::fs::write(site.public.join("retros/y/index.html"), "<p>y</p>").expect("write");
        check_pages(&site).expect("both pages");
    }
}
