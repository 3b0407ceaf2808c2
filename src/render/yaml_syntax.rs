//! syntect's YAML syntax without its one back-reference, for speed; the highlighting is unchanged.
//!
//! The stock syntax ends a block scalar (`key: |`) with `^(?!\1|\s*$)`, where `\1` is the
//! indentation its first line captured. syntect cannot compile a pattern with a back-reference
//! once: it substitutes the captured text and compiles a fresh fancy-regex for every line it
//! tries the pattern on, and each compilation builds regex-automata's DFAs. That was about a third
//! of all instructions when rendering the synthetic book (callgrind, 1,000 retros), for YAML that
//! Kubernetes manifests and CI workflows are full of.
//!
//! The copy made here gives the block's body one context per indentation of 1 to
//! [`MAX_INDENT`] spaces, each ending with the indentation written out (`^(?![ ]{4}|\s*$)`), and
//! chooses among them by matching the indentation exactly where the stock syntax captured it.
//! Deeper blocks still take the stock path. Scopes, and so the HTML, are the same; a test
//! compares both on many blocks.
//!
//! syntect offers no public constructor for a reference to a named context, nor a way to take
//! one syntax out of a set with its references intact, so both go through the types' serde form.
//! Should a syntect release change what is patched here, [`syntax_set`] gives `None` and the stock
//! syntax is used (a test fails so that it is noticed).

use syntect::parsing::syntax_definition::{Context, MatchPattern, Pattern};
use syntect::parsing::{Regex, SyntaxDefinition, SyntaxSet, SyntaxSetBuilder};

/// Deepest block-scalar indentation (spaces) that gets its own body context.
pub(crate) const MAX_INDENT: usize = 48;

/// The name of the syntax this module patches.
pub(crate) const NAME: &str = "YAML";

/// The context that reads a block scalar's first line and the one that holds its body.
const HEAD: &str = "#anon_block-scalar_0";
const BODY: &str = "#anon_block-scalar_1";
const HEAD_PATTERN: &str = "^([ ]+)(?! )";
const BODY_END: &str = r"^(?!\1|\s*(?m:$))";

/// A syntax set holding only the patched YAML syntax (made from syntect's defaults, about 40 ms),
/// or `None` when they hold no YAML syntax of the expected shape.
pub(crate) fn syntax_set() -> Option<SyntaxSet> {
    let stock = SyntaxSet::load_defaults_newlines();
    let index = stock.syntaxes().iter().position(|s| s.name == NAME)?;
    let builder = stock.into_builder();
    let yaml = builder.syntaxes().iter().find(|s| s.name == NAME)?;
    // Alone in its set, the syntax is number 0: its references to its own contexts must say so.
    // It refers to no other syntax (checked), so nothing else needs to follow it.
    let mut value = serde_json::to_value(yaml).ok()?;
    renumber(&mut value, index as u64)?;
    let mut yaml: SyntaxDefinition = serde_json::from_value(value).ok()?;
    patch(&mut yaml)?;
    let mut set = SyntaxSetBuilder::new();
    set.add(yaml);
    Some(set.build())
}

/// Rewrites every context id of syntax `from` in a serialised syntax to syntax 0; `None` if an id
/// points to another syntax.
fn renumber(value: &mut serde_json::Value, from: u64) -> Option<()> {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("context_index") {
                let syntax = map.get("syntax_index").and_then(|v| v.as_u64())?;
                if syntax != from {
                    return None;
                }
                map.insert("syntax_index".into(), 0.into());
            }
            map.values_mut().try_for_each(|v| renumber(v, from))
        }
        serde_json::Value::Array(items) => items.iter_mut().try_for_each(|v| renumber(v, from)),
        _ => Some(()),
    }
}

/// Adds a body context per indentation and, before the stock head pattern, a pattern choosing it.
fn patch(yaml: &mut SyntaxDefinition) -> Option<()> {
    let Some(Pattern::Match(head)) = yaml.contexts.get(HEAD)?.patterns.first().cloned() else { return None };
    let body = yaml.contexts.get(BODY)?.clone();
    let [Pattern::Match(end)] = &body.patterns[..] else { return None };
    if head.regex.regex_str() != HEAD_PATTERN || end.regex.regex_str() != BODY_END || !end.has_captures {
        return None;
    }
    let mut choosers = Vec::with_capacity(MAX_INDENT);
    for n in 1..=MAX_INDENT {
        // '~' sorts after every stock context name, so the ids syntect gives the stock contexts
        // (by name order) stay the ones the syntax's references already hold.
        let name = format!("~rb-block-scalar-body-{n:02}");
        let operation = serde_json::from_value(serde_json::json!({ "Set": [{ "Named": name }] })).ok()?;
        choosers.push(Pattern::Match(MatchPattern {
            regex: Regex::new(format!("^([ ]{{{n}}})(?! )")),
            operation,
            ..head.clone()
        }));
        let end = MatchPattern {
            regex: Regex::new(format!(r"^(?![ ]{{{n}}}|\s*(?m:$))")),
            has_captures: false,
            ..end.clone()
        };
        yaml.contexts
            .insert(name, Context { patterns: vec![Pattern::Match(end)], uses_backrefs: false, ..body.clone() });
    }
    yaml.contexts.get_mut(HEAD)?.patterns.splice(0..0, choosers);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::util::LinesWithEndings;

    fn highlight(set: &SyntaxSet, code: &str) -> String {
        let syntax = set.find_syntax_by_name(NAME).expect("a YAML syntax");
        let style = ClassStyle::SpacedPrefixed { prefix: "x-" };
        let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, set, style);
        for line in LinesWithEndings::from(code) {
            html.parse_html_for_line_which_includes_newline(line).expect("highlighted");
        }
        html.finalize()
    }

    /// Block scalars of every kind and depth (deeper than [`MAX_INDENT`] too), with what ends them.
    fn samples() -> Vec<String> {
        let mut out: Vec<String> = [
            "a: |\n  one\n  two\n\n  three\nb: 1\n",
            "a: >-\n    folded\n    text\n  less: 1\nc: d\n",
            "jobs:\n  test:\n    steps:\n      - run: |\n          cargo test\n          echo done\n        name: x\n      - uses: y\n",
            "k: |2\n   two extra\n  base\nn: 2\n",
            "x: |\n\ty tab\n  z\n",
            "a: |+\n\n  kept\n\n\nb: |-\n  s\nc: >2-\n   t\n",
            "a: |\nnot indented\nb: |\n",
            "a: |   # a comment\n  body # not a comment\n",
            "- |\n  item block\n- >\n  folded item\n-   |\n     odd\n",
            "empty: |\n\nnext: 1\n",
            "data:\n  config.json: |\n    {\"a\": [1, 2]}\n  script.sh: |-\n    #!/bin/sh\n    exit 0\n",
            "a: |\n  one\n    more indented\n  back\n not enough\n",
            "s: 'quoted | not a block'\nt: a > b\n",
        ]
        .map(String::from)
        .to_vec();
        for depth in [1, 2, 7, 23, MAX_INDENT - 1, MAX_INDENT, MAX_INDENT + 1, MAX_INDENT + 9] {
            let pad = " ".repeat(depth);
            out.push(format!("{pad}k: |\n{pad}  body\n{pad}  more\n{pad}j: 1\n"));
            out.push(format!("k: >\n{pad}body\n{pad} deeper\n{pad}\nend: 1\n"));
        }
        out
    }

    #[test]
    fn the_patched_syntax_highlights_exactly_as_the_stock_one() {
        let stock = SyntaxSet::load_defaults_newlines();
        let patched = syntax_set().expect("syntect's YAML syntax has the shape this module patches");
        for sample in samples() {
            assert_eq!(highlight(&patched, &sample), highlight(&stock, &sample), "{sample}");
        }
    }

    #[test]
    fn the_patched_syntax_has_no_back_reference_within_its_depth() {
        let yaml = syntax_set().unwrap().into_builder().syntaxes()[0].clone();
        let with_refs: Vec<&String> = yaml.contexts.iter().filter(|(_, c)| c.uses_backrefs).map(|(n, _)| n).collect();
        // Only the stock body, for blocks deeper than MAX_INDENT.
        assert_eq!(with_refs, [BODY]);
        assert_eq!(yaml.contexts.keys().filter(|n| n.starts_with("~rb-")).count(), MAX_INDENT);
    }
}
