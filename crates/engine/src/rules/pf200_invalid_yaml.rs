//! PF200: the compose file is not valid YAML.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF200",
    scope: Scope::File,
    name: "invalid-yaml",
    severity: Severity::Error,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The compose file is not valid YAML; nothing after the error is analysed.",
    fix_title: "Correct the YAML at the marked line and column",
    what: "Reports the first YAML syntax error, with its line and column, or a limit that hostile input reached (nesting depth, node count).",
    why: "docker compose refuses the file too. poolfix does not analyse a partial file as if it were whole: a budget from half the services would be wrong.",
    example: "```yaml\nservices:\n  api:\n    environment: [A=1\n```",
    instead: "```yaml\nservices:\n  api:\n    environment: [A=1]\n```",
    fix_safety: "Manual.",
    references: &[("Compose file reference", "https://docs.docker.com/reference/compose-file/")],
};

use super::Finding;
use crate::span::Span;

/// The finding for a file that does not parse, at the parser's position.
pub fn finding(message: &str, line: usize, column: usize, span: Span) -> Finding {
    Finding::new(&DOC, format!("invalid YAML at line {line}, column {column}: {message}"), span)
}
