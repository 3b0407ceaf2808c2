//! The checks of book.toml's values and keys: language tags, folders inside the book, URLs,
//! and unknown keys (with the nearest known one) in every table, `[lint]` included.

use super::*;

/// The longest language tag accepted: RFC 5646 asks implementations to handle at least 35
/// characters, and the tag ends up in file names of the search index.
const MAX_LANGUAGE_LEN: usize = 35;

/// Whether `tag` is a well-formed BCP 47 language tag (language, script, region, variants).
pub(crate) fn check_language(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("is empty".into());
    }
    if tag.len() > MAX_LANGUAGE_LEN {
        return Err(format!("is {} characters long (at most {MAX_LANGUAGE_LEN})", tag.len()));
    }
    if !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("may only hold letters, digits and `-`".into());
    }
    icu_locale_core::LanguageIdentifier::try_from_str(tag)
        .map(|_| ())
        .map_err(|_| "is not a well-formed language tag".into())
}

/// Whether `dir` names a folder inside the book without looking at the disk: relative, and
/// without `..`.
pub(crate) fn check_book_path(dir: &str) -> Result<(), String> {
    use std::path::Component;
    if dir.trim().is_empty() {
        return Err("is empty".into());
    }
    if dir.contains(['\0', '\\']) || dir.chars().any(char::is_control) {
        return Err("holds a backslash or a control character".into());
    }
    for c in Path::new(dir).components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return Err("is an absolute path".into()),
            Component::ParentDir => return Err("leaves the book with `..`".into()),
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    Ok(())
}

/// Whether `dir` (relative to `root`) resolves, links followed, to a folder inside `root`.
/// A folder that does not exist passes: loading reports it.
pub(crate) fn confine(root: &Path, dir: &str) -> Result<(), String> {
    check_book_path(dir)?;
    let Ok(target) = std::fs::canonicalize(root.join(dir)) else { return Ok(()) };
    let root = std::fs::canonicalize(root).map_err(|e| format!("cannot be resolved: {e}"))?;
    if target.starts_with(&root) {
        Ok(())
    } else {
        Err(format!("resolves to {}, outside the book (through a symbolic link)", target.display()))
    }
}

/// Whether `url` is safe to put in a link, stylesheet or script address: an absolute http(s)
/// URL, or (when `path_allowed`) a path from the site root such as `/team/retros/`.
pub(crate) fn check_url(url: &str, path_allowed: bool) -> Result<(), String> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')) {
        return Err("holds a space, a quote, `<`, `>`, a backslash or a control character".into());
    }
    if path_allowed && url.starts_with('/') {
        if url.starts_with("//") {
            return Err("is a scheme-relative URL (another host)".into());
        }
        return Ok(());
    }
    match url::Url::parse(url) {
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            Err(format!("uses the `{}:` scheme (only http and https are allowed)", u.scheme()))
        }
        Ok(u) if u.host_str().is_none_or(str::is_empty) => Err("has no host (expected `https://host/…`)".into()),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => Err("holds a user name or password".into()),
        Ok(_) => Ok(()),
        Err(_) if path_allowed => Err("is neither a path starting with `/` nor an http(s) URL".into()),
        Err(_) => Err("is not an absolute http(s) URL".into()),
    }
}

pub(super) fn check_keys(node: &Node, table: &str, diags: &mut Vec<Diagnostic>) {
    let schema_name = match table.split_once('.') {
        Some(("factors", _)) => "factors.*",
        Some(("trackers", _)) => "trackers.*",
        _ if table.starts_with("monitoring.sources.") => "monitoring.sources.*",
        _ => table,
    };
    if table == "lint" || table.starts_with("lint.paths.") {
        return check_lint_keys(node, table, diags);
    }
    let known = SCHEMA.iter().find(|(t, _)| *t == schema_name).map(|(_, k)| *k);
    for (key, val) in node.entries() {
        let path = if table.is_empty() { key.name.clone() } else { format!("{table}.{}", key.name) };
        if table == "factors" || table == "trackers" || table == "monitoring.sources" {
            if matches!(val.kind, NodeKind::Map(_)) {
                check_keys(val, &path, diags);
            } else {
                let what = match table {
                    "factors" => "title, category, aliases",
                    "trackers" => "kind, url, token-env",
                    _ => "kind, url, bearer-token-env",
                };
                diags.push(Diagnostic::error(
                    FILE,
                    key.pos,
                    rules::CONFIG_TYPE,
                    format!("`[{table}.{}]` must be a table with {what}", key.name),
                ));
            }
            continue;
        }
        let Some(known) = known else { continue };
        if !known.contains(&key.name.as_str()) {
            let hint = match nearest(&key.name, known.iter().copied()) {
                Some(n) => format!("; did you mean `{n}`?"),
                None => format!("; valid keys here: {}", known.join(", ")),
            };
            let place = if table.is_empty() { "at the top level".to_string() } else { format!("in [{table}]") };
            diags.push(Diagnostic::error(
                FILE,
                key.pos,
                rules::CONFIG_UNKNOWN_KEY,
                format!("unknown key `{}` {place}{hint}", key.name),
            ));
            continue;
        }
        if matches!(val.kind, NodeKind::Map(_)) {
            check_keys(val, &path, diags);
        }
    }
}

/// `[lint]` and `[lint.paths."<glob>"]`: rule ids with a level, plus the named settings.
fn check_lint_keys(node: &Node, table: &str, diags: &mut Vec<Diagnostic>) {
    let top = table == "lint";
    for (key, val) in node.entries() {
        let name = key.name.as_str();
        if top && name == "paths" {
            let NodeKind::Map(_) = val.kind else {
                diags.push(Diagnostic::error(
                    FILE,
                    key.pos,
                    rules::CONFIG_TYPE,
                    "`[lint.paths]` must be a table of globs, e.g. `[lint.paths.\"retros/legacy/**\"]`",
                ));
                continue;
            };
            for (glob, rules) in val.entries() {
                if let Err(why) = compile_glob(&glob.name) {
                    diags.push(Diagnostic::error(
                        FILE,
                        glob.pos,
                        rules::CONFIG_VALUE,
                        format!("`{}` is not a valid glob ({why}); e.g. `\"retros/legacy/**\"`", glob.name),
                    ));
                }
                if matches!(rules.kind, NodeKind::Map(_)) {
                    check_lint_keys(rules, &format!("lint.paths.{}", glob.name), diags);
                } else {
                    diags.push(Diagnostic::error(
                        FILE,
                        glob.pos,
                        rules::CONFIG_TYPE,
                        format!("`[lint.paths.\"{}\"]` must be a table of rule ids and levels", glob.name),
                    ));
                }
            }
            continue;
        }
        if top && (name == "completeness" || name == "blameless") {
            continue;
        }
        if lint_rule_ids().any(|r| r == name) {
            continue;
        }
        let place = if top { "[lint]".to_string() } else { format!("[{table}]") };
        let hint = match nearest(name, lint_rule_ids()) {
            Some(n) => format!("; did you mean `{n}`?"),
            None => "; the rule ids are listed in docs/check.md".to_string(),
        };
        diags.push(Diagnostic::error(
            FILE,
            key.pos,
            rules::CONFIG_UNKNOWN_KEY,
            format!("unknown rule `{name}` in {place}{hint} (levels: off, note, warn, error)"),
        ));
    }
}
