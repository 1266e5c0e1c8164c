//! PF204: MLflow silently ignores a pool setting of 0.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF204",
    scope: Scope::Service,
    name: "zero-pool-setting-ignored",
    severity: Severity::Error,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "MLflow applies its pool variables only when truthy: 0 is ignored and SQLAlchemy's 5 + 10 apply.",
    fix_title: "Use 1",
    what: "Finds `MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=0` or `MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=0`.",
    why: "`mlflow/store/db/utils.py` passes the variables to `create_engine()` only when they are truthy. Measured on 3.17.2: with `MAX_OVERFLOW=0` the log showed `pool options {'pool_size': 1}` and the server held 9 connections under a burst.",
    example: "```yaml\nMLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: \"0\"\n```",
    instead: "```yaml\nMLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: \"1\"\n```",
    fix_safety: "Safe: 1 is the smallest value MLflow honours.",
    references: &[("mlflow store/db/utils.py", "https://github.com/mlflow/mlflow/blob/master/mlflow/store/db/utils.py")],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::services::{DEFAULT_OVERFLOW, DEFAULT_POOL};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some(table) = s.kind.settings().filter(|t| t.zero_ignored) else {
        return;
    };
    for name in [table.pool_size, table.max_overflow] {
        let Some(e) = s.env(name).filter(|e| e.value.trim() == "0") else {
            continue;
        };
        out.push(
            Finding::new(
                &DOC,
                format!(
                    "{} ignores `{name}=0` and falls back to SQLAlchemy's default ({DEFAULT_POOL} + {DEFAULT_OVERFLOW}): use 1",
                    s.kind.name
                ),
                e.value_span.unwrap_or(s.key_span),
            )
            .with_fix(Fix::new("Use 1", Applicability::Safe).env(name, "1")),
        );
    }
}
