//! PF209: settings may hide in an env_file poolfix has not seen.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF209",
    scope: Scope::Service,
    name: "env-file-not-read",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service reads an `env_file`; paste its content into the .env box so poolfix sees those settings.",
    fix_title: "Paste the env_file's content",
    what: "Reports services with `env_file` when no `.env` text was given.",
    why: "Pool settings and URLs in that file change the budget; without it poolfix assumes they are not set.",
    example: "```yaml\napi:\n  env_file: .env.api\n```",
    instead: "Paste `.env.api` into the checker's .env box, or pass `--env-file .env.api` to `poolfix check`.",
    fix_safety: "Manual.",
    references: &[("Compose env_file", "https://docs.docker.com/reference/compose-file/services/#env_file")],
};

use super::Finding;
use super::ServiceCtx;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    if s.env_files.is_empty() || ctx.env_given {
        return;
    }
    out.push(Finding::new(
        &DOC,
        format!(
            "{} reads {}: paste its content into the .env box so its settings count",
            s.name,
            s.env_files.join(", ")
        ),
        s.key_span,
    ));
}
