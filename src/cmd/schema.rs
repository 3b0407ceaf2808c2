//! `retrobook schema`: JSON Schema of the front matter.

use std::path::Path;

/// Prints the schema; uses the book's severities and categories when a book.toml is present.
pub(crate) fn run(root: &Path) -> super::Outcome {
    let config = super::config_or_report(root)?;
    let schema = retrobook::schema::front_matter_schema(&config);
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    super::exit(super::EXIT_OK)
}
