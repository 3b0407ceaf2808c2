//! The process's peak resident memory, from Linux's `/proc/self/status` (`VmHWM`).
//!
//! Writing `5` to `/proc/self/clear_refs` resets the peak to the current resident size (Linux 4.0
//! and later), which lets the bench report the peak of each phase on its own. Elsewhere, or when
//! the reset is refused, the figures are the peak of the whole process so far.

/// The peak resident set size of this process in KiB, or None where `/proc` does not tell.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    status_field("VmHWM:")
}

/// Resets the peak to the current resident size; false when the system does not allow it.
pub(crate) fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kib(&status, name)
}

/// The value in KiB of the line `name  N kB` of a `/proc/PID/status` text.
fn parse_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    let mut words = line[name.len()..].split_whitespace();
    let n = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(n)
}

/// `kib` as MiB, or "-" when unknown.
pub(crate) fn show_mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "-".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_field_it_is_asked_for() {
        let status = "Name:\tbench\nVmPeak:\t  900 kB\nVmHWM:\t    2004 kB\nVmRSS:\t 1500 kB\n";
        assert_eq!(parse_kib(status, "VmHWM:"), Some(2004));
        assert_eq!(parse_kib(status, "VmRSS:"), Some(1500));
        assert_eq!(parse_kib(status, "VmSwap:"), None);
        assert_eq!(parse_kib("VmHWM:\t12 MB\n", "VmHWM:"), None);
    }
}
