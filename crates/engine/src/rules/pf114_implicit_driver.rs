//! PF114: a SQLAlchemy URL that leaves the driver to SQLAlchemy's default.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF114",
    scope: Scope::Url,
    name: "implicit-driver",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "A bare `postgresql://` means psycopg 3 in SQLAlchemy 2.1 but psycopg2 in 2.0.",
    fix_title: "Name the driver you installed: `postgresql+psycopg2://`, `+psycopg://` or `+asyncpg://`",
    what: "Finds SQLAlchemy URLs that name no driver (your own services', Airflow's and its Celery result backend's).",
    why: "SQLAlchemy 2.1 changed the default PostgreSQL driver from psycopg2 to psycopg 3. An upgrade then fails with `ModuleNotFoundError: No module named 'psycopg'`, or silently changes driver — and with it prepared-statement behaviour in transaction mode.",
    example: "```text\npostgresql://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    fix_safety: "Manual: only you know which driver your image installs. poolfix checks the keys as for psycopg 3 meanwhile. For a service whose image always installs a driver (Airflow's: psycopg2, which its postgres provider requires), poolfix names that driver (review), as Airflow's Celery provider does itself for the result backend it derives.",
    references: &[("SQLAlchemy PostgreSQL dialects", "https://docs.sqlalchemy.org/en/20/dialects/postgresql.html")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if ctx.service.driver.is_some() || ctx.conn.driver.is_some() || ctx.options.assembled {
        return;
    }
    let Some(scheme) = ctx.conn.scheme else {
        return;
    };
    if let Some(d) = ctx.service.installed_driver {
        // `postgres://` is PF103's, which writes this scheme.
        if ctx.conn.dialect.is_some_and(|s| ctx.slice(s).eq_ignore_ascii_case("postgres")) {
            return;
        }
        return out.push(
            Finding::new(
                &DOC,
                "no driver named: SQLAlchemy 2.1 uses psycopg 3 for postgresql://, 2.0 used psycopg2",
                scheme,
            )
            .with_fix(
                Fix::new(format!("Use `{}://`, which the image installs", d.scheme), Applicability::Review)
                    .action(UrlAction::Replace { span: scheme, with: d.scheme.to_string() }),
            ),
        );
    }
    out.push(
        Finding::new(
            &DOC,
            "no driver named: SQLAlchemy 2.1 uses psycopg 3 for postgresql://, 2.0 used psycopg2",
            scheme,
        )
        .with_fix(
            Fix::new("Name the installed driver in the scheme", Applicability::Manual)
                .note("e.g. postgresql+psycopg2:// when your image installs psycopg2-binary"),
        ),
    );
}
