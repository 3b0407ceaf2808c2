//! `retrobook actions sync|open`: the follow-up actions and their trackers (docs/actions.md).
//! A thin front over [`retrobook::trackers`]: parse flags, call the library, print.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, Outcome, exit};
use retrobook::trackers::http::{Client, Settings};
use retrobook::trackers::{open, store, sync};
use std::path::Path;
use std::time::Duration;

/// What `actions` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum ActionsCommand {
    /// Ask the trackers about every linked action; write .retrobook/trackers.json
    #[command(after_help = "Tokens come only from the environment variables named by `token-env` (and `user-env` \
for Jira) in [trackers.*] of book.toml. A link that fails (404, 401, 403, a timeout) is reported and keeps its \
previous entry; the others go on. The exit code is 1 when any link failed.

Examples:
  GITHUB_TOKEN=… retrobook actions sync            refresh .retrobook/trackers.json
  retrobook actions sync --write                   also set drifted statuses in the retros")]
    Sync {
        /// Also set each drifted action's `status:` in its retro (that value only)
        #[arg(long)]
        write: bool,
        /// Requests in flight at once
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
        jobs: u16,
        /// Seconds one request may take
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        timeout: u64,
    },
    /// Create a tracker issue for each open action without a link (prints only, unless --write)
    #[command(after_help = "Issues go to the `project` of the tracker chosen with --tracker (or of the only \
tracker that has one), with the action's title, a body with its why, the factors it addresses and the retro, and \
the tracker's `labels`. With --write each new issue's address is added as the action's `link:`.")]
    Open {
        /// The [trackers.NAME] to create the issues in
        #[arg(long, value_name = "NAME")]
        tracker: Option<String>,
        /// Create the issues and record their links in the retros
        #[arg(long)]
        write: bool,
        /// Seconds one request may take
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        timeout: u64,
    },
}

/// Runs `actions …`.
pub(crate) fn run(root: &Path, what: &ActionsCommand, today: Option<jiff::civil::Date>) -> Outcome {
    let loaded = super::load_or_report(root)?;
    let book = loaded.book;
    let settings = |timeout: u64| Settings { timeout: Duration::from_secs(timeout.max(1)), ..Settings::default() };
    match what {
        ActionsCommand::Sync { write, jobs, timeout } => {
            // A pinned clock (`--today`) pins `fetched_at` too, so the file is reproducible.
            let now = today
                .and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d.to_datetime(jiff::civil::Time::midnight())).ok())
                .unwrap_or_else(jiff::Timestamp::now);
            let opts = sync::Options { http: settings(*timeout), jobs: usize::from(*jobs), now };
            exit(run_sync(&book, &opts, *write))
        }
        ActionsCommand::Open { tracker, write, timeout } => {
            exit(run_open(&book, tracker.as_deref(), *write, settings(*timeout)))
        }
    }
}

fn run_sync(book: &retrobook::model::Book, opts: &sync::Options, write: bool) -> u8 {
    let links = sync::book_links(book).len();
    eprintln!("asking the trackers about {links} linked item{}", if links == 1 { "" } else { "s" });
    let report = sync::sync(book, opts);
    for e in &report.errors {
        eprintln!("error: {} ({}): {:#}", e.link, e.places.join(", "), e.error);
    }
    if let Err(e) = store::write(&book.root, &report.store) {
        eprintln!("error: {e:#}");
        return EXIT_ERRORS;
    }
    eprintln!("wrote {}: {} answered, {} failed", store::FILE, report.fetched, report.errors.len());
    for c in &report.changes {
        let verb = if write { "set" } else { "drift" };
        println!("{verb}: {} {}: {} → {}", c.path, c.action, c.from.as_str(), c.to.as_str());
    }
    let mut code = if report.errors.is_empty() { EXIT_OK } else { EXIT_ERRORS };
    if write {
        let (written, problems) = sync::write_changes(book, &report.changes);
        for p in &problems {
            eprintln!("error: {p}");
        }
        eprintln!("updated the status of {} action(s) in {} file(s)", report.changes.len(), written.len());
        if !problems.is_empty() {
            code = EXIT_ERRORS;
        }
    } else if !report.changes.is_empty() {
        eprintln!("{} action(s) disagree with their tracker; `--write` sets their status", report.changes.len());
    }
    code
}

fn run_open(book: &retrobook::model::Book, tracker: Option<&str>, write: bool, settings: Settings) -> u8 {
    let dest = match open::destination(&book.config, tracker) {
        Ok(d) => d,
        Err(why) => {
            eprintln!("error: {why}");
            return EXIT_USAGE;
        }
    };
    let plan = open::plan(book);
    if plan.is_empty() {
        eprintln!("every open action has a link; nothing to create");
        return EXIT_OK;
    }
    if !write {
        for p in &plan {
            println!("would create in {} ({}): {}", dest.name, dest.project, p.title);
            println!("  for {} {}", p.path, p.action);
            for line in p.body.lines() {
                println!("  | {line}");
            }
        }
        eprintln!("{} issue(s) would be created; run with --write to create them and record their links", plan.len());
        return EXIT_OK;
    }
    let client = Client::new(settings);
    let existing = match open::existing(&client, &book.config, &dest) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: cannot list the issues of {} ({}): {e:#}", dest.name, dest.project);
            return EXIT_ERRORS;
        }
    };
    let mut failed = 0;
    for p in &plan {
        let found = existing.iter().find(|(title, _)| *title == p.title).map(|(_, url)| url.clone());
        let reused = found.is_some();
        let issue = match found {
            Some(url) => Ok(url),
            None => open::create(&client, &book.config, &dest, p),
        };
        let created = issue.and_then(|url| {
            let file = book.root.join(&p.path);
            let text = std::fs::read_to_string(&file)?;
            let new = retrobook::trackers::edit::set_action_value(&text, &p.action, "link", &url)
                .map_err(|why| anyhow::anyhow!("created {url}, but cannot record it in {}: {why}", p.path))?;
            std::fs::write(&file, new)?;
            Ok(url)
        });
        match created {
            Ok(url) if reused => println!("linked the existing {url} to {} {}", p.path, p.action),
            Ok(url) => println!("created {url} for {} {}", p.path, p.action),
            Err(e) => {
                failed += 1;
                eprintln!("error: {} {}: {e:#}", p.path, p.action);
            }
        }
    }
    eprintln!("created {} issue(s), {failed} failed", plan.len() - failed);
    if failed == 0 { EXIT_OK } else { EXIT_ERRORS }
}
