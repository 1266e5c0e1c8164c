//! PF103: `postgres://` given to SQLAlchemy.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF103",
    scope: Scope::Url,
    name: "postgres-scheme",
    severity: Severity::Error,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "SQLAlchemy 1.4 and later refuse the `postgres://` scheme.",
    fix_title: "Use `postgresql+<driver>://`",
    what: "Finds URLs that start with `postgres://` (or `postgres+driver://`) used by a SQLAlchemy service.",
    why: "SQLAlchemy removed the `postgres` alias in 1.4: the service fails with `Can't load plugin: sqlalchemy.dialects:postgres`. libpq tools such as psql accept both spellings, which is why the URL worked when you tested it by hand.",
    example: "```text\npostgres://postgres:${DB_PASSWORD}@db.<ref>.supabase.co:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres:${DB_PASSWORD}@db.<ref>.supabase.co:5432/postgres\n```",
    fix_safety: "Safe: only the scheme changes, to the driver the service needs (or the one already named).",
    references: &[("SQLAlchemy 1.4 changelog", "https://docs.sqlalchemy.org/en/14/changelog/changelog_14.html")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let (Some(scheme), Some(dialect)) = (ctx.conn.scheme, ctx.conn.dialect) else {
        return;
    };
    if !ctx.service.uses_sqlalchemy() || !ctx.slice(dialect).eq_ignore_ascii_case("postgres") {
        return;
    }
    let target = match (ctx.service.required_driver(), ctx.written_driver) {
        (Some(d), _) | (None, Some(d)) => d.scheme.to_string(),
        (None, None) => match ctx.conn.driver {
            Some(d) => format!("postgresql+{}", ctx.slice(d)),
            None => ctx.service.installed_driver.map_or("postgresql", |d| d.scheme).to_string(),
        },
    };
    out.push(
        Finding::new(&DOC, "SQLAlchemy does not accept `postgres://`: the service fails with `Can't load plugin: sqlalchemy.dialects:postgres`", scheme)
            .with_fix(
                Fix::new(format!("Use `{target}://`"), Applicability::Safe)
                    .action(UrlAction::Replace { span: scheme, with: target }),
            ),
    );
}
