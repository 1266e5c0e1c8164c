//! PF206: a pool setting that means "unlimited" (Prefect's, MLflow's, Airflow's pool turned off).

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF206",
    scope: Scope::Service,
    name: "unlimited-pool",
    severity: Severity::Error,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "`MAX_OVERFLOW=-1` or `POOL_SIZE=0` means an unlimited pool in SQLAlchemy; Airflow's `SQL_ALCHEMY_POOL_ENABLED=False` has no upper bound either.",
    fix_title: "Use `MAX_OVERFLOW=0` and `POOL_SIZE=1`",
    what: "Finds a negative overflow (MLflow, Prefect, Airflow) or a pool size of 0 (Prefect, Airflow; MLflow drops 0, see PF204), and Airflow's pool turned off (`AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_ENABLED=False`: NullPool, a connection per session, the pool settings ignored).",
    why: "Prefect's help text says −1 prevents overflow, but SQLAlchemy's `QueuePool` reads −1 as no limit, and a pool size of 0 as no limit too: the server can open connections until the pooler refuses them. MLflow passes −1 on unchanged: one worker with pool size 1 held 39 connections under a burst of 40 (MLflow 3.17.2).",
    example: "```yaml\nPREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"-1\"\n```",
    instead: "```yaml\nPREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"0\"\n```",
    fix_safety: "Safe: Prefect honours 0 (measured).",
    references: &[("sqlalchemy pool/impl.py", "https://github.com/sqlalchemy/sqlalchemy/blob/main/lib/sqlalchemy/pool/impl.py")],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::services::EnvSettings;

/// A negative overflow, or a pool size of 0 where the service passes 0 on, is unlimited in
/// SQLAlchemy (`sqlalchemy/pool/impl.py`).
pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    pool_off(ctx, out);
    let mut table = s.kind.settings();
    while let Some(t) = table {
        let overflow = (t.max_overflow, t.min_overflow().to_string(), true);
        let pool = (t.pool_size, "1".to_string(), !t.zero_ignored);
        for (name, good, applies) in [overflow, pool] {
            let Some(e) = s.env(name).filter(|e| applies && is_unlimited(name == t.pool_size, &e.value)) else {
                continue;
            };
            let bad = e.value.trim();
            out.push(
                Finding::new(
                    &DOC,
                    format!("`{name}={bad}` means unlimited in SQLAlchemy: use {good}"),
                    e.value_span.unwrap_or(s.key_span),
                )
                .with_fix(Fix::new(format!("Use {good}"), Applicability::Safe).env(name, good)),
            );
        }
        table = t.fallback;
    }
}

/// Airflow's pool turned off: NullPool in every process (`prepare_engine_args`), whatever the
/// pool settings say; the fix turns it back on, and PF207 sizes it.
fn pool_off(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some(name) = s.kind.settings().and_then(|t| t.pool_switch) else { return };
    let Some(e) = s.env(name).filter(|e| EnvSettings::switched_off(&e.value)) else { return };
    out.push(
        Finding::new(
            &DOC,
            format!(
                "`{name}={}` turns the pool off: every session opens its own connection, with no upper bound",
                e.value.trim()
            ),
            e.value_span.unwrap_or(s.key_span),
        )
        .with_fix(
            Fix::new("Turn the pool on, at the smallest size that works", Applicability::Review).env(name, "True"),
        ),
    );
}

fn is_unlimited(pool_size: bool, value: &str) -> bool {
    let v = value.trim().parse::<i64>();
    if pool_size {
        v == Ok(0)
    } else {
        v.is_ok_and(|v| v < 0)
    }
}
