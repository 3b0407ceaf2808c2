//! A front-matter value tree that remembers where every key and value was written.
//!
//! YAML (via yaml-rust2's marked events) and TOML (via toml's spanned `DeTable`) both become a
//! [`Node`], so that every later diagnostic — a wrong type, an unknown severity, a bad date — can
//! point at the exact line and column in the retro's file.

use crate::diagnostic::Pos;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A value with its position in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

/// The shapes a front-matter value can take.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; `plain` is false when it was quoted (so `"true"` stays a string).
    Str(String),
    /// A TOML date, time or date-time, in its TOML text form.
    Datetime(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
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
    pub pos: Pos,
    pub message: String,
}

/// Parses YAML front matter. `first_line` is the file line of the matter's first line.
pub fn parse_yaml(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    if let Some(node) = super::fastyaml::parse(text, first_line) {
        return Ok(node);
    }
    parse_yaml_reference(text, first_line)
}

/// Parses YAML front matter with yaml-rust2 alone: the reference the fast path must agree with.
pub fn parse_yaml_reference(text: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let mut builder = YamlBuilder { first_line, stack: Vec::new(), keys: Vec::new(), root: None, dup: None };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, false) {
        return Err(SyntaxError { pos: builder.pos(e.marker()), message: format!("YAML syntax: {}", e.info()) });
    }
    if let Some(d) = builder.dup {
        return Err(d);
    }
    Ok(builder.root.unwrap_or(Node { pos: Pos::new(first_line, 1), kind: NodeKind::Map(Vec::new()) }))
}

struct YamlBuilder {
    first_line: u32,
    /// Open collections; a map holds its entries and the key waiting for a value.
    stack: Vec<Open>,
    keys: Vec<Option<Key>>,
    root: Option<Node>,
    dup: Option<SyntaxError>,
}

enum Open {
    Seq(Pos, Vec<Node>),
    Map(Pos, Vec<(Key, Node)>),
}

impl YamlBuilder {
    fn pos(&self, m: &Marker) -> Pos {
        // yaml-rust2 lines are 1-based, columns 0-based
        Pos::new(self.first_line + m.line() as u32 - 1, m.col() as u32 + 1)
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries)) => {
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
            Event::Scalar(value, style, _, _) => {
                let kind = if style == TScalarStyle::Plain { plain_scalar(&value) } else { NodeKind::Str(value) };
                self.push_value(Node { pos, kind });
            }
            Event::SequenceStart(..) => self.stack.push(Open::Seq(pos, Vec::new())),
            Event::MappingStart(..) => {
                self.stack.push(Open::Map(pos, Vec::new()));
                self.keys.push(None);
            }
            Event::SequenceEnd => {
                if let Some(Open::Seq(p, items)) = self.stack.pop() {
                    self.push_value(Node { pos: p, kind: NodeKind::Seq(items) });
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(p, entries)) = self.stack.pop() {
                    self.keys.pop();
                    self.push_value(Node { pos: p, kind: NodeKind::Map(entries) });
                }
            }
            // Aliases are rare in front matter; treat them as null rather than expanding anchors.
            Event::Alias(_) => self.push_value(Node { pos, kind: NodeKind::Null }),
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
            Ok(Node { pos, kind: NodeKind::Map(toml_table(table.get_ref(), &lines)) })
        }
        Err(e) => Err(SyntaxError {
            pos: e.span().map(|s| lines.pos(s.start)).unwrap_or(Pos::new(first_line, 1)),
            message: format!("TOML syntax: {}", e.message().trim()),
        }),
    }
}

fn toml_table(t: &toml::de::DeTable<'_>, lines: &LineIndex) -> Vec<(Key, Node)> {
    t.iter()
        .map(|(k, v)| (Key { name: k.get_ref().to_string(), pos: lines.pos(k.span().start) }, toml_value(v, lines)))
        .collect()
}

fn toml_value(v: &toml::Spanned<toml::de::DeValue<'_>>, lines: &LineIndex) -> Node {
    use toml::de::DeValue;
    let pos = lines.pos(v.span().start);
    let kind = match v.get_ref() {
        DeValue::String(s) => NodeKind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => NodeKind::Int(n),
            Err(_) => NodeKind::Str(i.as_str().to_string()),
        },
        DeValue::Float(f) => NodeKind::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(d) => NodeKind::Datetime(d.to_string()),
        DeValue::Array(items) => NodeKind::Seq(items.iter().map(|i| toml_value(i, lines)).collect()),
        DeValue::Table(t) => NodeKind::Map(toml_table(t, lines)),
    };
    Node { pos, kind }
}

/// Maps byte offsets in a text to 1-based (line, column-in-characters) positions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u32,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str, first_line: u32) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts, first_line }
    }

    /// The 1-based file line of a byte offset.
    pub fn line(&self, offset: usize) -> u32 {
        self.first_line + (self.starts.partition_point(|&s| s <= offset.min(self.text.len())) - 1) as u32
    }

    pub fn pos(&self, offset: usize) -> Pos {
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
    fn toml_positions_and_types() {
        let n = parse_toml("id = \"a\"\ndate = 2024-03-01\n[impact]\nstarted = \"2024-03-01 10:00\"\n", 2).unwrap();
        assert_eq!(n.get("date").unwrap().kind, NodeKind::Datetime("2024-03-01".into()));
        let started = n.get("impact").unwrap().get("started").unwrap();
        assert_eq!(started.pos, Pos::new(5, 11));
        let e = parse_toml("id = \n", 2).unwrap_err();
        assert_eq!(e.pos.line, 2);
    }
}
