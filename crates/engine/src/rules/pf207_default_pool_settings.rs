//! PF207: a tool that reads its pool from the environment (MLflow, Prefect, Airflow) left at
//! SQLAlchemy's default pool.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF207",
    scope: Scope::Service,
    name: "default-pool-settings",
    severity: Severity::Warning,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service keeps SQLAlchemy's default pool: 5 connections plus 10 overflow per engine.",
    fix_title: "Set the pool in the service's environment",
    what: "Finds MLflow, Prefect and Airflow processes whose environment does not set the pool size and overflow, and jobs or notebooks whose `MLFLOW_TRACKING_URI` is the database (MLflow's client runs the same store, with the same settings, in their process).",
    why: "Each engine may hold 15 connections; MLflow has two per worker. On a session pool of 15 one service can take it all.",
    example: "```yaml\nprefect-server:\n  environment:\n    PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://…\n```",
    instead: "```yaml\nprefect-server:\n  environment:\n    PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://…\n    PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE: \"1\"\n    PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"0\"\n```",
    fix_safety: "Review: the smallest pools that worked in measurements (MLflow 1 + 1, Prefect 1 + 0; Airflow's scheduler, dag-processor and triggerer 1 + 0, its API server 1 + 9 per worker, `airflow db migrate` 1 + 2); raise them only together with the Supabase pool size. An MLflow client gets `MLFLOW_SQLALCHEMYSTORE_POOLCLASS=NullPool`: it holds a connection only while a call runs (one per engine from a job's one thread).",
    references: &[
        ("MLflow environment variables", "https://github.com/mlflow/mlflow/blob/master/mlflow/environment_variables.py"),
        ("Prefect database settings", "https://github.com/PrefectHQ/prefect/blob/main/src/prefect/settings/models/server/database.py"),
        ("Airflow [database] options", "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#database"),
    ],
};

use super::{Finding, Fix, ServiceCtx};
use crate::knowledge::services::{EnvSettings, DEFAULT_OVERFLOW, DEFAULT_POOL};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some(settings) = s.kind.settings().filter(|_| !s.urls.is_empty()) else {
        return;
    };
    // A service may still read older names (Prefect 3.1+ reads the 2.x ones).
    let has = |pick: fn(&EnvSettings) -> &'static str| {
        s.env(pick(settings)).is_some() || settings.fallback.is_some_and(|f| s.env(pick(f)).is_some())
    };
    let missing_pool = !has(|t| t.pool_size);
    let missing_overflow = !has(|t| t.max_overflow);
    if !missing_pool && !missing_overflow {
        return;
    }
    let class_set = settings.poolclass.and_then(|class| s.env(class));
    if settings.nullpool_fix && class_set.is_some_and(|e| e.value.contains("NullPool")) {
        return; // a client on NullPool has no pool to size
    }
    let nullpool = settings.poolclass.filter(|_| settings.nullpool_fix && class_set.is_none());
    if let (Some(class), true, true) = (nullpool, missing_pool, missing_overflow) {
        // A job or notebook talks to the store now and then: no pool to keep between calls.
        let fix =
            Fix::new("Use NullPool: no connection held between calls", Applicability::Review).env(class, "NullPool");
        let message = format!(
            "{} runs MLflow's database store in its own process, and SQLAlchemy's default pool keeps its connections open for the whole run: with NullPool an idle job holds none",
            s.name
        );
        out.push(Finding::new(&DOC, message, s.key_span).with_fix(fix));
        return;
    }
    let (pool, overflow) = s.kind.smallest_pool(settings);
    let mut fix = Fix::new("Set the smallest pool that works", Applicability::Review);
    if missing_pool {
        fix = fix.env(settings.pool_size, pool.to_string());
    }
    if missing_overflow {
        fix = fix.env(settings.max_overflow, overflow.to_string());
    }
    let unset: Vec<&str> = [(missing_pool, settings.pool_size), (missing_overflow, settings.max_overflow)]
        .into_iter()
        .filter_map(|(missing, name)| missing.then_some(name))
        .collect();
    // With the pool switched off (PF206) the default applies only once the pool is back on.
    let off = settings.pool_switch.and_then(|v| s.env(v)).is_some_and(|e| EnvSettings::switched_off(&e.value));
    let applies = if off { "would apply with the pool back on" } else { "applies" };
    let message = format!(
        "{} not set: SQLAlchemy's default ({DEFAULT_POOL} + {DEFAULT_OVERFLOW} per engine) {applies}",
        unset.join(" and ")
    );
    out.push(Finding::new(&DOC, message, s.key_span).with_fix(fix));
}
