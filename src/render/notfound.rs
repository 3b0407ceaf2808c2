//! The 404 page's context: an inline script that makes its links work under any path prefix
//! (GitHub Pages project sites serve `404.html` at `/<repo>/any/depth/`), allowed by the page's
//! Content-Security-Policy through its SHA-256 rather than by `'unsafe-inline'`.

use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The script, inlined as is: its hash must match the bytes inside `<script>…</script>`.
pub(crate) const SCRIPT: &str = include_str!("notfound.js");

/// What `404.html` receives as `page`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NotFoundPage {
    pub script: &'static str,
    /// `sha256-<base64>` of [`SCRIPT`], for the page's `script-src`.
    pub script_hash: String,
}

/// The 404 page's context.
pub(crate) fn page() -> NotFoundPage {
    let digest = Sha256::digest(SCRIPT.as_bytes());
    NotFoundPage {
        script: SCRIPT,
        script_hash: format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(digest)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hash_is_the_scripts() {
        let p = super::page();
        // sha256 of the empty string is 47DEQpj8…; the script's differs and is 44 base64 characters.
        assert!(p.script_hash.starts_with("sha256-") && p.script_hash.len() == 7 + 44, "{}", p.script_hash);
        assert_ne!(p.script_hash, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert!(!p.script.contains("</script"), "the script cannot end its element early");
    }
}
