//! PF213: a service that only starts with a Compose profile is still counted in the budget.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF213",
    scope: Scope::Service,
    name: "service-in-profile",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service starts only with its Compose profile; the budget counts it as if the profile were active.",
    fix_title: "Nothing to change if the profile runs in production; otherwise its connections are spare",
    what: "Reports each service with a database pool that has `profiles:`, so that it starts only with `docker compose --profile …` or `COMPOSE_PROFILES`.",
    why: "poolfix cannot know which profiles run where. Leaving a service out would hide an outage on the machines that do start it, so it is counted; where the profile never runs against this database, the budget has that much to spare.",
    example: "```yaml\nprefect:\n  image: prefecthq/prefect:3.4.20-python3.11\n  profiles: [\"orchestration\"]\n```",
    instead: "Keep it: the rollout plan already starts the service with `--profile orchestration`.",
    fix_safety: "Nothing to fix.",
    references: &[("Compose profiles", "https://docs.docker.com/compose/how-tos/profiles/")],
};

use super::Finding;
use super::ServiceCtx;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let pooled = s.is_pooled();
    if !pooled || s.profiles.is_empty() {
        return;
    }
    let flags: Vec<String> = s.profiles.iter().map(|p| format!("--profile {p}")).collect();
    out.push(Finding::new(
        &DOC,
        format!(
            "{} starts only with {} (or COMPOSE_PROFILES): it is counted in the budget as if that profile runs",
            s.name,
            flags.join(" or ")
        ),
        s.key_span,
    ));
}
