//! Everything retrobook reads from git (libgit2 through `git2`): one history walk for the whole
//! book, the retros changed since a revision, and the book as it was at a revision. The rest of
//! the program only sees the plain data this produces ([`History`], paths, a [`Book`]).

use crate::config::Config;
use crate::history::{ActionHistory, History, RetroHistory};
use crate::load::frontmatter::{self, Style};
use crate::model::Book;
use crate::text::Layout;
use crate::value;
use anyhow::anyhow;
use git2::{Commit, Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, RepositoryOpenFlags, Sort};
use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Opens the repository that contains `root`, honouring `GIT_CEILING_DIRECTORIES` like git.
pub(crate) fn open(root: &Path) -> Result<Repository, git2::Error> {
    // libgit2 re-hashes every object it reads (SHA-1 with collision detection): that was about
    // 40% of the history walk. git itself does not verify objects on read; nor do we.
    git2::opts::strict_hash_verification(false);
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default();
    Repository::open_ext(root, RepositoryOpenFlags::empty(), &ceilings)
}

/// The book inside its repository: its folders, and where its folder is in the repository.
struct InRepo {
    /// The book's folder relative to the repository root: `""` or `a/b/`.
    prefix: String,
    /// The book's folders.
    book: Layout,
}

impl InRepo {
    fn new(repo: &Repository, root: &Path, config: &Config) -> Option<InRepo> {
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let canonical = root.canonicalize().ok()?;
        canonical.strip_prefix(&workdir).ok()?;
        let rel = crate::text::relative(&workdir, &canonical);
        let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
        Some(InRepo { prefix, book: Layout::new(root, &config.retros.dir) })
    }
    /// The retros folder relative to the repository root, without a trailing slash.
    fn retros_in_repo(&self) -> String {
        format!("{}{}", self.prefix, self.book.retros_dir)
    }
    /// A path relative to the retros folder, made relative to the book.
    fn book_path(&self, in_retros: &str) -> String {
        self.book.book_path(in_retros)
    }
}

/// The tree of the retros folder in `commit`, if it has one.
fn retros_tree(commit: &Commit, dir: &str) -> Option<Oid> {
    let tree = commit.tree().ok()?;
    if dir.is_empty() {
        return Some(tree.id());
    }
    let e = tree.get_path(Path::new(dir)).ok()?;
    (e.kind() == Some(ObjectType::Tree)).then(|| e.id())
}

/// A retro file that differs between two trees: path relative to the retros folder and blob.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    old: Option<(String, Oid)>,
    new: Option<(String, Oid)>,
}

/// Whether a tree entry under the retros folder can hold retros (mirrors `load::discover`).
fn wanted(name: &str, is_tree: bool) -> bool {
    if name.starts_with('.') {
        return false;
    }
    if is_tree { !crate::load::NOT_RETROS.contains(&name) } else { crate::load::is_retro_file(Path::new(name)) }
}

/// Compares two trees, descending only into subtrees whose ids differ, and collects the retro
/// files added, removed or changed. Much cheaper than a full diff on a book with thousands of
/// files, because a commit usually touches one folder.
fn diff_trees(repo: &Repository, old: Option<Oid>, new: Option<Oid>, base: &str, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    let (ta, tb) = (old.and_then(|id| repo.find_tree(id).ok()), new.and_then(|id| repo.find_tree(id).ok()));
    let (na, nb) = (ta.as_ref().map_or(0, |t| t.len()), tb.as_ref().map_or(0, |t| t.len()));
    // Entry i of a tree as (name, id, is_tree); None for what cannot hold retros (submodules…).
    let entry = |t: &Option<git2::Tree>, i: usize| -> Option<(Vec<u8>, Oid, bool)> {
        let e = t.as_ref()?.get(i)?;
        let is_tree = match e.kind() {
            Some(ObjectType::Tree) => true,
            Some(ObjectType::Blob) => false,
            _ => return None,
        };
        Some((e.name_bytes().to_vec(), e.id(), is_tree))
    };
    let mut emit = |old: Option<(Vec<u8>, Oid, bool)>, new: Option<(Vec<u8>, Oid, bool)>| {
        let Some((name, _, is_tree)) = old.as_ref().or(new.as_ref()) else { return };
        let name = String::from_utf8_lossy(name).into_owned();
        // A README or CONTRIBUTING at the top of the retros folder is not a retro (load::discover).
        if !wanted(&name, *is_tree) || (base.is_empty() && !*is_tree && crate::load::is_folder_doc(&name)) {
            return;
        }
        if *is_tree {
            diff_trees(repo, old.map(|e| e.1), new.map(|e| e.1), &format!("{base}{name}/"), out);
        } else {
            let path = |e: (Vec<u8>, Oid, bool)| (format!("{base}{}", String::from_utf8_lossy(&e.0)), e.1);
            out.push(Change { old: old.map(path), new: new.map(path) });
        }
    };
    // Git orders entries by name, with a folder compared as if its name ended in `/`. Equal
    // entries (the common case) are skipped without allocating.
    let (mut i, mut j) = (0, 0);
    while i < na || j < nb {
        let (a, b) = (ta.as_ref().and_then(|t| t.get(i)), tb.as_ref().and_then(|t| t.get(j)));
        let ord = match (&a, &b) {
            (Some(x), Some(y)) => {
                let slash = |e: &git2::TreeEntry| if e.kind() == Some(ObjectType::Tree) { &b"/"[..] } else { &b""[..] };
                x.name_bytes().iter().chain(slash(x)).cmp(y.name_bytes().iter().chain(slash(y)))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Less => {
                emit(entry(&ta, i), None);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                emit(None, entry(&tb, j));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                if a.as_ref().map(|e| e.id()) != b.as_ref().map(|e| e.id()) {
                    emit(entry(&ta, i), entry(&tb, j));
                }
                i += 1;
                j += 1;
            }
        }
    }
}

/// The retro files changed from `old` to `new` (commit trees), with renames paired: identical
/// content first, then by similarity (libgit2's rename detection, run only on the files that
/// were added and removed, and only when there are both).
fn changes(repo: &Repository, old: Option<&Commit>, new: &Commit, layout: &InRepo) -> Vec<Change> {
    let dir = layout.retros_in_repo();
    let mut out = Vec::new();
    diff_trees(repo, old.and_then(|c| retros_tree(c, &dir)), retros_tree(new, &dir), "", &mut out);
    pair_renames(repo, old.and_then(|c| c.tree().ok()), new.tree().ok(), &dir, out)
}

fn pair_renames(
    repo: &Repository,
    old_tree: Option<git2::Tree>,
    new_tree: Option<git2::Tree>,
    dir: &str,
    changes: Vec<Change>,
) -> Vec<Change> {
    let (mut added, mut removed): (Vec<Change>, Vec<Change>) =
        changes.iter().filter(|c| c.old.is_none() || c.new.is_none()).cloned().partition(|c| c.old.is_none());
    if added.is_empty() || removed.is_empty() {
        return changes;
    }
    let mut out: Vec<Change> = changes.into_iter().filter(|c| c.old.is_some() && c.new.is_some()).collect();
    // Identical content: a pure rename.
    removed.retain(|r| {
        let (rp, rid) = r.old.clone().expect("removed has old");
        match added.iter().position(|a| a.new.as_ref().is_some_and(|(_, id)| *id == rid)) {
            Some(i) => {
                let a = added.remove(i);
                out.push(Change { old: Some((rp, rid)), new: a.new });
                false
            }
            None => true,
        }
    });
    if !added.is_empty() && !removed.is_empty() {
        let full = |p: &str| if dir.is_empty() { p.to_string() } else { format!("{dir}/{p}") };
        let mut opts = DiffOptions::new();
        opts.disable_pathspec_match(true);
        for c in added.iter().chain(&removed) {
            let (p, _) = c.new.as_ref().or(c.old.as_ref()).expect("a side");
            opts.pathspec(full(p));
        }
        if let Ok(mut diff) = repo.diff_tree_to_tree(old_tree.as_ref(), new_tree.as_ref(), Some(&mut opts)) {
            let mut find = DiffFindOptions::new();
            find.renames(true);
            if diff.find_similar(Some(&mut find)).is_ok() {
                let strip = |p: &Path| {
                    let s = p.to_string_lossy().into_owned();
                    if dir.is_empty() { s } else { s.strip_prefix(&format!("{dir}/")).unwrap_or(&s).to_string() }
                };
                for d in diff.deltas().filter(|d| d.status() == Delta::Renamed) {
                    let (Some(op), Some(np)) = (d.old_file().path(), d.new_file().path()) else { continue };
                    let (op, np) = (strip(op), strip(np));
                    let ri = removed.iter().position(|c| c.old.as_ref().is_some_and(|(p, _)| *p == op));
                    let ai = added.iter().position(|c| c.new.as_ref().is_some_and(|(p, _)| *p == np));
                    if let (Some(ri), Some(ai)) = (ri, ai) {
                        let (r, a) = (removed.remove(ri), added.remove(ai));
                        out.push(Change { old: r.old, new: a.new });
                    }
                }
            }
        }
    }
    out.extend(added);
    out.extend(removed);
    out
}

/// One change to a file's lineage, seen in one commit.
struct Event {
    time: Timestamp,
    author: String,
    commit: Oid,
    blob: Oid,
    /// Position in the walk (0 = newest), to order events of equal time.
    seq: usize,
}

/// A file's lineage, following renames, built while walking from the newest commit back.
#[derive(Default)]
struct Lineage {
    /// Path (relative to the retros folder) at the newest commit that has it; `None` when the
    /// lineage ends in a deletion (a different, older file that once had a current name).
    head_path: Option<String>,
    events: Vec<Event>,
}

/// Walks the whole history once and returns what it knows about every retro of `book`, with a
/// note for each thing that limits it (not in git, shallow clone, retros not committed yet).
pub fn read_history(book: &Book) -> History {
    let mut history = History::default();
    let repo = match open(&book.root) {
        Ok(r) => r,
        Err(_) => {
            history.notes.push(
                "the book is not in a git repository, so retro pages show no created and updated dates, \
                 contributors or history links; run `git init` and commit the retros to get them"
                    .to_string(),
            );
            return history;
        }
    };
    let Some(layout) = InRepo::new(&repo, &book.root, &book.config) else {
        history.notes.push("the git repository has no working tree; history is not read".to_string());
        return history;
    };
    history.prefix = Some(layout.prefix.clone());
    if repo.is_shallow() {
        history.notes.push(
            "this is a shallow clone, so created dates, contributors and action ages are cut off at its oldest \
             commit; fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
                .to_string(),
        );
    }
    if let Err(e) = walk(&repo, &layout, book, &mut history) {
        history.notes.push(format!("cannot read the git history: {}", e.message()));
    }
    // Files, not retros: an incident log is one file holding several retros.
    let mut seen = std::collections::HashSet::new();
    let missing: Vec<&str> = book
        .retros
        .iter()
        .filter(|r| !history.retros.contains_key(&r.path) && seen.insert(r.path.as_str()))
        .map(|r| r.path.as_str())
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(3).copied().collect();
        let more = if missing.len() > 3 { format!(" and {} more", missing.len() - 3) } else { String::new() };
        history.notes.push(format!(
            "{} not committed yet ({}{more}), so {} no history until {} committed",
            if missing.len() == 1 {
                "1 retro file is".to_string()
            } else {
                format!("{} retro files are", missing.len())
            },
            shown.join(", "),
            if missing.len() == 1 { "it has" } else { "they have" },
            if missing.len() == 1 { "it is" } else { "they are" },
        ));
    }
    history
}

fn walk(repo: &Repository, layout: &InRepo, book: &Book, history: &mut History) -> Result<(), git2::Error> {
    if repo.head().is_err() {
        return Ok(()); // no commit yet
    }
    let lineages = lineages(repo, layout)?;
    let wanted: HashMap<String, &str> = book.retros.iter().map(|r| (r.path.clone(), r.path.as_str())).collect();
    let live: Vec<(String, Lineage)> = lineages
        .into_iter()
        .filter_map(|l| {
            let p = layout.book_path(l.head_path.as_deref()?);
            (wanted.contains_key(&p) && !l.events.is_empty()).then_some((p, l))
        })
        .collect();
    // Blobs are read here, one thread; parsing their front matter is spread over all cores.
    let mut blobs: HashMap<Oid, Vec<u8>> = HashMap::new();
    for (_, l) in &live {
        for e in &l.events {
            if let std::collections::hash_map::Entry::Vacant(v) = blobs.entry(e.blob)
                && let Ok(b) = repo.find_blob(e.blob)
            {
                v.insert(b.content().to_vec());
            }
        }
    }
    let parsed: HashMap<Oid, Vec<(String, bool)>> =
        blobs.par_iter().map(|(id, bytes)| (*id, action_states(&String::from_utf8_lossy(bytes)))).collect();
    for (path, l) in live {
        history.retros.insert(path, retro_history(repo, l, &parsed));
    }
    Ok(())
}

/// One walk over the commits that changed the retros folder, newest first: the lineage of every
/// file that was ever in it, following renames.
fn lineages(repo: &Repository, layout: &InRepo) -> Result<Vec<Lineage>, git2::Error> {
    let mailmap = repo.mailmap().ok();
    let dir = layout.retros_in_repo();
    let mut revwalk = repo.revwalk()?;
    revwalk.set_sorting(Sort::TOPOLOGICAL)?;
    revwalk.push_head()?;
    let mut lineages: Vec<Lineage> = Vec::new();
    // Path (relative to the retros folder) → lineage, as of the commit being looked at.
    let mut alias: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<(Vec<u8>, Vec<u8>), String> = HashMap::new();
    for (seq, oid) in revwalk.enumerate() {
        let commit = repo.find_commit(oid?)?;
        let parent = commit.parent(0).ok();
        let here = retros_tree(&commit, &dir);
        if parent.as_ref().map_or(here.is_none(), |p| retros_tree(p, &dir) == here) {
            continue;
        }
        let mut list = changes(repo, parent.as_ref(), &commit, layout);
        if commit.parent_count() > 1 {
            // A merge: keep only what the merge itself changed. What came from another parent was
            // changed by that parent's commits, which the walk visits too.
            let others: Vec<Option<Oid>> = commit.parents().skip(1).map(|p| retros_tree(&p, &dir)).collect();
            list.retain(|c| match &c.new {
                None => false,
                Some((p, id)) => !others.iter().any(|t| blob_at(repo, *t, p) == Some(*id)),
            });
        }
        if list.is_empty() {
            continue;
        }
        let author = commit.author();
        let name = author_name(&author, mailmap.as_ref(), &mut names);
        let time = Timestamp::from_second(author.when().seconds()).unwrap_or(Timestamp::UNIX_EPOCH);
        for c in list {
            match (c.old, c.new) {
                (Some((old, _)), None) => {
                    // Before this commit `old` was a file that is gone now: a lineage of its own.
                    lineages.push(Lineage::default());
                    alias.insert(old, lineages.len() - 1);
                }
                (old, Some((new, blob))) => {
                    let id = match alias.get(&new) {
                        Some(&id) => id,
                        None => {
                            lineages.push(Lineage { head_path: Some(new.clone()), events: Vec::new() });
                            alias.insert(new.clone(), lineages.len() - 1);
                            lineages.len() - 1
                        }
                    };
                    lineages[id].events.push(Event { time, author: name.clone(), commit: commit.id(), blob, seq });
                    match old {
                        Some((old, _)) if old == new => {}
                        Some((old, _)) => {
                            alias.remove(&new);
                            alias.insert(old, id);
                        }
                        None => {
                            alias.remove(&new);
                        }
                    }
                }
                (None, None) => {}
            }
        }
    }
    Ok(lineages)
}

/// The author's name as the mailmap resolves it (else the email), computed once per identity.
fn author_name(
    author: &git2::Signature<'_>,
    mailmap: Option<&git2::Mailmap>,
    names: &mut HashMap<(Vec<u8>, Vec<u8>), String>,
) -> String {
    let resolved = mailmap.and_then(|m| m.resolve_signature(author).ok());
    let sig = resolved.as_ref().unwrap_or(author);
    names
        .entry((sig.name_bytes().to_vec(), sig.email_bytes().to_vec()))
        .or_insert_with(|| {
            let n = String::from_utf8_lossy(sig.name_bytes()).trim().to_string();
            if n.is_empty() { String::from_utf8_lossy(sig.email_bytes()).into_owned() } else { n }
        })
        .clone()
}

/// What the lineage of one retro file says: created, updated, contributors, its actions' dates.
/// `parsed` holds the action states of every blob of the lineage; `l` has events (`walk` keeps
/// only those).
fn retro_history(repo: &Repository, mut l: Lineage, parsed: &HashMap<Oid, Vec<(String, bool)>>) -> RetroHistory {
    let abbrev = |id: Oid| {
        repo.find_object(id, None)
            .ok()
            .and_then(|o| o.short_id().ok())
            .and_then(|b| b.as_str().ok().map(str::to_string))
            .unwrap_or_else(|| id.to_string()[..7].to_string())
    };
    // Oldest first: by time, then by walk position (later in the walk is older).
    l.events.sort_by(|a, b| a.time.cmp(&b.time).then(b.seq.cmp(&a.seq)));
    let newest = l.events.iter().min_by_key(|e| e.seq).expect("non-empty");
    let mut contributors: Vec<String> = l.events.iter().map(|e| e.author.clone()).collect();
    contributors.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    contributors.dedup();
    let mut actions: BTreeMap<String, ActionHistory> = BTreeMap::new();
    // Actions git has seen open. One already closed when it first appeared (a folder of old
    // retros committed at once) was closed at some unknown earlier time: no date from git.
    let mut seen_open: BTreeSet<&str> = BTreeSet::new();
    for e in &l.events {
        for (id, closed) in parsed.get(&e.blob).map(Vec::as_slice).unwrap_or(&[]) {
            let a = actions.entry(id.clone()).or_insert(ActionHistory { first_seen: e.time, closed: None });
            if !closed {
                seen_open.insert(id);
            }
            match (closed, a.closed) {
                (true, None) if seen_open.contains(id.as_str()) => a.closed = Some(e.time),
                (false, Some(_)) => a.closed = None, // reopened
                _ => {}
            }
        }
    }
    // Actions removed from the retro since are forgotten.
    let last = l.events.last().and_then(|e| parsed.get(&e.blob));
    if let Some(last) = last {
        actions.retain(|id, _| last.iter().any(|(x, _)| x == id));
    }
    RetroHistory {
        created: l.events.first().map_or(newest.time, |e| e.time),
        updated: newest.time,
        contributors,
        commit: newest.commit.to_string(),
        short: abbrev(newest.commit),
        actions,
    }
}

fn blob_at(repo: &Repository, tree: Option<Oid>, path: &str) -> Option<Oid> {
    let tree = repo.find_tree(tree?).ok()?;
    tree.get_path(Path::new(path)).ok().map(|e| e.id())
}

/// The actions of a retro's text as (id, closed) pairs, read with the project's front-matter
/// reader. Text that does not parse gives no actions.
pub(crate) fn action_states(text: &str) -> Vec<(String, bool)> {
    let text = crate::text::normalize_text(text);
    let Ok(Some(cut)) = frontmatter::cut(&text) else { return Vec::new() };
    let tree = match cut.style {
        Style::Yaml => value::parse_yaml(cut.matter, cut.matter_line),
        Style::Toml => value::parse_toml(cut.matter, cut.matter_line),
    };
    let Ok(tree) = tree else { return Vec::new() };
    let Some(value::NodeKind::Seq(items)) = tree.get("actions").map(|n| &n.kind) else { return Vec::new() };
    items
        .iter()
        .filter_map(|a| {
            let id = a.get("id")?.scalar_text()?;
            let status = a.get("status").and_then(|s| s.scalar_text()).unwrap_or_default();
            Some((id, matches!(status.as_str(), "done" | "wont-do")))
        })
        .collect()
}

fn resolve<'r>(repo: &'r Repository, rev: &str) -> anyhow::Result<Commit<'r>> {
    repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map_err(|_| {
        anyhow!(
            "unknown revision `{rev}`; name a branch, tag or commit of this repository \
             (in CI, fetch it first: `fetch-depth: 0` in actions/checkout, or `git fetch origin <branch>`)"
        )
    })
}

fn open_for_rev(root: &Path) -> anyhow::Result<Repository> {
    open(root).map_err(|_| anyhow!("the book is not in a git repository, so there is no revision to compare with"))
}

/// The retros (paths relative to the book) added, modified or renamed between the merge base of
/// `rev` and HEAD, plus those changed in the working tree and not committed yet. Sorted.
pub fn changed_since(root: &Path, config: &Config, rev: &str) -> anyhow::Result<Vec<String>> {
    let repo = open_for_rev(root)?;
    let layout = InRepo::new(&repo, root, config).ok_or_else(|| anyhow!("the repository has no working tree"))?;
    let since = resolve(&repo, rev)?;
    let head = resolve(&repo, "HEAD")?;
    let base_id =
        repo.merge_base(since.id(), head.id()).map_err(|_| anyhow!("`{rev}` and HEAD have no common ancestor"))?;
    let base = repo.find_commit(base_id).map_err(|e| anyhow!(e.message().to_string()))?;
    let mut paths: BTreeSet<String> = changes(&repo, Some(&base), &head, &layout)
        .into_iter()
        .filter_map(|c| c.new.map(|(p, _)| layout.book_path(&p)))
        .collect();
    paths.extend(working_changes(&repo, &layout, false));
    Ok(paths.into_iter().collect())
}

/// The retro files (paths relative to the book) and book.toml that differ from HEAD in the
/// working tree or the index, untracked ones included: what `diff`, which compares commits,
/// leaves out. Empty outside a git repository. Sorted.
pub fn uncommitted(root: &Path, config: &Config) -> Vec<String> {
    let Ok(repo) = open(root) else { return Vec::new() };
    let Some(layout) = InRepo::new(&repo, root, config) else { return Vec::new() };
    let mut paths = working_changes(&repo, &layout, true);
    let toml = format!("{}{}", layout.prefix, crate::config::FILE);
    if repo.status_file(Path::new(&toml)).is_ok_and(|s| !s.is_empty() && !s.contains(git2::Status::IGNORED)) {
        paths.push(crate::config::FILE.to_string());
    }
    paths.sort();
    paths
}

/// The retro files of the working tree that differ from HEAD (untracked ones included); deleted
/// ones only with `deleted`.
fn working_changes(repo: &Repository, layout: &InRepo, deleted: bool) -> Vec<String> {
    let mut paths = Vec::new();
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
    let dir = format!("{}/", layout.retros_in_repo());
    if dir != "/" {
        opts.pathspec(&dir);
    }
    if let Ok(statuses) = repo.statuses(Some(&mut opts)) {
        for s in statuses.iter() {
            if !deleted && s.status().intersects(git2::Status::WT_DELETED | git2::Status::INDEX_DELETED) {
                continue;
            }
            let Ok(p) = s.path() else { continue };
            let Some(in_book) = p.strip_prefix(layout.prefix.as_str()) else { continue };
            if crate::load::is_retro_file(Path::new(in_book)) {
                paths.push(in_book.to_string());
            }
        }
    }
    paths
}

/// The book as it is in the commit `rev` names (after `resolve_base` when `merge_base_with` is
/// given): book.toml and retros read from the commit's tree, in memory; nothing is checked out.
/// A revision without a book.toml (or a broken one) is read with `fallback`.
pub fn book_at(
    root: &Path,
    rev: &str,
    merge_base_with: Option<&str>,
    fallback: &Config,
) -> anyhow::Result<crate::load::Loaded> {
    let repo = open_for_rev(root)?;
    let layout = InRepo::new(&repo, root, fallback).ok_or_else(|| anyhow!("the repository has no working tree"))?;
    let mut commit = resolve(&repo, rev)?;
    if let Some(other) = merge_base_with {
        let other = resolve(&repo, other)?;
        let id = repo
            .merge_base(commit.id(), other.id())
            .map_err(|_| anyhow!("`{rev}` and `{}` have no common ancestor", other.id()))?;
        commit = repo.find_commit(id).map_err(|e| anyhow!(e.message().to_string()))?;
    }
    let tree = commit.tree().map_err(|e| anyhow!(e.message().to_string()))?;
    let config = tree
        .get_path(Path::new(&format!("{}{}", layout.prefix, crate::config::FILE)))
        .ok()
        .and_then(|e| repo.find_blob(e.id()).ok())
        .and_then(|b| std::str::from_utf8(b.content()).ok().and_then(|t| Config::parse(t).ok()))
        .unwrap_or_else(|| fallback.clone());
    let layout = InRepo { book: Layout::new(root, &config.retros.dir), ..layout };
    let mut files = Vec::new();
    let mut list = Vec::new();
    diff_trees(&repo, None, retros_tree(&commit, &layout.retros_in_repo()), "", &mut list);
    for c in list {
        let Some((p, id)) = c.new else { continue };
        // A blob that cannot be read (a shallow or partial clone, a damaged object) must not
        // make a retro vanish from the comparison: say so instead.
        let blob = repo.find_blob(id).map_err(|e| {
            anyhow!(
                "cannot read `{}` at `{rev}` ({}); fetch the full history (e.g. `git fetch --unshallow`) and retry",
                layout.book_path(&p),
                e.message()
            )
        })?;
        files.push((layout.book_path(&p), blob.content().to_vec()));
    }
    Ok(crate::load::load_from_bytes(root, config, files))
}
