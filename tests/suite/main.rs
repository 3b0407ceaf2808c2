//! The integration suite: one test binary with a module per feature (it links once instead of
//! once per file). Each module runs the `retrobook` binary on fixture books, or calls the
//! library. The browser suite (`tests/browser.rs`) stays a binary of its own.
//!
//! All modules run in one process on several threads: a test must not change the process's
//! environment or working directory, and writes only inside its own temporary folder.

#[path = "../common/mod.rs"]
mod common;

mod adopt_command;
mod adopt_structure;
mod adopt_timelines;
mod build_safety;
mod check;
mod commands;
mod corpus;
mod digest;
mod external;
mod fuzz;
mod harness;
mod history;
mod hostile_input;
mod import;
mod incident_log;
mod report;
mod robustness;
mod search;
mod serve;
mod site;
mod trackers;
mod warm;
mod web_safety;
mod writing;
