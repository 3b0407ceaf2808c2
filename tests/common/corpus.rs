//! Where the shared real-postmortem corpus is, for unit tests (the library includes this file
//! under `cfg(test)`) and for the integration suites (through `common`): one helper, no absolute
//! path. The corpus lives beside the repository, in `../shared/corpus/real`.

use std::path::PathBuf;

/// The real-postmortem corpus, or None (with a note) when it is absent; under CI=true its
/// absence is a failure.
pub(crate) fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the corpus ../shared/corpus/real is missing, and CI=true requires it");
    }
    eprintln!("note: ../shared/corpus/real is absent; skipping the real-corpus test");
    None
}
