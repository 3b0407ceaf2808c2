//! `retrobook build`: the site, atomically.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use crate::build::{Audience, BuildError, BuildOptions};
use std::path::{Path, PathBuf};

/// Options of `build`.
pub struct BuildArgs {
    /// `None`: `site/` for the internal audience, `site-external/` for the external one, so the
    /// public build never replaces the internal site by accident.
    pub dest_dir: Option<PathBuf>,
    pub audience: Audience,
    pub no_search: bool,
    pub verbose: bool,
}

/// Runs `build`; returns the exit code.
pub fn run(root: &Path, args: &BuildArgs, today: Option<jiff::civil::Date>) -> i32 {
    let dest_dir = args.dest_dir.clone().unwrap_or_else(|| match args.audience {
        Audience::Internal => PathBuf::from("site"),
        Audience::External => PathBuf::from("site-external"),
    });
    let dest = if dest_dir.is_absolute() { dest_dir } else { root.join(dest_dir) };
    let start = std::time::Instant::now();
    eprintln!("building {} …", root.display());
    match crate::build::build(
        root,
        &BuildOptions { dest: dest.clone(), today, search: !args.no_search, audience: args.audience },
    ) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                super::print_human_stderr(root, &report.warnings);
            }
            if args.verbose {
                for (name, d) in &report.phases {
                    eprintln!("  {name:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
                for (path, why) in &report.skipped_assets {
                    eprintln!("  not published: {path} ({why})");
                }
            }
            let linked = if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_symlink()) {
                format!(" (a link to {})", report.written_to.display())
            } else {
                String::new()
            };
            eprintln!(
                "built {}{} retros: {} pages, {} search records, {} warnings → {}{linked} in {:.2} s",
                if args.audience == Audience::External { "the public history of " } else { "" },
                report.retros,
                report.pages,
                report.search_records,
                report.warnings.len(),
                dest.display(),
                start.elapsed().as_secs_f64()
            );
            EXIT_OK
        }
        Err(BuildError::Book(diags)) => {
            super::print_human_stderr(root, &diags);
            eprintln!(
                "build failed: {}; the previous site is untouched",
                crate::diagnostic::summary(&diags, 0).replace("checked 0 retros: ", "")
            );
            EXIT_ERRORS
        }
        Err(BuildError::Destination(msg)) => {
            eprintln!("error: {msg}\nnothing was written");
            EXIT_USAGE
        }
        Err(BuildError::Other(msg)) => {
            eprintln!("error: {msg}\nbuild failed; the previous site is untouched");
            EXIT_ERRORS
        }
    }
}
