//! PF206: a Prefect pool setting that means "unlimited".

use super::{Applicability, RuleDoc, RuleText, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF206",
    name: "unlimited-pool",
    severity: Severity::Error,
    summary: "`MAX_OVERFLOW=-1` or `POOL_SIZE=0` means an unlimited pool in SQLAlchemy.",
    fix_title: "Use `MAX_OVERFLOW=0` and `POOL_SIZE=1`",
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    what: "Finds Prefect pool settings of −1 (overflow) or 0 (pool size).",
    why: "Prefect's help text says −1 prevents overflow, but SQLAlchemy's `QueuePool` reads −1 as no limit, and a pool size of 0 as no limit too: the server can open connections until the pooler refuses them.",
    example: "```yaml\nPREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"-1\"\n```",
    instead: "```yaml\nPREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"0\"\n```",
    fix_safety: "Safe: Prefect honours 0 (measured).",
    references: &[("sqlalchemy pool/impl.py", "https://github.com/sqlalchemy/sqlalchemy/blob/main/lib/sqlalchemy/pool/impl.py")],
};

use super::{Finding, Fix};
use crate::compose::services::Role;
use crate::compose::ServiceCtx;
use crate::knowledge::services::{PREFECT2, PREFECT3};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    if s.role != Role::PrefectServer {
        return;
    }
    for settings in [&PREFECT3, &PREFECT2] {
        for (name, bad, good) in [(settings.max_overflow, "-1", "0"), (settings.pool_size, "0", "1")] {
            let Some(e) = s.env(name).filter(|e| e.value.trim() == bad) else {
                continue;
            };
            out.push(
                Finding::new(
                    &DOC,
                    format!("`{name}={bad}` means unlimited in SQLAlchemy: use {good}"),
                    e.value_span.unwrap_or(s.key_span),
                )
                .with_fix(Fix::new(format!("Use {good}"), Applicability::Safe).env(name, good)),
            );
        }
    }
}
