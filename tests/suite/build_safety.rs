//! `build` never destroys what it was not asked to build: refused destinations (the book, its
//! retros, theme and .git, foreign folders, files) exit 2 and touch nothing; only folders that
//! carry the site marker (or look like a site of an earlier retrobook) are replaced; a symlinked
//! site keeps its link; leftovers of a killed build are removed; and only plain assets of known
//! types beside a folder retro are published.

use crate::common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

const RETRO: &str =
    "---\nid: plain\ntitle: Plain retro\ndate: 2025-01-02\nseverity: SEV4\n---\n\n## Narrative\n\nNothing to see.\n";
const FOLDER_RETRO: &str = "---\nid: dns\ntitle: DNS outage\ndate: 2025-05-02\nseverity: SEV2\n---\n\n## Narrative\n\n\
See the [chart](chart.png), the [data](data.csv) and the [report](evil.html).\n";

/// A book in `<tmp>/book`: a plain retro under retros/2025/, a folder retro, a theme override
/// and a `.git` folder (not a repository: just files that must survive).
fn book() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let b = tmp.path().join("book");
    let write = |rel: &str, text: &str| {
        let p = b.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("book.toml", "[book]\ntitle = \"Safety book\"\n");
    write("retros/2025/2025-01-02-plain.md", RETRO);
    write("retros/2025-05-02-dns/index.md", FOLDER_RETRO);
    write("theme/css/extra.css", "body{}\n");
    write(".git/config", "[core]\n");
    write(".git/objects/pack/pack-1.pack", "pack");
    tmp
}

fn build_in(book: &Path, dest: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--today", "2026-11-28", "build", "--book", book.to_str().unwrap(), "--dest-dir", dest];
    args.extend_from_slice(extra);
    run_in(book, &args)
}

/// Every entry under `dir` (files with their bytes, folders and links as markers), recursively,
/// without following links: any deletion, rename or new temporary folder changes it.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                out.insert(format!("{rel} ->"), std::fs::read_link(&p).unwrap().to_string_lossy().as_bytes().to_vec());
            } else if m.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Builds into `dest` and asserts the refusal: exit 2, a message naming `reason`, and not one
/// entry of the temporary folder (book and neighbours) deleted, renamed or added.
fn assert_refused(tmp: &Path, dest: &str, reason: &str) {
    let before = tree(tmp);
    let out = build_in(&tmp.join("book"), dest, &["--no-search"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "--dest-dir {dest}: {err}");
    assert!(err.contains("refusing to build into"), "--dest-dir {dest}: {err}");
    assert!(err.contains(reason), "--dest-dir {dest}: expected {reason:?} in {err}");
    assert!(err.contains("--dest-dir"), "the message says what would be right: {err}");
    assert_eq!(tree(tmp), before, "--dest-dir {dest}: nothing deleted, renamed or left behind");
}

#[test]
fn refuses_the_retros_folder_and_anything_inside_it() {
    let tmp = book();
    assert_refused(tmp.path(), "retros", "it is the retros folder");
    assert_refused(tmp.path(), "retros/2025", "inside the retros folder");
    assert_refused(tmp.path(), "retros/2025-05-02-dns/out", "inside the retros folder");
    let abs = tmp.path().join("book/retros");
    assert_refused(tmp.path(), abs.to_str().unwrap(), "it is the retros folder");
}

#[test]
fn refuses_the_book_root_and_its_ancestors() {
    let tmp = book();
    assert_refused(tmp.path(), ".", "it is the book's folder");
    assert_refused(tmp.path(), tmp.path().join("book").to_str().unwrap(), "it is the book's folder");
    assert_refused(tmp.path(), "retros/..", "it is the book's folder");
    assert_refused(tmp.path(), "..", "it contains the book");
    assert_refused(tmp.path(), "/", "it contains the book");
}

#[test]
fn refuses_theme_and_git() {
    let tmp = book();
    assert_refused(tmp.path(), "theme", "it is the theme folder");
    assert_refused(tmp.path(), "theme/css", "inside the theme folder");
    assert_refused(tmp.path(), ".git", "inside a .git folder");
    assert_refused(tmp.path(), ".git/objects", "inside a .git folder");
}

#[test]
fn refuses_foreign_folders_and_files() {
    let tmp = book();
    let docs = tmp.path().join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("taxes.txt"), "keep me").unwrap();
    assert_refused(tmp.path(), docs.to_str().unwrap(), "not a site built by retrobook");
    assert_refused(tmp.path(), "../Documents", "not a site built by retrobook");
    // A folder with an index.html of someone else's is not an old site either.
    let other = tmp.path().join("book/public");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("index.html"), "<html>hand-made</html>").unwrap();
    std::fs::write(other.join("404.html"), "<html>gone</html>").unwrap();
    std::fs::write(other.join("sitemap.xml"), "<urlset/>").unwrap();
    assert_refused(tmp.path(), "public", "not a site built by retrobook");
    std::fs::write(tmp.path().join("book/notes.txt"), "a file").unwrap();
    assert_refused(tmp.path(), "notes.txt", "it is a file");
    assert_refused(tmp.path(), "book.toml", "it is a file");
}

#[test]
fn a_marked_site_is_rebuilt_and_an_empty_folder_accepted() {
    let tmp = book();
    let b = tmp.path().join("book");
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(b.join("site/.retrobook-site").is_file(), "every site carries the marker");
    assert!(b.join("site/index.html").is_file());
    std::fs::write(b.join("site/stale.html"), "old").unwrap();
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!b.join("site/stale.html").exists(), "the marked site was replaced whole");
    assert!(b.join("site/retros/plain/index.html").is_file());

    std::fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let out = build_in(&b, "../empty", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join("empty/.retrobook-site").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_site_of_an_earlier_version_without_marker_is_replaced() {
    let tmp = book();
    let b = tmp.path().join("book");
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // What the previous version left: the same site, without the marker.
    std::fs::remove_file(b.join("site/.retrobook-site")).unwrap();
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(b.join("site/.retrobook-site").is_file());
}

#[test]
fn stale_temporary_folders_of_a_killed_build_are_removed() {
    let tmp = book();
    let b = tmp.path().join("book");
    // The process id of a build that is gone: a child that has exited.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_retrobook"))
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dead = child.id();
    child.wait().unwrap();
    for name in [format!(".site.tmp-{dead}"), format!(".site.old-{dead}")] {
        std::fs::create_dir_all(b.join(&name).join("retros")).unwrap();
        std::fs::write(b.join(&name).join("index.html"), "half").unwrap();
    }
    // Not ours: another site's leftovers and look-alikes stay.
    std::fs::create_dir_all(b.join(".public.tmp-1")).unwrap();
    std::fs::create_dir_all(b.join(".site.tmp-notapid")).unwrap();
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!b.join(format!(".site.tmp-{dead}")).exists());
    assert!(!b.join(format!(".site.old-{dead}")).exists());
    assert!(b.join(".public.tmp-1").exists());
    assert!(b.join(".site.tmp-notapid").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_site_keeps_its_link() {
    let tmp = book();
    let b = tmp.path().join("book");
    let target = tmp.path().join("www");
    std::fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(&target, b.join("site")).unwrap();
    for _ in 0..2 {
        let out = build_in(&b, "site", &["--no-search"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(std::fs::symlink_metadata(b.join("site")).unwrap().file_type().is_symlink(), "the link stays");
        assert!(target.join("index.html").is_file(), "the site is built into the link's target");
        assert!(target.join(".retrobook-site").is_file());
    }
    // A link into the retros folder is refused like the folder itself.
    std::fs::remove_file(b.join("site")).unwrap();
    std::os::unix::fs::symlink(b.join("retros"), b.join("site")).unwrap();
    assert_refused(tmp.path(), "site", "it is the retros folder");
}

#[test]
fn assets_publish_only_plain_files_of_known_types() {
    let tmp = book();
    let b = tmp.path().join("book");
    let dir = b.join("retros/2025-05-02-dns");
    let write = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    write("chart.png", b"\x89PNG\r\n\x1a\nfake");
    write("data.csv", b"time,value\n2025-05-02T10:00:00Z,1\n");
    write("sub/diagram.jpg", b"jpeg");
    write(".env.production", b"TOKEN=secret");
    write(".git/config", b"[remote]");
    write(".git/objects/pack/pack-1.pack", b"deleted token");
    write("notes/.hidden/shot.png", b"HIDDEN-SHOT");
    write("site/index.html", b"PREVIOUS-SITE");
    write("site/retros/x.png", b"PREVIOUS-SITE asset");
    write("site-external/logo.png", b"PREVIOUS-PUBLIC-SITE");
    write("public/.retrobook-site", b"marker");
    write("public/copy.png", b"RENAMED-SITE");
    write("evil.html", b"<script>alert(1)</script>");
    write("evil.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
    write("evil.js", b"alert(1)");
    #[cfg(unix)]
    {
        std::fs::write(tmp.path().join("outside.png"), b"OUTSIDE-THE-BOOK").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("outside.png"), dir.join("leak.png")).unwrap();
    }
    let out = build_in(&b, "site", &["--no-search", "-v"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let published = tree(&b.join("site/retros/dns"));
    let names: Vec<&str> = published.keys().map(String::as_str).collect();
    assert_eq!(names, ["chart.png", "data.csv", "index.html", "sub/", "sub/diagram.jpg"], "{err}");
    assert_eq!(published["chart.png"], b"\x89PNG\r\n\x1a\nfake");
    // Nothing of the skipped files anywhere in the site.
    for (path, bytes) in tree(&b.join("site")) {
        for secret in [
            "TOKEN=secret",
            "deleted token",
            "alert(1)",
            "PREVIOUS-",
            "RENAMED-SITE",
            "OUTSIDE-THE-BOOK",
            "HIDDEN-SHOT",
        ] {
            assert!(!String::from_utf8_lossy(&bytes).contains(secret), "{path} holds {secret:?}");
        }
    }
    // `-v` lists what was skipped, with the reason.
    for skipped in [
        ".env.production",
        ".git/",
        "notes/.hidden/",
        "site/",
        "site-external/",
        "public/",
        "evil.html",
        "evil.svg",
        "evil.js",
    ] {
        assert!(err.contains(&format!("retros/2025-05-02-dns/{skipped}")), "{skipped} not listed: {err}");
    }
    assert!(err.contains("SVG"), "{err}");
    #[cfg(unix)]
    assert!(err.contains("retros/2025-05-02-dns/leak.png"), "{err}");
    // Without -v they are not listed.
    let out = build_in(&b, "site", &["--no-search"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains(".env.production"));
}
