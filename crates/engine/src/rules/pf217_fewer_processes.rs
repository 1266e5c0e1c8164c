//! PF217: the plan the user picked runs their own service with fewer processes or replicas.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF217",
    scope: Scope::Service,
    name: "fewer-processes",
    severity: Severity::Info,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The plan you picked runs this service with fewer worker processes or replicas, so that the pools fit.",
    fix_title: "Lower the worker count or the replicas written in the file",
    what: "Reports each of your own services (a gunicorn, uvicorn or Celery app) whose process or replica count the chosen plan lowers; poolfix offers this plan only as an alternative and never picks it on its own.",
    why: "Every process and every replica keeps its own pool, so the count multiplies the pool settings. Fewer processes hold fewer connections but serve fewer requests (or run fewer tasks) at once: a cost in throughput only you can weigh.",
    example: "```yaml\napi:\n  command: gunicorn app:app --workers 4\n  deploy:\n    replicas: 2\n```",
    instead: "```yaml\napi:\n  command: gunicorn app:app --workers 2\n  deploy:\n    replicas: 1\n```",
    fix_safety: "Review: measure the service's latency under load after the change.",
    references: &[("gunicorn workers", "https://docs.gunicorn.org/en/stable/settings.html#workers")],
};

use super::{Finding, Fix, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some((procs, replicas)) = ctx.options.levers.fewer_for(&s.name) else {
        return;
    };
    let mut changes = Vec::new();
    let mut fix = Fix::new("Lower the counts the plan chose", Applicability::Review);
    for (count, to, what) in [(&s.processes, procs, "processes"), (&s.replicas, replicas, "replicas")] {
        if let Some(span) = count.span.filter(|_| count.value.max(1) != to) {
            changes.push(format!("{what} {} → {to}", count.value));
            fix = fix.file_edit(span, to.to_string());
        }
    }
    if changes.is_empty() {
        return;
    }
    let message = format!("the chosen plan runs it with {}: fewer requests or tasks at once", changes.join(", "));
    out.push(Finding::new(&DOC, message, s.key_span).with_fix(fix));
}
