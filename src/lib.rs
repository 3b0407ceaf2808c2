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
pub mod monitoring;
pub mod public;
pub mod render;
pub mod schema;
pub mod search;
pub mod serve;
pub mod suggest;
pub mod templates;
pub mod text;
