//! PF110: a driver that prepares statements, through a transaction pooler, without the cure.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::drivers::Driver;
use crate::knowledge::endpoints::PoolMode;
use crate::knowledge::services::Transaction;
use crate::knowledge::{version_label, Version};
use crate::span::Span;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF110",
    scope: Scope::Url,
    name: "prepared-statements-in-transaction-mode",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary:
        "asyncpg, psycopg 3, postgres.js and Prisma 6 prepare statements; through a transaction pooler that fails or returns wrong results.",
    fix_title: "Turn statement caching off, or stay in session mode",
    what: "Finds asyncpg, psycopg 3, postgres.js or Prisma 6 connections through a transaction-mode pooler (Supavisor on 6543, or the dedicated PgBouncer) without the setting that stops prepared statements.",
    why: "A transaction pooler hands each transaction whatever server connection is free, but a prepared statement lives on one server connection. Measured through a transaction pooler: with asyncpg's defaults about 56 % of transactions failed with `prepared statement \"__asyncpg_stmt_…__\" does not exist` or `already exists`, and some **silently returned another statement's result**; psycopg 3 failed about 4 %. Prefect 3 without the setting: 32 of 60 requests succeeded. postgres.js 3.4.9 with its defaults, 300 queries at once through a transaction PgBouncer with 2 server connections: `prepared statement \"…\" does not exist`, and some queries never answered; with `prepare=false&max_pipeline=0` all 300 did; queries without parameters, which postgres.js pipelines, needed `max_pipeline=0` too (verify/node_postgres.py). Through Supavisor pipelined queries hang (porsager/postgres#970).",
    example: "```yaml\nPREFECT_SERVER_DATABASE_CONNECTION_URL: postgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?ssl=require\n```",
    instead: "Prefect 3.2.7+: set `PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE=0` and `PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_PREPARED_STATEMENT_CACHE_SIZE=0` (60 of 60 requests then succeeded). Your own code: `connect_args={\"statement_cache_size\": 0}` (asyncpg) or `connect_args={\"prepare_threshold\": None}` (psycopg 3). postgres.js: `?prepare=false&max_pipeline=0` in the URL, or `postgres(url, { prepare: false, max_pipeline: 0 })`. Prisma 6 and earlier: `?pgbouncer=true` (Prisma 7's pg adapter needs nothing). Airflow (its URL or a `db+` result backend): `postgresql+psycopg2://`, a driver its image always installs, which poolfix writes (psycopg 3's cure would need `connect_args` behind `AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS`, an import path). Prefect 2 has no working cure: keep it on the session pooler.",
    fix_safety: "Review: for Prefect 3 the two settings are added to its environment; Prefect's automations (LISTEN) still do not work in transaction mode. For your own code the change is in `create_engine()`, by hand. `?prepared_statement_cache_size=0` in the URL alone was not enough in measurements.",
    references: &[
        ("Supabase: disabling prepared statements", "https://supabase.com/docs/guides/troubleshooting/disabling-prepared-statements-qL8lEL"),
        ("asyncpg PR 1245", "https://github.com/MagicStack/asyncpg/pull/1245"),
        ("PgBouncer features", "https://www.pgbouncer.org/features.html"),
        ("postgres.js: a hung pool through Supavisor", "https://github.com/porsager/postgres/issues/970"),
        ("Prisma and PgBouncer", "https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/pgbouncer"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    // A second engine built from the URL (Airflow's asyncpg one) prepares for the program.
    let second = ctx.service.async_engine.as_ref().is_some_and(|e| e.driver.prepares);
    if ctx.mode != PoolMode::Transaction || !(ctx.driver.prepares || second) {
        return;
    }
    let span = ctx.conn.hosts.first().and_then(|h| h.port).unwrap_or(Span::empty_at(ctx.conn.end()));
    let driver = ctx.driver.name;
    if let (Transaction::ByDriver, Some(_), Some(cure)) =
        (&ctx.service.transaction, ctx.written_driver, installed_cure(ctx))
    {
        return out.push(switch_driver(ctx, cure, span));
    }
    let finding = match &ctx.service.transaction {
        Transaction::WithSettings { note, .. } => {
            let Some(table) = ctx.service.settings() else { return };
            let Some((a, b)) = table.statement_cache else { return };
            if let Some(v) = ctx.options.version.filter(|v| *v < table.statement_cache_since) {
                out.push(too_old(ctx, v, table.statement_cache_since, span));
                return;
            }
            if ctx.env_has(a) && ctx.env_has(b) {
                return;
            }
            Finding::new(&DOC, format!("{driver} prepares statements, which break through a transaction pooler (errors and wrong results): turn {}'s statement caches off", ctx.service.name), span)
                .with_fix(
                    Fix::new("Set both statement-cache settings to 0", Applicability::Review)
                        .env(a, "0")
                        .env(b, "0")
                        .note(*note),
                )
        }
        Transaction::NotCompatible { message, fix, note, .. } => {
            Finding::new(&DOC, *message, span).with_fix(Fix::new(*fix, Applicability::Manual).note(*note))
        }
        _ if !ctx.driver.transaction_keys.is_empty() => match url_cure(ctx, span) {
            Some(finding) => finding,
            None => return,
        },
        _ => {
            let Some(args) = ctx.driver.no_prepare_args else { return };
            let caveat = ctx.driver.no_prepare_caveat.map(|c| format!(" ({c})")).unwrap_or_default();
            let cure = format!("connect_args={args}{caveat}");
            if ctx.written_driver.is_none() && ctx.service.driver.is_none() {
                // PF114 (or PF103) names the driver the image installs, which may not prepare.
                if ctx.service.installed_driver.is_some_and(|d| !d.prepares) {
                    return;
                }
                return out.push(either_driver(ctx, &cure, span));
            }
            // The engine keeps the small pool the snippet and the budget count (NullPool would
            // open a connection per request in flight, with no bound).
            let create = if ctx.driver.is_async { "create_async_engine" } else { "create_engine" };
            Finding::new(
                &DOC,
                format!("{driver} prepares statements, which break through a transaction pooler (errors and wrong results) unless {create}() has {cure}"),
                span,
            )
            .with_fix(Fix::new(format!("Turn prepared statements off in {create}()"), Applicability::Manual).note(format!(
                "{create}(url, pool_size=1, max_overflow=1, {cure}) — poolfix cannot see your code; if it already does this, the finding is satisfied."
            )))
        }
    };
    out.push(finding);
}

/// The driver the service's image always installs, when it never prepares statements, and the
/// span of the driver the URL names (Airflow: psycopg2 instead of psycopg 3, whose cure would
/// need `connect_args` behind an import path).
fn installed_cure(ctx: &UrlCtx) -> Option<(Driver, Span)> {
    // Both read libpq's keys, so the URL's query stays as it is (not so for asyncpg's).
    let d = ctx.service.installed_driver.filter(|d| !d.prepares && d.libpq && ctx.driver.libpq)?;
    Some((d, ctx.conn.driver?))
}

fn switch_driver(ctx: &UrlCtx, (d, at): (Driver, Span), span: Span) -> Finding {
    Finding::new(
        &DOC,
        format!("{} prepares statements, which break through a transaction pooler (errors and wrong results); {} never does, and the image installs it", ctx.driver.name, d.name),
        span,
    )
    .with_fix(
        Fix::new(format!("Use `{}://`", d.scheme), Applicability::Review)
            .action(UrlAction::Replace { span: at, with: d.names[0].to_string() }),
    )
}

/// A driver that reads its cure from the URL (postgres.js's `prepare=false&max_pipeline=0`):
/// each key written there unless the URL already says it.
fn url_cure(ctx: &UrlCtx, span: Span) -> Option<Finding> {
    let mut missing = Vec::new();
    let mut fix = Fix::new("", Applicability::Safe);
    for &(key, value) in ctx.driver.transaction_keys {
        let found = ctx.conn.params.iter().position(|p| ctx.slice(p.key) == key);
        if found.and_then(|i| ctx.conn.params[i].value).map(|v| ctx.slice(v)) == Some(value) {
            continue;
        }
        fix = fix.action(match found {
            Some(index) => UrlAction::RenameParam { index, key: key.into(), value: Some(value.into()) },
            None => UrlAction::AddParam { key: key.into(), value: value.into() },
        });
        missing.push(format!("{key}={value}"));
    }
    if missing.is_empty() {
        return None;
    }
    let (driver, keys) = (ctx.driver.name, missing.join("&"));
    fix.title = format!("Add `{keys}` to the URL");
    Some(
        Finding::new(&DOC, format!("{driver} {}: add `{keys}`", ctx.driver.transaction_why), span).with_fix(
            fix.note(format!("{driver} reads `{keys}` from the URL (poolfix cannot see options set in code).")),
        ),
    )
}

/// `postgresql://` with no driver named: psycopg 3 on SQLAlchemy 2.1 needs the cure, psycopg2 on
/// 2.0 (and most apps that install psycopg2-binary) needs none, and the cure's key would break it.
fn either_driver(ctx: &UrlCtx, cure: &str, span: Span) -> Finding {
    Finding::new(
        &DOC,
        format!("no driver named: with {} (SQLAlchemy 2.1's driver for `postgresql://`) prepared statements break through a transaction pooler unless create_engine() has {cure}; with psycopg2 (SQLAlchemy 2.0's) nothing is needed and that key would be refused", ctx.driver.name),
        span,
    )
    .with_fix(Fix::new("Name the driver, then turn prepared statements off if it is psycopg 3", Applicability::Manual).note(format!(
        "Write postgresql+psycopg2:// or postgresql+psycopg:// (PF114). For psycopg 3: create_engine(url, {cure}). poolfix cannot see your code; if it already does this, the finding is satisfied."
    )))
}

/// A release that has no statement-cache settings: no cure but an upgrade or the session pooler.
fn too_old(ctx: &UrlCtx, version: Version, since: Version, span: Span) -> Finding {
    let (name, v, since) = (ctx.service.name, version_label(version), version_label(since));
    Finding::new(
        &DOC,
        format!("{name} {v} has no statement-cache settings (they arrive in {since}), so {} prepares statements through the transaction pooler: upgrade to {name} {since} or later, or stay on the session pooler", ctx.driver.name),
        span,
    )
    .with_fix(Fix::new("Use the session pooler (port 5432), or upgrade", Applicability::Manual).note(format!(
        "Point {name} at the same pooler host on port 5432 (session mode), or move to {name} {since} or later and set both statement-cache settings to 0."
    )))
}
