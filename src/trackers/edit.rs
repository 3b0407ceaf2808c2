//! `--write`: sets one value of one action in a retro's front matter (its `status`, or a new
//! `link`), leaving every other byte of the file as it was — comments, quoting, line endings.

use crate::load::frontmatter::{Style, cut};
use crate::load::value::{Node, NodeKind, parse_toml, parse_yaml};

/// The file's text with `key` of action `action_id` set to `value`: the old scalar replaced in
/// place (keeping its quotes), or a new `key: value` line after the action's `id` line.
pub fn set_action_value(original: &str, action_id: &str, key: &str, value: &str) -> Result<String, String> {
    let bom = if original.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let normal = original[bom..].replace("\r\n", "\n");
    let c = match cut(&normal) {
        Ok(Some(c)) => c,
        _ => return Err("has no front matter to edit (run `retrobook adopt --write` first)".into()),
    };
    let root = match c.style {
        Style::Yaml => parse_yaml(c.matter, c.matter_line),
        Style::Toml => parse_toml(c.matter, c.matter_line),
    }
    .map_err(|e| format!("front matter does not parse ({}); fix it first", e.message))?;
    let item =
        find_action(&root, action_id).ok_or_else(|| format!("has no action `{action_id}` in its front matter"))?;
    let NodeKind::Map(entries) = &item.kind else { return Err(format!("action `{action_id}` is not a map")) };
    let toml = matches!(c.style, Style::Toml);
    if let Some((_, node)) = entries.iter().find(|(k, _)| k.name == key) {
        let start = offset(original, bom, node.pos.line, node.pos.column)?;
        let (end, quote) = scalar_end(original, start, toml)?;
        let new = match quote {
            Some(q) => format!("{q}{value}{q}"),
            None if toml => format!("\"{value}\""),
            None => value.to_string(),
        };
        return Ok(format!("{}{new}{}", &original[..start], &original[end..]));
    }
    let (id_key, _) = entries
        .iter()
        .find(|(k, _)| k.name == "id")
        .ok_or_else(|| format!("action `{action_id}` has no `id` line to add `{key}` after; add `{key}` by hand"))?;
    let key_at = offset(original, bom, id_key.pos.line, id_key.pos.column)?;
    let line_start = original[..key_at].rfind('\n').map_or(0, |i| i + 1);
    if original[line_start..key_at].contains('{') {
        return Err(format!("action `{action_id}` is written in flow style (`{{…}}`); add `{key}` by hand"));
    }
    let indent = " ".repeat(original[line_start..key_at].chars().count());
    let line_end = original[key_at..].find('\n').map_or(original.len(), |i| key_at + i + 1);
    let eol = if original[..line_end].ends_with("\r\n") { "\r\n" } else { "\n" };
    let line = if toml { format!("{indent}{key} = \"{value}\"{eol}") } else { format!("{indent}{key}: {value}{eol}") };
    let sep = if original[..line_end].ends_with('\n') { "" } else { eol };
    Ok(format!("{}{sep}{line}{}", &original[..line_end], &original[line_end..]))
}

/// The action with `id`, or the n-th one without an id when `id` is `A<n>` (the default id).
fn find_action<'a>(root: &'a Node, id: &str) -> Option<&'a Node> {
    let NodeKind::Seq(items) = &root.get("actions")?.kind else { return None };
    let written = |n: &Node| n.get("id").and_then(Node::scalar_text).map(|s| s.trim().to_string());
    items.iter().find(|n| written(n).as_deref() == Some(id)).or_else(|| {
        let n: usize = id.strip_prefix('A')?.parse().ok()?;
        items.get(n.checked_sub(1)?).filter(|i| written(i).is_none())
    })
}

/// Byte offset of a 1-based line and column (in characters) of the file.
fn offset(text: &str, bom: usize, line: u32, column: u32) -> Result<usize, String> {
    let mut start = bom;
    for _ in 1..line {
        start += text[start..].find('\n').ok_or("a position past the end of the file")? + 1;
    }
    let rest = &text[start..];
    let col = rest.char_indices().nth(column.saturating_sub(1) as usize).map_or(rest.len(), |(i, _)| i);
    Ok(start + col)
}

/// Where the scalar starting at `start` ends, and its quote character if it is quoted.
fn scalar_end(text: &str, start: usize, toml: bool) -> Result<(usize, Option<char>), String> {
    let line = &text[start..text[start..].find(['\n', '\r']).map_or(text.len(), |i| start + i)];
    match line.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let mut escaped = false;
            for (i, ch) in line.char_indices().skip(1) {
                match ch {
                    '\\' if q == '"' => escaped = !escaped,
                    c if c == q && !escaped => return Ok((start + i + 1, Some(q))),
                    _ => escaped = false,
                }
            }
            Err("holds a quoted value that goes on past its line; edit it by hand".into())
        }
        Some('|' | '>') if !toml => Err("holds a block scalar there; edit it by hand".into()),
        _ => {
            let stop = [" #", "\t#"].iter().filter_map(|c| line.find(c)).min().unwrap_or(line.len());
            let stop = if toml { line.find([' ', '\t', '#', ',']).unwrap_or(line.len()).min(stop) } else { stop };
            Ok((start + line[..stop].trim_end().len(), None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_scalar() {
        let t = "---\nid: x\nactions:\n  - id: A1\n    status: open   # was in-progress\n    title: T\n  - id: A2\n    status: \"open\"\n---\nbody\n";
        let out = set_action_value(t, "A1", "status", "done").unwrap();
        assert_eq!(out, t.replace("status: open   #", "status: done   #"));
        let out = set_action_value(t, "A2", "status", "wont-do").unwrap();
        assert_eq!(out, t.replace("status: \"open\"", "status: \"wont-do\""));
    }

    #[test]
    fn inserts_a_missing_key_after_the_id_keeping_crlf() {
        let t = "---\r\nid: x\r\nactions:\r\n  - id: A1\r\n    title: T\r\n---\r\n";
        let out = set_action_value(t, "A1", "link", "https://github.com/a/b/issues/1").unwrap();
        assert_eq!(
            out,
            "---\r\nid: x\r\nactions:\r\n  - id: A1\r\n    link: https://github.com/a/b/issues/1\r\n    title: T\r\n---\r\n"
        );
    }

    #[test]
    fn toml_front_matter() {
        let t = "+++\nid = \"x\"\n[[actions]]\nid = \"A1\"\nstatus = 'open' # note\n+++\n";
        assert_eq!(set_action_value(t, "A1", "status", "done").unwrap(), t.replace("'open'", "'done'"));
    }

    #[test]
    fn refuses_what_it_cannot_edit_safely() {
        let t = "---\nid: x\nactions:\n  - {id: A1, title: T}\n---\n";
        assert!(set_action_value(t, "A1", "status", "done").unwrap_err().contains("flow style"));
        assert!(set_action_value(t, "A9", "status", "done").unwrap_err().contains("no action `A9`"));
        assert!(set_action_value("# just text\n", "A1", "status", "done").unwrap_err().contains("no front matter"));
    }
}
