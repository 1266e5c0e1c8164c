//! PF220: the release the file runs reads no pool setting, so its pool cannot be lowered.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF220",
    scope: Scope::Service,
    name: "pool-fixed-by-release",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "This release of the tool reads no pool setting: its pool stays at SQLAlchemy's default until you upgrade.",
    fix_title: "Upgrade to the release that reads the pool settings",
    what: "Reports a service whose image tag names a release that creates its engine without pool arguments and reads no variable for them (Prefect before 2.12), when a later release of the same tool does.",
    why: "The server holds up to SQLAlchemy's 5 + 10 connections whatever you write: `PREFECT_SQLALCHEMY_POOL_SIZE` in a Prefect 2.7 file is silently ignored, and pool keys in the URL reach asyncpg, which refuses them. poolfix counts the full default against the pooler and offers only the plans that work without lowering it.",
    example: "```yaml\norion:\n  image: prefecthq/prefect:2.7.6-python3.11\n  environment:\n    PREFECT_SQLALCHEMY_POOL_SIZE: \"1\"\n```",
    instead: "```yaml\nprefect-server:\n  image: prefecthq/prefect:2.20.27-python3.11\n  environment:\n    PREFECT_SQLALCHEMY_POOL_SIZE: \"1\"\n    PREFECT_SQLALCHEMY_MAX_OVERFLOW: \"0\"\n```",
    fix_safety: "Manual: an upgrade runs the tool's database migrations; take a backup and read its release notes first.",
    references: &[("Prefect 2.12.0 release notes", "https://github.com/PrefectHQ/prefect/releases/tag/2.12.0")],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::services::{PoolModel, SERVICES};
use crate::knowledge::version_label;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some(until) = s.kind.versions.1 else {
        return;
    };
    if !matches!(s.kind.pool, PoolModel::DefaultOnly { .. }) || s.urls.is_empty() {
        return;
    }
    // The entry of the same tool for the releases that follow, if it reads pool settings.
    let next = SERVICES.iter().find(|k| k.kind == s.kind.kind && k.versions.0 == until);
    let Some(settings) = next.and_then(|k| k.settings()) else {
        return;
    };
    let from = version_label(until);
    // An unknown version was placed here by names only these releases have (`orion`).
    let release = match s.version {
        Some(v) => format!("{} {}", s.kind.name, version_label(v)),
        None => format!("{} before {from} (as the names it uses say)", s.kind.name),
    };
    let message = format!(
        "{release} reads no pool setting: it holds SQLAlchemy's default pool (5 + 10) whatever the file says; {} and {} arrive in {from}",
        settings.pool_size, settings.max_overflow
    );
    let note = format!(
        "Upgrade the image to {from} or later, then run poolfix again: it writes the smallest pool that works."
    );
    out.push(
        Finding::new(&DOC, message, s.key_span).with_fix(
            Fix::new(format!("Upgrade to {} {from} or later", s.kind.name), Applicability::Manual).note(note),
        ),
    );
}
