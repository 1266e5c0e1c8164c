//! PF105: a libpq URL without `connect_timeout`.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::span::Span;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF105",
    scope: Scope::Url,
    name: "missing-connect-timeout",
    severity: Severity::Warning,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Without `connect_timeout` a libpq connection attempt can hang for minutes.",
    fix_title: "Add `connect_timeout=10`",
    what: "Finds URLs for psycopg2, psycopg 3 or libpq tools without a `connect_timeout` key.",
    why: "libpq waits for the operating system's TCP timeout by default. When the pooler is unreachable or full, workers hang instead of failing fast, health checks time out, and a rollout stalls without an error to read.",
    example: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?connect_timeout=10\n```",
    fix_safety: "Safe: libpq accepts `connect_timeout` (minimum 2 s). asyncpg refuses it in the URL, so for asyncpg services poolfix sets the timeout in the environment instead (Prefect) or leaves it to `connect_args`.",
    references: &[("libpq connect_timeout", "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT")],
};

/// Whether this rule adds `connect_timeout` to the URL (PF123 asks, for the async URL).
pub fn applies(ctx: &UrlCtx) -> bool {
    // `timeout` is respelled to connect_timeout by PF102. A program that hands the URL to
    // asyncpg too, with no separate URL for it (Airflow 3.0), would fail there on the key (PF123).
    ctx.driver.libpq
        && ctx.conn.param("connect_timeout", ctx.text).is_none()
        && ctx.conn.param("timeout", ctx.text).is_none()
        && !ctx.keys_reach_async_engine()
}

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if !applies(ctx) {
        return;
    }
    out.push(
        Finding::new(
            &DOC,
            "no connect_timeout: a connection attempt to an unreachable or full pooler can hang for minutes",
            Span::empty_at(ctx.conn.end()),
        )
        .with_fix(
            Fix::new("Add `connect_timeout=10`", Applicability::Safe)
                .action(UrlAction::AddParam { key: "connect_timeout".into(), value: "10".into() }),
        ),
    );
}
