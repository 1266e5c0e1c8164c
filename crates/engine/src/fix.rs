//! Fixes as edits on the user's own text: byte-range replacements, so comments, quoting and
//! everything not fixed stay byte-identical and a diff shows exactly what changed.

use crate::conn::{ConnString, Form};
use crate::span::Span;

/// Replace `span` of the original text with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// One change a rule wants in a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlAction {
    Replace { span: Span, with: String },
    Insert { at: usize, text: String },
    RemoveParam(usize),
    RenameParam { index: usize, key: String, value: Option<String> },
    AddParam { key: String, value: String },
}

/// Applies non-overlapping edits (in any order) to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    crate::order::sort_stable_by(&mut sorted, |e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            continue; // overlapping edits never reach here; skip rather than corrupt
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

fn overlaps(a: Span, b: Span) -> bool {
    // Two insertions at one point conflict too; an insertion at a replacement's edge does not.
    (a.start < b.end && b.start < a.end) || (a.is_empty() && b.is_empty() && a.start == b.start)
}

#[derive(Clone)]
enum ParamState {
    Keep,
    Remove,
    Rename(String, Option<String>),
}

/// Turns the actions of the applied fixes into edits. Where two actions touch the same
/// text the first one wins (rules run in priority order).
/// What removing a key/value pair takes: the blanks before it (after it, for the first).
fn removal_span(text: &str, conn: &ConnString, pair: Span) -> Span {
    let blank = |i: usize| text.as_bytes()[i].is_ascii_whitespace();
    let mut start = pair.start;
    while start > conn.span.start && blank(start - 1) {
        start -= 1;
    }
    if start != conn.span.start {
        return Span::new(start, pair.end);
    }
    let mut end = pair.end;
    while end < conn.span.end && blank(end) {
        end += 1;
    }
    Span::new(pair.start, end)
}

/// New pairs at the end of a key/value string. libpq skips blanks after `=`: a trailing empty
/// value would swallow the new pair, so it is written out as ''.
fn key_value_tail(conn: &ConnString, added: &[(String, String)]) -> Edit {
    let empty_last =
        conn.params.last().is_some_and(|p| p.value.is_none_or(|v| v.is_empty()) && p.span.end == conn.end());
    let mut tail: String = if empty_last { "''".into() } else { String::new() };
    tail.extend(added.iter().map(|(k, v)| format!(" {k}={v}")));
    Edit { span: Span::empty_at(conn.end()), replacement: tail }
}

pub fn url_edits(text: &str, conn: &ConnString, actions: &[&UrlAction]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut states = vec![ParamState::Keep; conn.params.len()];
    let mut added: Vec<(String, String)> = Vec::new();
    let push = |edits: &mut Vec<Edit>, e: Edit| {
        if !edits.iter().any(|x| overlaps(x.span, e.span)) {
            edits.push(e);
        }
    };
    for action in actions {
        match action {
            UrlAction::Replace { span, with } => push(&mut edits, Edit { span: *span, replacement: with.clone() }),
            UrlAction::Insert { at, text } => {
                push(&mut edits, Edit { span: Span::empty_at(*at), replacement: text.clone() })
            }
            UrlAction::RemoveParam(i) => states[*i] = ParamState::Remove,
            UrlAction::RenameParam { index, key, value } => {
                if matches!(states[*index], ParamState::Keep) {
                    states[*index] = ParamState::Rename(key.clone(), value.clone());
                }
            }
            UrlAction::AddParam { key, value } => {
                let present = conn.params.iter().zip(&states).any(|(p, s)| match s {
                    ParamState::Keep => p.key.slice(text) == key,
                    ParamState::Rename(k, _) => k == key,
                    ParamState::Remove => false,
                });
                if !present && !added.iter().any(|(k, _)| k == key) {
                    added.push((key.clone(), value.clone()));
                }
            }
        }
    }
    let renamed = |i: usize, key: &str, value: &Option<String>| {
        let v = value.clone().or_else(|| conn.params[i].value.map(|v| v.slice(text).to_string()));
        match v {
            Some(v) => format!("{key}={v}"),
            None => key.to_string(),
        }
    };
    match conn.form {
        Form::Uri => {
            let changed = !added.is_empty() || states.iter().any(|s| !matches!(s, ParamState::Keep));
            if changed {
                let kept = conn.params.iter().zip(&states).enumerate().filter_map(|(i, (p, s))| match s {
                    ParamState::Keep => Some(p.span.slice(text).to_string()),
                    ParamState::Remove => None,
                    ParamState::Rename(k, v) => Some(renamed(i, k, v)),
                });
                let items: Vec<String> = kept.chain(added.iter().map(|(k, v)| format!("{k}={v}"))).collect();
                let query = if items.is_empty() { String::new() } else { format!("?{}", items.join("&")) };
                let span = Span::new(conn.query_mark.unwrap_or(conn.end()), conn.end());
                push(&mut edits, Edit { span, replacement: query });
            }
        }
        Form::KeyValue => {
            // Removals take the blanks before a pair (after it, for the first); adjacent
            // removals are merged so that one pass removes them all.
            let mut removals: Vec<Span> = Vec::new();
            for (i, (p, s)) in conn.params.iter().zip(&states).enumerate() {
                match s {
                    ParamState::Keep => {}
                    ParamState::Remove => {
                        let span = removal_span(text, conn, p.span);
                        match removals.last_mut() {
                            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                            _ => removals.push(span),
                        }
                    }
                    ParamState::Rename(k, v) => push(&mut edits, Edit { span: p.span, replacement: renamed(i, k, v) }),
                }
            }
            for span in removals {
                push(&mut edits, Edit { span, replacement: String::new() });
            }
            if !added.is_empty() {
                push(&mut edits, key_value_tail(conn, &added));
            }
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::parse;

    fn run(text: &str, actions: Vec<UrlAction>) -> String {
        let conn = parse(text).unwrap();
        let refs: Vec<&UrlAction> = actions.iter().collect();
        apply(text, &url_edits(text, &conn, &refs))
    }

    #[test]
    fn query_edits_keep_untouched_parameters_verbatim() {
        let t = "postgresql://h/db?a=1&pool_size=1&b=%20x&max_overflow=0";
        let out = run(
            t,
            vec![
                UrlAction::RemoveParam(1),
                UrlAction::RemoveParam(3),
                UrlAction::AddParam { key: "connect_timeout".into(), value: "10".into() },
            ],
        );
        assert_eq!(out, "postgresql://h/db?a=1&b=%20x&connect_timeout=10");
    }

    #[test]
    fn removing_every_parameter_removes_the_question_mark() {
        assert_eq!(run("postgresql://h/db?pool_size=1", vec![UrlAction::RemoveParam(0)]), "postgresql://h/db");
    }

    #[test]
    fn rename_and_add_to_a_url_without_query() {
        assert_eq!(
            run(
                "postgresql+asyncpg://h/db?sslmode=require",
                vec![UrlAction::RenameParam { index: 0, key: "ssl".into(), value: None }]
            ),
            "postgresql+asyncpg://h/db?ssl=require"
        );
        assert_eq!(
            run("postgresql://h:5432", vec![UrlAction::AddParam { key: "sslmode".into(), value: "require".into() }]),
            "postgresql://h:5432?sslmode=require"
        );
    }

    #[test]
    fn key_value_edits() {
        let t = "host=h pool_size=1 dbname=d";
        assert_eq!(
            run(
                t,
                vec![
                    UrlAction::RemoveParam(1),
                    UrlAction::AddParam { key: "connect_timeout".into(), value: "10".into() }
                ]
            ),
            "host=h dbname=d connect_timeout=10"
        );
        assert_eq!(run("pool_size=1 host=h", vec![UrlAction::RemoveParam(0)]), "host=h");
    }
}
