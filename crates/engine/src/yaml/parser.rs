//! The YAML reader: compose files as span-keeping trees, straight from the text.
//!
//! Hand-written rather than built on a YAML crate because the tree must keep every node's
//! byte span (poolfix edits the user's text in place) and the checker's wasm must stay small:
//! saphyr-parser, which did the job before, was 15 KB of the page's 180 KB (brotli). It reads
//! YAML 1.2 as compose files use it — block and flow collections, plain, quoted and block
//! scalars with folding and chomping, anchors, aliases, tags (ignored), comments, several
//! documents — and refuses what it does not read (explicit `?` keys, collections as keys) with
//! a positioned error instead of guessing. `yaml::tests` checks it node for node against
//! saphyr-parser on every compose fixture and on generated documents.

use std::collections::HashMap;

use super::{Kind, Node, NodeId, Yaml, YamlError, MAX_NODES};
use crate::span::Span;

/// How deep collections may nest before the reader stops (a hostile file, not a compose file).
const MAX_DEPTH: usize = 128;

type R<T> = Result<T, YamlError>;

/// A node's `&anchor` (if any) and where its first property starts (an anchor or a tag), which
/// is where the node starts.
type Props<'a> = Option<(Option<&'a str>, Start, usize)>;

/// A scalar read but not yet placed in the tree (it may turn out to be a mapping's first key).
struct Scalar {
    value: String,
    plain: bool,
    block: bool,
    start: usize,
    end: usize,
    line: usize,
    col: usize,
}

/// Where a node starts: its anchor's place when it has one.
#[derive(Clone, Copy)]
struct Start {
    pos: usize,
    line: usize,
    col: usize,
}

/// A place in the text to come back to ([`Reader::mark`], [`Reader::reset`]).
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    line: usize,
    line_start: usize,
}

/// Where a block node stands, which decides what may follow on its line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// First on its line (or the document's first node).
    LineStart,
    /// After a sequence's `- `: a compact mapping or sequence may start here.
    AfterDash,
    /// After a mapping key's `: `: only a scalar, a flow collection or an alias.
    AfterKey,
}

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    nodes: Vec<Node>,
    anchors: HashMap<&'a str, NodeId>,
    depth: usize,
    /// The column of the innermost block collection being read (−1 outside any).
    indent: isize,
    /// The last (byte offset, column) [`Reader::col`] computed.
    col_cache: std::cell::Cell<(usize, usize)>,
}

pub fn parse(text: &str) -> Result<Yaml, YamlError> {
    let mut r = Reader {
        s: text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        nodes: Vec::new(),
        anchors: HashMap::new(),
        depth: 0,
        indent: -1,
        col_cache: std::cell::Cell::new((0, 0)),
    };
    if text.starts_with('\u{feff}') {
        r.pos = 3;
        r.line_start = 3;
    }
    let documents = r.stream()?;
    Ok(Yaml { nodes: r.nodes, documents })
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(self.pos + i).copied()
    }

    /// The character column of the reader's place. Counted on from the last place asked on
    /// the same line, so a long line (a file of one flow mapping) costs no more than once.
    fn col(&self) -> usize {
        let (at, col) = self.col_cache.get();
        let (from, base) = if at >= self.line_start && at <= self.pos { (at, col) } else { (self.line_start, 0) };
        let col = base + self.s[from..self.pos].chars().count();
        self.col_cache.set((self.pos, col));
        col
    }

    fn here(&self) -> Start {
        Start { pos: self.pos, line: self.line, col: self.col() }
    }

    fn mark(&self) -> Mark {
        Mark { pos: self.pos, line: self.line, line_start: self.line_start }
    }

    fn reset(&mut self, m: Mark) {
        (self.pos, self.line, self.line_start) = (m.pos, m.line, m.line_start);
    }

    fn error<T>(&self, message: &str) -> R<T> {
        Err(YamlError { message: message.into(), line: self.line, column: self.col() + 1, offset: self.pos })
    }

    /// Whether the character at `i` ends a token: a blank, a line break or the end.
    fn ends_at(&self, i: usize) -> bool {
        self.at(i).is_none_or(|c| is_ws(c) || c == b'\n' || c == b'\r')
    }

    fn at_break(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b'\r'))
    }

    /// One line break (`\n` or `\r\n`).
    fn newline(&mut self) {
        if self.peek() == Some(b'\r') {
            self.pos += 1;
        }
        if self.peek() == Some(b'\n') {
            self.pos += 1;
        }
        self.line += 1;
        self.line_start = self.pos;
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    /// Blanks and a comment up to the line break; whether the line ends there.
    fn rest_is_empty(&mut self) -> bool {
        self.skip_ws();
        let after_blank = self.pos == self.line_start || self.b.get(self.pos - 1).is_some_and(|c| is_ws(*c));
        if self.peek() == Some(b'#') && after_blank {
            while !self.at_break() {
                self.pos += 1;
            }
        }
        self.at_break()
    }

    /// Moves to the next content: past blanks, comments and empty lines. Returns its column,
    /// or `None` at the end. A tab in a line's indentation is an error, as YAML says.
    fn next_content(&mut self) -> R<Option<usize>> {
        loop {
            if self.pos == self.line_start {
                // A tab inside the indentation a block needs (left of its column + 1) would
                // indent it; further right a tab only separates.
                let mut i = self.pos;
                while self.b.get(i).is_some_and(|c| is_ws(*c)) {
                    i += 1;
                }
                let content = !matches!(self.b.get(i), None | Some(b'\n' | b'\r' | b'#'));
                let tab = self.b[self.pos..i].iter().position(|c| *c == b'\t');
                if let Some(t) = tab.filter(|t| content && (*t as isize) <= self.indent) {
                    self.pos += t;
                    return self.error("a tab cannot indent a block (use spaces)");
                }
            }
            self.skip_ws();
            match self.peek() {
                None => return Ok(None),
                Some(b'#') => {
                    while !self.at_break() {
                        self.pos += 1;
                    }
                }
                Some(b'\n' | b'\r') => self.newline(),
                Some(_) => return Ok(Some(self.col())),
            }
        }
    }

    /// `---` or `...` at the start of a line, followed by a blank or the end.
    fn document_marker(&self) -> Option<&'static str> {
        if self.pos != self.line_start {
            return None;
        }
        let marker = [("---", "---"), ("...", "...")].into_iter().find(|(m, _)| self.s[self.pos..].starts_with(m))?;
        self.ends_at(3).then_some(marker.1)
    }

    fn push(&mut self, kind: Kind, start: Start, end: usize, anchor: Option<&'a str>) -> R<NodeId> {
        if self.nodes.len() >= MAX_NODES {
            return self.error(&format!("the file has more than {MAX_NODES} YAML nodes; poolfix stops here"));
        }
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            span: Span::new(start.pos, end),
            line: start.line,
            col: start.col,
            flow_end: None,
        });
        if let Some(name) = anchor {
            self.anchors.insert(name, id);
        }
        Ok(id)
    }

    fn push_scalar(&mut self, s: Scalar, anchor: Props<'a>) -> R<NodeId> {
        let start = anchor.map_or(Start { pos: s.start, line: s.line, col: s.col }, |a| a.1);
        let kind = Kind::Scalar { value: s.value, plain: s.plain, block: s.block };
        self.push(kind, start, s.end, anchor.and_then(|a| a.0))
    }

    /// An empty scalar at `at`; with properties, it spans them.
    fn empty(&mut self, at: Start, anchor: Props<'a>) -> R<NodeId> {
        self.empty_to(at, anchor.map_or(at.pos, |a| a.2), anchor)
    }

    /// An empty scalar from `at` to `end`.
    fn empty_to(&mut self, at: Start, end: usize, anchor: Props<'a>) -> R<NodeId> {
        let s =
            Scalar { value: String::new(), plain: true, block: false, start: at.pos, end, line: at.line, col: at.col };
        self.push_scalar(s, anchor)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("recursion limit exceeded: the file nests too deeply");
        }
        Ok(())
    }

    fn stream(&mut self) -> R<Vec<NodeId>> {
        let mut documents = Vec::new();
        loop {
            if self.next_content()?.is_none() {
                return Ok(documents);
            }
            if self.pos == self.line_start && self.peek() == Some(b'%') {
                while !self.at_break() {
                    self.pos += 1;
                }
                continue;
            }
            match self.document_marker() {
                Some("...") => {
                    self.pos += 3;
                    continue;
                }
                Some(_) => {
                    self.pos += 3;
                    if self.rest_is_empty() {
                        let next = self.next_content()?;
                        if next.is_none() || self.document_marker().is_some() {
                            let at = self.here();
                            documents.push(self.empty(at, None)?);
                            continue;
                        }
                    }
                }
                None => {}
            }
            documents.push(self.block_node(-1, Place::LineStart)?);
            if self.next_content()?.is_some() && self.document_marker().is_none() {
                return self.error("did not find the end of the document: is a line indented wrongly?");
            }
        }
    }

    /// `&anchor` and `!tag`, in any order, before a node (tags are read past and ignored).
    fn properties(&mut self) -> R<Props<'a>> {
        let mut props: Props<'a> = None;
        loop {
            let start = self.here();
            match self.peek() {
                Some(b'&') if props.is_some_and(|p| p.0.is_some()) => {
                    return self.error("a node cannot have two anchors")
                }
                Some(b'&') => {
                    self.pos += 1;
                    let name = self.name();
                    if name.is_empty() {
                        return self.error("an anchor needs a name");
                    }
                    props = Some((Some(name), props.map_or(start, |p| p.1), self.pos));
                }
                Some(b'!') => {
                    while !self.ends_at(0) {
                        self.pos += 1;
                    }
                    props = Some((props.and_then(|p| p.0), props.map_or(start, |p| p.1), self.pos));
                }
                _ => return Ok(props),
            }
            self.skip_ws();
        }
    }

    /// An anchor's or alias's name: up to a blank, a line break or a flow indicator.
    fn name(&mut self) -> &'a str {
        let from = self.pos;
        while self.peek().is_some_and(|c| !is_ws(c) && c != b'\n' && c != b'\r' && !is_flow_indicator(c)) {
            self.pos += 1;
        }
        &self.s[from..self.pos]
    }

    fn alias(&mut self) -> R<NodeId> {
        let start = self.here();
        self.pos += 1;
        let name = self.name();
        let Some(&target) = self.anchors.get(name) else {
            self.pos = start.pos;
            return self.error(&format!("the alias *{name} names no anchor defined before it"));
        };
        self.push(Kind::Alias(target), start, self.pos, None)
    }

    /// A node in block context; `parent` is the indentation of the collection it belongs to.
    fn block_node(&mut self, parent: isize, place: Place) -> R<NodeId> {
        self.enter()?;
        let node = self.block_node_inner(parent, place);
        self.depth -= 1;
        node
    }

    fn block_node_inner(&mut self, parent: isize, place: Place) -> R<NodeId> {
        let props_line = self.line;
        let anchor = self.properties()?;
        if anchor.is_some() && self.rest_is_empty() {
            // `key: &name` then the node on the next lines.
            return match self.next_content()? {
                Some(col) if col as isize > parent && self.document_marker().is_none() => {
                    // More properties on the node's own line belong to its first key.
                    let line = self.line;
                    match self.properties()? {
                        Some(key_props) => self.keyed_map_after_props(col, anchor, Some(key_props), line),
                        None => self.block_node_after_props(parent, Place::LineStart, anchor, props_line),
                    }
                }
                // `key: &name` then `- item` at the key's column: an indentless sequence.
                Some(col)
                    if col as isize == parent
                        && place == Place::AfterKey
                        && self.peek() == Some(b'-')
                        && self.ends_at(1) =>
                {
                    self.block_seq(col, anchor, true)
                }
                _ => {
                    let at = anchor.map_or(self.here(), |a| a.1);
                    self.empty(at, anchor)
                }
            };
        }
        self.block_node_after_props(parent, place, anchor, props_line)
    }

    fn block_node_after_props(
        &mut self,
        parent: isize,
        place: Place,
        anchor: Props<'a>,
        props_line: usize,
    ) -> R<NodeId> {
        let col = self.col();
        let on_own_line = place != Place::AfterKey || self.line != props_line;
        match self.peek() {
            Some(b'*') if anchor.is_none() => {
                let id = self.alias()?;
                self.key_follows(on_own_line, id)
            }
            Some(b'*') => self.error("an alias cannot have an anchor or a tag"),
            Some(b'-') if self.ends_at(1) => {
                if !on_own_line || anchor.is_some_and(|a| a.1.line == self.line) {
                    return self.error("a block sequence cannot start on the line of its key");
                }
                self.block_seq(col, anchor, false)
            }
            Some(b'?') if self.ends_at(1) => self.error("explicit keys (`? `) are not supported"),
            Some(b':') if self.ends_at(1) => self.error("empty keys (`: value`) are not supported"),
            Some(b']' | b'}' | b',') => self.error("misplaced bracket or comma"),
            Some(b'@' | b'`' | b'%') => self.error("a plain scalar cannot start with a reserved indicator"),
            Some(b'|' | b'>') => {
                let s = self.block_scalar(parent)?;
                self.push_scalar(s, anchor)
            }
            Some(b'[' | b'{') => {
                let id = self.flow_collection(anchor)?;
                self.skip_ws();
                if self.peek() == Some(b':') && self.ends_at(1) {
                    return self.error("a flow collection as a mapping key is not supported");
                }
                Ok(id)
            }
            _ => {
                let s = match self.peek() {
                    Some(q @ (b'"' | b'\'')) => self.quoted(q)?,
                    _ => self.plain(parent, false)?,
                };
                let after = self.pos;
                self.skip_ws();
                if self.peek() == Some(b':') && self.ends_at(1) {
                    if !on_own_line {
                        return self.error("mapping values are not allowed in this context");
                    }
                    // The node is a mapping and `s` its first key. Properties on the key's own
                    // line are the key's, and the mapping starts (and is indented) where they
                    // do; on the line before, they are the mapping's.
                    let start = anchor.map_or(Start { pos: s.start, line: s.line, col: s.col }, |a| a.1);
                    return match anchor.filter(|a| a.1.line == s.line) {
                        Some(key_props) => self.block_map(start.col, start, None, (s, Some(key_props))),
                        None => self.block_map(s.col, start, anchor.and_then(|a| a.0), (s, None)),
                    };
                }
                self.pos = after;
                self.push_scalar(s, anchor)
            }
        }
    }

    /// `&outer` on one line, then `&key key: value` on the next: a mapping (`&outer`) whose first
    /// key carries `&key`.
    fn keyed_map_after_props(&mut self, col: usize, outer: Props<'a>, key_props: Props<'a>, line: usize) -> R<NodeId> {
        let s = match self.peek() {
            Some(q @ (b'"' | b'\'')) => self.quoted(q)?,
            Some(b'*' | b'[' | b'{' | b'|' | b'>' | b'-' | b'?' | b':') => {
                return self.error("two sets of anchors or tags on one node are not supported")
            }
            _ => self.plain(col as isize - 1, false)?,
        };
        self.skip_ws();
        if self.line != line || self.peek() != Some(b':') || !self.ends_at(1) {
            return self.error("two sets of anchors or tags on one node are not supported");
        }
        let start = key_props.map_or(self.here(), |p| p.1);
        let outer_start = outer.map_or(start, |p| p.1);
        self.block_map(start.col, outer_start, outer.and_then(|p| p.0), (s, key_props))
    }

    /// An alias used as a mapping key (`*a: x`) is not supported; otherwise the alias.
    fn key_follows(&mut self, _own_line: bool, id: NodeId) -> R<NodeId> {
        let after = self.pos;
        self.skip_ws();
        if self.peek() == Some(b':') && self.ends_at(1) {
            return self.error("an alias as a mapping key is not supported");
        }
        self.pos = after;
        Ok(id)
    }

    /// A block mapping whose first key `first` was read; its keys stand at column `indent`.
    fn block_map(
        &mut self,
        indent: usize,
        start: Start,
        anchor: Option<&'a str>,
        first: (Scalar, Props<'a>),
    ) -> R<NodeId> {
        let id = self.push(Kind::Map(Vec::new()), start, start.pos, anchor)?;
        let outer = std::mem::replace(&mut self.indent, indent as isize);
        let pairs = self.block_map_pairs(indent, first);
        self.indent = outer;
        let pairs = pairs?;
        let end = pairs.last().map_or(start.pos, |p| self.nodes[p.1].span.end);
        let node = &mut self.nodes[id];
        node.span.end = end.max(node.span.start);
        node.kind = Kind::Map(pairs);
        Ok(id)
    }

    fn block_map_pairs(&mut self, indent: usize, first: (Scalar, Props<'a>)) -> R<Vec<(NodeId, NodeId)>> {
        let mut pairs = Vec::new();
        let mut key = Some(first);
        while let Some((k, props)) = key.take() {
            let key_id = self.push_scalar(k, props)?;
            // At the `:`.
            let colon = self.here();
            self.pos += 1;
            let value = if self.rest_is_empty() {
                match self.next_content()? {
                    Some(col) if col > indent && self.document_marker().is_none() => {
                        self.block_node(indent as isize, Place::LineStart)?
                    }
                    Some(col) if col == indent && self.peek() == Some(b'-') && self.ends_at(1) => {
                        self.enter()?;
                        let seq = self.block_seq(indent, None, true);
                        self.depth -= 1;
                        seq?
                    }
                    _ => self.empty(colon, None)?,
                }
            } else {
                self.skip_ws();
                self.block_node(indent as isize, Place::AfterKey)?
            };
            pairs.push((key_id, value));
            match self.next_content()? {
                Some(col) if col == indent && self.document_marker().is_none() => {
                    key = Some(self.map_key()?);
                }
                Some(col) if col > indent => return self.error("this line is indented more than the keys beside it"),
                _ => {}
            }
        }
        Ok(pairs)
    }

    /// The next key of a block mapping (with its anchor or tag), and its `:`.
    fn map_key(&mut self) -> R<(Scalar, Props<'a>)> {
        let props = self.properties()?;
        let s = match self.peek() {
            Some(q @ (b'"' | b'\'')) => self.quoted(q)?,
            Some(b'?') if self.ends_at(1) => return self.error("explicit keys (`? `) are not supported"),
            Some(b':') if self.ends_at(1) => return self.error("empty keys (`: value`) are not supported"),
            Some(b'-') if self.ends_at(1) => return self.error("a sequence entry where a mapping key was expected"),
            Some(b'*' | b'[' | b'{' | b'|' | b'>') => {
                return self.error("this key form (alias, collection or block scalar) is not supported")
            }
            Some(b']' | b'}' | b',' | b'@' | b'`' | b'%') => {
                return self.error("did not find the expected key: a key cannot start with this character")
            }
            _ => self.plain(-1, false)?,
        };
        self.skip_ws();
        if self.peek() == Some(b':') && self.ends_at(1) {
            return Ok((s, props));
        }
        self.error("could not find the expected ':' after this key")
    }

    /// A block sequence whose `-` stand at column `indent`; `indentless` for one at its key's
    /// own column (`key:` then `- a`), which starts where its first item does.
    fn block_seq(&mut self, indent: usize, anchor: Props<'a>, indentless: bool) -> R<NodeId> {
        let start = anchor.map_or(self.here(), |a| a.1);
        let id = self.push(Kind::Seq(Vec::new()), start, start.pos, anchor.and_then(|a| a.0))?;
        let outer = std::mem::replace(&mut self.indent, indent as isize);
        let items = self.block_seq_items(id, indent, anchor.is_none() && indentless);
        self.indent = outer;
        let items = items?;
        let end = items.last().map_or(start.pos, |i| self.nodes[*i].span.end);
        let node = &mut self.nodes[id];
        node.span.end = end.max(node.span.start);
        node.kind = Kind::Seq(items);
        Ok(id)
    }

    fn block_seq_items(&mut self, id: NodeId, indent: usize, indentless: bool) -> R<Vec<NodeId>> {
        let mut items = Vec::new();
        loop {
            // At the `-`.
            self.pos += 1;
            let after_dash = self.here();
            let mut token = after_dash;
            let item = if self.rest_is_empty() {
                match self.next_content()? {
                    Some(col) if col > indent && self.document_marker().is_none() => {
                        token = self.here();
                        self.block_node(indent as isize, Place::LineStart)?
                    }
                    _ => self.empty(after_dash, None)?,
                }
            } else {
                self.skip_ws();
                token = self.here();
                self.block_node(indent as isize, Place::AfterDash)?
            };
            if indentless && items.is_empty() {
                // It starts at its first item's first token (a block scalar's `|`, say).
                let node = &mut self.nodes[id];
                node.span = Span::new(token.pos, token.pos);
                (node.line, node.col) = (token.line, token.col);
            }
            items.push(item);
            match self.next_content()? {
                Some(col) if col == indent && self.peek() == Some(b'-') && self.ends_at(1) => {
                    if self.document_marker().is_some() {
                        break;
                    }
                }
                Some(col) if col > indent => return self.error("this line is indented more than the `-` beside it"),
                _ => break,
            }
        }
        Ok(items)
    }

    /// A plain scalar; in block context its continuation lines must be indented past `parent`.
    fn plain(&mut self, parent: isize, flow: bool) -> R<Scalar> {
        let start = self.here();
        let mut value = String::new();
        let mut end = self.pos;
        loop {
            // One line's text.
            let from = self.pos;
            while let Some(c) = self.peek() {
                let stop = match c {
                    b'\n' | b'\r' => true,
                    b':' => self.ends_at(1) || (flow && self.at(1).is_some_and(is_flow_indicator)),
                    b'#' => self.pos > from && self.b.get(self.pos - 1).is_some_and(|p| is_ws(*p)),
                    c if flow => is_flow_indicator(c),
                    _ => false,
                };
                if stop {
                    break;
                }
                self.pos += 1;
            }
            let text = self.s[from..self.pos].trim_end_matches([' ', '\t']);
            if !text.is_empty() {
                value.push_str(text);
                end = from + text.len();
            }
            self.pos = from + text.len();
            // A continuation line?
            let line_end = self.mark();
            self.skip_ws();
            if !self.at_break() {
                // Stopped at `: `, ` #` or a flow indicator.
                self.reset(line_end);
                break;
            }
            let mut breaks = 0;
            while self.at_break() && self.peek().is_some() {
                self.newline();
                breaks += 1;
                while self.peek().is_some_and(is_ws) {
                    let tab = self.peek() == Some(b'\t');
                    if tab && !flow && (self.col() as isize) <= self.indent && !self.blank_rest() {
                        return self.error("a tab in the indentation of a plain scalar's next line");
                    }
                    self.pos += 1;
                }
            }
            let col = self.col() as isize;
            let more = match self.peek() {
                None | Some(b'#') => false,
                Some(c) if flow => !(is_flow_indicator(c) || (c == b':' && self.ends_at(1))),
                Some(_) => col > parent && self.document_marker().is_none() && !self.starts_key_line(),
            };
            if !more {
                self.reset(line_end);
                break;
            }
            if breaks == 1 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', breaks - 1));
            }
        }
        if value.is_empty() && self.pos == start.pos {
            return self.error("did not find the expected node content");
        }
        Ok(Scalar { value, plain: true, block: false, start: start.pos, end, line: start.line, col: start.col })
    }

    /// Whether the rest of the line is blanks, or blanks and a comment.
    fn blank_rest(&self) -> bool {
        let rest = self.b[self.pos..].iter().find(|c| !is_ws(**c));
        matches!(rest, None | Some(b'\n' | b'\r' | b'#'))
    }

    /// Whether the line from here holds `key: ` (a plain continuation line may not).
    fn starts_key_line(&self) -> bool {
        let rest = &self.b[self.pos..];
        let line_end = rest.iter().position(|c| *c == b'\n' || *c == b'\r').unwrap_or(rest.len());
        let line = &rest[..line_end];
        line.windows(2).any(|w| w[0] == b':' && is_ws(w[1])) || line.last() == Some(&b':')
    }

    /// Line folding inside a quoted scalar, at a line break: the breaks become one space, or
    /// as many `\n` as there are empty lines.
    fn fold_quoted(&mut self, value: &mut String) -> R<()> {
        let mut breaks = 0;
        while self.at_break() {
            if self.peek().is_none() {
                return self.error("the quoted text is not closed before the end of the file");
            }
            self.newline();
            breaks += 1;
            self.skip_ws();
        }
        if self.document_marker().is_some() {
            return self.error("the quoted text is not closed before the document ends");
        }
        if (self.col() as isize) < self.indent {
            return self.error("invalid indentation in quoted text: its next line is left of the block it is in");
        }
        if breaks == 1 {
            value.push(' ');
        } else {
            value.extend(std::iter::repeat_n('\n', breaks - 1));
        }
        Ok(())
    }

    /// Where a quoted scalar's span ends: past the blanks after its closing quote, and a
    /// comment after them (the spans saphyr-parser gave, which the fixtures' output keeps).
    fn quoted_end(&self) -> R<usize> {
        if self.peek() == Some(b'#') {
            return self.error("a comment must be separated from the text before it by a blank");
        }
        let mut i = self.pos;
        while self.b.get(i).is_some_and(|c| is_ws(*c)) {
            i += 1;
        }
        if i > self.pos && self.b.get(i) == Some(&b'#') {
            while self.b.get(i).is_some_and(|c| *c != b'\n' && *c != b'\r') {
                i += 1;
            }
        }
        Ok(i)
    }

    /// A single- or double-quoted scalar, at its opening `quote`. Blanks before a line break
    /// are dropped and the break folds ([`Self::fold_quoted`]); `''` is a quote inside single
    /// quotes, `\` escapes inside double quotes ([`Self::escape`]).
    fn quoted(&mut self, quote: u8) -> R<Scalar> {
        let start = self.here();
        self.pos += 1;
        let mut value = String::new();
        let mut blanks = String::new();
        loop {
            let Some(c) = self.peek() else {
                return self.error("the quoted text is not closed before the end of the file");
            };
            if c == b'\n' || c == b'\r' {
                blanks.clear();
                self.fold_quoted(&mut value)?;
                continue;
            }
            if is_ws(c) {
                blanks.push(c as char);
                self.pos += 1;
                continue;
            }
            value.push_str(&blanks);
            blanks.clear();
            match c {
                b'\'' if quote == b'\'' && self.at(1) == Some(b'\'') => {
                    value.push('\'');
                    self.pos += 2;
                }
                c if c == quote => {
                    self.pos += 1;
                    break;
                }
                b'\\' if quote == b'"' && matches!(self.at(1), Some(b'\n' | b'\r')) => {
                    // An escaped line break: the lines join without a space.
                    self.pos += 1;
                    self.newline();
                    self.skip_ws();
                }
                b'\\' if quote == b'"' => self.escape(&mut value)?,
                _ => {
                    let ch = self.s[self.pos..].chars().next().unwrap_or(' ');
                    value.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
        let end = self.quoted_end()?;
        Ok(Scalar { value, plain: false, block: false, start: start.pos, end, line: start.line, col: start.col })
    }

    /// A `\` escape of a double-quoted scalar, at the `\`.
    fn escape(&mut self, value: &mut String) -> R<()> {
        let Some(c) = self.at(1) else { return self.error("the quoted text is not closed before the end of the file") };
        let simple = match c {
            b'0' => Some('\0'),
            b'a' => Some('\x07'),
            b'b' => Some('\x08'),
            b't' | b'\t' => Some('\t'),
            b'n' => Some('\n'),
            b'v' => Some('\x0b'),
            b'f' => Some('\x0c'),
            b'r' => Some('\r'),
            b'e' => Some('\x1b'),
            b' ' => Some(' '),
            b'"' => Some('"'),
            b'/' => Some('/'),
            b'\\' => Some('\\'),
            b'N' => Some('\u{85}'),
            b'_' => Some('\u{a0}'),
            b'L' => Some('\u{2028}'),
            b'P' => Some('\u{2029}'),
            _ => None,
        };
        if let Some(ch) = simple {
            value.push(ch);
            self.pos += 2;
            return Ok(());
        }
        let digits = match c {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => {
                self.pos += 1;
                return self.error("unknown escape in a double-quoted scalar");
            }
        };
        let hex = self.s.get(self.pos + 2..self.pos + 2 + digits).unwrap_or("");
        match u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == digits).and_then(char::from_u32) {
            Some(ch) => {
                value.push(ch);
                self.pos += 2 + digits;
                Ok(())
            }
            None => {
                self.pos += 2;
                self.error("invalid escape number in a double-quoted scalar")
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar, at its indicator; its lines are indented
    /// past `parent`. The reader ends at the start of the first line after it.
    fn block_scalar(&mut self, parent: isize) -> R<Scalar> {
        let literal = self.peek() == Some(b'|');
        self.pos += 1;
        let (mut chomp, mut explicit) = (b' ', None);
        for _ in 0..2 {
            match self.peek() {
                Some(c @ (b'+' | b'-')) if chomp == b' ' => chomp = c,
                Some(c @ b'1'..=b'9') if explicit.is_none() => explicit = Some((c - b'0') as usize),
                _ => break,
            }
            self.pos += 1;
        }
        if !self.ends_at(0) || !self.rest_is_empty() {
            return self.error("did not find the expected comment or line break after a block scalar's indicator");
        }
        let base = parent.max(0) as usize + usize::from(parent >= 0);
        let mut indent = explicit.map(|d| (parent.max(0) as usize) + d);
        let mut lines: Vec<Option<&'a str>> = Vec::new();
        let mut first: Option<Start> = None;
        let mut end = self.pos;
        if self.peek().is_some() {
            self.newline();
            end = self.pos;
        }
        while self.pos < self.b.len() {
            let line_end = self.b[self.pos..].iter().position(|c| *c == b'\n').map_or(self.b.len(), |i| self.pos + i);
            let text = self.s[self.pos..line_end].trim_end_matches('\r');
            let spaces = text.bytes().take_while(|c| *c == b' ').count();
            let blank = text.bytes().all(|c| c == b' ');
            let want = indent.unwrap_or(spaces.max(base));
            if blank && spaces <= want {
                lines.push(None);
            } else if spaces >= want
                && (indent.is_some() || spaces >= base)
                && !(spaces == 0 && self.document_marker().is_some())
            {
                indent = Some(want);
                if first.is_none() {
                    let at = self.pos + want;
                    first = Some(Start { pos: at, line: self.line, col: self.s[self.pos..at].chars().count() });
                }
                lines.push(Some(&text[want..]));
            } else {
                // It ends where the next token starts, past this line's indentation.
                end = self.pos + spaces;
                break;
            }
            self.pos = line_end;
            if self.peek().is_some() {
                self.newline();
            }
            end = self.pos;
        }
        let value = block_value(&lines, literal, chomp);
        let start = first.unwrap_or(Start { pos: end, line: self.line, col: 0 });
        Ok(Scalar { value, plain: false, block: true, start: start.pos, end, line: start.line, col: start.col })
    }

    /// Blanks, line breaks and comments inside a flow collection.
    fn flow_space(&mut self) -> R<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'#') => {
                    while !self.at_break() {
                        self.pos += 1;
                    }
                }
                Some(b'\n' | b'\r') => {
                    self.newline();
                    if self.document_marker().is_some() {
                        return self.error("the flow collection is not closed before the document ends");
                    }
                }
                None => return self.error("the flow collection is not closed before the end of the file"),
                Some(_) if (self.col() as isize) < self.indent => {
                    return self
                        .error("invalid indentation: inside brackets, a line may not start left of the block it is in")
                }
                Some(_) => return Ok(()),
            }
        }
    }

    /// `[…]` or `{…}`, at its opening bracket.
    fn flow_collection(&mut self, anchor: Props<'a>) -> R<NodeId> {
        self.enter()?;
        let seq = self.peek() == Some(b'[');
        let start = anchor.map_or(self.here(), |a| a.1);
        let kind = if seq { Kind::Seq(Vec::new()) } else { Kind::Map(Vec::new()) };
        let id = self.push(kind, start, start.pos, anchor.and_then(|a| a.0))?;
        let close = if seq { b']' } else { b'}' };
        self.pos += 1;
        let mut items = Vec::new();
        let mut comma = None;
        loop {
            self.flow_space()?;
            if self.peek() == Some(close) {
                break;
            }
            comma = None;
            if seq {
                items.push(self.flow_seq_entry()?);
            } else {
                let (k, v) = self.flow_pair()?;
                items.push(k);
                items.push(v);
            }
            self.flow_space()?;
            match self.peek() {
                Some(b',') => {
                    comma = Some(self.pos);
                    self.pos += 1;
                }
                Some(c) if c == close => break,
                _ => {
                    let expected = if seq {
                        "did not find the expected ',' or ']'"
                    } else {
                        "did not find the expected ',' or '}'"
                    };
                    return self.error(expected);
                }
            }
        }
        // As saphyr-parser placed them: after a trailing comma the end is that comma, and the
        // span stops at the bracket; otherwise it runs past the blanks and comment after it.
        let (flow_end, end) = match comma {
            Some(c) => (c, self.pos),
            None => {
                self.pos += 1;
                (self.pos - 1, self.quoted_end()?)
            }
        };
        if comma.is_some() {
            self.pos += 1;
        }
        let node = &mut self.nodes[id];
        node.flow_end = Some(flow_end);
        node.span.end = end;
        node.kind = if seq { Kind::Seq(items) } else { Kind::Map(items.chunks(2).map(|c| (c[0], c[1])).collect()) };
        self.depth -= 1;
        Ok(id)
    }

    /// An entry of a flow sequence: a node, or a single `key: value` pair as a mapping.
    fn flow_seq_entry(&mut self) -> R<NodeId> {
        let start = self.here();
        let (entry, nodes) = (self.mark(), self.nodes.len());
        let node = self.flow_node()?;
        let after = self.mark();
        self.flow_space()?;
        if self.peek() != Some(b':') {
            self.reset(after);
            return Ok(node);
        }
        if self.nodes[node].line != self.line {
            return self.error("illegal placement of ':': a key cannot span lines (is a bracket left open?)");
        }
        self.colon_after_key(node)?;
        // `[a: b]`: read again as a one-pair mapping, which comes before its key in the tree.
        self.reset(entry);
        self.nodes.truncate(nodes);
        let id = self.push(Kind::Map(Vec::new()), start, start.pos, None)?;
        let (k, v) = self.flow_pair()?;
        let end = self.nodes[v].span.end.max(self.nodes[k].span.end);
        let node = &mut self.nodes[id];
        node.kind = Kind::Map(vec![(k, v)]);
        node.span.end = end;
        Ok(id)
    }

    /// After a plain key, `:` must be followed by a blank, not a bracket (`{a:{b: c}}`).
    fn colon_after_key(&self, key: NodeId) -> R<()> {
        let plain = matches!(self.nodes[key].kind, Kind::Scalar { plain: true, .. });
        if plain && matches!(self.at(1), Some(b'[' | b'{')) {
            return self.error("':' may not precede a bracket after a plain key: add a blank after it");
        }
        Ok(())
    }

    /// A `key: value` of a flow mapping; a key alone has an empty value.
    fn flow_pair(&mut self) -> R<(NodeId, NodeId)> {
        let key = self.flow_node()?;
        self.flow_space()?;
        if self.peek() != Some(b':') {
            // A key alone: its empty value spans the next `,` or `}` and the blanks after it.
            let at = self.here();
            let mut end = self.pos + 1;
            while self.b.get(end).is_some_and(|c| is_ws(*c)) {
                end += 1;
            }
            return Ok((key, self.empty_to(at, end, None)?));
        }
        self.colon_after_key(key)?;
        let colon = self.here();
        self.pos += 1;
        self.flow_space()?;
        if matches!(self.peek(), Some(b',' | b']' | b'}')) {
            return Ok((key, self.empty(colon, None)?));
        }
        Ok((key, self.flow_node()?))
    }

    /// A node inside a flow collection.
    fn flow_node(&mut self) -> R<NodeId> {
        let anchor = self.properties()?;
        match self.peek() {
            Some(b'*') if anchor.is_none() => self.alias(),
            Some(b'*') => self.error("an alias cannot have an anchor or a tag"),
            Some(b'[' | b'{') => self.flow_collection(anchor),
            Some(b',' | b']' | b'}') | None if anchor.is_some() => {
                let at = anchor.map_or(self.here(), |a| a.1);
                self.empty(at, anchor)
            }
            Some(b':') if self.ends_at(1) || self.at(1).is_some_and(is_flow_indicator) => {
                self.error("empty keys (`: value`) are not supported")
            }
            Some(b',' | b']' | b'}') | None => self.error("did not find the expected node content"),
            Some(b'-') if self.ends_at(1) => self.error("a `- ` entry is only valid in a block, not inside brackets"),
            Some(b'?') if self.ends_at(1) => self.error("explicit keys (`? `) are not supported"),
            Some(b'@' | b'`' | b'%') => self.error("a plain scalar cannot start with a reserved indicator"),
            Some(c) => {
                let s = match c {
                    b'"' | b'\'' => self.quoted(c)?,
                    _ => self.plain(-1, true)?,
                };
                self.push_scalar(s, anchor)
            }
        }
    }
}

/// A block scalar's value from its lines (`None`: an empty line): literal lines keep their
/// breaks; folded ones join with a space, except around more-indented lines and where empty
/// lines stand. Trailing empty lines are kept or dropped by the chomping indicator.
fn block_value(lines: &[Option<&str>], literal: bool, chomp: u8) -> String {
    let content = lines.iter().rposition(|l| l.is_some()).map_or(0, |i| i + 1);
    let mut value = String::new();
    let mut previous: Option<&str> = None;
    let mut empties = 0;
    for l in &lines[..content] {
        let Some(text) = l else {
            empties += 1;
            continue;
        };
        if let Some(prev) = previous {
            let folds = !literal && !prev.starts_with([' ', '\t']) && !text.starts_with([' ', '\t']);
            if folds && empties == 0 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', empties + usize::from(!folds)));
            }
        } else {
            value.extend(std::iter::repeat_n('\n', empties));
        }
        empties = 0;
        value.push_str(text);
        previous = Some(text);
    }
    match chomp {
        b'-' => {}
        b'+' => value.extend(std::iter::repeat_n('\n', usize::from(content > 0) + lines.len() - content)),
        _ if content > 0 => value.push('\n'),
        _ => {}
    }
    value
}
