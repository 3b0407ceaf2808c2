//! A front-matter value tree that remembers where every key and value was written.
//!
//! YAML (via yaml-rust2's marked events) and TOML (via toml's spanned `DeTable`) both become a
//! [`Node`], so that every later diagnostic — a wrong type, an unknown severity, a bad date — can
//! point at the exact line and column in the retro's file. `book.toml` is read through it too,
//! so it sits below `config` and `load` (which re-exports it as `load::value`).

pub mod fastyaml;

use crate::diagnostic::Pos;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A value with its position in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts.
    pub pos: Pos,
    /// The value.
    pub kind: NodeKind,
}

/// The shapes a front-matter value can take.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// A string; `plain` is false when it was quoted (so `"true"` stays a string).
    Str(String),
    /// A TOML date, time or date-time, in its TOML text form.
    Datetime(String),
    /// A list, in order.
    Seq(Vec<Node>),
    /// A mapping, in file order (a key appears once: a duplicate is a syntax error).
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as written.
    pub name: String,
    /// Where the key starts.
    pub pos: Pos,
}

impl Node {
    /// The user-facing name of this value's type, for "expected a list, found a number" messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "nothing",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) | NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Datetime(_) => "a date",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }

    /// The scalar as text (strings, numbers, booleans, TOML dates), or None for lists, maps, null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Str(s) | NodeKind::Datetime(s) => Some(s.clone()),
            NodeKind::Int(i) => Some(i.to_string()),
            NodeKind::Float(f) => Some(f.to_string()),
            NodeKind::Bool(b) => Some(b.to_string()),
            NodeKind::Null | NodeKind::Seq(_) | NodeKind::Map(_) => None,
        }
    }

    /// Entries of a map node (empty for anything else).
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.kind {
            NodeKind::Map(m) => m,
            _ => &[],
        }
    }

    /// Looks up a key in a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries().iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }
}

/// A syntax error in front matter, with its position in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub pos: Pos,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// How deep front matter may nest (maps and lists inside each other). Real front matter stays
/// under five; the limit keeps every recursive walk over a [`Node`] (and its `Drop`) shallow.
pub(crate) const MAX_DEPTH: usize = 64;

/// How many values aliases (`*name`) may add to a front matter by repeating an anchor's value:
/// enough for any real use, and a bound on "billion laughs" documents.
pub(crate) const MAX_ALIAS_VALUES: usize = 10_000;

fn too_deep(pos: Pos) -> SyntaxError {
    SyntaxError {
        pos,
        message: format!(
            "front matter is nested more than {MAX_DEPTH} levels deep (lists and maps inside each other); flatten it"
        ),
    }
}

/// Parses YAML front matter. `first_line` is the file line of the matter's first line.
pub fn parse_yaml(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    if let Some(node) = fastyaml::parse(text, first_line) {
        return Ok(node);
    }
    parse_yaml_reference(text, first_line)
}

/// Parses YAML front matter with yaml-rust2 alone: the reference the fast path must agree with.
pub fn parse_yaml_reference(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let mut builder = YamlBuilder {
        first_line,
        stack: Vec::new(),
        keys: Vec::new(),
        root: None,
        dup: None,
        anchors: HashMap::new(),
        alias_values: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one by one rather than through `Parser::load`, which recurses once per
    // nesting level (a few thousand `- - -` overflow the stack); the builder keeps its own stack
    // and stops at `MAX_DEPTH`. Like `load(_, false)`, only the first document is read.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            let pos = builder.pos(e.marker());
            // yaml-rust2's scanner has a limit of its own for `[` and `{` (which it may reach
            // while looking ahead, before the builder sees the 65th level).
            if e.info().contains("recursion limit") {
                return too_deep(pos);
            }
            SyntaxError { pos, message: format!("YAML syntax: {}", e.info()) }
        })?;
        let end = matches!(ev, Event::StreamEnd | Event::DocumentEnd);
        builder.on_event(ev, mark);
        if let Some(e) = builder.error.take() {
            return Err(e);
        }
        if end {
            break;
        }
    }
    if let Some(d) = builder.dup {
        return Err(d);
    }
    Ok(builder.root.unwrap_or(Node { pos: Pos::new(first_line, 1), kind: NodeKind::Map(Vec::new()) }))
}

/// An anchored value (`&name`), kept for its aliases with its size and height.
struct Anchored {
    node: Node,
    /// Values in it, itself included.
    values: usize,
    /// Levels of maps and lists in it (0 for a scalar).
    height: usize,
}

impl Anchored {
    fn new(node: Node) -> Self {
        // Bounded recursion: the node is at most `MAX_DEPTH` deep.
        fn measure(n: &Node) -> (usize, usize) {
            let children: Vec<&Node> = match &n.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                NodeKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
                _ => return (1, 0),
            };
            children.iter().fold((1, 1), |(values, height), c| {
                let (v, h) = measure(c);
                (values + v, height.max(h + 1))
            })
        }
        let (values, height) = measure(&node);
        Anchored { node, values, height }
    }
}

struct YamlBuilder {
    first_line: u32,
    /// Open collections; a map holds its entries and the key waiting for a value.
    stack: Vec<Open>,
    keys: Vec<Option<Key>>,
    root: Option<Node>,
    dup: Option<SyntaxError>,
    /// Anchor id (yaml-rust2 numbers them) → its value, for aliases.
    anchors: HashMap<usize, Anchored>,
    /// Values added by aliases so far.
    alias_values: usize,
    /// A limit was exceeded: parsing stops with this.
    error: Option<SyntaxError>,
}

/// An open collection: its position, its content so far and its anchor id (0: none).
enum Open {
    Seq(Pos, Vec<Node>, usize),
    Map(Pos, Vec<(Key, Node)>, usize),
}

impl YamlBuilder {
    fn pos(&self, m: &Marker) -> Pos {
        // yaml-rust2 lines are 1-based, columns 0-based
        Pos::new(self.first_line + m.line() as u32 - 1, m.col() as u32 + 1)
    }

    /// Adds a finished value, remembering it under its anchor id.
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, Anchored::new(node.clone()));
        }
        self.push_value(node);
    }

    /// Opens a collection unless that would nest too deep.
    fn open(&mut self, open: Open, pos: Pos) {
        if self.stack.len() >= MAX_DEPTH {
            self.error = Some(too_deep(pos));
            return;
        }
        if matches!(open, Open::Map(..)) {
            self.keys.push(None);
        }
        self.stack.push(open);
    }

    /// An alias: a copy of its anchor's value, within the depth and expansion limits.
    fn alias(&mut self, id: usize, pos: Pos) {
        // yaml-rust2 reports aliases to unknown anchors itself.
        let Some(a) = self.anchors.get(&id) else { return };
        if self.stack.len() + a.height > MAX_DEPTH {
            self.error = Some(too_deep(pos));
            return;
        }
        self.alias_values += a.values;
        if self.alias_values > MAX_ALIAS_VALUES {
            self.error = Some(SyntaxError {
                pos,
                message: format!(
                    "aliases (`*name`) repeat more than {MAX_ALIAS_VALUES} values in this front matter; write the values out instead"
                ),
            });
            return;
        }
        let node = a.node.clone();
        self.push_value(node);
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(_, items, _)) => items.push(node),
            Some(Open::Map(_, entries, _)) => {
                let slot = self.keys.last_mut().expect("a key slot for every open map");
                match slot.take() {
                    None => {
                        // This node is a key; non-scalar keys are flattened to text.
                        let name = node.scalar_text().unwrap_or_default();
                        if self.dup.is_none() && entries.iter().any(|(k, _)| k.name == name) {
                            self.dup = Some(SyntaxError {
                                pos: node.pos,
                                message: format!("duplicate key `{name}`; each key may appear once in a map"),
                            });
                        }
                        *slot = Some(Key { name, pos: node.pos });
                    }
                    Some(key) => entries.push((key, node)),
                }
            }
        }
    }
}

impl MarkedEventReceiver for YamlBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = self.pos(&mark);
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let kind = if style == TScalarStyle::Plain { plain_scalar(&value) } else { NodeKind::Str(value) };
                self.finish(Node { pos, kind }, anchor);
            }
            Event::SequenceStart(anchor, _) => self.open(Open::Seq(pos, Vec::new(), anchor), pos),
            Event::MappingStart(anchor, _) => self.open(Open::Map(pos, Vec::new(), anchor), pos),
            Event::SequenceEnd => {
                if let Some(Open::Seq(p, items, anchor)) = self.stack.pop() {
                    self.finish(Node { pos: p, kind: NodeKind::Seq(items) }, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(p, entries, anchor)) = self.stack.pop() {
                    self.keys.pop();
                    self.finish(Node { pos: p, kind: NodeKind::Map(entries) }, anchor);
                }
            }
            Event::Alias(id) => self.alias(id, pos),
            _ => {}
        }
    }
}

/// YAML 1.2 core schema resolution of a plain scalar (shared with the fast path).
pub(crate) fn plain_scalar(v: &str) -> NodeKind {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        _ => {
            if let Ok(i) = v.parse::<i64>() {
                NodeKind::Int(i)
            } else if v.bytes().any(|b| b.is_ascii_digit()) && v.parse::<f64>().is_ok_and(f64::is_finite) {
                NodeKind::Float(v.parse().unwrap_or_default())
            } else {
                NodeKind::Str(v.to_string())
            }
        }
    }
}

/// Parses TOML front matter. `first_line` is the file line of the matter's first line.
pub fn parse_toml(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let lines = LineIndex::new(text, first_line);
    match toml::de::DeTable::parse(text) {
        Ok(table) => {
            let pos = lines.pos(table.span().start);
            Ok(Node { pos, kind: NodeKind::Map(toml_table(table.get_ref(), &lines, 1)?) })
        }
        Err(e) => {
            let pos = e.span().map(|s| lines.pos(s.start)).unwrap_or(Pos::new(first_line, 1));
            // The toml crate stops at a nesting limit of its own (a little above ours).
            if e.message().contains("recursion") {
                return Err(too_deep(pos));
            }
            Err(SyntaxError { pos, message: format!("TOML syntax: {}", e.message().trim()) })
        }
    }
}

fn toml_table(t: &toml::de::DeTable<'_>, lines: &LineIndex, depth: usize) -> Result<Vec<(Key, Node)>, SyntaxError> {
    t.iter()
        .map(|(k, v)| {
            Ok((Key { name: k.get_ref().to_string(), pos: lines.pos(k.span().start) }, toml_value(v, lines, depth)?))
        })
        .collect()
}

/// A TOML value inside `depth` open tables and arrays.
fn toml_value(v: &toml::Spanned<toml::de::DeValue<'_>>, lines: &LineIndex, depth: usize) -> Result<Node, SyntaxError> {
    use toml::de::DeValue;
    let pos = lines.pos(v.span().start);
    if matches!(v.get_ref(), DeValue::Array(_) | DeValue::Table(_)) && depth >= MAX_DEPTH {
        return Err(too_deep(pos));
    }
    let kind = match v.get_ref() {
        DeValue::String(s) => NodeKind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => NodeKind::Int(n),
            Err(_) => NodeKind::Str(i.as_str().to_string()),
        },
        DeValue::Float(f) => NodeKind::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(d) => NodeKind::Datetime(d.to_string()),
        DeValue::Array(items) => {
            NodeKind::Seq(items.iter().map(|i| toml_value(i, lines, depth + 1)).collect::<Result<_, _>>()?)
        }
        DeValue::Table(t) => NodeKind::Map(toml_table(t, lines, depth + 1)?),
    };
    Ok(Node { pos, kind })
}

/// Maps byte offsets in a text to 1-based (line, column-in-characters) positions.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u32,
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`, whose first line is file line `first_line`.
    pub(crate) fn new(text: &'a str, first_line: u32) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts, first_line }
    }

    /// The 1-based file line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> u32 {
        self.first_line + (self.starts.partition_point(|&s| s <= offset.min(self.text.len())) - 1) as u32
    }

    /// The 1-based file line and column (in characters) of a byte offset.
    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        Pos::new(self.first_line + line as u32, col as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_positions_are_file_lines() {
        let n = parse_yaml("id: a\ntags:\n  - x\n  - y\nimpact:\n  started: 2024-01-01 10:00\n", 2).unwrap();
        let (k, v) = &n.entries()[0];
        assert_eq!((k.name.as_str(), k.pos), ("id", Pos::new(2, 1)));
        assert_eq!(v.pos, Pos::new(2, 5));
        let tags = n.get("tags").unwrap();
        let NodeKind::Seq(items) = &tags.kind else { panic!("tags is a list") };
        assert_eq!(items[1].pos, Pos::new(5, 5));
        let started = n.get("impact").unwrap().get("started").unwrap();
        assert_eq!(started.pos, Pos::new(7, 12));
    }

    #[test]
    fn yaml_syntax_error_has_position() {
        let e = parse_yaml("id: a\ntitle: [unclosed\n", 2).unwrap_err();
        assert!(e.pos.line >= 3, "{e:?}");
        assert!(e.message.starts_with("YAML syntax"));
    }

    #[test]
    fn yaml_duplicate_key_is_reported() {
        let e = parse_yaml("id: a\nid: b\n", 2).unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 1));
        assert!(e.message.contains("duplicate key `id`"));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let n = parse_yaml("a: \"true\"\nb: true\nc: 12\nd: '12'\ne: 1.5\n", 1).unwrap();
        assert_eq!(n.get("a").unwrap().kind, NodeKind::Str("true".into()));
        assert_eq!(n.get("b").unwrap().kind, NodeKind::Bool(true));
        assert_eq!(n.get("c").unwrap().kind, NodeKind::Int(12));
        assert_eq!(n.get("d").unwrap().kind, NodeKind::Str("12".into()));
        assert_eq!(n.get("e").unwrap().kind, NodeKind::Float(1.5));
    }

    #[test]
    fn aliases_take_their_anchors_value() {
        let n = parse_yaml("s: &s api\nservices: [*s, web]\nbase: &b {team: x}\nother: *b\n", 1).unwrap();
        let NodeKind::Seq(items) = &n.get("services").unwrap().kind else { panic!("a list") };
        assert_eq!(items[0].kind, NodeKind::Str("api".into()));
        assert_eq!(items[1].kind, NodeKind::Str("web".into()));
        assert_eq!(n.get("other").unwrap().get("team").unwrap().kind, NodeKind::Str("x".into()));
    }

    #[test]
    fn alias_expansion_is_bounded() {
        // "Billion laughs": nine levels of ten aliases each would be 10^9 values.
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in
            ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            text.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 10].join(", ")));
        }
        let e = parse_yaml(&text, 1).unwrap_err();
        assert!(e.message.contains("aliases"), "{e:?}");
        assert!(e.pos.line >= 4, "{e:?}");
    }

    /// `levels` lists nested in each other, written in each of the ways that reach both parsers.
    fn nested(levels: usize) -> Vec<String> {
        vec![
            format!("a: {}{}\n", "[".repeat(levels - 1), "]".repeat(levels - 1)),
            format!("a:\n  {}x\n", "- ".repeat(levels - 1)),
            format!("a: {}1{}\n", "{b: ".repeat(levels - 1), "}".repeat(levels - 1)),
            format!("a: &x 1\nb: {}x{}\n", "[".repeat(levels - 1), "]".repeat(levels - 1)),
        ]
    }

    #[test]
    fn nesting_is_limited_in_both_yaml_paths() {
        for text in nested(MAX_DEPTH) {
            assert!(parse_yaml(&text, 1).is_ok(), "{text}");
        }
        for text in nested(MAX_DEPTH + 1).into_iter().chain(nested(7000)) {
            let e = parse_yaml(&text, 1).unwrap_err();
            assert!(e.message.contains("nested more than 64 levels"), "{e:?}");
        }
        // An alias can make a tree deeper than anything written.
        let deep = format!("a: &x {}1{}\nb: {}*x{}\n", "[".repeat(40), "]".repeat(40), "[".repeat(40), "]".repeat(40));
        assert!(parse_yaml(&deep, 1).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn toml_nesting_is_limited() {
        let ok = format!("a = {}1{}\n", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(parse_toml(&ok, 1).is_ok());
        for n in [MAX_DEPTH, 70, 7000] {
            let text = format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n));
            let e = parse_toml(&text, 1).unwrap_err();
            assert!(e.message.contains("nested more than 64 levels"), "{n}: {e:?}");
            let text = format!("a = {}1{}\n", "{b = ".repeat(n), "}".repeat(n));
            assert!(parse_toml(&text, 1).unwrap_err().message.contains("nested"), "{n}");
        }
    }

    #[test]
    fn toml_positions_and_types() {
        let n = parse_toml("id = \"a\"\ndate = 2024-03-01\n[impact]\nstarted = \"2024-03-01 10:00\"\n", 2).unwrap();
        assert_eq!(n.get("date").unwrap().kind, NodeKind::Datetime("2024-03-01".into()));
        let started = n.get("impact").unwrap().get("started").unwrap();
        assert_eq!(started.pos, Pos::new(5, 11));
        let e = parse_toml("id = \n", 2).unwrap_err();
        assert_eq!(e.pos.line, 2);
    }
}
