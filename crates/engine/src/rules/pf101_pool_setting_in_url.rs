//! PF101: SQLAlchemy pool settings written into the URL.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::drivers::{self, Verdict};
use crate::knowledge::services::env_for_key;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF101",
    scope: Scope::Url,
    name: "pool-setting-in-url",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "A `create_engine()` pool setting such as `pool_size` is in the URL; every driver refuses it and the service does not start.",
    fix_title: "Remove it from the URL and set it where the service reads it",
    what: "Finds `pool_size`, `max_overflow`, `pool_timeout`, `pool_recycle`, `pool_pre_ping` and other SQLAlchemy pool arguments in a URL's query.",
    why: "SQLAlchemy passes every query key to the driver's `connect()`. Pool settings are `create_engine()` arguments, so the driver refuses them: psycopg2 with `invalid dsn: invalid connection option \"pool_size\"`, asyncpg with `TypeError: connect() got an unexpected keyword argument 'pool_size'`. MLflow then retries for about 105 s and exits 1; Prefect 3 exits 3; Prefect 2 exits 0 after `Application startup failed`.",
    example: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0\n```",
    instead: "Remove the keys and set the pool where the service reads it: `MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=1` and `MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=1` for MLflow (it ignores 0), `PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=1` and `…_MAX_OVERFLOW=0` for Prefect 3.1+, `create_engine(url, pool_size=1, max_overflow=1)` in your own code.",
    fix_safety: "Review: the key is removed and its value moved to the service's environment variable, corrected for the tool's traps (MLflow ignores 0; −1 means unlimited). For your own SQLAlchemy code the value must be set in `create_engine()` by hand.",
    references: &[
        ("SQLAlchemy engine configuration", "https://docs.sqlalchemy.org/en/20/core/engines.html"),
        ("MLflow environment variables", "https://github.com/mlflow/mlflow/blob/master/mlflow/environment_variables.py"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    for (i, p) in ctx.conn.params.iter().enumerate() {
        let key = ctx.slice(p.key);
        if !drivers::POOL_KEYS.contains(&key) {
            continue;
        }
        let consequence = match drivers::verdict(ctx.driver, key) {
            Verdict::Refused(e) => format!("refuses it and the service will not start: {e}"),
            Verdict::Ignored => "ignores it in the URL: it limits nothing".to_string(),
            _ => "refuses it and the service will not start".to_string(),
        };
        let value = p.value.map(|v| ctx.slice(v)).unwrap_or("");
        let mut fix =
            Fix::new(format!("Remove `{key}` from the URL"), Applicability::Review).action(UrlAction::RemoveParam(i));
        match env_for_key(ctx.service, key, value) {
            Some((name, v)) => fix = fix.env(name, v),
            None if ctx.service.uses_sqlalchemy() => {
                fix =
                    fix.note(format!("Set `{key}` in create_engine() instead, e.g. create_engine(url, {key}={value})"))
            }
            // The program's own home for it (Django's pool options in settings.py).
            None => {
                if let Some(how) = ctx.driver.in_code_for(key) {
                    fix = fix.note(format!("Set it where {} reads it: {how}", ctx.driver.name));
                }
            }
        }
        out.push(
            Finding::new(
                &DOC,
                format!(
                    "`{key}` is a create_engine() setting, not a connection option: {} {consequence}",
                    ctx.driver.name
                ),
                p.span,
            )
            .with_fix(fix),
        );
    }
}
