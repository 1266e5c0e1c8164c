//! PF123: a program that builds a second, async engine from the same URL (Airflow 3), whose
//! driver refuses keys the first one needs.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::knowledge::drivers::{respelling, verdict, Verdict};
use crate::knowledge::services::AsyncEngine;
use crate::span::Span;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF123",
    scope: Scope::Url,
    name: "async-engine-url",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Airflow 3 hands this URL to asyncpg as well, which refuses libpq's `sslmode` and `connect_timeout`.",
    fix_title: "Give the async engine a URL of its own",
    what: "Finds an Airflow 3 API server whose `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN` carries query keys asyncpg refuses (or will, once poolfix adds `connect_timeout`), with no `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC` beside it.",
    why: "Every Airflow 3 process derives an async engine from the URL: the driver becomes asyncpg and the query is kept. asyncpg takes the query as keyword arguments and refuses libpq's: measured on Airflow 3.3.2, `?sslmode=require` leaves the sync engine working and the dag-run wait endpoint failing with `TypeError: connect() got an unexpected keyword argument 'sslmode'` (its answer is a 200 with an empty body). The same happens to the task state store.",
    example: "```yaml\nAIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require\n```",
    instead: "```yaml\nAIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require\nAIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC: postgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require\n```\nMeasured: the wait endpoint then answers `{\"state\": \"success\"}`.",
    fix_safety: "Review: the async URL is the sync one with the driver swapped, `sslmode` written as asyncpg's `ssl`, and the keys asyncpg refuses left out (asyncpg's own connect timeout is 60 s). Airflow 3.0 reads no such variable: there the fix is manual (leave `sslmode` out: libpq and asyncpg still try TLS first, without insisting on it).",
    references: &[
        ("Airflow: the async connection (sql_alchemy_conn_async)", "https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-conn-async"),
        ("asyncpg: sslmode in keyword arguments (MagicStack/asyncpg#737)", "https://github.com/MagicStack/asyncpg/issues/737"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let Some(engine) = &ctx.service.async_engine else { return };
    if ctx.env_has(engine.env) {
        return;
    }
    let refused = |key: &str| matches!(verdict(engine.driver, key), Verdict::Refused(_));
    let added = keys_the_fixes_add(ctx);
    let first_refused = ctx.conn.params.iter().find(|p| refused(ctx.slice(p.key)));
    let (key, span) = match (first_refused, added.iter().find(|(k, _)| refused(k))) {
        (Some(p), _) => (ctx.slice(p.key).to_string(), p.span),
        (None, Some((k, _))) => (k.to_string(), Span::empty_at(ctx.conn.end())),
        (None, None) => return,
    };
    let message = format!(
        "{} also builds an asyncpg engine from this URL, for {}: asyncpg refuses `{key}` (`TypeError: connect() got an unexpected keyword argument '{key}'`)",
        ctx.service.name, engine.used_by
    );
    // Unknown version: as old as the entry holds for (`--for airflow-api-server-3.0`).
    let reads_env = ctx.options.version.unwrap_or(ctx.service.versions.0) >= engine.since;
    let fix = match async_url(ctx, engine, &added) {
        Some(url) if reads_env => {
            Fix::new(format!("Set {} to the URL asyncpg accepts", engine.env), Applicability::Review).env(engine.env, url)
        }
        _ => Fix::new("Leave out the keys asyncpg refuses", Applicability::Manual).note(
            "Airflow 3.0 reads no separate async URL: leave `sslmode` out of the URL (libpq and asyncpg still try TLS first) or upgrade to 3.1 or later.",
        ),
    };
    out.push(Finding::new(&DOC, message, span).with_fix(fix));
}

/// The keys PF105 and PF106 add to this URL (`connect_timeout`, `sslmode`), with their values.
fn keys_the_fixes_add(ctx: &UrlCtx) -> Vec<(&'static str, &'static str)> {
    let timeout = super::pf105_missing_connect_timeout::applies(ctx).then_some(("connect_timeout", "10"));
    timeout.into_iter().chain(super::pf106_missing_ssl::added(ctx)).collect()
}

/// The URL with asyncpg as its driver, `sslmode` respelled and the keys asyncpg refuses left out.
fn async_url(ctx: &UrlCtx, engine: &AsyncEngine, added: &[(&str, &str)]) -> Option<String> {
    let scheme = ctx.conn.scheme?;
    let query_start = ctx.conn.params.first().map_or(ctx.conn.end(), |p| p.span.start);
    let base = ctx.text.get(scheme.end..query_start)?.trim_end_matches(['?', '&']);
    let written = ctx.conn.params.iter().map(|p| (ctx.slice(p.key), p.value.map_or("", |v| ctx.slice(v))));
    let kept: Vec<String> = written
        .chain(added.iter().copied())
        .filter_map(|(key, value)| match verdict(engine.driver, key) {
            Verdict::Refused(_) => respelling(engine.driver, key).map(|to| format!("{to}={value}")),
            _ => Some(format!("{key}={value}")),
        })
        .collect();
    let query = if kept.is_empty() { String::new() } else { format!("?{}", kept.join("&")) };
    Some(format!("postgresql+{}{base}{query}", engine.driver.names[0]))
}
