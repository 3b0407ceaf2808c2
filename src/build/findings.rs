//! Warm builds: the findings of the rules that read one retro and the configuration only (the
//! writing rules and the checklist, see `check::own_rules`) are kept in [`FILE`] in the cache
//! folder beside the site, by retro. The next build takes a retro's findings from there when its
//! key is the same: retrobook itself, book.toml, the retro's file bytes, path and id (see
//! [`Findings::retro_key`]). Anything else about the book is checked again every time, and a
//! missing or unreadable file only means that every retro is checked. With the findings go the
//! checklist's readings of the retro's prose sections, which the render's checklist would
//! otherwise take a Markdown parse of every section to make again.

use crate::check::Remembered;
use crate::diagnostic::{Diagnostic, Level, Pos, rules};
use crate::model::{ProseReadings, Retro};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bumped when the layout of [`FILE`] or the meaning of its keys changes.
const FORMAT: u32 = 2;

/// The findings cache, in the cache folder beside the site.
pub(crate) const FILE: &str = "findings.json";

/// [`FILE`] as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// Retro key (hex) → what its check left.
    retros: HashMap<String, Kept>,
}

/// What the check of one retro leaves for the next build.
#[derive(Serialize, Deserialize, Clone)]
struct Kept {
    /// Its findings, in the order the rules made them.
    findings: Vec<Finding>,
    /// The completeness check's readings of its prose sections (see [`ProseReadings`]).
    prose: ProseReadings,
}

/// One diagnostic of a retro, without its file (the retro's path, which is part of the key).
#[derive(Serialize, Deserialize, Clone)]
struct Finding {
    line: u32,
    column: u32,
    rule: String,
    level: Level,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    suggestion: Option<String>,
}

/// The findings of the previous build and those of this one, for `check::check_book_remembering`.
pub(crate) struct Findings {
    file: PathBuf,
    /// What every retro's key starts from; `None` when the program cannot be examined: then
    /// nothing is remembered.
    base: Option<[u8; 32]>,
    known: HashMap<String, Kept>,
    /// This build's findings by retro key, and whether any had to be made afresh.
    now: Mutex<(HashMap<String, Kept>, bool)>,
}

impl Findings {
    /// The findings kept in `file` by the last build of the book at `root`.
    pub(crate) fn open(root: &Path, dir: &str, file: PathBuf) -> Findings {
        let base = base_key(root, dir);
        let known = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.format == FORMAT && base.is_some())
            .map(|s| s.retros)
            .unwrap_or_default();
        Findings { file, base, known, now: Mutex::new((HashMap::new(), false)) }
    }

    /// The key of `r`'s findings: [`base_key`], then the retro's file bytes (their hash), path and
    /// id (an incident log holds several retros).
    fn retro_key(&self, r: &Retro) -> Option<String> {
        let mut h = blake3::Hasher::new();
        h.update(self.base.as_ref()?);
        for field in [&r.hash[..], r.path.as_bytes(), r.id.as_bytes()] {
            h.update(&(field.len() as u64).to_le_bytes());
            h.update(field);
        }
        Some(h.finalize().to_hex().to_string())
    }

    /// After the check: this build's findings as the bytes of [`FILE`], or `None` when they are
    /// what was read (or cannot be keyed). Drops the rest, so the render does not hold it.
    pub(crate) fn seal(self) -> Sealed {
        let (retros, made) = self.now.into_inner().unwrap_or_else(|e| e.into_inner());
        let unchanged = !made && retros.len() == self.known.len();
        let json = (self.base.is_some() && !unchanged)
            .then(|| serde_json::to_vec(&Stored { format: FORMAT, retros }).map_err(std::io::Error::other));
        Sealed { file: self.file, json }
    }
}

/// This build's findings, to write once the build has succeeded.
pub(crate) struct Sealed {
    file: PathBuf,
    json: Option<std::io::Result<Vec<u8>>>,
}

impl Sealed {
    /// Writes the findings for the next build (replacing the file whole), when they changed.
    pub(crate) fn save(self) -> std::io::Result<()> {
        let Some(json) = self.json else { return Ok(()) };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, json?)?;
        std::fs::rename(&tmp, &self.file)
    }
}

impl Remembered for Findings {
    fn recall(&self, r: &Retro) -> Option<Vec<Diagnostic>> {
        let key = self.retro_key(r)?;
        let stored = self.known.get(&key)?;
        let found = stored.findings.iter().map(|f| f.to_diagnostic(&r.path)).collect::<Option<Vec<_>>>()?;
        r.restore_prose_readings(&stored.prose);
        self.now.lock().unwrap_or_else(|e| e.into_inner()).0.insert(key, stored.clone());
        Some(found)
    }

    fn keep(&self, r: &Retro, found: &[Diagnostic]) {
        let Some(key) = self.retro_key(r) else { return };
        // Findings about another file cannot be told from the key: such a retro is checked anew.
        let Some(findings) = found.iter().map(|d| Finding::of(d, &r.path)).collect::<Option<Vec<_>>>() else { return };
        let kept = Kept { findings, prose: r.prose_readings() };
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        now.0.insert(key, kept);
        now.1 = true;
    }
}

impl Finding {
    fn of(d: &Diagnostic, path: &str) -> Option<Finding> {
        (d.file == path).then(|| Finding {
            line: d.line,
            column: d.column,
            rule: d.rule.to_string(),
            level: d.level,
            message: d.message.clone(),
            suggestion: d.suggestion.clone(),
        })
    }

    /// The diagnostic again; `None` for a rule this program does not know.
    fn to_diagnostic(&self, path: &str) -> Option<Diagnostic> {
        let rule = rules::RULES.iter().find(|r| **r == self.rule)?;
        let mut d = Diagnostic::new(path, Pos::new(self.line, self.column), rule, self.level, self.message.clone());
        d.suggestion = self.suggestion.clone();
        Some(d)
    }
}

/// What every retro's findings depend on besides the retro: the program (as for the page cache,
/// its version, size and modification time), book.toml and the retros folder (which an implicit
/// configuration chooses by the folders it finds).
fn base_key(root: &Path, dir: &str) -> Option<[u8; 32]> {
    let mut h = blake3::Hasher::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(&FORMAT.to_le_bytes());
    super::pages::program_key(&mut field)?;
    super::pages::config_key(root, dir, &mut field);
    Some(*h.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SectionProse;

    #[test]
    fn the_checklist_readings_are_kept_beside_the_site_with_the_findings() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join(".site-cache").join(FILE);
        let text = "---\nid: a\ntitle: T\ndate: 2024-01-02\n---\n\n## Narrative\n\n\
            The deploy went out at noon and the queue stalled soon after it.\n";
        let book = || {
            let files = vec![("retros/a.md".to_string(), text.as_bytes().to_vec())];
            crate::load::load_from_bytes(root.path(), Default::default(), files).book
        };
        let first = book();
        let findings = Findings::open(root.path(), "retros", file.clone());
        crate::check::check_book_remembering(&first, &findings);
        findings.seal().save().unwrap();
        let read = first.retros[0].prose_readings();
        assert_eq!(read.len(), 1, "{read:?}");

        // Proof that they come from the file: a reading changed there is the one recalled.
        let stored = std::fs::read_to_string(&file).unwrap();
        assert!(stored.contains("\"Written\""), "{stored}");
        std::fs::write(&file, stored.replace("\"Written\"", "\"Short\"")).unwrap();
        let second = book();
        assert!(second.retros[0].prose_readings().is_empty());
        let findings = Findings::open(root.path(), "retros", file);
        crate::check::check_book_remembering(&second, &findings);
        let (i, key, _) = read[0];
        assert_eq!(second.retros[0].prose_readings(), [(i, key, SectionProse::Short)], "recalled from {FILE}");
    }
}
