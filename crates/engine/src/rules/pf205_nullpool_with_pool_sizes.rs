//! PF205: MLflow with NullPool and pool sizes does not start.

use super::{Applicability, RuleDoc, RuleText, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF205",
    name: "nullpool-with-pool-sizes",
    severity: Severity::Error,
    summary: "`MLFLOW_SQLALCHEMYSTORE_POOLCLASS=NullPool` together with a pool size or overflow stops the server.",
    fix_title: "Use either NullPool or pool sizes",
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    what: "Finds MLflow services that set `POOLCLASS=NullPool` and `POOL_SIZE` or `MAX_OVERFLOW`.",
    why: "NullPool takes no size arguments: the server fails with `Invalid argument(s) 'pool_size' sent to create_engine()`. NullPool alone starts, but its connections follow request concurrency with no upper bound.",
    example: "```yaml\nMLFLOW_SQLALCHEMYSTORE_POOLCLASS: NullPool\nMLFLOW_SQLALCHEMYSTORE_POOL_SIZE: \"1\"\n```",
    instead: "Remove `MLFLOW_SQLALCHEMYSTORE_POOLCLASS` and keep `POOL_SIZE=1`, `MAX_OVERFLOW=1` (bounded), or keep only NullPool in transaction mode.",
    fix_safety: "Manual: poolfix does not delete your lines.",
    references: &[("SQLAlchemy pooling", "https://docs.sqlalchemy.org/en/20/core/pooling.html")],
};

use super::{Finding, Fix};
use crate::compose::services::Role;
use crate::compose::ServiceCtx;
use crate::knowledge::services::MLFLOW;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    if s.role != Role::Mlflow {
        return;
    }
    let Some(class) = s.env(MLFLOW.poolclass.unwrap_or_default()).filter(|e| e.value.contains("NullPool")) else {
        return;
    };
    if s.env(MLFLOW.pool_size).is_none() && s.env(MLFLOW.max_overflow).is_none() {
        return;
    }
    out.push(
        Finding::new(
            &DOC,
            "NullPool takes no pool size: MLflow stops with `Invalid argument(s) 'pool_size' sent to create_engine()`",
            class.value_span.unwrap_or(s.key_span),
        )
        .with_fix(
            Fix::new("Remove MLFLOW_SQLALCHEMYSTORE_POOLCLASS (or the sizes)", Applicability::Manual).note(
                "Keep POOL_SIZE=1 and MAX_OVERFLOW=1 and delete the POOLCLASS line: a bounded pool fits session mode.",
            ),
        ),
    );
}
