//! What a reviewer asks of a monitoring series: where it has no data, when it first crossed its
//! threshold during the incident, and how long before detection that was. Pure functions over
//! the points a series was loaded with.

/// The usual time between samples: the median of the intervals (`None` for fewer than 2 points).
pub(crate) fn typical_step(times: &[i64]) -> Option<i64> {
    let mut d: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0).collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    Some(d[d.len() / 2])
}

/// The sample times of one or more columns that hold a value (`NaN` is no value), sorted and
/// without duplicates.
pub(crate) fn sample_times<'a>(columns: impl IntoIterator<Item = &'a [(i64, f64)]>) -> Vec<i64> {
    let mut t: Vec<i64> = columns.into_iter().flatten().filter(|p| !p.1.is_nan()).map(|p| p.0).collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// Spans between two samples more than two steps apart (docs/monitoring.md): `(last sample before,
/// first sample after)`.
pub(crate) fn no_data_spans(times: &[i64]) -> Vec<(i64, i64)> {
    let Some(step) = typical_step(times) else { return Vec::new() };
    times.windows(2).filter(|w| w[1] - w[0] > 2 * step).map(|w| (w[0], w[1])).collect()
}

/// The first sample inside `window` (inclusive) whose value is above `threshold`, in any column.
pub(crate) fn first_crossing<'a>(
    columns: impl IntoIterator<Item = &'a [(i64, f64)]>,
    threshold: f64,
    (from, to): (i64, i64),
) -> Option<i64> {
    columns.into_iter().flatten().filter(|(t, v)| (from..=to).contains(t) && *v > threshold).map(|p| p.0).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_more_than_two_steps_without_samples() {
        let mut t: Vec<i64> = (0..10).map(|i| i * 60).collect();
        t.extend((25..30).map(|i| i * 60)); // nothing from 9 to 25 minutes
        t.push(29 * 60 + 150); // 2.5 steps: a gap too
        assert_eq!(typical_step(&t), Some(60));
        assert_eq!(no_data_spans(&t), vec![(540, 1500), (1740, 1890)]);
        let two_steps: Vec<i64> = vec![0, 60, 120, 240, 300];
        assert!(no_data_spans(&two_steps).is_empty(), "exactly two steps is not a gap");
        assert!(no_data_spans(&[5]).is_empty());
    }

    #[test]
    fn nan_is_no_sample_and_columns_are_merged() {
        let a = [(0, 1.0), (60, f64::NAN), (120, f64::NAN), (180, f64::NAN), (240, 1.0)];
        let b = [(30, 2.0)];
        let times = sample_times([&a[..], &b[..]]);
        assert_eq!(times, vec![0, 30, 240]);
        assert_eq!(no_data_spans(&sample_times([&a[..]])), Vec::<(i64, i64)>::new(), "two points: no step to compare");
    }

    #[test]
    fn the_first_crossing_inside_the_window() {
        let pts = [(0, 9.0), (60, 1.0), (120, 4.0), (180, 6.0), (240, 8.0)];
        let other = [(150, 5.5)];
        assert_eq!(first_crossing([&pts[..]], 5.0, (60, 300)), Some(180), "9 at 0 is before the window");
        assert_eq!(first_crossing([&pts[..], &other[..]], 5.0, (60, 300)), Some(150));
        assert_eq!(first_crossing([&pts[..]], 10.0, (0, 300)), None);
        assert_eq!(first_crossing([&[(60, f64::NAN)][..]], 0.0, (0, 300)), None);
    }
}
