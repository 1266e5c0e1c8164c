//! PF205: MLflow with NullPool and pool sizes does not start.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF205",
    scope: Scope::Service,
    name: "nullpool-with-pool-sizes",
    severity: Severity::Error,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "`MLFLOW_SQLALCHEMYSTORE_POOLCLASS=NullPool` together with a pool size or overflow stops the server.",
    fix_title: "Use either NullPool or pool sizes",
    what: "Finds MLflow services that set `POOLCLASS=NullPool` and `POOL_SIZE` or `MAX_OVERFLOW`.",
    why: "NullPool takes no size arguments: the server fails with `Invalid argument(s) 'pool_size' sent to create_engine()`. NullPool alone starts, but its connections follow request concurrency with no upper bound.",
    example: "```yaml\nMLFLOW_SQLALCHEMYSTORE_POOLCLASS: NullPool\nMLFLOW_SQLALCHEMYSTORE_POOL_SIZE: \"1\"\n```",
    instead: "Remove `MLFLOW_SQLALCHEMYSTORE_POOLCLASS` and keep `POOL_SIZE=1`, `MAX_OVERFLOW=1` (bounded), or keep only NullPool in transaction mode.",
    fix_safety: "Manual: poolfix does not delete your lines.",
    references: &[("SQLAlchemy pooling", "https://docs.sqlalchemy.org/en/20/core/pooling.html")],
};

use super::{Finding, Fix, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some((table, var)) = s.kind.settings().and_then(|t| Some((t, t.poolclass?))) else {
        return;
    };
    let Some(class) = s.env(var).filter(|e| e.value.contains("NullPool")) else {
        return;
    };
    if s.env(table.pool_size).is_none() && s.env(table.max_overflow).is_none() {
        return;
    }
    out.push(
        Finding::new(
            &DOC,
            format!(
                "NullPool takes no pool size: {} stops with `Invalid argument(s) 'pool_size' sent to create_engine()`",
                s.kind.name
            ),
            class.value_span.unwrap_or(s.key_span),
        )
        .with_fix(Fix::new(format!("Remove {var} (or the sizes)"), Applicability::Manual).note(
            "Keep POOL_SIZE=1 and MAX_OVERFLOW=1 and delete the POOLCLASS line: a bounded pool fits session mode.",
        )),
    );
}
