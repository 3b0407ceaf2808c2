//! `retrobook monitoring pull`: flags, the library's pull, and what it wrote.

use super::Outcome;
use clap::Subcommand;
use retrobook::monitoring::PullOptions;
use std::path::{Path, PathBuf};

/// `retrobook monitoring …`
#[derive(Debug, Clone, Subcommand)]
pub(crate) enum MonitoringKind {
    /// Run each series' `query` over the incident window and write its CSV and provenance
    #[command(after_help = "Each series with a `query` is pulled from its `source` ([monitoring.sources.<name>] in \
book.toml) from `impact.started` − padding to `impact.resolved` + padding, and written to its `data` CSV beside the \
retro, with the provenance in <name>.json (`data` without .csv). A `baseline` given as a duration (7d, 1w, 24h) \
pulls the same window that long before into <name>.baseline.csv. Existing data is kept unless --refresh. Nothing is \
written unless every query succeeded. A bearer token is read from the environment variable the source names, never \
from a file. See docs/monitoring.md.

Examples:
  retrobook monitoring pull                                   every retro's missing series
  retrobook monitoring pull retros/2025-03-14-checkout.md     one retro
  retrobook monitoring pull --source prometheus --refresh     pull one source's series again")]
    Pull {
        /// Retros to pull for: files, folders or retro ids (default: every retro)
        retros: Vec<PathBuf>,
        /// Only series of this source
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Time before `started` and after `resolved`, e.g. 30m, 2h
        #[arg(long, value_name = "DUR", value_parser = parse_duration, default_value = "1h")]
        padding: i64,
        /// Time between points (default: chosen for about 300 points), e.g. 15s, 1m
        #[arg(long, value_name = "DUR", value_parser = parse_duration)]
        step: Option<i64>,
        /// Pull again and overwrite series that already have data
        #[arg(long)]
        refresh: bool,
        /// With --source: use this URL instead of the one in book.toml (e.g. from a CI secret);
        /// it is recorded in the provenance without user name, password or query
        #[arg(long, value_name = "URL", requires = "source")]
        url: Option<String>,
    },
}

fn parse_duration(s: &str) -> Result<i64, String> {
    retrobook::load::monitoring::parse_duration(s).ok_or_else(|| "expected a duration such as 30s, 5m, 1h or 7d".into())
}

/// Runs `monitoring …`.
pub(crate) fn run(root: &Path, kind: &MonitoringKind) -> Outcome {
    let MonitoringKind::Pull { retros, source, padding, step, refresh, url } = kind;
    let loaded = super::load_or_report(root)?;
    let opts = PullOptions {
        retros: retros.clone(),
        source: source.clone(),
        padding: *padding,
        step: *step,
        refresh: *refresh,
        url: url.clone(),
    };
    let report = retrobook::monitoring::pull(&loaded.book, &opts, jiff::Timestamp::now())
        .map_err(|e| anyhow::anyhow!("{e:#}\nnothing was written"))?;
    for w in &report.written {
        println!("wrote {w}");
    }
    for (retro, data) in &report.kept {
        eprintln!("kept {data} ({retro}): it exists; --refresh pulls it again");
    }
    if report.written.is_empty() && report.kept.is_empty() {
        eprintln!("no series with a `query` to pull");
    }
    super::exit(super::EXIT_OK)
}
