//! retrobook: incident retrospectives as a checked, searchable static site with cross-incident
//! indexes. The command line (`src/main.rs` and `src/cmd/`) is a thin front over this library:
//! load → analyze → check / render → build, serve, export.
//!
//! The common entry points are re-exported here: [`load_book`] gives a [`Book`] and the
//! [`Diagnostic`]s found while reading it, [`check_book`] adds the book-level rules, [`build()`]
//! writes the site, [`export()`] gives the parsed book as JSON. Modules point one way (see the
//! layer table in `src/layers.rs`): model ← load ← analyze ← check / render ← build / serve.

pub mod analyze;
pub mod build;
pub mod check;
pub mod config;
pub mod deploy;
pub mod diagnostic;
pub mod diff;
pub mod export;
pub mod git;
pub mod history;
pub mod import;
pub mod load;
pub mod memory;
pub mod model;
pub mod monitoring;
mod public;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
mod search;
pub mod serve;
mod suggest;
pub mod text;
pub mod trackers;
pub mod tracking;
pub mod value;

#[cfg(test)]
mod layers;

pub use build::{Audience, BuildError, BuildOptions, BuildReport, build};
pub use check::check_book;
pub use config::Config;
pub use diagnostic::{Diagnostic, Level};
pub use export::export;
pub use load::{Loaded, load_book};
pub use model::{Book, Retro};

/// The shared real-postmortem corpus for unit tests: the same helper the integration suites use.
#[cfg(test)]
#[path = "../tests/common/corpus.rs"]
mod test_corpus;
