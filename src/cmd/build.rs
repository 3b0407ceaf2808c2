//! `retrobook build`: the site, atomically.

use super::{EXIT_ERRORS, EXIT_OK};
use crate::build::{BuildError, BuildOptions};
use std::path::{Path, PathBuf};

/// Options of `build`.
pub struct BuildArgs {
    pub dest_dir: PathBuf,
    pub no_search: bool,
    pub verbose: bool,
}

/// Runs `build`; returns the exit code.
pub fn run(root: &Path, args: &BuildArgs, today: Option<jiff::civil::Date>) -> i32 {
    let dest = if args.dest_dir.is_absolute() { args.dest_dir.clone() } else { root.join(&args.dest_dir) };
    let start = std::time::Instant::now();
    eprintln!("building {} …", root.display());
    match crate::build::build(root, &BuildOptions { dest: dest.clone(), today, search: !args.no_search }) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                super::print_human_stderr(root, &report.warnings);
            }
            if args.verbose {
                for (name, d) in &report.phases {
                    eprintln!("  {name:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            eprintln!(
                "built {} retros: {} pages, {} search records, {} warnings → {} in {:.2} s",
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
        Err(BuildError::Other(msg)) => {
            eprintln!("error: {msg}\nbuild failed; the previous site is untouched");
            EXIT_ERRORS
        }
    }
}
