//! PF121: the same key twice in a URL's query.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::conn::Form;
use crate::fix::UrlAction;
use crate::knowledge::drivers::PoolHome;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF121",
    scope: Scope::Url,
    name: "duplicate-parameter",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "A key appears twice in the URL: SQLAlchemy hands the driver both values at once, and libpq silently keeps the last.",
    fix_title: "Keep one of them",
    what: "Finds a query key written more than once (`…?sslmode=require&connect_timeout=10&sslmode=disable`), typically from appending parameters to a URL that already had some.",
    why: "SQLAlchemy's URL parser turns a repeated key into a tuple and passes it to the driver as one value, which the driver refuses: psycopg2 `invalid sslmode value: \"('require', 'disable')\"`, psycopg 3 `bad value for connect_timeout: \"('5', '10')\"` (measured with SQLAlchemy 2.1.9). libpq itself (psql, a URL handed to psycopg2 directly) keeps the last value without a word, so the two programs reading the same URL connect differently.",
    example: "```text\npostgresql+psycopg2://…/postgres?sslmode=require&connect_timeout=10&sslmode=disable\n```",
    instead: "```text\npostgresql+psycopg2://…/postgres?connect_timeout=10&sslmode=disable\n```",
    fix_safety: "Review: poolfix keeps the last value, the one libpq uses today; check it is the one you meant.",
    references: &[
        ("SQLAlchemy URL query (repeated keys become tuples)", "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.engine.URL.query"),
        ("libpq connection URIs", "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let params = &ctx.conn.params;
    for (i, p) in params.iter().enumerate() {
        let key = ctx.slice(p.key);
        let Some(last) = params.iter().rposition(|q| ctx.slice(q.key) == key) else { continue };
        if last == i || params[..i].iter().any(|q| ctx.slice(q.key) == key) {
            continue; // reported once, at its first occurrence
        }
        let values: Vec<&str> =
            params.iter().filter(|q| ctx.slice(q.key) == key).map(|q| q.value.map_or("", |v| ctx.slice(v))).collect();
        let kept = values.last().copied().unwrap_or("");
        let through_sqlalchemy = ctx.driver.pool == PoolHome::SqlAlchemy && ctx.conn.form == Form::Uri;
        if !through_sqlalchemy && values.iter().all(|v| *v == kept) {
            continue; // libpq keeps the last, which says the same
        }
        let effect = if through_sqlalchemy {
            let tuple = format!("({})", values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", "));
            let passes = format!("SQLAlchemy hands {} both values as one, `{tuple}`", ctx.driver.name);
            match ctx.driver.values.iter().find(|c| c.key == key) {
                // The driver quotes the value as Python's repr() does: in "…" when it holds a `'`.
                Some(check) => format!(
                    "{passes}, which it refuses: {}",
                    check.error.replace("'{value}'", "\"{value}\"").replace("{value}", &tuple)
                ),
                None => passes,
            }
        } else {
            format!("libpq uses the last one (`{key}={kept}`) and ignores the rest")
        };
        let mut fix = Fix::new(format!("Keep only `{key}={kept}`"), Applicability::Review);
        for (j, q) in params.iter().enumerate().take(last) {
            if ctx.slice(q.key) == key {
                fix = fix.action(UrlAction::RemoveParam(j));
            }
        }
        out.push(
            Finding::new(&DOC, format!("`{key}` is given {} times: {effect}", values.len()), p.span).with_fix(fix),
        );
    }
}
