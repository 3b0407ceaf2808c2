//! Which file-system events matter to `serve`, and how a burst of them becomes one rebuild.
//!
//! Pure functions over paths, so the rules are unit-tested without a watcher: editors save in
//! many ways (write in place, write a temporary file and rename it over the original, delete and
//! re-create, several events per save), and all of them must give exactly one rebuild.

use crate::text::Layout;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What one changed path means for the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// `book.toml`: reload everything.
    Config,
    /// A file of the book's theme: re-render everything.
    Theme,
    /// A retro file (created, changed, renamed or deleted).
    Retro(PathBuf),
    /// Another file under the retros folder (an image or CSV beside a folder retro).
    Asset,
}

/// Classifies one changed path; `None` for paths that cannot change the site: anything outside
/// book.toml, the retros folder and theme/, hidden files and folders (`.git/`, editor swap
/// files like `.x.md.swp`), and editor backups (`x.md~`).
pub(crate) fn classify(layout: &Layout, path: &Path) -> Option<Change> {
    if path == layout.root.join(crate::config::FILE) {
        return Some(Change::Config);
    }
    // The theme folder is checked first: a book whose retros folder is the book root would
    // otherwise see theme files as assets.
    if let Ok(rel) = path.strip_prefix(layout.theme()) {
        return (!is_noise(rel)).then_some(Change::Theme);
    }
    let rel = path.strip_prefix(layout.retros()).ok()?;
    if is_noise(rel) {
        return None;
    }
    let mut comps = rel.components().peekable();
    while let Some(c) = comps.next() {
        // Only folders are skipped by name: a retro may be called `site.md`, never `site/x.md`.
        if comps.peek().is_some() && crate::load::NOT_RETROS.contains(&c.as_os_str().to_string_lossy().as_ref()) {
            return None;
        }
    }
    if rel.as_os_str().is_empty() {
        // The retros folder itself (created or removed).
        return Some(Change::Asset);
    }
    // The book's README at the top of the retros folder is neither a retro nor an asset.
    if rel.components().count() == 1 && crate::load::is_folder_doc(&rel.to_string_lossy()) {
        return None;
    }
    if crate::load::is_retro_file(path) { Some(Change::Retro(path.to_path_buf())) } else { Some(Change::Asset) }
}

/// Hidden components, editor backups and temporary files.
fn is_noise(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        || rel.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.ends_with('~') || n.ends_with(".swp") || n.ends_with(".swx") || n.ends_with(".tmp") || n == "4913"
        })
}

/// Whether an event kind can mean new content. Reads are not: the rebuild itself opens the files
/// it re-reads, and counting those events would rebuild forever.
pub(crate) fn is_change(kind: &notify::EventKind) -> bool {
    use notify::EventKind::*;
    use notify::event::{AccessKind, AccessMode};
    match kind {
        Access(AccessKind::Close(AccessMode::Write)) => true,
        Access(_) => false,
        Any | Create(_) | Modify(_) | Remove(_) | Other => true,
    }
}

/// One rebuild: the union of every change in a burst of events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// book.toml changed: reload the whole book.
    pub config: bool,
    /// A theme file changed: re-render every page.
    pub theme: bool,
    /// Retro files to re-read (each once, however many events named it).
    pub retros: BTreeSet<PathBuf>,
    /// Some other file under the retros folder changed.
    pub assets: bool,
}

impl Plan {
    /// Whether nothing in the burst matters.
    pub(crate) fn is_empty(&self) -> bool {
        !self.config && !self.theme && !self.assets && self.retros.is_empty()
    }

    /// Adds the changes of more paths (a later burst that arrived before the rebuild started).
    pub(crate) fn merge(&mut self, other: Plan) {
        self.config |= other.config;
        self.theme |= other.theme;
        self.assets |= other.assets;
        self.retros.extend(other.retros);
    }
}

/// Coalesces the paths of a burst of events into one [`Plan`].
pub(crate) fn coalesce<'a>(layout: &Layout, paths: impl IntoIterator<Item = &'a Path>) -> Plan {
    let mut plan = Plan::default();
    for p in paths {
        match classify(layout, p) {
            Some(Change::Config) => plan.config = true,
            Some(Change::Theme) => plan.theme = true,
            Some(Change::Retro(p)) => {
                plan.retros.insert(p);
            }
            Some(Change::Asset) => plan.assets = true,
            None => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(Path::new("/b"), "retros")
    }

    fn plan(paths: &[&str]) -> Plan {
        coalesce(&layout(), paths.iter().map(Path::new))
    }

    #[test]
    fn classifies_the_watched_files() {
        let l = layout();
        assert_eq!(classify(&l, Path::new("/b/book.toml")), Some(Change::Config));
        assert_eq!(classify(&l, Path::new("/b/theme/css/retrobook.css")), Some(Change::Theme));
        assert_eq!(classify(&l, Path::new("/b/theme/templates/retro.html")), Some(Change::Theme));
        assert_eq!(classify(&l, Path::new("/b/retros/a.md")), Some(Change::Retro("/b/retros/a.md".into())));
        assert_eq!(
            classify(&l, Path::new("/b/retros/2025/x/index.md")),
            Some(Change::Retro("/b/retros/2025/x/index.md".into()))
        );
        assert_eq!(classify(&l, Path::new("/b/retros/x/latency.csv")), Some(Change::Asset));
        // Postmortems without an extension are retros too.
        assert_eq!(classify(&l, Path::new("/b/retros/PM-9")), Some(Change::Retro("/b/retros/PM-9".into())));
    }

    #[test]
    fn ignores_everything_else() {
        let l = layout();
        for p in [
            "/b/.git/index",
            "/b/.git/objects/ab/cdef",
            "/b/site/index.html",
            "/b/.site-cache/search/2025/x",
            "/b/README.md",
            "/b/book.toml~",
            "/b/.book.toml.swp",
            "/b/retros/.a.md.swp",
            "/b/retros/a.md~",
            "/b/retros/a.md.tmp",
            "/b/retros/4913",
            "/b/retros/.hidden/a.md",
            "/b/retros/site/a.md",
            "/b/retros/node_modules/x/a.md",
            "/b/theme/.DS_Store",
            "/b/target/debug/x",
            "/elsewhere/retros/a.md",
        ] {
            assert_eq!(classify(&l, Path::new(p)), None, "{p}");
        }
    }

    #[test]
    fn every_save_pattern_is_one_rebuild_of_one_file() {
        let one = Plan { retros: [PathBuf::from("/b/retros/a.md")].into(), ..Plan::default() };
        // Write in place: modify, several times.
        assert_eq!(plan(&["/b/retros/a.md", "/b/retros/a.md", "/b/retros/a.md"]), one);
        // Vim: write a backup, swap files, remove the original, create it again.
        assert_eq!(
            plan(&["/b/retros/4913", "/b/retros/a.md~", "/b/retros/.a.md.swp", "/b/retros/a.md", "/b/retros/a.md"]),
            one
        );
        // Atomic save through a hidden temporary file, renamed over the original.
        assert_eq!(plan(&["/b/retros/.a.md.tmp-123", "/b/retros/a.md"]), one);
    }

    #[test]
    fn a_visible_temporary_file_renamed_into_place_rebuilds_once() {
        // Some tools write `a.md.tmp` (not a retro) and rename it: the rename names both paths.
        let p = plan(&["/b/retros/a.md.tmp", "/b/retros/a.md"]);
        assert_eq!(p.retros.len(), 1);
        assert!(!p.is_empty());
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RemoveKind, RenameMode};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(AccessMode::Read))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!is_change(&EventKind::Access(AccessKind::Read)));
        assert!(is_change(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(RenameMode::Both))));
        assert!(is_change(&EventKind::Remove(RemoveKind::File)));
    }

    #[test]
    fn bursts_merge() {
        let mut p = plan(&["/b/retros/a.md"]);
        p.merge(plan(&["/b/book.toml", "/b/retros/b.md", "/b/retros/a.md"]));
        assert!(p.config);
        assert_eq!(p.retros.len(), 2);
        assert!(plan(&["/b/.git/HEAD", "/b/site/x"]).is_empty());
        assert!(plan(&["/b/theme/templates/base.html"]).theme);
    }

    #[test]
    fn a_retros_folder_at_the_root_still_ignores_the_theme_and_site() {
        let l = Layout::new(Path::new("/b"), ".");
        assert_eq!(classify(&l, Path::new("/b/theme/css/x.css")), Some(Change::Theme));
        assert_eq!(classify(&l, Path::new("/b/site/index.html")), None);
        assert_eq!(classify(&l, Path::new("/b/.git/HEAD")), None);
        assert_eq!(classify(&l, Path::new("/b/a.md")), Some(Change::Retro("/b/a.md".into())));
    }
}
