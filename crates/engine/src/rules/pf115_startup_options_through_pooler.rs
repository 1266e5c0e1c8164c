//! PF115: the `options` startup parameter through a pooler.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::endpoints::{EndpointKind, PoolMode};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF115",
    scope: Scope::Url,
    name: "startup-options-through-pooler",
    severity: Severity::Warning,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "`options=-c …` does not survive a transaction pooler, and PgBouncer refuses it outright.",
    fix_title: "Remove `options` and set the parameter on the role instead",
    what: "Finds an `options` key in a URL that goes through the dedicated PgBouncer or a transaction-mode pooler.",
    why: "PgBouncer refuses the connection: `unsupported startup parameter: options` (measured). In transaction mode, session settings do not stay with a client, so a `search_path` or `statement_timeout` set this way applies to whichever client gets that server connection next.",
    example: "```text\npostgresql+psycopg2://postgres:${DB_PASSWORD}@db.<ref>.supabase.co:6543/postgres?options=-csearch_path%3Dapp\n```",
    instead: "Set the parameter on the role, once: `alter role postgres set search_path = app;`",
    fix_safety: "Review: removing the key changes the session's settings; set them on the role before you roll out.",
    references: &[("PgBouncer features", "https://www.pgbouncer.org/features.html")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let through_pooler = ctx.endpoint == EndpointKind::DedicatedPooler || ctx.mode == PoolMode::Transaction;
    if !through_pooler || !ctx.driver.libpq {
        return;
    }
    for (i, p) in ctx.conn.params.iter().enumerate().filter(|(_, p)| ctx.slice(p.key) == "options") {
        out.push(
            Finding::new(&DOC, "`options` is refused by PgBouncer and not kept per client in transaction mode: set the parameter on the role instead", p.span)
                .with_fix(
                    Fix::new("Remove `options` from the URL", Applicability::Review)
                        .action(UrlAction::RemoveParam(i))
                        .note("Set it on the role instead: alter role <user> set <parameter> = <value>;"),
                ),
        );
    }
}
