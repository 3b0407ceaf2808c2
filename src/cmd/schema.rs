//! `retrobook schema`: JSON Schema of the front matter.

use std::path::Path;

/// Prints the schema; uses the book's severities and categories when a book.toml is present.
pub fn run(root: &Path) -> i32 {
    let config = match crate::config::Config::load(root) {
        Ok(c) => c,
        Err(d) => {
            super::print_human_stderr(root, &d);
            return super::EXIT_ERRORS;
        }
    };
    let schema = crate::schema::front_matter_schema(&config);
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    super::EXIT_OK
}
