//! `retrobook check`: every problem in one run.

use super::{EXIT_ERRORS, EXIT_OK, Outcome, exit, use_color};
use retrobook::diagnostic::{self, Diagnostic, Format, Level};
use std::path::{Path, PathBuf};

/// `check --format`: the library's [`Format`] as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// rustc-like: a snippet of the file with a caret under the problem
    Human,
    /// GitHub Actions workflow commands, shown as annotations on a pull request
    Github,
    /// one JSON array of diagnostics
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Github => Format::Github,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Options of `check`.
pub(crate) struct CheckArgs {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub strict: bool,
    /// Only report retros changed since the merge base of this revision and HEAD.
    pub since: Option<String>,
}

/// Runs `check` and returns the exit code.
pub(crate) fn run(root: &Path, args: &CheckArgs) -> Outcome {
    let (diags, retros, changed) = match retrobook::load::load_book(root) {
        Ok(loaded) => {
            let changed = match &args.since {
                Some(rev) => Some(retrobook::git::changed_since(root, &loaded.book.config, rev).map_err(super::usage)?),
                None => None,
            };
            let mut d = loaded.diagnostics;
            d.extend(retrobook::check::check_book(&loaded.book));
            (retrobook::check::apply_levels(&loaded.book.config, d), loaded.book.retros.len(), changed)
        }
        Err(d) => (d, 0, None),
    };
    let mut diags = filter_paths(root, diags, &args.paths);
    if let (Some(changed), Some(rev)) = (&changed, &args.since) {
        // The whole book was checked (duplicate ids, related ids, factor twins need it); only the
        // changed retros are reported.
        diags.retain(|d| d.file == retrobook::config::FILE || changed.binary_search(&d.file).is_ok());
        eprintln!(
            "{} changed since the merge base with {rev}{}",
            retrobook::text::plural(changed.len(), "retro", "retros"),
            if changed.is_empty() { String::new() } else { format!(": {}", changed.join(", ")) }
        );
    }
    if args.strict {
        for d in diags.iter_mut().filter(|d| d.level == Level::Warning) {
            d.level = Level::Error;
        }
    }
    diagnostic::sort(&mut diags);
    let out = match args.format {
        Format::Human => {
            // One message repeated in many files (an adopted folder) is one line, after the rest;
            // the machine formats keep every diagnostic.
            let color = use_color(&std::io::stdout());
            let (single, groups) = diagnostic::group_repeats(&diags);
            diagnostic::render_human(&single, color, &|f| std::fs::read_to_string(root.join(f)).ok())
                + &diagnostic::render_groups(&groups, color)
        }
        Format::Github => diagnostic::render_github(&diags),
        Format::Json => diagnostic::render_json(&diags),
    };
    print!("{out}");
    if !diags.is_empty() {
        eprint!("by rule:\n{}", diagnostic::rule_summary(&diags));
    }
    eprintln!("{}", diagnostic::summary(&diags, retros));
    exit(if diagnostic::error_count(&diags) > 0 { EXIT_ERRORS } else { EXIT_OK })
}

/// Keeps diagnostics of the given files or folders (book.toml problems are always kept). The
/// whole book is still loaded and checked, so cross-retro rules see every retro.
fn filter_paths(root: &Path, diags: Vec<Diagnostic>, paths: &[PathBuf]) -> Vec<Diagnostic> {
    if paths.is_empty() {
        return diags;
    }
    let wanted: Vec<String> = paths
        .iter()
        .map(|p| {
            // Relative paths are read from the current folder, else from the book's.
            let cwd = std::env::current_dir().unwrap_or_default().join(p);
            let abs = if p.is_absolute() || cwd.exists() { cwd } else { root.join(p) };
            let abs = abs.canonicalize().unwrap_or(abs);
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            retrobook::text::relative(&root, &abs)
        })
        .collect();
    diags
        .into_iter()
        .filter(|d| {
            d.file == retrobook::config::FILE
                || wanted.iter().any(|w| d.file == *w || d.file.starts_with(&format!("{w}/")) || w.is_empty())
        })
        .collect()
}
