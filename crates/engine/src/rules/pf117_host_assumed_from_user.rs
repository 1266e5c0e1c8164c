//! PF117: the host is an unresolved variable; the pooler user says which endpoint it must be.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};

const FIX_TITLE: &str = "Paste the .env that sets the host";

pub static DOC: RuleDoc = RuleDoc {
    code: "PF117",
    scope: Scope::Url,
    name: "host-assumed-from-user",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The host comes from a variable poolfix cannot resolve; a `<user>.<project-ref>` user only works on Supabase's shared pooler, so that is assumed.",
    fix_title: FIX_TITLE,
    what: "Finds a URL whose host is a variable (`@${SUPABASE_HOST}:5432`) that the given `.env` does not set, while its user names a project (`postgres.<project-ref>`).",
    why: "Which limit applies depends on the endpoint. Only Supabase's shared pooler (Supavisor) accepts a user with `.<project-ref>`; the direct host and the dedicated pooler answer `Tenant or user not found` to it. So the host must be the shared pooler, and its port picks the mode: 5432 session, 6543 transaction. poolfix budgets the service on that pool and says it assumed so.",
    example: "```text\npostgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@${SUPABASE_HOST}:5432/postgres\n```",
    instead: "Give poolfix the `.env` (`--env-file .env`, or the page's .env box) so that the host is read, not assumed.",
    fix_safety: "Manual: nothing is changed; the finding says what was assumed.",
    references: &[(
        "Supabase: connecting to Postgres",
        "https://supabase.com/docs/guides/database/connecting-to-postgres",
    )],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let (Some(host), Some(project)) = (ctx.host_assumed.then(|| ctx.conn.hosts.first()).flatten(), &ctx.project_ref)
    else {
        return;
    };
    let var = ctx.slice(host.host);
    out.push(
        Finding::new(
            &DOC,
            format!(
                "the host comes from `{var}`, which is not resolved here; the user names project `{project}`, which only Supabase's shared pooler accepts: counted as {}",
                ctx.endpoint.label()
            ),
            host.host,
        )
        .with_fix(Fix::new(FIX_TITLE, Applicability::Manual)),
    );
}
