//! PF119: the service sends a startup parameter that PgBouncer refuses (Prefect 2.8.6–3.0: `jit`).

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF119",
    scope: Scope::Url,
    name: "startup-parameter-refused-by-pgbouncer",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service sends a startup parameter that PgBouncer refuses in every mode unless it is told to ignore it.",
    fix_title: "Upgrade past the releases that send it, or have the pooler ignore it",
    what: "Reports URLs of services whose release sends a startup parameter PgBouncer does not know — Prefect 2.8.6 to 3.0 sends `jit` — when they go through a Supabase pooler: the dedicated pooler is PgBouncer; the shared pooler is Supavisor, whose answer to the parameter poolfix has not measured, so the message says \"if\".",
    why: "PgBouncer accepts only the startup parameters it tracks and answers any other with `unsupported startup parameter: jit`, in session mode as in transaction mode; the server then does not start. `ignore_startup_parameters` in PgBouncer's configuration lets it through unapplied. Prefect 3.1 and later no longer send it.",
    example: "```yaml\nprefect:\n  image: prefecthq/prefect:2.20.27-python3.11\n  environment:\n    PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://postgres:${DB_PASSWORD}@db.<ref>.supabase.co:6543/postgres\n```",
    instead: "Prefect 3.1 or later; or, with a PgBouncer of your own, `ignore_startup_parameters = extra_float_digits, jit`.",
    fix_safety: "Manual: an upgrade, or a change to the pooler's configuration.",
    references: &[("prefect issue 14602", "https://github.com/PrefectHQ/prefect/issues/14602")],
};

use super::{Finding, UrlCtx};
use crate::knowledge::endpoints::EndpointKind;
use crate::knowledge::version_label;

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let version = ctx.options.version;
    let sent = ctx.service.startup_parameters.iter().filter(|p| {
        let (from, until) = p.versions;
        version.is_none_or(|v| v >= from && until.is_none_or(|u| v < u))
    });
    // PgBouncer for sure on the dedicated pooler; Supavisor on the shared one, not measured.
    let condition = match ctx.endpoint {
        EndpointKind::DedicatedPooler => "",
        EndpointKind::SharedSession | EndpointKind::SharedTransaction | EndpointKind::SharedOtherPort => {
            " if the pooler refuses unknown startup parameters as PgBouncer does"
        }
        _ => return,
    };
    let span = ctx.conn.hosts.first().map_or(ctx.conn.span, |h| h.host);
    for p in sent {
        let (from, until) = p.versions;
        let upgrade =
            until.map_or("a release that does not send it".to_string(), |u| format!("{} or later", version_label(u)));
        let message = format!(
            "{} {}{} sends the `{}` startup parameter: it fails with `unsupported startup parameter: {}`{condition}; upgrade to {upgrade}",
            ctx.service.name,
            version_label(from),
            until.map_or(" and later".to_string(), |u| format!(" to {} (not included)", version_label(u))),
            p.name,
            p.name
        );
        out.push(Finding::new(&DOC, message, span));
    }
}
