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
    summary: "Even with the chosen plan the services exceed the limit minus headroom.",
    fix_title: "Pick a plan option that fits, or make the change it says would",
    what: "After the chosen plan (the per-tool fixes and the levers the planner took: one MLflow worker, services moved to the transaction port, a larger pool or compute size), compares the budget with the limit less headroom (a fifth of it, at least 2) for migrations, `psql` sessions and deploys, when old and new containers overlap.",
    why: "The remaining connections come from process counts: every gunicorn, uvicorn or Celery process and every replica holds its own pool. Only fewer processes, a bigger pool size or another mode help.",
    example: "An API with 2 replicas × 4 workers still holds 16 connections at pool_size=1, max_overflow=1.",
    instead: "The message names a plan option that fits (`poolfix check --plan pool-size`), or, when none does, the pool size or compute size that would.",
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
            "{} {}: even after the fixes the services can hold {} connections, more than {target} (limit {limit} less {} headroom): {}",
            g.host,
            ctx.mode(),
            count_label(g.after),
            g.headroom(),
            ctx.advice
        ),
        ctx.largest_after,
    ));
}
