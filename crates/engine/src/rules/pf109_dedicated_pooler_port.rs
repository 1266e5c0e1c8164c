//! PF109: port 6543 on the direct host is the dedicated PgBouncer, not Supavisor.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::knowledge::endpoints::EndpointKind;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF109",
    scope: Scope::Url,
    name: "dedicated-pooler-port",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary:
        "`db.<ref>.supabase.co:6543` is the dedicated PgBouncer: transaction mode only, IPv6, no prepared statements.",
    fix_title: "Use the shared pooler host if you meant Supavisor",
    what: "Finds URLs that changed only the port of the direct host to 6543.",
    why: "That lands on the dedicated PgBouncer of paid plans, not on Supavisor: it is transaction-only, does not support prepared statements, and is reached over IPv6 unless you have the add-on — none of which the switch was meant to bring.",
    example: "```text\npostgresql+asyncpg://postgres:${DB_PASSWORD}@db.abcdefghijklmnopqrst.supabase.co:6543/postgres\n```",
    instead: "```text\npostgresql+asyncpg://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-<region>.pooler.supabase.com:6543/postgres\n```",
    fix_safety: "Manual: whether the dedicated pooler is wanted is your call, and the shared pooler's host must be copied from the dashboard.",
    references: &[("Connecting to Postgres", "https://supabase.com/docs/guides/database/connecting-to-postgres")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if ctx.endpoint != EndpointKind::DedicatedPooler {
        return;
    }
    let Some(port) = ctx.conn.hosts.first().and_then(|h| h.port) else {
        return;
    };
    out.push(
        Finding::new(&DOC, "port 6543 on the direct host is the dedicated PgBouncer (transaction mode only, IPv6), not the shared Supavisor pooler", port)
            .with_fix(Fix::new("Use the shared pooler host if you meant Supavisor", Applicability::Manual).note(
                "For Supavisor, copy the Transaction pooler host and user (postgres.<project-ref>) from the dashboard's Connect panel.",
            )),
    );
}
