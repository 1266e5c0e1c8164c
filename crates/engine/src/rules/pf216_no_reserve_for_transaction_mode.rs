//! PF216: session clients can take every server connection the transaction port needs.

use super::{Applicability, BudgetCtx, Finding, RuleDoc, RuleText, Scope, Severity};
use crate::model::count_label;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF216",
    scope: Scope::Budget,
    name: "no-reserve-for-transaction-mode",
    severity: Severity::Error,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Supavisor's session and transaction ports share the project's pool; the session clients can hold all of it, leaving nothing for transaction traffic.",
    fix_title: "Leave part of the pool to the transaction port: fewer session clients, or a larger pool size",
    what: "Finds a project whose services use both ports of the shared pooler when the services on the session port (5432) can hold as many connections as the pool size.",
    why: "Both ports draw on one pool of server connections. A session client keeps its server connection for its whole life; transaction-mode clients borrow one per transaction from what is left. When the session side can take the whole pool, the transaction side waits and times out although it is far below its own client limit.",
    example: "```text\npool size 15: mlflow (session) 6 + api (session) 9 = 15; worker (transaction) gets 0\n```",
    instead: "Keep the session side below the pool size with room to spare (poolfix's headroom), move more services to the transaction port, or raise the pool size in the dashboard.",
    fix_safety: "Manual: which service to shrink or move is your choice; poolfix shows each one's count.",
    references: &[
        ("Supabase: connecting to Postgres (pooler modes)", "https://supabase.com/docs/guides/database/connecting-to-postgres"),
        ("supabase PR 40373", "https://github.com/supabase/supabase/pull/40373"),
    ],
};

pub fn check(ctx: &BudgetCtx, out: &mut Vec<Finding>) {
    let g = ctx.group;
    if g.reserve != Some(0) || g.after == Some(0) {
        return;
    }
    out.push(Finding::new(
        &DOC,
        format!(
            "{} {}: the session port's clients can hold every server connection of the project's pool, so the {} transaction-mode clients have none left to run on",
            g.host,
            ctx.mode(),
            count_label(g.after)
        ),
        ctx.largest_after,
    ));
}
