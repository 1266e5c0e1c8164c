//! A unified diff of the fix, made from the edits themselves.
//!
//! Written here rather than with a diff crate: the edits already say exactly which bytes
//! change, so no longest-common-subsequence search is needed, the diff can never disagree
//! with the fix, and the wasm stays smaller (a diff crate adds tens of KB for the page).

use std::fmt::Write as _;

use crate::fix::{apply, Edit};

const CONTEXT: usize = 3;

/// Line starts of `text` (byte offsets), plus its end.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
    starts
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

/// `text` split into lines with their newline kept (the last may lack one).
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// An insertion of whole lines (`"\nX"` just before a newline) is the same text change as
/// `"X\n"` at the start of the next line; written that way, the diff shows only added lines.
pub fn normalize(text: &str, edits: &[Edit]) -> Vec<Edit> {
    edits
        .iter()
        .map(|e| {
            let at = e.span.start;
            if e.span.is_empty() && text[at..].starts_with('\n') && e.replacement.starts_with('\n') {
                Edit { span: crate::span::Span::empty_at(at + 1), replacement: format!("{}\n", &e.replacement[1..]) }
            } else {
                e.clone()
            }
        })
        .collect()
}

/// Lines `first..last` of the original (empty for a pure insertion before `first`) and the
/// edits that change them.
struct Block<'a> {
    first: usize,
    last: usize,
    edits: Vec<&'a Edit>,
}

/// The unified diff between `text` and `text` with `edits` applied; empty when nothing changes.
/// The edits grouped into blocks of whole lines; edits on overlapping lines share a block.
fn blocks<'e>(text: &str, starts: &[usize], line_count: usize, edits: Vec<&'e Edit>) -> Vec<Block<'e>> {
    let old_lines_len = line_count;
    let mut blocks: Vec<Block> = Vec::new();
    for e in edits {
        let at_line_start =
            e.span.start == text.len() || e.span.start == 0 || text.as_bytes()[e.span.start - 1] == b'\n';
        let (first, last) = if e.span.is_empty() && at_line_start {
            let l = if e.span.start == text.len() { old_lines_len } else { line_of(starts, e.span.start) };
            (l, l)
        } else {
            (line_of(starts, e.span.start), line_of(starts, e.span.end.saturating_sub(1).max(e.span.start)) + 1)
        };
        match blocks.last_mut() {
            Some(b) if first < b.last || (first == b.first && b.first == b.last && first == last) => {
                b.last = b.last.max(last);
                b.edits.push(e);
            }
            _ => blocks.push(Block { first, last, edits: vec![e] }),
        }
    }
    blocks
}

pub fn unified(name: &str, text: &str, edits: &[Edit]) -> String {
    let normalized = normalize(text, edits);
    let mut edits: Vec<&Edit> =
        normalized.iter().filter(|e| !(e.span.is_empty() && e.replacement.is_empty())).collect();
    if edits.is_empty() {
        return String::new();
    }
    crate::order::sort_stable_by(&mut edits, |e| (e.span.start, e.span.end));
    let starts = line_starts(text);
    let old_lines = lines(text);
    let blocks = blocks(text, &starts, old_lines.len(), edits);
    // Blocks within 2 × CONTEXT lines share a hunk.
    let mut hunks: Vec<Vec<Block>> = Vec::new();
    for b in blocks {
        match hunks.last_mut() {
            Some(h) if b.first <= h.last().map_or(0, |l| l.last) + 2 * CONTEXT => h.push(b),
            _ => hunks.push(vec![b]),
        }
    }
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    let mut delta: isize = 0;
    for hunk in hunks {
        let from = hunk[0].first.saturating_sub(CONTEXT);
        let to = (hunk.last().map_or(0, |b| b.last) + CONTEXT).min(old_lines.len());
        let mut body = String::new();
        let (mut old_count, mut new_count) = (0usize, 0usize);
        let mut line = from;
        for b in &hunk {
            for l in &old_lines[line..b.first] {
                push_line(&mut body, ' ', l);
                old_count += 1;
                new_count += 1;
            }
            let block_start = starts.get(b.first).copied().unwrap_or(text.len());
            let block_end = starts.get(b.last).copied().unwrap_or(text.len());
            let shifted: Vec<Edit> = b
                .edits
                .iter()
                .map(|e| Edit {
                    span: crate::span::Span::new(e.span.start - block_start, e.span.end - block_start),
                    replacement: e.replacement.clone(),
                })
                .collect();
            let old_block = &text[block_start..block_end.max(block_start)];
            let new_block = apply(old_block, &shifted);
            for l in lines(old_block) {
                push_line(&mut body, '-', l);
                old_count += 1;
            }
            for l in lines(&new_block) {
                push_line(&mut body, '+', l);
                new_count += 1;
            }
            line = b.last;
        }
        for l in &old_lines[line..to] {
            push_line(&mut body, ' ', l);
            old_count += 1;
            new_count += 1;
        }
        // A hunk that only adds lines names the line before it, as diff(1) does.
        let old_start = if old_count == 0 { from } else { from + 1 };
        let new_from = (from as isize + delta) as usize;
        let new_start = if new_count == 0 { new_from } else { new_from + 1 };
        let _ = writeln!(out, "@@ -{old_start},{old_count} +{new_start},{new_count} @@");
        out.push_str(&body);
        delta += new_count as isize - old_count as isize;
    }
    out
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    #[test]
    fn hunks_show_exactly_the_edited_lines() {
        let text = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n";
        let edits = vec![
            Edit { span: Span::new(2, 3), replacement: "B".into() },
            Edit { span: Span::new(23, 23), replacement: "\nl2".into() },
        ];
        let diff = unified("x.yml", text, &edits);
        assert_eq!(
            diff,
            "--- a/x.yml\n+++ b/x.yml\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -10,4 +10,5 @@\n j\n k\n l\n+l2\n m\n"
        );
    }

    #[test]
    fn added_lines_show_as_additions_only() {
        let text = "a\nb\nc\n";
        let edits = vec![Edit { span: Span::empty_at(3), replacement: "\nb2".into() }];
        assert_eq!(unified("x", text, &edits), "--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n a\n b\n+b2\n c\n");
        assert_eq!(apply(text, &normalize(text, &edits)), apply(text, &edits));
    }

    #[test]
    fn no_edits_no_diff() {
        assert_eq!(unified("x", "a\n", &[]), "");
    }
}
