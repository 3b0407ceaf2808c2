//! retrobook: incident retrospectives as a checked, searchable static site with cross-incident
//! indexes. The CLI in `main.rs` is a thin front over this library: load → analyze → output.

pub mod analyze;
pub mod build;
pub mod check;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod export;
pub mod git;
pub mod history;
pub mod load;
pub mod model;
pub mod public;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod suggest;
pub mod text;

/// The shared real-postmortem corpus for unit tests: the same helper the integration suites use.
#[cfg(test)]
#[path = "../tests/common/corpus.rs"]
mod test_corpus;
