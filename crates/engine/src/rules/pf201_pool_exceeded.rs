//! PF201: the services can hold more connections than the pooler admits.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF201",
    scope: Scope::Budget,
    name: "pool-exceeded",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Together the services can hold more connections than the pool allows: `MaxClientsInSessionMode` is a matter of time.",
    fix_title: "Apply the per-service fixes; see the budget after",
    what: "Adds up, per pooler endpoint and mode, the most connections each service can hold — replicas × processes × engines × (pool_size + max_overflow), plus fixed extras — and compares the sum with the limit: the pool size in session mode, max clients in transaction mode, max connections for a direct connection.",
    why: "Idle pooled connections keep their session slot, so the sum of maxima, not the average, decides whether the next client is refused with `(EMAXCONNSESSION) max clients reached in session mode` (older Supavisor: `MaxClientsInSessionMode`).",
    example: "MLflow with 4 workers × 2 engines × (5 + 10), a Prefect server and an API with 2 replicas × 4 workers, all on a session pool of 15.",
    instead: "Small pools per process (the fixes below), fewer processes, a bigger pool size, or the transaction pooler for services that fit it.",
    fix_safety: "The budget after assumes every fix is applied, including the `create_engine()` settings in your own code.",
    references: &[("Supavisor limits", "https://github.com/supabase/supavisor/blob/main/lib/supavisor/manager.ex")],
};

use super::{BudgetCtx, Finding};
use crate::model::count_label;

pub fn check(ctx: &BudgetCtx, out: &mut Vec<Finding>) {
    let g = ctx.group;
    let Some(limit) = g.limit_before else { return };
    if g.before.is_some_and(|b| b <= limit) || g.before == Some(0) {
        return;
    }
    let who: Vec<String> =
        g.services.iter().filter(|s| s.1 != Some(0)).map(|(n, b, _)| format!("{n} {}", count_label(*b))).collect();
    out.push(Finding::new(
        &DOC,
        format!(
            "{} {}: the services can hold {} connections, the limit is {limit} ({}): {}",
            g.host,
            ctx.mode(),
            count_label(g.before),
            g.limit_label_before,
            who.join(", ")
        ),
        ctx.largest_before,
    ));
}
