//! PF221: the service's URL setting names another store than PostgreSQL, so it holds no
//! connection to the pooler and the pool rules do not apply to it.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF221",
    scope: Scope::Service,
    name: "store-not-postgres",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service's database setting names SQLite, MySQL, local files or another store, not PostgreSQL: it is left out of the budget.",
    fix_title: "Nothing to change, unless the service should use Supabase",
    what: "Reports a service poolfix recognises (MLflow, Prefect, Airflow, …) whose URL setting is another database's URL (`sqlite:///mlflow.db`, `mysql+pymysql://…`), a path (`./mlruns`, `file:/…`) or, for a Celery result backend, `redis://…`. No other service rule runs for it: its pool settings, workers and image drivers do not touch the pooler.",
    why: "Counting such a service would fill the budget with connections that never reach Supabase, and its pool settings would be changed for nothing. MLflow keeps its runs in SQLite (`sqlite:///mlflow.db`, the default from 3.7.0) or local files (`./mlruns`, the default before) unless `--backend-store-uri` names a database.",
    example: "```yaml\nmlflow:\n  image: ghcr.io/mlflow/mlflow:v2.16.0\n  command: mlflow server --backend-store-uri sqlite:///mlflow/mlflow.db\n```",
    instead: "Nothing to change. To keep MLflow's runs in Supabase, set `--backend-store-uri` to its PostgreSQL URL; poolfix then counts the service and fits its pool.",
    fix_safety: "Nothing to fix.",
    references: &[
        ("MLflow backend stores", "https://mlflow.org/docs/latest/self-hosting/architecture/backend-store"),
        ("SQLAlchemy database URLs", "https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls"),
    ],
};

use super::{Finding, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let Some(store) = &ctx.service.store else { return };
    out.push(Finding::new(
        &DOC,
        format!(
            "{} uses {}, not PostgreSQL ({}): it opens no connection to the pooler and is not counted",
            ctx.service.name, store.label, store.why
        ),
        store.anchor,
    ));
}
