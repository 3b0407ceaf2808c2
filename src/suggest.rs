//! "Did you mean …?" — nearest candidates by edit distance.

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub(crate) fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(word.chars().count()) / 3).max(1))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_typos_not_strangers() {
        assert_eq!(super::nearest("site-ulr", ["site-url", "git-repository-url"]), Some("site-url"));
        assert_eq!(super::nearest("sevrity", ["severity", "status"]), Some("severity"));
        assert_eq!(super::nearest("layout", ["severity", "status", "title"]), None);
    }
}
