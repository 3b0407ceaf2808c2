//! Small formatting helpers shared by pages: durations, dates, labels.

use jiff::civil::Date;

/// "45 s", "12 min", "1 h 40 min", "2 d 3 h".
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.abs();
    let sign = if seconds < 0 { "−" } else { "" };
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    let text = if s < 60 {
        format!("{s} s")
    } else if s < 3_600 {
        format!("{m} min")
    } else if s < 86_400 {
        if m == 0 { format!("{h} h") } else { format!("{h} h {m} min") }
    } else if h == 0 {
        format!("{d} d")
    } else {
        format!("{d} d {h} h")
    };
    format!("{sign}{text}")
}

/// "14 March 2025".
pub fn long_date(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// A role key as a label: `incident-commander` → "Incident commander".
pub fn role_label(key: &str) -> String {
    let t = key.replace(['-', '_'], " ");
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A URL path segment for a facet value (`Payments API` → `payments-api`).
pub fn segment(s: &str) -> String {
    let slug = crate::load::slugify(s);
    if slug.is_empty() { "-".to_string() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(720), "12 min");
        assert_eq!(human_duration(6000), "1 h 40 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(183_600), "2 d 3 h");
        assert_eq!(long_date(jiff::civil::date(2025, 3, 4)), "4 March 2025");
        assert_eq!(role_label("incident-commander"), "Incident commander");
    }
}
