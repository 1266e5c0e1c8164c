//! One report, every form: text for the terminal and the reviewed snapshots ([`text`]),
//! markdown for a ticket or a pull request ([`markdown`]), JSON for tools ([`json`]) and SARIF
//! for code scanning ([`sarif`]; both with the `json` feature). The CLI, the page and the tests
//! all render through here, so the faces cannot drift. No form repeats a literal password.

pub mod log;
pub mod markdown;
pub mod text;

#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "json")]
pub mod sarif;

use std::fmt::Write as _;

use crate::diagnostic::{Finding, Severity};
use crate::redact::password_spans;
use crate::span::Span;

/// "N errors, N warnings, N notes".
pub fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> String {
    let (mut e, mut w, mut i) = (0, 0, 0);
    for f in findings {
        match f.severity() {
            Severity::Error => e += 1,
            Severity::Warning => w += 1,
            Severity::Info => i += 1,
        }
    }
    format!("{e} errors, {w} warnings, {i} notes")
}

/// Lines longer than this are not quoted (a minified file, a pasted blob).
const MAX_QUOTED: usize = 400;

/// The source line of `span` with a caret under it, as compilers show it:
///
/// ```text
///    |
/// 12 |       DATABASE_URL: postgresql://u:••••••@host:5432/db?pool_size=1
///    |                                                       ^^^^^^^^^^^
/// ```
///
/// Literal passwords in the line are masked, and the caret still points at the same text.
pub fn excerpt(text: &str, span: Span, line: usize) -> String {
    let start = crate::span::floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let source = text[line_start..line_end].trim_end_matches('\r');
    if source.len() > MAX_QUOTED || source.trim().is_empty() {
        return String::new();
    }
    let (shown, column_of) = masked(source);
    let from = column_of(start - line_start);
    let to = column_of(span.end.clamp(start, line_start + source.len()) - line_start).max(from + 1);
    let pad: String = shown.chars().take(from).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let mut out = String::new();
    let _ = writeln!(out, "{gutter} |\n{number} | {shown}\n{gutter} | {pad}{}", "^".repeat(to - from));
    out
}

/// The line with each literal password shown as `••••••`, and a map from a byte offset in
/// the line to the column (in characters) where that byte is shown.
fn masked(line: &str) -> (String, impl Fn(usize) -> usize + '_) {
    const MASK: &str = "••••••";
    let secrets = password_spans(line);
    let mut shown = String::with_capacity(line.len());
    let mut at = 0;
    for s in &secrets {
        shown.push_str(&line[at..s.start]);
        shown.push_str(MASK);
        at = s.end;
    }
    shown.push_str(&line[at..]);
    let column_of = move |offset: usize| {
        let mut column = 0;
        let mut at = 0;
        for s in &secrets {
            if offset < s.start {
                break;
            }
            column += line[at..s.start].chars().count();
            if offset < s.end {
                return column;
            }
            column += MASK.chars().count();
            at = s.end;
        }
        column + line[at..offset.max(at)].chars().count()
    };
    (shown, column_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_points_at_the_span_and_the_password_is_masked() {
        let text = "a: 1\n  URL: postgresql://u:hunter22@h:5432/db?pool_size=1\n";
        let at = text.find("pool_size").unwrap();
        let out = excerpt(text, Span::new(at, at + "pool_size=1".len()), 2);
        assert!(!out.contains("hunter22"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines[1].find("pool_size").unwrap();
        let caret = lines[2].find('^').unwrap();
        assert_eq!(lines[1][..shown].chars().count(), lines[2][..caret].chars().count(), "caret under the key:\n{out}");
        assert_eq!(lines[2].matches('^').count(), "pool_size=1".len());
    }

    #[test]
    fn an_empty_span_gets_one_caret() {
        let out = excerpt("x: postgresql://h/db", Span::empty_at(20), 1);
        assert!(out.ends_with("^\n"), "{out}");
    }
}
