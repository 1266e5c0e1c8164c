//! PF122: the client limit of the endpoint and mode a URL uses.

use super::{Applicability, Finding, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::knowledge::compute::{across_sizes, Compute};
use crate::knowledge::endpoints::EndpointKind;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF122",
    scope: Scope::Url,
    name: "client-limit",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "What this endpoint and mode cap, and what a \"max clients\" error means for this URL.",
    fix_title: "Keep every service's connections under the cap",
    what: "Says, for a URL checked on its own, how many clients its Supabase endpoint lets in: session mode the pool size (every connection of every service on it counts), transaction mode the compute size's max clients, the direct host its max connections.",
    why: "Supavisor in session mode gives each client a server connection for the client's whole life, so the clients are capped at the pool size; the next one is refused with `(EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: N` (Supavisor 2.9 and later; `MaxClientsInSessionMode` before). In transaction mode a server connection is lent per transaction and clients are capped at the much larger max clients. A URL alone cannot say what the other services hold: `poolfix check` on the compose file adds them up.",
    example: "```text\npostgresql+psycopg2://postgres.<ref>:…@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "Count what every service on the pooler can hold (`poolfix check docker-compose.yml`), or give `--compute` so the note states your size's numbers.",
    fix_safety: "A note: nothing to change in the URL itself.",
    references: &[
        ("Supavisor's limits (check_limit)", "https://github.com/supabase/supavisor/blob/main/lib/supavisor/manager.ex"),
        ("Supabase compute sizes", "https://supabase.com/docs/guides/platform/compute-and-disk"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    // In a compose file the budget counts every service against these limits.
    if ctx.options.in_file {
        return;
    }
    let said = |limit: fn(&Compute) -> u32, what: &str| match ctx.options.compute {
        Some(c) => format!("{} {what} on {}", limit(c), c.label),
        None => format!("{what}: {}", across_sizes(limit)),
    };
    let message = match ctx.endpoint {
        EndpointKind::SharedSession => format!(
            "session mode lets in at most pool-size clients at once, counting every connection of every service on this pooler ({}; changed in Database Settings): the next is refused with `(EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: N`",
            said(|c| c.default_pool_size, "by default")
        ),
        EndpointKind::SharedTransaction => format!(
            "transaction mode lets in up to the compute size's max clients ({}), which share the pool's server connections: a transaction waits while they are all busy",
            said(|c| c.pooler_max_clients, "clients")
        ),
        EndpointKind::Direct => format!(
            "the direct host takes up to max connections ({}), shared with the pooler's own server connections",
            said(|c| c.direct_max, "connections")
        ),
        _ => return,
    };
    out.push(Finding::new(&DOC, message, ctx.conn.host_list));
}
