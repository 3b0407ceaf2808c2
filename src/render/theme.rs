//! The theme: built-in files embedded in the binary, overridden file by file by a book's `theme/`.

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// Theme files by path relative to the theme folder (`templates/base.html`, `css/retrobook.css`).
#[derive(Debug, Clone, Default)]
pub struct Theme {
    builtin: BTreeMap<String, &'static [u8]>,
    overrides: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The built-in theme plus the files of `book_root/theme/`, which win by name.
    pub fn load(book_root: &Path) -> std::io::Result<Theme> {
        let mut builtin = BTreeMap::new();
        collect(&BUILTIN, &mut builtin);
        let mut overrides = BTreeMap::new();
        let user = book_root.join("theme");
        if user.is_dir() {
            for entry in walkdir::WalkDir::new(&user).sort_by_file_name() {
                let entry = entry.map_err(std::io::Error::other)?;
                if entry.file_type().is_file() {
                    let rel = crate::text::relative(&user, entry.path());
                    let bytes = std::fs::read(entry.path())?;
                    // The project's own repository is a book whose theme/ is the built-in one:
                    // identical files are not overrides.
                    if builtin.get(&rel).is_none_or(|b: &&[u8]| *b != bytes.as_slice()) {
                        overrides.insert(rel, bytes);
                    }
                }
            }
        }
        Ok(Theme { builtin, overrides })
    }

    /// The effective content of a theme file.
    pub(crate) fn file(&self, rel: &str) -> Option<&[u8]> {
        self.overrides.get(rel).map(Vec::as_slice).or_else(|| self.builtin.get(rel).copied())
    }

    /// Paths of every effective file.
    pub(crate) fn paths(&self) -> Vec<&str> {
        let mut p: Vec<&str> = self.builtin.keys().chain(self.overrides.keys()).map(String::as_str).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// A Tera environment with every template: the effective one as `<name>`, and the built-in
    /// one also as `builtin/<name>`, so a user template can `{% extends "builtin/retro.html" %}`
    /// and override a single block.
    pub(crate) fn tera(&self) -> Result<tera::Tera> {
        let mut t = tera::Tera::default();
        // The built-in copies rank below the effective templates: a component that both define
        // (theme/templates/components.html) is the book's, not a duplicate.
        t.set_fallback_prefixes([BUILTIN_PREFIX]).context("ranking the built-in templates")?;
        t.autoescape_on([".html", ".xml"]);
        t.set_escape_fn(escape_html);
        let mut all: Vec<(String, String)> = Vec::new();
        for (rel, bytes) in &self.builtin {
            if let Some(name) = rel.strip_prefix(TEMPLATES) {
                all.push((format!("{BUILTIN_PREFIX}{name}"), String::from_utf8_lossy(bytes).into_owned()));
            }
        }
        for rel in self.paths() {
            if let Some(name) = rel.strip_prefix(TEMPLATES) {
                let text = String::from_utf8_lossy(self.file(rel).unwrap_or_default()).into_owned();
                all.push((name.to_string(), text));
            }
        }
        t.add_raw_templates(all).with_context(|| format!("reading the theme's {TEMPLATES}"))?;
        Ok(t)
    }

    /// Static assets (everything outside `templates/` and `external/`), as the site gets them
    /// (see [`Theme::shipped`]).
    pub(crate) fn assets(&self) -> Vec<(&str, &[u8])> {
        self.paths()
            .into_iter()
            .filter(|p| !p.starts_with(TEMPLATES) && !p.starts_with(PUBLIC))
            .filter_map(|p| self.shipped(p).map(|b| (p, b)))
            .collect()
    }

    /// A theme file as the site gets it: a built-in stylesheet or script minified (their comments,
    /// which document the theme for those who override it, are a third of their size or more),
    /// every other file, and every file a book overrides, as it is.
    fn shipped(&self, rel: &str) -> Option<&[u8]> {
        match self.overrides.get(rel) {
            Some(own) => Some(own),
            None => MINIFIED.get(rel).map(Vec::as_slice).or_else(|| self.builtin.get(rel).copied()),
        }
    }
}

/// The built-in stylesheets and scripts, minified once per process (`minifier`; a few ms in all).
/// `css/retrobook.css` ships as 66 KB of its 90 KB, 13.6 KB gzipped instead of 21.3 KB;
/// `js/search.js` as 15.0 KB of its 26.3 KB, 5.0 KB gzipped instead of 8.4 KB (the browser suite
/// checks that every shipped script parses to the same program as its source). A file the
/// minifier cannot read ships as it is.
static MINIFIED: std::sync::LazyLock<BTreeMap<String, Vec<u8>>> = std::sync::LazyLock::new(|| {
    let mut builtin = BTreeMap::new();
    collect(&BUILTIN, &mut builtin);
    builtin
        .into_iter()
        .filter_map(|(rel, bytes)| {
            let text = std::str::from_utf8(bytes).ok()?;
            let small = if rel.ends_with(".css") {
                minifier::css::minify(text).ok()?.to_string()
            } else if rel.ends_with(".js") {
                minifier::js::minify(text).ok()?.to_string()
            } else {
                return None;
            };
            Some((rel, small.trim().as_bytes().to_vec()))
        })
        .collect()
});

/// The name prefix of the built-in copy of each internal template (`builtin/retro.html`).
const BUILTIN_PREFIX: &str = "builtin/";

/// The folder of the internal site's templates, inside the theme.
pub(crate) const TEMPLATES: &str = "templates/";

/// The folder of the public site's theme (`build --audience external`), inside the theme; the
/// name is the CLI's word, kept for books that override it.
const PUBLIC: &str = "external/";

/// The folder of the public site's templates, inside the theme.
pub(crate) const PUBLIC_TEMPLATES: &str = "external/templates/";

impl Theme {
    /// A Tera environment with the public site's templates (`external/templates/<name>` as
    /// `<name>`); the internal templates are not in it, so a public page cannot include one.
    pub(crate) fn public_tera(&self) -> Result<tera::Tera> {
        let mut t = tera::Tera::default();
        t.autoescape_on([".html", ".xml"]);
        t.set_escape_fn(escape_html);
        let all: Vec<(String, String)> = self
            .paths()
            .into_iter()
            .filter_map(|rel| {
                let name = rel.strip_prefix(PUBLIC_TEMPLATES)?;
                Some((name.to_string(), String::from_utf8_lossy(self.file(rel).unwrap_or_default()).into_owned()))
            })
            .collect();
        t.add_raw_templates(all).with_context(|| format!("reading the theme's {PUBLIC_TEMPLATES}"))?;
        Ok(t)
    }

    /// The public site's static assets: `external/` outside its templates, at the site root,
    /// and the search script when there is search.
    pub(crate) fn public_assets(&self, search: bool) -> Vec<(String, &[u8])> {
        let mut out: Vec<(String, &[u8])> = self
            .paths()
            .into_iter()
            .filter_map(|rel| {
                let inner = rel.strip_prefix(PUBLIC).filter(|p| !p.starts_with(TEMPLATES))?;
                Some((inner.to_string(), self.shipped(rel)?))
            })
            .collect();
        if search && let Some(js) = self.shipped("js/search.js") {
            out.push(("js/search.js".to_string(), js));
        }
        out
    }
}

/// Tera's auto-escaping, byte for byte the same as `tera::escape_html` (`&`, `<`, `>`, `"` and `'`
/// become `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`), but written a run of plain bytes at a
/// time instead of one write per byte: escaping is a sizeable share of rendering a page.
pub(crate) fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

fn collect(dir: &'static Dir<'static>, out: &mut BTreeMap<String, &'static [u8]>) {
    for f in dir.files() {
        out.insert(f.path().to_string_lossy().replace('\\', "/"), f.contents());
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn badge(theme: &Theme) -> String {
        let mut tera = theme.tera().unwrap();
        tera.add_raw_template("probe.html", "{{ <severity_badge row={row}/> }}").unwrap();
        let ctx = tera::Context::from_serialize(&serde_json::json!({"row": {"severity_stated": false}})).unwrap();
        tera.render("probe.html", &ctx).unwrap()
    }

    #[test]
    fn escaping_is_byte_for_byte_teras() {
        let cases = [
            "",
            "plain",
            "&",
            "<script>alert('x')</script>",
            "a \"quoted\" & 'single' <b>",
            "ends with &",
            "&&<<>>\"\"''",
            "é — ü & ✓ <→>",
        ];
        for s in cases {
            let (mut mine, mut teras) = (Vec::new(), Vec::new());
            escape_html(s, &mut mine).unwrap();
            tera::escape_html(s, &mut teras).unwrap();
            assert_eq!(String::from_utf8(mine).unwrap(), String::from_utf8(teras).unwrap(), "{s}");
        }
    }

    #[test]
    fn templates_escape_with_our_function_and_keep_safe_values() {
        let mut tera = Theme::default().tera().unwrap();
        tera.add_raw_template("probe.html", "{{ v }}|{{ v | safe }}").unwrap();
        let ctx = tera::Context::from_serialize(&serde_json::json!({"v": "<a href='x'>&</a>"})).unwrap();
        assert_eq!(
            tera.render("probe.html", &ctx).unwrap(),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;|<a href='x'>&</a>"
        );
    }

    #[test]
    fn the_builtin_components_load_once_and_a_book_may_redefine_them() {
        let dir = tempfile::tempdir().unwrap();
        // The built-in components.html is there twice (as itself and as builtin/): no duplicate.
        assert_eq!(
            badge(&Theme::load(dir.path()).unwrap()),
            r#"<span class="rb-muted rb-sev-unstated">severity not stated</span>"#
        );

        std::fs::create_dir_all(dir.path().join("theme/templates")).unwrap();
        let mine = "{% component severity_badge(row, unstated: string = \"\") %}mine{% endcomponent severity_badge %}";
        std::fs::write(dir.path().join("theme/templates/components.html"), mine).unwrap();
        assert_eq!(badge(&Theme::load(dir.path()).unwrap()), "mine");
    }
}
