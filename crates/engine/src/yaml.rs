//! A YAML document as a tree whose every node keeps its byte span, built from saphyr-parser's
//! event stream (saphyr's own tree loses the spans poolfix needs to edit the user's text).
//!
//! Aliases stay references to their anchor's node, never copies, so an alias bomb ("billion
//! laughs") costs nothing to build; readers resolve them with a depth bound. The builder is
//! iterative, so deep nesting cannot overflow the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::span::Span;

pub type NodeId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Scalar {
        value: String,
        plain: bool,
        block: bool,
    },
    Seq(Vec<NodeId>),
    Map(Vec<(NodeId, NodeId)>),
    /// A reference to the node that carries the anchor.
    Alias(NodeId),
    /// An alias whose anchor is unknown (a parse error in YAML; kept to report).
    BadAlias,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// Bytes of the node in the source (for collections: from the first to the last token).
    pub span: Span,
    /// 1-based line and 0-based character column where the node starts.
    pub line: usize,
    pub col: usize,
    /// For flow collections (`{…}`, `[…]`): where the closing bracket is.
    pub flow_end: Option<usize>,
}

/// Every document of a YAML stream.
#[derive(Debug, Clone)]
pub struct Yaml {
    pub nodes: Vec<Node>,
    pub documents: Vec<NodeId>,
}

/// A YAML syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// Converts saphyr's character indices to byte offsets. ASCII text needs no table.
struct Offsets {
    table: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
            t.push(text.len() as u32);
            t
        });
        Offsets { table, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map_or(self.len, |b| *b as usize),
        }
    }
}

/// Limits that keep hostile input cheap.
pub const MAX_NODES: usize = 2_000_000;

enum Open {
    Seq(NodeId, Vec<NodeId>),
    Map(NodeId, Vec<NodeId>),
}

/// Parses a YAML stream into span-keeping trees.
/// Ends a sequence or mapping: its children become its kind, its span ends with the last one
/// (a flow collection's, at its closing bracket).
fn close(nodes: &mut [Node], open: Open, flow: bool, start: usize, end: usize) -> NodeId {
    let (id, kind) = match open {
        Open::Seq(id, items) => (id, Kind::Seq(items)),
        Open::Map(id, items) => {
            let pairs = items.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0], c[1])).collect();
            (id, Kind::Map(pairs))
        }
    };
    let last = match &kind {
        Kind::Seq(items) => items.last().copied(),
        Kind::Map(pairs) => pairs.last().map(|p| p.1),
        _ => None,
    };
    let last_end = last.map(|l| nodes[l].span.end);
    let node = &mut nodes[id];
    node.kind = kind;
    if flow {
        node.flow_end = Some(start);
        node.span.end = end.max(node.span.start);
    } else if let Some(e) = last_end {
        node.span.end = e;
    }
    id
}

pub fn parse(text: &str) -> Result<Yaml, YamlError> {
    let offsets = Offsets::new(text);
    let mut nodes: Vec<Node> = Vec::new();
    let mut documents = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut flow_open: Vec<bool> = Vec::new();
    for item in Parser::new_from_str(text) {
        let error = |message: String, m: &Marker| YamlError {
            message,
            line: m.line(),
            column: m.col() + 1,
            offset: offsets.byte(m.index()),
        };
        let (event, span) = item.map_err(|e| error(e.info().to_string(), e.marker()))?;
        if nodes.len() > MAX_NODES {
            let message = format!("the file has more than {MAX_NODES} YAML nodes; poolfix stops here");
            return Err(error(message, &span.start));
        }
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        let new_node = |nodes: &mut Vec<Node>, anchors: &mut HashMap<usize, NodeId>, kind: Kind, anchor: usize| {
            let id = nodes.len();
            nodes.push(Node {
                kind,
                span: Span::new(start, end),
                line: span.start.line(),
                col: span.start.col(),
                flow_end: None,
            });
            if anchor > 0 {
                anchors.insert(anchor, id);
            }
            id
        };
        let leaf = match event {
            Event::Scalar(value, style, anchor, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                Some(new_node(
                    &mut nodes,
                    &mut anchors,
                    Kind::Scalar { value: value.into_owned(), plain, block },
                    anchor,
                ))
            }
            Event::Alias(anchor) => {
                let kind = anchors.get(&anchor).map_or(Kind::BadAlias, |id| Kind::Alias(*id));
                Some(new_node(&mut nodes, &mut anchors, kind, 0))
            }
            Event::SequenceStart(anchor, _) => {
                let id = new_node(&mut nodes, &mut anchors, Kind::Seq(Vec::new()), anchor);
                flow_open.push(text.as_bytes().get(start) == Some(&b'['));
                stack.push(Open::Seq(id, Vec::new()));
                None
            }
            Event::MappingStart(anchor, _) => {
                let id = new_node(&mut nodes, &mut anchors, Kind::Map(Vec::new()), anchor);
                flow_open.push(text.as_bytes().get(start) == Some(&b'{'));
                stack.push(Open::Map(id, Vec::new()));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let flow = flow_open.pop().unwrap_or(false);
                match stack.pop() {
                    Some(open) => Some(close(&mut nodes, open, flow, start, end)),
                    None => continue,
                }
            }
            Event::DocumentEnd | Event::DocumentStart(_) | Event::StreamStart | Event::StreamEnd | Event::Nothing => {
                None
            }
        };
        if let Some(id) = leaf {
            match stack.last_mut() {
                Some(Open::Seq(_, items)) | Some(Open::Map(_, items)) => items.push(id),
                None => documents.push(id),
            }
        }
    }
    Ok(Yaml { nodes, documents })
}

/// How many aliases a reader follows in a row before giving up (cycles cannot occur in
/// valid YAML, but hostile input is not valid YAML).
const ALIAS_DEPTH: usize = 32;

impl Yaml {
    /// Follows aliases to the node they name.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        for _ in 0..ALIAS_DEPTH {
            match self.nodes[id].kind {
                Kind::Alias(target) => id = target,
                _ => return id,
            }
        }
        id
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The scalar text of a node (after resolving aliases).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[self.resolve(id)].kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The pairs of a mapping, merge keys (`<<: *x`, `<<: [*a, *b]`) expanded after the
    /// mapping's own pairs, so own keys win as in YAML's merge semantics.
    pub fn pairs(&self, id: NodeId) -> Vec<(NodeId, NodeId)> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.collect_pairs(self.resolve(id), &mut out, &mut seen, 0);
        out
    }

    fn collect_pairs<'a>(
        &'a self,
        id: NodeId,
        out: &mut Vec<(NodeId, NodeId)>,
        seen: &mut std::collections::HashSet<&'a str>,
        depth: usize,
    ) {
        let Kind::Map(pairs) = &self.nodes[id].kind else { return };
        let mut merges = Vec::new();
        for &(k, v) in pairs {
            let key = self.str(k);
            if key == Some("<<") && matches!(self.nodes[k].kind, Kind::Scalar { plain: true, .. }) {
                merges.push(v);
            } else if key.is_none_or(|key| seen.insert(key)) {
                out.push((k, v));
            }
        }
        if depth >= ALIAS_DEPTH {
            return;
        }
        for m in merges {
            let m = self.resolve(m);
            match &self.nodes[m].kind {
                Kind::Map(_) => self.collect_pairs(m, out, seen, depth + 1),
                Kind::Seq(items) => {
                    for &item in items {
                        self.collect_pairs(self.resolve(item), out, seen, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// The value under `key` in a mapping: its own pairs first, then merged mappings in order.
    /// Searches in place, without collecting the pairs (it runs for every key of every service).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get_at(self.resolve(map), key, 0)
    }

    fn get_at(&self, id: NodeId, key: &str, depth: usize) -> Option<NodeId> {
        let Kind::Map(pairs) = &self.nodes[id].kind else { return None };
        let is_merge =
            |k: NodeId| self.str(k) == Some("<<") && matches!(self.nodes[k].kind, Kind::Scalar { plain: true, .. });
        if let Some(&(_, v)) = pairs.iter().find(|&&(k, _)| self.str(k) == Some(key) && !is_merge(k)) {
            return Some(v);
        }
        if depth >= ALIAS_DEPTH {
            return None;
        }
        for &(k, v) in pairs.iter().filter(|&&(k, _)| is_merge(k)) {
            let _ = k;
            let m = self.resolve(v);
            let found = match &self.nodes[m].kind {
                Kind::Map(_) => self.get_at(m, key, depth + 1),
                Kind::Seq(items) => items.iter().find_map(|&item| self.get_at(self.resolve(item), key, depth + 1)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The items of a sequence (after resolving aliases).
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.nodes[self.resolve(id)].kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.nodes[self.resolve(id)].kind, Kind::Map(_))
    }

    /// Whether the node is written in place (not an alias), so an edit lands on this use only.
    pub fn is_own(&self, id: NodeId) -> bool {
        !matches!(self.nodes[id].kind, Kind::Alias(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_the_source() {
        let text = "a: 1\nb:\n  c: \"x y\"\n  d: [1, 2]\ne: 'ü'\nf: g\n";
        let y = parse(text).unwrap();
        let root = y.documents[0];
        let c = y.get(y.get(root, "b").unwrap(), "c").unwrap();
        assert_eq!(y.node(c).span.slice(text), "\"x y\"");
        assert_eq!(y.str(c), Some("x y"));
        let d = y.get(y.get(root, "b").unwrap(), "d").unwrap();
        assert_eq!(y.items(d).len(), 2);
        assert_eq!(&text[y.node(d).flow_end.unwrap()..y.node(d).flow_end.unwrap() + 1], "]");
        let f = y.get(root, "f").unwrap();
        assert_eq!(y.node(f).span.slice(text), "g");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "x-env: &env\n  A: 1\n  B: 2\ns:\n  environment:\n    <<: *env\n    B: 3\n  other: *env\n";
        let y = parse(text).unwrap();
        let root = y.documents[0];
        let s = y.get(root, "s").unwrap();
        let env = y.get(s, "environment").unwrap();
        let pairs: Vec<_> = y.pairs(env).into_iter().map(|(k, v)| (y.str(k).unwrap(), y.str(v).unwrap())).collect();
        assert_eq!(pairs, [("B", "3"), ("A", "1")]);
        let other = y.get(s, "other").unwrap();
        assert!(!y.is_own(other));
        assert_eq!(y.get(other, "A").map(|a| y.str(a)), Some(Some("1")));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        let e = parse("a: b: c\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_cheap() {
        // saphyr stops at a nesting limit with a positioned error instead of recursing.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{e:?}");
        assert!(parse(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_ok());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let y = parse(&bomb).unwrap();
        assert!(y.nodes.len() < 200);
    }
}
