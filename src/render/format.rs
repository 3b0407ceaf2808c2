//! Small formatting helpers shared by pages: durations, dates, labels.

use jiff::civil::Date;

use crate::text::{DurationStyle, human_duration};

/// A duration on a page: "1 h 40 min" (see [`DurationStyle::Prose`]).
pub(crate) fn duration(seconds: i64) -> String {
    human_duration(seconds, DurationStyle::Prose)
}

/// "14 March 2025".
pub(crate) fn long_date(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// A role key as a label: `incident-commander` → "Incident commander".
pub(crate) fn role_label(key: &str) -> String {
    let t = key.replace(['-', '_'], " ");
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A URL path segment for a facet value (`Payments API` → `payments-api`).
pub(crate) fn segment(s: &str) -> String {
    let slug = crate::text::slugify(s);
    if slug.is_empty() { "-".to_string() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_labels_read_naturally() {
        assert_eq!(long_date(jiff::civil::date(2025, 3, 4)), "4 March 2025");
        assert_eq!(role_label("incident-commander"), "Incident commander");
    }
}
