//! PF106: a Supabase URL that does not ask for SSL.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::span::Span;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF106",
    scope: Scope::Url,
    name: "missing-ssl",
    severity: Severity::Warning,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The connection to Supabase does not require SSL.",
    fix_title: "Add `sslmode=require` (asyncpg: `ssl=require`)",
    what: "Finds URLs to a Supabase host with neither `sslmode` nor `ssl`.",
    why: "SSL is optional by default, so a client may fall back to an unencrypted connection across the internet, password included. `require` encrypts; `verify-full` with the project's CA certificate also verifies the server.",
    example: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require\n```",
    fix_safety: "Safe: each driver gets its own spelling (`sslmode` for libpq drivers, `ssl` for asyncpg), and Supabase accepts SSL on every endpoint.",
    references: &[("Supabase SSL enforcement", "https://supabase.com/docs/guides/platform/ssl-enforcement")],
};

/// Whether this rule finds the SSL setting missing.
fn missing(ctx: &UrlCtx) -> bool {
    // `sslmode` would break the async engine Airflow 3.0 builds from the URL (PF123); libpq's
    // default, `prefer`, still encrypts against Supabase.
    ctx.endpoint.is_supabase()
        && ctx.conn.param("sslmode", ctx.text).is_none()
        && ctx.conn.param("ssl", ctx.text).is_none()
        && !ctx.keys_reach_async_engine()
}

/// The key and value this rule adds to the URL, if it adds one (PF123 asks, for the async URL).
pub fn added(ctx: &UrlCtx) -> Option<(&'static str, &'static str)> {
    ctx.driver.ssl_key.filter(|_| missing(ctx)).map(|key| (key, ctx.driver.ssl_require))
}

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if !missing(ctx) {
        return;
    }
    let span = Span::empty_at(ctx.conn.end());
    let Some(key) = ctx.driver.ssl_key else {
        let message = format!(
            "no SSL setting, and {} has no URL key for it: the connection to Supabase is not encrypted",
            ctx.driver.name
        );
        let fix = Fix::new("Require SSL in create_engine()", Applicability::Manual).note(ctx.driver.ssl_instead);
        out.push(Finding::new(&DOC, message, span).with_fix(fix));
        return;
    };
    out.push(
        Finding::new(
            &DOC,
            format!(
                "no SSL setting: add `{key}={}` so the connection to Supabase is encrypted",
                ctx.driver.ssl_require
            ),
            span,
        )
        .with_fix(match ctx.driver.assumed {
            Some(note) => Fix::new(format!("Add `{key}={}`", ctx.driver.ssl_require), Applicability::Manual).note(note),
            None => Fix::new(format!("Add `{key}={}`", ctx.driver.ssl_require), Applicability::Safe)
                .action(UrlAction::AddParam { key: key.into(), value: ctx.driver.ssl_require.into() }),
        }),
    );
}
