//! Which files beside a folder retro are published with its page: plain files of known asset
//! types only. Hidden files and folders (`.env`, `.git`), build output (`site/`, a folder carrying
//! the site marker), other folder retros, links that leave the book, HTML, scripts and SVG (which
//! can run scripts on the site's origin) stay out.

use crate::model::Book;
use std::path::{Path, PathBuf};

/// Extensions published as assets (lower case): images, CSV/TSV, PDF and plain text.
pub(crate) const ALLOWED: &[&str] =
    &["png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "csv", "tsv", "pdf", "txt"];

/// What [`collect`] found beside the folder retros of a book.
#[derive(Debug, Default)]
pub(crate) struct Assets {
    /// (file on disk, path in the site).
    pub files: Vec<(PathBuf, String)>,
    /// Files and folders not published: (path relative to the book, why). A folder ends in `/`.
    pub skipped: Vec<(String, &'static str)>,
}

/// The assets of every folder retro (a retro whose file is `index.md`) of `book`.
pub(crate) fn collect(book: &Book) -> Assets {
    let mut out = Assets::default();
    let root = std::fs::canonicalize(&book.root).unwrap_or_else(|_| book.root.clone());
    for r in &book.retros {
        let is_folder = r.path.rsplit('/').next().is_some_and(|f| f.eq_ignore_ascii_case("index.md"));
        let Some(dir) = r.abs_path.parent().filter(|_| is_folder) else { continue };
        walk(&root, &book.root, dir, &format!("retros/{}", r.id), &mut out);
    }
    out
}

fn walk(root: &Path, book_root: &Path, dir: &Path, site_dir: &str, out: &mut Assets) {
    let mut it = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    while let Some(entry) = it.next() {
        let Ok(entry) = entry else { continue };
        if entry.depth() == 0 {
            continue;
        }
        let p = entry.path();
        let shown = |slash: bool| {
            let rel = crate::text::relative(book_root, p);
            if slash { format!("{rel}/") } else { rel }
        };
        let name = entry.file_name().to_string_lossy();
        let ft = entry.file_type();
        if ft.is_dir() {
            let why = if name.starts_with('.') {
                Some("hidden folder")
            } else if crate::load::NOT_RETROS.contains(&name.as_ref()) || p.join(crate::text::SITE_MARKER).exists() {
                Some("build output")
            } else if has_index_md(p) {
                Some("another folder retro (published with its own page)")
            } else {
                None
            };
            if let Some(why) = why {
                out.skipped.push((shown(true), why));
                it.skip_current_dir();
            }
            continue;
        }
        if name.starts_with('.') {
            out.skipped.push((shown(false), "hidden file"));
            continue;
        }
        if ft.is_file() && crate::load::is_retro_file(p) {
            // The retro itself, or another retro: not an asset.
            continue;
        }
        if let Some(why) = refused_type(p) {
            out.skipped.push((shown(false), why));
            continue;
        }
        let source = if ft.is_symlink() {
            match link_target(root, p) {
                Ok(t) => t,
                Err(why) => {
                    out.skipped.push((shown(false), why));
                    continue;
                }
            }
        } else if ft.is_file() {
            p.to_path_buf()
        } else {
            continue;
        };
        let rel = crate::text::relative(dir, p);
        out.files.push((source, format!("{site_dir}/{rel}")));
    }
}

/// Why a file of this name is not published, or None when its type is an allowed asset.
fn refused_type(p: &Path) -> Option<&'static str> {
    let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    if ext == "svg" || ext == "svgz" {
        Some("SVG is not published: it can run scripts on the site; export it as PNG")
    } else if ALLOWED.contains(&ext.as_str()) {
        None
    } else {
        Some("not an asset type (published: images, CSV, PDF, text)")
    }
}

/// The file a symbolic link points to, when it is a plain, non-hidden file of an allowed type
/// inside the book.
fn link_target(root: &Path, link: &Path) -> Result<PathBuf, &'static str> {
    let target = std::fs::canonicalize(link).map_err(|_| "broken symbolic link")?;
    let Ok(inside) = target.strip_prefix(root) else { return Err("symbolic link out of the book") };
    if inside.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c.starts_with('.') || crate::load::NOT_RETROS.contains(&c.as_ref())
    }) {
        return Err("symbolic link to a hidden file or build output");
    }
    if !target.is_file() {
        return Err("symbolic link to a folder");
    }
    if refused_type(&target).is_some() {
        return Err("symbolic link to a file that is not an asset type");
    }
    Ok(target)
}

/// Whether `dir` holds an `index.md` (in any case): a folder retro of its own.
fn has_index_md(dir: &Path) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok).any(|e| {
        e.file_name().to_string_lossy().eq_ignore_ascii_case("index.md") && e.file_type().is_ok_and(|t| t.is_file())
    })
}
