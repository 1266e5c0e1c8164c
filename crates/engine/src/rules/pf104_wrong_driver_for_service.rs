//! PF104: the scheme names no driver, or the wrong one, for the service.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF104",
    scope: Scope::Url,
    name: "wrong-driver-for-service",
    severity: Severity::Error,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The URL does not name the driver the service needs.",
    fix_title: "Name the right driver in the scheme",
    what: "MLflow needs `postgresql+psycopg2://`; the Prefect server needs `postgresql+asyncpg://`; psql and other libpq tools need a scheme without `+driver`.",
    why: "MLflow 3.17 installs SQLAlchemy 2.1, which maps a bare `postgresql://` to psycopg 3: with only psycopg2 installed the server fails with `ModuleNotFoundError: No module named 'psycopg'`. Prefect's server only works with asyncpg. libpq does not know `postgresql+psycopg2://` at all.",
    example: "```text\npostgresql://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres   # for MLflow\n```",
    instead: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    fix_safety: "Safe for Prefect and libpq tools. For MLflow the image must have psycopg2 (`psycopg2-binary`) installed; the official image has no Postgres driver at all.",
    references: &[
        ("SQLAlchemy PostgreSQL dialects", "https://docs.sqlalchemy.org/en/20/dialects/postgresql.html"),
        ("Prefect self-hosting", "https://docs.prefect.io/v3/advanced/self-hosted"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let (Some(scheme), Some(dialect)) = (ctx.conn.scheme, ctx.conn.dialect) else {
        return;
    };
    if ctx.slice(dialect).eq_ignore_ascii_case("postgres") && ctx.service.uses_sqlalchemy() {
        return; // PF103 replaces the whole scheme
    }
    let (target, message) = if !ctx.service.uses_sqlalchemy() {
        if ctx.conn.driver.is_none() {
            return;
        }
        (
            ctx.driver.scheme.to_string(),
            format!("libpq tools do not understand `{}://`; the driver part is for SQLAlchemy only", ctx.slice(scheme)),
        )
    } else {
        let Some((d, why)) = ctx.service.driver.filter(|(d, _)| ctx.written_driver != Some(*d)) else {
            return;
        };
        let why = match ctx.conn.driver {
            None if !why.is_empty() => why.to_string(),
            None => format!("without a driver SQLAlchemy picks its default; {} needs {}", ctx.service.label, d.name),
            Some(w) => format!("{} needs {}, not `{}`", ctx.service.label, d.name, ctx.slice(w)),
        };
        (d.scheme.to_string(), format!("use `{}://`: {why}", d.scheme))
    };
    out.push(
        Finding::new(&DOC, message, scheme).with_fix(
            Fix::new(format!("Use `{target}://`"), Applicability::Safe)
                .action(UrlAction::Replace { span: scheme, with: target }),
        ),
    );
}
