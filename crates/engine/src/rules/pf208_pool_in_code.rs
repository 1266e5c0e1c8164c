//! PF208: a service whose pool lives in code poolfix cannot see.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF208",
    scope: Scope::Service,
    name: "pool-in-code",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "This service sets its pool in code; poolfix assumes SQLAlchemy's defaults (5 + 10 per process).",
    fix_title: "Set pool_size and max_overflow in create_engine()",
    what: "Reports each service with a database URL that is not MLflow or Prefect, with the assumption used for its budget.",
    why: "`create_engine(url)` without arguments keeps up to 5 idle and 10 overflow connections per process; gunicorn, uvicorn and Celery multiply that by their process count, and replicas multiply again.",
    example: "```python\nengine = create_engine(DATABASE_URL)\n```",
    instead: "```python\nengine = create_engine(DATABASE_URL, pool_size=1, max_overflow=1, pool_pre_ping=True)\n```",
    fix_safety: "Manual: the change is in your code. The budget after assumes you make it.",
    references: &[("SQLAlchemy pooling", "https://docs.sqlalchemy.org/en/20/core/pooling.html")],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::services::{PoolModel, DEFAULT_OVERFLOW, DEFAULT_POOL};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    // A program that uses one connection at a time gains nothing from smaller pool settings.
    if !matches!(s.kind.pool, PoolModel::Code) || s.kind.concurrency.is_some() || s.urls.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            &DOC,
            format!(
                "{}'s pool is set in its code: poolfix assumes {DEFAULT_POOL} + {DEFAULT_OVERFLOW} per process × {} ({})",
                s.name, s.processes.value, s.processes.source
            ),
            s.key_span,
        )
        .with_fix(
            Fix::new("Set pool_size=1, max_overflow=1 in create_engine()", Applicability::Manual)
                .note("See the create_engine() snippet for this service."),
        ),
    );
}
