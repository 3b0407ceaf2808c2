//! `retrobook import slack|teams|csv`: flags → [`retrobook::import`] → a one-line summary.

use super::{EXIT_OK, Outcome, exit, usage};
use anyhow::anyhow;
use retrobook::import::{self, Conversation, Target};
use std::path::{Path, PathBuf};

/// Where the conversation comes from.
pub(crate) enum Source {
    Slack { export: PathBuf, channel: String },
    Teams { files: Vec<PathBuf> },
    Csv { file: PathBuf, columns: import::csv::Columns },
}

/// Options shared by the three sources.
pub(crate) struct ImportArgs {
    pub source: Source,
    pub from: Option<String>,
    pub to: Option<String>,
    pub into: Option<String>,
    pub new: Option<String>,
    pub dry_run: bool,
}

/// Runs an import; returns the exit code.
pub(crate) fn run(root: &Path, args: &ImportArgs) -> Outcome {
    let config = super::config_or_report(root)?;
    let tz = config.timezone();
    let target = match (&args.into, &args.new) {
        (Some(r), None) => Target::Into(r.clone()),
        (None, Some(t)) => Target::New(t.clone()),
        _ => {
            return Err(usage(anyhow!("give the retro to write into: --into RETRO, or --new \"TITLE\" to create one")));
        }
    };
    let mut window = [None, None];
    for (slot, (flag, value)) in window.iter_mut().zip([("--from", &args.from), ("--to", &args.to)]) {
        if let Some(v) = value {
            match retrobook::load::parse_timestamp(v, &tz) {
                Ok(t) => *slot = Some(t),
                Err(_) => {
                    return Err(usage(anyhow!(
                        "{flag} `{v}` is not a time; expected RFC 3339 (2026-03-14T09:00:00Z) or \
                         \"YYYY-MM-DD HH:MM\" in the book's zone ({})",
                        config.retros.timezone
                    )));
                }
            }
        }
    }
    let read = || -> anyhow::Result<Conversation> {
        let mut c = match &args.source {
            Source::Slack { export, channel } => import::slack::read(export, channel)?,
            Source::Teams { files } => import::teams::read(files)?,
            Source::Csv { file, columns } => import::csv::read(file, columns, &tz)?,
        };
        c.window(window[0], window[1])?;
        Ok(c)
    };
    let outcome = read().and_then(|c| import::import(root, &config, c, &target, args.dry_run));
    let outcome = outcome?;
    if args.dry_run {
        for entry in &outcome.added {
            println!("{entry}");
        }
    }
    let dropped = match outcome.dropped.total() {
        0 => "0 dropped".to_string(),
        n => format!("{n} dropped: {}", outcome.dropped.describe()),
    };
    let verb = if args.dry_run { "would import" } else { "imported" };
    let created = if outcome.created { ", a new retro" } else { "" };
    let summary = format!(
        "{verb} {} entries into {}{created} ({} already there, {dropped})",
        outcome.added.len(),
        outcome.path,
        outcome.already
    );
    if args.dry_run {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    exit(EXIT_OK)
}
