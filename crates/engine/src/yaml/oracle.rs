//! The tree as saphyr-parser's event stream gives it: the reader poolfix used before its own
//! (`parser.rs`), kept to check the new one node for node.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use super::{Kind, Node, NodeId, Yaml, YamlError, MAX_NODES};
use crate::span::Span;

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

// The builder as it ran in poolfix before, kept whole so the comparison is with what shipped.
#[allow(clippy::too_many_lines)]
pub fn parse(text: &str) -> Result<Yaml, YamlError> {
    let offsets = Offsets::new(text);
    let mut nodes: Vec<Node> = Vec::new();
    let mut documents = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut flow_open: Vec<(bool, usize)> = Vec::new();
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
        let seq = matches!(event, Event::SequenceStart(..));
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
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let kind = if seq { Kind::Seq(Vec::new()) } else { Kind::Map(Vec::new()) };
                let id = new_node(&mut nodes, &mut anchors, kind, anchor);
                // An indentless sequence starts where its first item does: when that item is a
                // flow collection, the one opened first at this place is the block one.
                if let Some(top) = flow_open.last_mut().filter(|t| t.1 == start) {
                    top.0 = false;
                }
                let bracket = if seq { b'[' } else { b'{' };
                flow_open.push((text.as_bytes().get(start) == Some(&bracket), start));
                stack.push(if seq { Open::Seq(id, Vec::new()) } else { Open::Map(id, Vec::new()) });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let flow = flow_open.pop().is_some_and(|f| f.0);
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
