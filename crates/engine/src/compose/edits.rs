//! Environment settings written into the user's compose file as edits: an existing value is
//! replaced in place (its quoting kept); new settings are added in the style of the
//! service's `environment` block (map or list, block or flow), or as a new block.

use crate::fix::Edit;
use crate::model::Service;
use crate::rules::{pf214_shared_environment, Finding};
use crate::span::Span;
use crate::yaml::{Kind, NodeId, Yaml};

/// The end of the line that contains byte `at` (before its newline).
fn line_end(text: &str, at: usize) -> usize {
    if at > 0 && text.as_bytes().get(at - 1) == Some(&b'\n') {
        return at - 1;
    }
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The blanks at the start of the line that contains byte `at`.
fn indent_of_line(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

fn yaml_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The edits that make `service`'s environment hold `settings`, and a manual finding when the
/// environment cannot be edited in place (it is an alias shared with other services). `own`:
/// settings the service must hold itself, not through text it shares (a URL only it moves to
/// another port), when it inherits its environment from a block it can merge.
pub fn env_edits(
    text: &str,
    y: &Yaml,
    service: &Service,
    settings: &[(String, String)],
    own: &[String],
) -> (Vec<Edit>, Option<Finding>) {
    let mut edits = Vec::new();
    let mut missing: Vec<&(String, String)> = Vec::new();
    let inherited = service.env_node.is_none().then(|| inherited_env_anchor(text, y, service)).flatten();
    let own_map = service.env_node.is_some_and(|n| matches!(y.node(n).kind, Kind::Map(_))) && !service.env_shared;
    for pair in settings {
        let (name, value) = pair;
        match service.env(name) {
            Some(_) if (inherited.is_some() || own_map) && own.contains(name) => missing.push(pair),
            Some(entry) => match entry.value_span {
                Some(span) => {
                    let list_item = entry
                        .node
                        .is_some_and(|n| !matches!(y.node(n).kind, Kind::Scalar { .. }) || y.node(n).span != span);
                    let source = span.slice(text);
                    let replacement = if list_item {
                        value.clone()
                    } else if source.starts_with('\'') {
                        format!("'{value}'")
                    } else {
                        yaml_string(value)
                    };
                    edits.push(Edit { span, replacement });
                }
                None => missing.push(pair),
            },
            None => missing.push(pair),
        }
    }
    if missing.is_empty() {
        return (edits, None);
    }
    // An environment inherited through `<<: *service-anchor` whose block has an anchor of its
    // own: the service gets its own `environment:` that merges that block and adds the settings
    // (as the official Airflow file does for its worker), so the others keep theirs.
    if let Some(anchor) = inherited {
        let all: Vec<&(String, String)> = settings.iter().collect();
        let edits_in_block = new_env_block(text, y, service, &all, Some(anchor));
        return (edits_in_block.into_iter().collect(), None);
    }
    if service.env_shared {
        let lines: Vec<String> = missing.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let finding = pf214_shared_environment::finding(service, &lines);
        return (edits, Some(finding));
    }
    let edit = match service.env_node.map(|n| (n, y.node(n))) {
        Some((id, node)) if matches!(node.kind, Kind::Map(_) | Kind::Seq(_)) => append_to_env(text, y, id, &missing),
        _ => new_env_block(text, y, service, &missing, None),
    };
    edits.extend(edit);
    (edits, None)
}

/// An entry for each missing setting, added to the service's own `environment` (map or list,
/// block or flow), in its style.
fn append_to_env(text: &str, y: &Yaml, id: NodeId, missing: &[&(String, String)]) -> Option<Edit> {
    let node = y.node(id);
    let is_map = matches!(node.kind, Kind::Map(_));
    let first_child = match &node.kind {
        Kind::Map(pairs) => pairs.first().map(|p| p.0),
        Kind::Seq(items) => items.first().copied(),
        _ => None,
    };
    if let Some(close) = node.flow_end {
        let empty = first_child.is_none();
        let mut s = String::new();
        for (i, (k, v)) in missing.iter().enumerate() {
            if !(empty && i == 0) {
                s.push_str(", ");
            }
            if is_map {
                s.push_str(&format!("{k}: {}", yaml_string(v)));
            } else {
                s.push_str(&yaml_string(&format!("{k}={v}")));
            }
        }
        return Some(Edit { span: Span::empty_at(close), replacement: s });
    } else if let Some(first) = first_child {
        let first_span = y.node(first).span;
        let prefix = if is_map {
            " ".repeat(y.node(first).col)
        } else {
            // The dash and its blanks, as the first item writes them.
            let line_start = text[..first_span.start].rfind('\n').map_or(0, |i| i + 1);
            text[line_start..first_span.start].to_string()
        };
        let at = line_end(text, y.node(id).span.end);
        let mut s = String::new();
        for (k, v) in missing {
            if is_map {
                s.push_str(&format!("\n{prefix}{k}: {}", yaml_string(v)));
            } else {
                s.push_str(&format!("\n{prefix}{k}={v}"));
            }
        }
        return Some(Edit { span: Span::empty_at(at), replacement: s });
    }
    None
}

/// The anchor name of the environment block a service inherits through a merge, when the
/// block has one (`environment: &airflow-common-env` in the merged mapping).
fn inherited_env_anchor<'t>(text: &'t str, y: &Yaml, service: &Service) -> Option<&'t str> {
    let Kind::Map(own) = &y.node(service.node).kind else { return None };
    // `environment: *alias` written in the service is PF214's: one block, edited by hand.
    if y.node(service.node).flow_end.is_some() || own.iter().any(|(k, _)| y.str(*k) == Some("environment")) {
        return None;
    }
    let env = y.resolve(y.get(service.node, "environment")?);
    if !matches!(y.node(env).kind, Kind::Map(_)) {
        return None;
    }
    // The block's span starts at its anchor (`&airflow-common-env`).
    let word = text[y.node(env).span.start..].split(char::is_whitespace).next()?;
    word.strip_prefix('&').filter(|name| !name.is_empty())
}

/// A new `environment` block for a service that has none (or an empty one); `merge`: the
/// anchor of a block it inherits, merged first.
fn new_env_block(
    text: &str,
    y: &Yaml,
    service: &Service,
    missing: &[&(String, String)],
    merge: Option<&str>,
) -> Option<Edit> {
    // No environment (or an empty one): add a block after the service's last line.
    let svc = y.node(service.node);
    let Kind::Map(pairs) = &svc.kind else {
        return None;
    };
    let &(first_key, _) = pairs.first()?;
    if let Some(close) = svc.flow_end {
        let items: Vec<String> = missing.iter().map(|(k, v)| format!("{k}: {}", yaml_string(v))).collect();
        return Some(Edit {
            span: Span::empty_at(close),
            replacement: format!(", environment: {{{}}}", items.join(", ")),
        });
    }
    let key_indent = " ".repeat(y.node(first_key).col);
    let step = y.node(first_key).col.saturating_sub(indent_of_line(text, service.key_span.start).len()).max(2);
    let inner = format!("{key_indent}{}", " ".repeat(step));
    // An existing `environment:` with no value: write the entries under it.
    let empty_env = pairs.iter().find(|(k, _)| y.str(*k) == Some("environment"));
    let (at, mut s) = match empty_env {
        Some((k, _)) => (line_end(text, y.node(*k).span.end), String::new()),
        None => (line_end(text, svc.span.end), format!("\n{key_indent}environment:")),
    };
    if let Some(anchor) = merge {
        s.push_str(&format!("\n{inner}<<: *{anchor}"));
    }
    for (k, v) in missing {
        s.push_str(&format!("\n{inner}{k}: {}", yaml_string(v)));
    }
    Some(Edit { span: Span::empty_at(at), replacement: s })
}
