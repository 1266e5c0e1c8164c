//! PF202: even at the smallest pools the services do not fit.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF202",
    scope: Scope::Budget,
    name: "over-budget-after-fix",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Even with the smallest working pools the services exceed the limit minus headroom.",
    fix_title: "Fewer processes, a bigger pool size, or the transaction pooler",
    what: "After poolfix's fixes, compares the budget with the limit less headroom (a fifth of it, at least 2) for migrations, `psql` sessions and deploys, when old and new containers overlap.",
    why: "The remaining connections come from process counts: every gunicorn, uvicorn or Celery process and every replica holds its own pool. Only fewer processes, a bigger pool size or another mode help.",
    example: "An API with 2 replicas × 4 workers still holds 16 connections at pool_size=1, max_overflow=1.",
    instead: "Lower workers or replicas, raise the pool size in Dashboard → Database Settings (within your compute size), or move stateless services to the transaction pooler (`--mode transaction`).",
    fix_safety: "Manual: each option trades throughput, cost or compatibility.",
    references: &[("Compute and disk limits", "https://supabase.com/docs/guides/platform/compute-and-disk")],
};

use super::{BudgetCtx, Finding};
use crate::model::count_label;

pub fn check(ctx: &BudgetCtx, out: &mut Vec<Finding>) {
    let g = ctx.group;
    let Some(limit) = g.limit else { return };
    let target = limit - g.headroom();
    if g.after.is_some_and(|a| a <= target) || g.after == Some(0) {
        return;
    }
    out.push(Finding::new(
        &DOC,
        format!(
            "{} {}: even after the fixes the services can hold {} connections, more than {target} (limit {limit} less {} headroom): lower workers or replicas, raise the pool size, or move services to the transaction pooler",
            g.host,
            ctx.mode(),
            count_label(g.after),
            g.headroom()
        ),
        ctx.largest_after,
    ));
}
