//! PF107: a shared-pooler URL whose user lacks the project ref.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF107",
    scope: Scope::Url,
    name: "pooler-user-without-ref",
    severity: Severity::Error,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The shared pooler needs the user as `postgres.<project-ref>`.",
    fix_title: "Write the user as `<role>.<project-ref>`",
    what: "Finds URLs to `*.pooler.supabase.com` whose user name has no `.<ref>` part (or no user at all).",
    why: "Supavisor serves many projects and finds yours from the user name. Without the ref the connection fails with `Tenant or user not found` (newer versions: `(ENOTFOUND) tenant/user … not found`).",
    example: "```text\npostgresql://postgres:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    fix_safety: "Manual: the ref is not in the URL. Copy the user and host from the dashboard's Connect panel.",
    references: &[("Tenant or user not found", "https://supabase.com/docs/guides/troubleshooting/tenant-or-user-not-found")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if !ctx.endpoint.is_shared_pooler() {
        return;
    }
    let span = match ctx.conn.user {
        Some(u) if ctx.conn.has_placeholder(u) => return,
        Some(u) if ctx.slice(u).contains('.') => return,
        Some(u) => u,
        None => ctx.conn.host_list,
    };
    out.push(
        Finding::new(
            &DOC,
            "the shared pooler needs the user as `postgres.<project-ref>`; without it the connection fails with `Tenant or user not found`",
            span,
        )
        .with_fix(
            Fix::new("Write the user as `postgres.<project-ref>`", Applicability::Manual)
                .note("Copy the user name from the dashboard's Connect panel (Session pooler); it ends with your 20-letter project ref."),
        ),
    );
}
