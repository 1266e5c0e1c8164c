//! A YAML document as a tree whose every node keeps its byte span, read by [`parser`] (poolfix
//! edits the user's text, so it needs the spans that YAML libraries' trees drop).
//!
//! Aliases stay references to their anchor's node, never copies, so an alias bomb ("billion
//! laughs") costs nothing to build; readers resolve them with a depth bound. The reader stops
//! at a nesting limit, so deep nesting cannot overflow the stack.

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

/// Limits that keep hostile input cheap.
pub const MAX_NODES: usize = 2_000_000;

mod parser;
pub use parser::parse;

#[cfg(test)]
mod oracle;

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

    /// Node for node, the same tree as saphyr-parser's (the reader before this one).
    fn same_as_saphyr(text: &str) {
        let ours = parse(text);
        let theirs = oracle::parse(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                for (i, (x, y)) in a.nodes.iter().zip(&b.nodes).enumerate() {
                    assert_eq!(
                        x,
                        y,
                        "node {i} differs in {text:?}\nours:   {:?}\nsaphyr: {:?}",
                        &text[x.span.start.min(text.len())..x.span.end.min(text.len())],
                        &text[y.span.start.min(text.len())..y.span.end.min(text.len())]
                    );
                }
                assert_eq!(a.nodes.len(), b.nodes.len(), "node count differs in {text:?}");
                assert_eq!(a.documents, b.documents, "documents differ in {text:?}");
            }
            (Err(a), Err(b)) => assert_eq!(a.line, b.line, "errors on different lines in {text:?}: {a:?} / {b:?}"),
            _ => panic!("one reader fails in {text:?}:\nours:   {ours:?}\nsaphyr: {:?}", theirs.map(|y| y.nodes.len())),
        }
    }

    #[test]
    fn every_fixture_reads_as_saphyr_reads_it() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compose");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yml") {
                same_as_saphyr(&std::fs::read_to_string(&path).unwrap());
                n += 1;
            }
        }
        assert!(n > 50, "{n} fixtures");
        for dir in ["/../../examples/ci", "/../../examples/hosting"] {
            let Ok(entries) = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR")).to_string() + dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                    same_as_saphyr(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }

    #[test]
    fn yaml_forms_read_as_saphyr_reads_them() {
        let cases = [
            "a: 1\nb:\nc: x\n",
            "a:\n  - x\n  - y: 1\n    z: 2\nb:\n- q\n",
            "k: |\n  line1\n  line2\n\nn: >-\n  f1\n  f2\n\n  f3\nm: end\n",
            "k: |+\n  a\n\n\nl: >\n  x\n    more\n  y\n",
            "k: |2\n    two\n  one\n",
            "x: &anc\n  p: 1\ny: *anc\nz: [a, 'b', \"c\\n\", {d: e}]\n",
            "d: \"multi\n  line\"\ne: 'one\n\n  two'\nf: \"esc \\\n  joined \\u00e9 \\x41\"\n",
            "- a\n- - b\n  - c\n-\n",
            "e:\n  &env\n  A: 1\n",
            "---\na: 1\n...\n---\nb: 2\n",
            "k: v # c\n# only\n\nl: 'it''s'\n",
            "command: mlflow server\n  --host 0.0.0.0\n  --workers 2\nnext: x\n",
            "s:\n  api:\n    environment:\n      - A=1\n      - \"B=2\"\n    ports: [\"80:80\", 443]\n",
            "a: {x: 1, y: [2, 3], z: }\nb: [ ]\nc: {}\n",
            "a: [x,\n  y, # c\n  z]\n",
            "url: postgresql://u:p@h:5432/db?a=1#frag\nt: 10:30\n",
            "'quoted key': 1\n\"dq\": 2\n",
            "a: !!str 5\nb: !custom x\n",
            "<<: *x\n",
            "a: b: c\n",
            "a: [1, 2\nb: 3\n",
            "\tx: 1\n",
            "a:\n  b: 1\n   c: 2\n",
            "key:    \n  value\n",
            "- &a x\n- *a\n",
            "a: 1\r\nb: 2\r\n",
            "x: |\n  text\n",
            "x: >\n\n  after blank\n",
            "ünï: çødé\nb: 'é'\n",
            "",
            "# only a comment\n",
            "just a scalar\n",
            "a:\n\n  b: 1\n",
            "a: 'x' # c\nb: \"y\"   \n",
        ];
        for c in cases {
            same_as_saphyr(c);
        }
    }

    /// A small deterministic generator (xorshift), so that a failure is reproducible by seed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const WORDS: &[&str] = &[
        "mlflow server",
        "postgresql://u:p@h:5432/db?sslmode=require",
        "0.0.0.0:5000",
        "${DB_PASSWORD}",
        "a b  c",
        "x#y",
        "it's",
        "say \"hi\"",
        "ünï",
        "10",
        "-1",
        "true",
        "~",
        "--workers=2",
        "key=value",
    ];

    /// A scalar in a random style.
    fn scalar(r: &mut Rng, indent: usize) -> String {
        let w = r.pick(WORDS);
        let pad = " ".repeat(indent + 2);
        match r.below(7) {
            0 | 1 if !w.contains(": ") && !w.starts_with(['-', '~', '$']) && !w.contains(" #") && !w.contains('"') => {
                w.to_string()
            }
            2 => format!("'{}'", w.replace('\'', "''")),
            3 => format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\"")),
            4 => format!("|{}\n{pad}{w}\n{pad}  more\n\n{pad}{w}", r.pick(&["", "-", "+"])),
            5 => format!(">{}\n{pad}{w}\n{pad}{w}\n\n{pad}last", r.pick(&["", "-", "+"])),
            _ => format!("[{}, '{}', {{k: v}}]", "a", w.replace('\'', "''")),
        }
    }

    /// A random block mapping (depth-limited), with comments and blank lines between entries.
    fn mapping(r: &mut Rng, indent: usize, depth: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        for i in 0..1 + r.below(4) {
            let key = format!("k{depth}{i}");
            match r.below(if depth > 2 { 3 } else { 6 }) {
                0..=2 => {
                    let v = scalar(r, indent);
                    let comment = if r.below(3) == 0 && !v.starts_with(['|', '>']) { "  # note" } else { "" };
                    out.push_str(&format!("{pad}{key}: {v}{comment}\n"));
                }
                3 => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    mapping(r, indent + 2, depth + 1, out);
                }
                4 => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    let dash = if r.below(2) == 0 { indent } else { indent + 2 };
                    for _ in 0..1 + r.below(3) {
                        if r.below(2) == 0 {
                            out.push_str(&format!("{}- {}\n", " ".repeat(dash), scalar(r, dash)));
                        } else {
                            out.push_str(&format!("{}- ", " ".repeat(dash)));
                            let mut inner = String::new();
                            mapping(r, dash + 2, depth + 1, &mut inner);
                            out.push_str(inner.trim_start());
                        }
                    }
                }
                _ => {
                    out.push_str(&format!("{pad}{key}: &a{depth}{i}\n"));
                    mapping(r, indent + 2, depth + 1, out);
                    out.push_str(&format!("{pad}{key}x: *a{depth}{i}\n"));
                }
            }
            if r.below(4) == 0 {
                out.push_str(if r.below(2) == 0 { "\n" } else { "# a comment\n" });
            }
        }
    }

    #[test]
    fn generated_documents_read_as_saphyr_reads_them() {
        for seed in 1..=2000u64 {
            let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut text = String::new();
            mapping(&mut r, 0, 0, &mut text);
            same_as_saphyr(&text);
        }
    }

    /// Fixtures with one character cut, doubled or an indicator put in: wherever saphyr reads the result, the new
    /// reader gives the same tree; wherever saphyr refuses it, so does the new reader.
    #[test]
    fn damaged_fixtures_read_as_saphyr_reads_them() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compose");
        let mut r = Rng(7);
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yml")) {
            let text = std::fs::read_to_string(path).unwrap();
            for _ in 0..60 {
                let mut at = r.below(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let ch = text[at..].chars().next().unwrap();
                let mut damaged = text.clone();
                match r.below(3) {
                    0 => {
                        damaged.remove(at);
                    }
                    1 => damaged.insert(at, ch),
                    _ => damaged.insert_str(
                        at,
                        r.pick(&[
                            ":", " ", "\n", "- ", "#", "\"", "'", "[", "{", "|", "\t", "&x ", "*x", "? ", ",", "}",
                            "\\",
                        ]),
                    ),
                }
                let (ours, theirs) = (parse(&damaged), oracle::parse(&damaged));
                match (&ours, &theirs) {
                    // The same tree and values; spans may differ around the damage.
                    (Ok(a), Ok(b)) => {
                        let shape = |y: &Yaml| y.nodes.iter().map(|n| n.kind.clone()).collect::<Vec<_>>();
                        assert_eq!(shape(a), shape(b), "{}: the trees differ at {at}:\n{damaged}", path.display());
                    }
                    (Err(_), Err(_)) => {}
                    // What the reader refuses by design (explicit keys, collections as keys).
                    (Err(e), Ok(_)) if e.message.contains("not supported") => {}
                    // Quoted or bracketed lines at their block's own column: saphyr refuses
                    // them, Compose's reader does not, and neither does this one.
                    (Ok(_), Err(e)) if e.message.starts_with("invalid indentation") => {}
                    _ => {
                        let from = damaged[..at].rfind('\n').map_or(0, |i| i + 1);
                        let around = &damaged[damaged[..from.saturating_sub(1)].rfind('\n').map_or(0, |i| i + 1)..];
                        let around: String = around.lines().take(4).collect::<Vec<_>>().join("\n");
                        panic!(
                            "{}: one reader fails at {at}:\n{around}\nours: {:?}\nsaphyr: {:?}",
                            path.display(),
                            ours.err(),
                            theirs.err()
                        )
                    }
                }
            }
        }
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
