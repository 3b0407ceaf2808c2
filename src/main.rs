//! The `retrobook` command line: a thin front over the library.

mod cmd;

use clap::{Parser, Subcommand};
use cmd::build::AudienceArg;
use cmd::check::FormatArg;
use std::path::PathBuf;
use std::process::ExitCode;

// Rendering and loading allocate many small strings on every thread; mimalloc is markedly faster
// than the system allocator for that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Incident retrospectives as a checked, searchable book.
///
/// Retros are Markdown files with front matter in `retros/`; `book.toml` configures the book.
/// Existing postmortems without front matter are adopted as they are.
#[derive(Parser)]
#[command(name = "retrobook", version, about, long_about = None, after_help = EXAMPLES, max_term_width = 100)]
struct Cli {
    /// The book's folder (where book.toml is)
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    book: PathBuf,
    /// Pin the clock (overdue actions, ages) so output is reproducible
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    today: Option<jiff::civil::Date>,
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  retrobook init my-retros                 start a book
  retrobook new \"Checkout outage\" --severity SEV2
  retrobook check                          validate every retro
  retrobook check --format github          annotations in a GitHub pull request
  retrobook serve --open                   the site, live-reloading as you edit
  retrobook check --since origin/main      only the retros a branch changed
  retrobook diff origin/main               a pull-request comment of what changed
  retrobook report factors                 recurring factors across incidents
  retrobook export > book.json             everything parsed, as JSON
  retrobook adopt --write                  add front matter to existing postmortems
  retrobook import slack export.zip --channel inc-checkout --into retros/2026-03-14-checkout.md
  retrobook actions sync                   follow-up actions' state from GitHub, GitLab, Jira
  retrobook monitoring pull                pull the retros' metrics from Prometheus

Exit codes: 0 success, 1 the book has errors, 2 usage error.";

#[derive(Subcommand)]
enum Command {
    /// Write a starter book: book.toml, retros/ with one example, a CI workflow
    Init {
        /// Folder to create the book in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Create retros/<date>-<slug>.md with all seven sections and guidance; prints its path
    New {
        /// The retro's title, e.g. "Checkout 5xx after config push"
        title: String,
        /// Severity (default: the least severe in book.toml)
        #[arg(long)]
        severity: Option<String>,
        /// Day the incident started, which anchors every HH:MM of the timeline (default: the day of
        /// --started, else today, with a note)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        date: Option<jiff::civil::Date>,
        /// When the impact started, written as `impact.started`; sets `date` to its day
        #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
        started: Option<String>,
        /// Id and file name (default: <date>-<slug of title>)
        #[arg(long)]
        id: Option<String>,
    },
    /// Validate the book: every problem, with file:line:column and what would be right
    #[command(
        after_help = "Rules and their ids are listed in docs/check.md. Warnings do not fail the run unless --strict."
    )]
    Check {
        /// Only report problems in these files or folders (the whole book is still checked)
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// Only report retros changed since the merge base of REV and HEAD, plus uncommitted ones
        #[arg(long, value_name = "REV")]
        since: Option<String>,
    },
    /// What a change does to the book, as Markdown for a pull-request comment (see docs/git.md)
    Diff {
        /// The base revision; the book is compared at its merge base with HEAD
        base: String,
        /// The revision with the change
        #[arg(default_value = "HEAD")]
        head: String,
    },
    /// Build the site: incident list, a page per retro, search (default into site/)
    #[command(
        after_help = "The build is atomic: it is written beside the destination and swapped in only when everything \
succeeded. A book with errors does not build; warnings are printed and the build goes on."
    )]
    Build {
        /// Where to write the site, relative to the book [default: site, or site-external with
        /// --audience external]. Only an absent or empty folder, or a site built by retrobook, is
        /// replaced: the book itself, a folder above it, retros/, theme/, .git, a file and any
        /// other folder with files in it are refused
        #[arg(long, value_name = "DIR")]
        dest_dir: Option<PathBuf>,
        /// Who the site is for: the whole book, or the customer-facing incident history
        /// (published retros with `external: true`, public fields only; see docs/external.md)
        #[arg(long, value_enum, default_value_t = AudienceArg::Internal)]
        audience: AudienceArg,
        /// Skip the search index
        #[arg(long)]
        no_search: bool,
        /// Print the time of each phase (load, analyze, render, search, write)
        #[arg(short, long)]
        verbose: bool,
    },
    /// Build the site into memory and serve it; rebuild on change and reload open pages
    #[command(
        after_help = "Nothing is written into the book: the site lives in memory. Edits to book.toml, the retros \
folder and theme/ rebuild what they touch; open pages reload, or show the book's errors until they are fixed. \
See docs/serve.md."
    )]
    Serve {
        /// Port to listen on (0: any free port)
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on (anything but loopback exposes the site to the network)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Also answer for this host name (repeatable); by default only localhost, *.localhost and
        /// IP addresses that reach the server are answered (DNS-rebinding protection)
        #[arg(long = "allowed-host", value_name = "HOST", value_parser = retrobook::serve::host::parse_allowed_host)]
        allowed_host: Vec<String>,
    },
    /// Print the front matter retrobook read from adopted files; --write inserts it (see docs/format.md)
    #[command(
        after_help = "For each file without retrobook front matter (no `id`), prints what retrobook read from it: \
id, title, date, the impact moments, factors, actions with their statuses and links, and commented-out placeholders for \
what the file does not state. With --write it inserts that front matter at the top of the file: the rest of the file \
stays byte for byte, front matter written for another tool (Jekyll, Hugo) keeps every line, and a file that already \
has retrobook front matter is left alone, so running it twice changes nothing.

An incident log (one file holding several incidents) is only split with --split: one new file per incident, \
retros/<id>.md beside the log. The log itself is never changed or removed; delete it yourself once the new files \
look right.

Examples:
  retrobook adopt                                  what would be written, for every adopted file
  retrobook adopt retros/2021-outage.md            one file
  retrobook adopt --write                          insert it (then review with `git diff`)
  retrobook adopt --write --split retros/log.md    one file per incident of a log"
    )]
    Adopt {
        /// Files or folders to adopt (default: the whole retros folder)
        paths: Vec<PathBuf>,
        /// Insert the front matter into the files (default: only print it)
        #[arg(long)]
        write: bool,
        /// With --write, write one file per incident of an incident log
        #[arg(long, requires = "write")]
        split: bool,
    },
    /// Print the JSON Schema of retro front matter, for editors (see docs/editors.md)
    Schema,
    /// The cross-incident indexes in the terminal: factors, actions, stats (see docs/report.md)
    #[command(after_help = "Examples:
  retrobook report factors                        recurring factors, categories, duplicates
  retrobook report actions --overdue --owner sre  one owner's overdue actions
  retrobook report stats --format json            medians and p90s, for scripts")]
    Report {
        #[command(subcommand)]
        what: cmd::report::ReportKind,
    },
    /// Write a chat conversation into a retro's timeline: Slack, Microsoft Teams, CSV (see docs/import.md)
    #[command(after_help = IMPORT_HELP)]
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Follow-up actions and their trackers: sync their state, open issues (see docs/actions.md)
    #[command(after_help = "Examples:
  retrobook actions sync                           tracker states into .retrobook/trackers.json
  retrobook actions sync --write                   and set drifted statuses in the retros
  retrobook actions open                           the issues that would be created
  retrobook actions open --tracker github --write  create them and record their links")]
    Actions {
        #[command(subcommand)]
        what: cmd::actions::ActionsCommand,
    },
    /// Pull monitoring series from Prometheus into CSV beside the retros (see docs/monitoring.md)
    Monitoring {
        #[command(subcommand)]
        what: cmd::monitoring::MonitoringKind,
    },
    /// Print the whole parsed book as JSON (retros, durations, factor and action indexes)
    Export {
        /// Output format
        #[arg(long, value_enum, default_value_t = cmd::export::ExportFormat::Json)]
        format: cmd::export::ExportFormat,
    },
}

const IMPORT_HELP: &str = "Entries are written as `- YYYY-MM-DD HH:MM:SS [kind] **Author:** text` in the book's time \
zone, in time order among the entries already there; no line of the retro changes, and importing the same \
messages again adds nothing. Joins, leaves, topic changes, other system events and deleted messages are dropped.

Examples:
  retrobook import slack export.zip --channel inc-checkout --into 2026-03-14-checkout --dry-run
  retrobook import slack ./export --channel inc-db --new \"DB failover\" --from \"2026-03-14 09:00\"
  retrobook import teams page1.json page2.json replies.json --into retros/2026-03-14-checkout.md
  retrobook import csv timeline.csv --time-col when --into 2026-03-14-checkout";

/// The source of `import`, with its own arguments.
#[derive(Subcommand)]
enum ImportSource {
    /// A Slack workspace export: the .zip Slack hands out, or its unpacked folder
    Slack {
        /// The export (.zip or folder)
        export: PathBuf,
        /// The channel to import (its name, #name or id)
        #[arg(long)]
        channel: String,
        #[command(flatten)]
        target: ImportTarget,
    },
    /// Microsoft Graph channel-message pages saved as JSON (replies inline or as separate pages)
    Teams {
        /// The pages, in any order
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        target: ImportTarget,
    },
    /// A CSV timeline with a header line (RFC 4180)
    Csv {
        /// The CSV file
        file: PathBuf,
        /// The time column (header name or 1-based number) [default: time, timestamp or date]
        #[arg(long, value_name = "C")]
        time_col: Option<String>,
        /// The author column [default: author, user, who or name]
        #[arg(long, value_name = "C")]
        author_col: Option<String>,
        /// The text column [default: message, text, event or description]
        #[arg(long, value_name = "C")]
        text_col: Option<String>,
        #[command(flatten)]
        target: ImportTarget,
    },
}

/// Where imported entries go, and which.
#[derive(clap::Args)]
struct ImportTarget {
    /// The retro to write into: a path, or a retro id
    #[arg(long, value_name = "RETRO", conflicts_with = "new", required_unless_present = "new")]
    into: Option<String>,
    /// Create a new retro with this title (as `new` does) and write into it
    #[arg(long, value_name = "TITLE")]
    new: Option<String>,
    /// Only messages at or after this time (RFC 3339, or "YYYY-MM-DD HH:MM" in the book's zone)
    #[arg(long, value_name = "T")]
    from: Option<String>,
    /// Only messages at or before this time
    #[arg(long, value_name = "T")]
    to: Option<String>,
    /// Print the entries that would be added; write nothing
    #[arg(long)]
    dry_run: bool,
}

fn import_args(source: ImportSource) -> cmd::import::ImportArgs {
    let (source, t) = match source {
        ImportSource::Slack { export, channel, target } => (cmd::import::Source::Slack { export, channel }, target),
        ImportSource::Teams { files, target } => (cmd::import::Source::Teams { files }, target),
        ImportSource::Csv { file, time_col, author_col, text_col, target } => {
            let columns = retrobook::import::csv::Columns { time: time_col, author: author_col, text: text_col };
            (cmd::import::Source::Csv { file, columns }, target)
        }
    };
    cmd::import::ImportArgs { source, from: t.from, to: t.to, into: t.into, new: t.new, dry_run: t.dry_run }
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    retrobook::load::parse_date(s).map_err(|e| match e {
        retrobook::load::DateError::Impossible(why) => format!("impossible date: {why}"),
        retrobook::load::DateError::Format => "expected a date YYYY-MM-DD".to_string(),
    })
}

fn main() -> ExitCode {
    retrobook::memory::prefer_small_pages();
    run(Cli::parse()).unwrap_or_else(cmd::finish)
}

/// Runs the subcommand: its exit code, or the error `main` prints once.
fn run(cli: Cli) -> cmd::Outcome {
    let root = &cli.book;
    if !matches!(cli.command, Command::Init { .. } | Command::Schema) {
        cmd::require_book(root)?;
    }
    match cli.command {
        Command::Init { dir } => cmd::init::run(&root.join(dir), cli.today),
        Command::New { title, severity, date, started, id } => {
            cmd::new::run(root, &cmd::new::NewArgs { title, severity, date, started, id }, cli.today)
        }
        Command::Check { paths, format, strict, since } => {
            cmd::check::run(root, &cmd::check::CheckArgs { paths, format: format.into(), strict, since })
        }
        Command::Diff { base, head } => cmd::diff::run(root, &base, &head),
        Command::Build { dest_dir, audience, no_search, verbose } => {
            let audience = audience.into();
            cmd::build::run(root, &cmd::build::BuildArgs { dest_dir, audience, no_search, verbose }, cli.today)
        }
        Command::Serve { port, bind, open, allowed_host } => {
            cmd::serve::run(root, &cmd::serve::ServeArgs { port, bind, open, allowed_hosts: allowed_host }, cli.today)
        }
        Command::Schema => cmd::schema::run(root),
        Command::Adopt { paths, write, split } => cmd::adopt::run(root, &cmd::adopt::AdoptArgs { paths, write, split }),
        Command::Import { source } => cmd::import::run(root, &import_args(source)),
        Command::Export { format: _ } => cmd::export::run(root, cli.today),
        Command::Report { what } => cmd::report::run(root, &what, cli.today),
        Command::Actions { what } => cmd::actions::run(root, &what, cli.today),
        Command::Monitoring { what } => cmd::monitoring::run(root, &what),
    }
}
