//! Where the book is: the folder a command was pointed at must hold a `book.toml`. Without one a
//! command would check nothing and succeed (CI green on an empty folder), so the command line
//! stops and says how to start, or where the nearest book above is.

use crate::config::FILE;
use std::path::{Path, PathBuf};

/// Why a folder is not a book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotABook {
    /// The folder does not exist.
    NoFolder,
    /// The path exists but is a file.
    NotAFolder,
    /// The folder has no `book.toml`.
    NoConfig {
        /// The nearest folder above it that has one.
        above: Option<PathBuf>,
    },
}

/// Checks that `root` is a book: an existing folder with a `book.toml` file in it.
pub fn require_book(root: &Path) -> Result<(), NotABook> {
    if !root.exists() {
        return Err(NotABook::NoFolder);
    }
    if !root.is_dir() {
        return Err(NotABook::NotAFolder);
    }
    if root.join(FILE).is_file() {
        return Ok(());
    }
    Err(NotABook::NoConfig { above: nearest_above(root) })
}

/// The nearest folder strictly above `root` that holds a `book.toml`.
fn nearest_above(root: &Path) -> Option<PathBuf> {
    // Canonical, so that `..` in the path is not taken for a folder above.
    let abs = std::fs::canonicalize(root).ok()?;
    abs.ancestors().skip(1).find(|dir| dir.join(FILE).is_file()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_without_book_toml_is_not_a_book_and_the_nearest_one_above_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("book/retros/2024");
        std::fs::create_dir_all(&inner).unwrap();
        assert_eq!(require_book(&inner), Err(NotABook::NoConfig { above: None }));
        std::fs::write(dir.path().join("book/book.toml"), "").unwrap();
        let above = std::fs::canonicalize(dir.path().join("book")).unwrap();
        assert_eq!(require_book(&inner), Err(NotABook::NoConfig { above: Some(above) }));
        assert_eq!(require_book(&dir.path().join("book")), Ok(()));
        assert_eq!(require_book(&dir.path().join("nope")), Err(NotABook::NoFolder));
        assert_eq!(require_book(&dir.path().join("book/book.toml")), Err(NotABook::NotAFolder));
    }
}
