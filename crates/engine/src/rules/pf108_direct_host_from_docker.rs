//! PF108: the direct host (IPv6) used from a container.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::knowledge::endpoints::EndpointKind;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF108",
    scope: Scope::Url,
    name: "direct-host-from-docker",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary:
        "`db.<ref>.supabase.co` is IPv6-only unless you have the IPv4 add-on; Docker networks are usually IPv4-only.",
    fix_title: "Use the shared pooler's session endpoint",
    what: "Finds direct connections (`db.<ref>.supabase.co:5432`) from a service that runs in a container.",
    why: "The direct host resolves only to an IPv6 address unless the project has the IPv4 add-on. Docker's default networks have no IPv6, so the container cannot resolve or reach the host while the same URL works from a laptop.",
    example: "```text\npostgresql+psycopg2://postgres:${DB_PASSWORD}@db.abcdefghijklmnopqrst.supabase.co:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-<region>.pooler.supabase.com:5432/postgres\n```\nwith the host copied from the Connect panel. Keep the direct host for migrations from an IPv6 network.",
    fix_safety: "Manual: the pooler host's `aws-N-<region>` cannot be derived from the project ref; copy it from the dashboard.",
    references: &[("Connecting to Postgres", "https://supabase.com/docs/guides/database/connecting-to-postgres")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if ctx.endpoint != EndpointKind::Direct || !ctx.options.in_container {
        return;
    }
    let Some(host) = ctx.conn.hosts.first() else {
        return;
    };
    let user = match &ctx.project_ref {
        Some(r) => format!("postgres.{r}"),
        None => "postgres.<project-ref>".into(),
    };
    out.push(
        Finding::new(
            &DOC,
            "the direct host is IPv6-only without the IPv4 add-on, and Docker networks are usually IPv4-only: the container may not reach it",
            host.host,
        )
        .with_fix(Fix::new("Use the shared pooler's session endpoint", Applicability::Manual).note(format!(
            "Copy the Session pooler host (aws-N-<region>.pooler.supabase.com) from the dashboard's Connect panel, keep port 5432, and use the user `{user}`."
        ))),
    );
}
