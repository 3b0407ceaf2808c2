//! The layer rule, checked: every top-level module of the library has a layer, and a module only
//! uses modules of lower layers (issue 13). Reads `src/**.rs`, finds `crate::x`, `use crate::{…}`
//! and `super::` paths that reach another top-level module, and fails on an edge that points up or
//! sideways. Strict layers also mean no module cycle. The binary (`main.rs`, `cmd/`) sits above
//! everything and is not part of the library.

use std::collections::BTreeMap;
use std::path::Path;

/// The layers, lowest first. A module may use modules of a *lower* layer only; modules in one
/// layer do not use each other. Leaves (layer 0–3) may be used by every layer above them.
///
/// | layer | modules                         | what lives there                                       |
/// |-------|---------------------------------|--------------------------------------------------------|
/// | 0     | text, suggest, scaffold, memory | helpers with no dependency on the crate                |
/// | 1     | diagnostic                      | file, line, column, rule, message; printers           |
/// | 2     | value                           | the position-keeping YAML/TOML value tree              |
/// | 3     | config                          | book.toml                                              |
/// | 4     | history, tracking               | git history and tracker state as plain data            |
/// | 5     | model                           | Retro, Book, timeline entries, the public view types   |
/// | 6     | load                            | files → Book + diagnostics                             |
/// | 7     | git                             | reads the history and books at revisions (uses load)   |
/// | 8     | analyze                         | indexes and statistics over a Book                     |
/// | 9     | search                          | the pagefind index from search records                 |
/// | 10    | check, render                   | rules; pages                                           |
/// | 11    | public, diff, deploy, export, schema, report, import, monitoring, trackers | outputs and adapters over the layers below |
/// | 12    | build, serve                    | whole pipelines                                        |
///
/// The binary (`main.rs`, `cmd/`, layer 13) is above all of them.
pub(crate) const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("suggest", 0),
    ("scaffold", 0),
    ("memory", 0),
    ("diagnostic", 1),
    ("value", 2),
    ("config", 3),
    ("history", 4),
    ("tracking", 4),
    ("model", 5),
    ("load", 6),
    ("git", 7),
    ("analyze", 8),
    ("search", 9),
    ("check", 10),
    ("render", 10),
    ("public", 11),
    ("diff", 11),
    ("deploy", 11),
    ("export", 11),
    ("schema", 11),
    ("report", 11),
    ("import", 11),
    ("monitoring", 11),
    ("trackers", 11),
    ("build", 12),
    ("serve", 12),
    // The binary's commands: the library may never reach them.
    ("cmd", 13),
];

/// Files of the binary and this checker, which the rule does not apply to.
const EXEMPT: &[&str] = &["main.rs", "cmd", "lib.rs", "layers.rs"];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// `code` with comments, string and character literals blanked out (newlines kept, so line
/// numbers stay right): a path in a message or a doc comment is not a dependency.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"…", r#"…"#, br"…": no escapes; ends at a quote followed by as many hashes.
            let open = rest.iter().position(|&c| c == b'"').unwrap_or(0) + 1;
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let end = rest[open..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| open + p + close.len());
            rest[..end].iter().for_each(|&c| blank(&mut out, c));
            i += end;
        } else if b[i] == b'"' {
            blank(&mut out, b[i]);
            i += 1;
            while i < b.len() && b[i] != b'"' {
                let n = if b[i] == b'\\' { 2 } else { 1 };
                b[i..(i + n).min(b.len())].iter().for_each(|&c| blank(&mut out, c));
                i += n;
            }
            if i < b.len() {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if b[i] == b'\'' {
            // A character literal ('x', '\n', '\u{1b}'), else a lifetime ('a).
            let end = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(2).position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                // The width of the UTF-8 character after the quote; a closing quote right after it
                // makes a character literal.
                let width = match rest.get(1) {
                    Some(&c) if c < 0x80 => 1,
                    Some(&c) if c >= 0xF0 => 4,
                    Some(&c) if c >= 0xE0 => 3,
                    Some(_) => 2,
                    None => 0,
                };
                (width > 0 && rest.get(1 + width) == Some(&b'\'')).then_some(width + 2)
            };
            let n = end.unwrap_or(1);
            rest[..n].iter().for_each(|&c| blank(&mut out, c));
            i += n;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The number of `#`s of a raw string starting at `s` (`r"`, `r#"`, `br"`), if one starts there.
fn raw_string_start(s: &[u8]) -> Option<usize> {
    let s = s.strip_prefix(b"b").unwrap_or(s);
    let s = s.strip_prefix(b"r")?;
    let hashes = s.iter().take_while(|&&c| c == b'#').count();
    (s.get(hashes) == Some(&b'"')).then_some(hashes)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level modules a path names at byte `at` of `code`: one after `crate::x`, each head of
/// a group after `crate::{a, b::c}`.
fn heads(code: &str, at: usize) -> Vec<String> {
    let rest = code[at..].trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut names = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    names.push(group[start..i].to_string());
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    names.push(group[start..i].to_string());
                    start = i + 1;
                }
                _ => {}
            }
        }
        names
            .iter()
            .map(|n| n.trim().chars().take_while(|&c| is_ident(c)).collect())
            .filter(|n: &String| !n.is_empty())
            .collect()
    } else {
        vec![rest.chars().take_while(|&c| is_ident(c)).collect()]
    }
}

/// The module path of a file under `src/`: `load/adopt.rs` → [load, adopt], `load/mod.rs` → [load].
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.trim_end_matches(".rs").split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The back-edges in one file: `(line, used module)` for every path to a top-level module that
/// is not below the file's own. `rel` is the path under `src/` with `/` separators.
pub(crate) fn violations(rel: &str, src: &str) -> Vec<String> {
    let path = module_path(rel);
    let Some(own) = path.first().cloned() else { return Vec::new() };
    let code = code_only(src);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut used: Vec<(usize, String)> = Vec::new();
    // Inline `mod x {` blocks deepen the path `super::` starts from.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !is_ident(bytes[i - 1] as char);
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            _ if word_start && bytes[i..].starts_with(b"mod ") => {
                let after = code[i + 4..].trim_start();
                let name_len = after.chars().take_while(|&c| is_ident(c)).count();
                if after[name_len..].trim_start().starts_with('{') {
                    inline.push(depth);
                }
            }
            _ if word_start && bytes[i..].starts_with(b"crate::") => {
                used.extend(heads(&code, i + 7).into_iter().map(|m| (i, m)));
            }
            _ if word_start && bytes[i..].starts_with(b"super::") => {
                let mut at = i;
                let mut ups = 0;
                while bytes[at..].starts_with(b"super::") {
                    ups += 1;
                    at += 7;
                }
                if ups >= path.len() + inline.len() {
                    used.extend(heads(&code, at).into_iter().map(|m| (i, m)));
                }
                i = at;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = Vec::new();
    let Some(own_layer) = layer(&own) else {
        return vec![format!("src/{rel}: module `{own}` has no layer; add it to LAYERS in src/layers.rs")];
    };
    for (at, m) in used {
        if m == own || m == "self" {
            continue;
        }
        match layer(&m) {
            Some(l) if l < own_layer => {}
            Some(l) => out.push(format!(
                "src/{rel}:{}: `{own}` (layer {own_layer}) uses `{m}` (layer {l}); a module may only use lower layers — \
move what both need into a lower module (`text` for small helpers) or pass it in",
                line_of(at)
            )),
            // Not a module (an item of the crate root) or a module outside the table: the
            // module's own file reports the latter.
            None => {}
        }
    }
    out
}

/// Every back-edge in the library under `src`, as messages.
pub(crate) fn check_tree(src: &Path) -> Vec<String> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src).into_iter().filter_map(Result::ok) {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "rs") {
            let rel = crate::text::relative(src, p);
            if !EXEMPT.iter().any(|x| rel == *x || rel.starts_with(&format!("{x}/"))) {
                files.insert(rel, std::fs::read_to_string(p).unwrap_or_default());
            }
        }
    }
    files.iter().flat_map(|(rel, text)| violations(rel, text)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    #[test]
    fn the_library_has_no_back_edge() {
        let problems = check_tree(&src());
        assert!(problems.is_empty(), "{} layer violations:\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn the_command_line_is_not_part_of_the_library() {
        let lib = code_only(&std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs"));
        assert!(!lib.contains("mod cmd"), "src/lib.rs declares `mod cmd`; the CLI belongs to main.rs");
        // clap stays in the binary: the library's types must not derive its traits.
        let (_, lib_files): (Vec<_>, Vec<_>) = walkdir::WalkDir::new(src())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
            .partition(|e| {
                let rel = crate::text::relative(&src(), e.path());
                rel == "main.rs" || rel.starts_with("cmd/")
            });
        for f in lib_files {
            let code = code_only(&std::fs::read_to_string(f.path()).unwrap_or_default());
            assert!(!code.contains("clap::"), "{} uses clap; map library types in src/cmd instead", f.path().display());
        }
    }

    #[test]
    fn a_back_edge_fails_with_file_line_and_edge() {
        let v = violations(
            "model.rs",
            "//! doc\nuse crate::diagnostic::Pos;\npub use crate::load::timeline::TimelineEntry;\n",
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].starts_with("src/model.rs:3: `model` (layer 5) uses `load` (layer 6)"), "{}", v[0]);
    }

    #[test]
    fn grouped_uses_super_paths_and_sideways_edges_are_found() {
        let v = violations("load/adopt.rs", "use crate::{config::Config, render::markdown::{self, plain_text}};\n");
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("`load` (layer 6) uses `render`"), "{}", v[0]);
        // From load/mod.rs one `super::` is the crate root; from load/adopt.rs it is `load`.
        assert_eq!(violations("load/mod.rs", "fn f() { super::build::build(); }").len(), 1);
        assert!(violations("load/adopt.rs", "fn f() { super::sections::split(); }").is_empty());
        // Siblings of one layer do not use each other.
        let v = violations("check/stakeholder.rs", "fn f() { crate::render::markdown::render(); }");
        assert!(v[0].contains("`check` (layer 10) uses `render` (layer 10)"), "{}", v[0]);
        // Inside an inline module, `super::` first climbs out of it.
        assert!(violations("text.rs", "mod tests { use super::*; fn f() { super::slugify(); } }").is_empty());
        assert_eq!(violations("text.rs", "mod tests { fn f() { super::super::model::Book::default(); } }").len(), 1);
    }

    #[test]
    fn comments_strings_and_unknown_modules() {
        let src = "// crate::build::x\n/* crate::serve */ fn f() { let _ = \"crate::cmd\"; let _ = r#\"crate::build\"#; let _ = '\"'; let _ = '→'; }\n";
        assert!(violations("model.rs", src).is_empty(), "{:?}", violations("model.rs", src));
        let lifetimes = "fn f<'a>(x: &'a str) -> &'a str { let _ = crate::serve::start; x }";
        assert_eq!(violations("model.rs", lifetimes).len(), 1);
        // The commands belong to the binary: nothing in the library may call them.
        let v = violations("serve/mod.rs", "let errors = crate::cmd::error_count(diags);");
        assert!(v[0].contains("`serve` (layer 12) uses `cmd` (layer 13)"), "{}", v[0]);
        let v = violations("newthing/mod.rs", "use crate::model::Book;");
        assert!(v[0].contains("module `newthing` has no layer"), "{}", v[0]);
    }
}
