//! `retrobook build`: the site, atomically.

use super::{EXIT_ERRORS, EXIT_OK, Outcome, exit, quiet, usage};
use anyhow::anyhow;
use retrobook::build::{Audience, BuildError, BuildOptions};
use retrobook::text::plural;
use std::path::{Path, PathBuf};

/// `build --audience`: the library's [`Audience`] as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AudienceArg {
    /// The whole book, for the organisation
    Internal,
    /// Customer-facing incident history: published retros marked `external: true`, public fields only
    External,
}

impl From<AudienceArg> for Audience {
    fn from(a: AudienceArg) -> Audience {
        match a {
            AudienceArg::Internal => Audience::Internal,
            AudienceArg::External => Audience::External,
        }
    }
}

/// Options of `build`.
pub(crate) struct BuildArgs {
    /// `None`: `site/` for the internal audience, `site-external/` for the external one, so the
    /// public build never replaces the internal site by accident.
    pub dest_dir: Option<PathBuf>,
    pub audience: Audience,
    pub no_search: bool,
    pub verbose: bool,
}

/// Runs `build`; returns the exit code.
pub(crate) fn run(root: &Path, args: &BuildArgs, today: Option<jiff::civil::Date>) -> Outcome {
    let dest_dir = args.dest_dir.clone().unwrap_or_else(|| match args.audience {
        Audience::Internal => PathBuf::from("site"),
        Audience::External => PathBuf::from("site-external"),
    });
    let dest = if dest_dir.is_absolute() { dest_dir } else { root.join(dest_dir) };
    let start = std::time::Instant::now();
    eprintln!("building {} …", root.display());
    match retrobook::build::build(
        root,
        &BuildOptions { dest: dest.clone(), today, search: !args.no_search, audience: args.audience },
    ) {
        Ok(report) => {
            super::print_notes(&report.notes);
            if !report.warnings.is_empty() {
                super::print_human_stderr(root, &report.warnings);
            }
            if args.verbose {
                for (name, d) in &report.phases {
                    eprintln!("  {name:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
                if !report.page_cache.is_empty() {
                    eprintln!(
                        "  reused {} and {} from the last build: {}",
                        plural(report.reused_pages, "retro page", "retro pages"),
                        plural(report.reused_other_pages, "other page", "other pages"),
                        report.page_cache
                    );
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
                "built {}{}: {}, {}, {} → {}{linked} in {:.2} s",
                if args.audience == Audience::External { "the public history of " } else { "" },
                plural(report.retros, "retro", "retros"),
                plural(report.pages, "page", "pages"),
                plural(report.search_records, "search record", "search records"),
                plural(report.warnings.len(), "warning", "warnings"),
                dest.display(),
                start.elapsed().as_secs_f64()
            );
            exit(EXIT_OK)
        }
        Err(BuildError::Book { diagnostics, notes }) => {
            super::print_notes(&notes);
            super::print_human_stderr(root, &diagnostics);
            eprintln!(
                "build failed: {}; the previous site is untouched",
                retrobook::diagnostic::summary(&diagnostics, 0).replace("checked 0 retros: ", "")
            );
            Err(quiet(EXIT_ERRORS))
        }
        Err(BuildError::Destination(e)) => Err(usage(anyhow!("{e:#}\nnothing was written"))),
        Err(BuildError::Failed(e)) => Err(anyhow!("{e:#}\nbuild failed; the previous site is untouched")),
    }
}
