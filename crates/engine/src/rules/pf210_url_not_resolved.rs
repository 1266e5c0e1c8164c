//! PF210: a connection URL that is only a variable.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF210",
    scope: Scope::Service,
    name: "url-not-resolved",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The connection URL comes from a variable poolfix cannot resolve, so it was not checked.",
    fix_title: "Paste the .env that sets it",
    what: "Reports URL settings such as `DATABASE_URL: ${DATABASE_URL}` whose value is unknown, a command's `$${NAME}` that the service's environment does not set, and URLs a service takes from elsewhere (Airflow's `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD` and `…_SECRET`).",
    why:
        "The endpoint, mode and driver decide the limit and the rules; without the URL poolfix can only count the pool.",
    example: "```yaml\nDATABASE_URL: ${DATABASE_URL}\n```",
    instead: "Paste the `.env` line (the password may be replaced by a placeholder). For a URL behind a command or a secret, check the URL itself with `poolfix url`, and count the service by hand.",
    fix_safety: "Manual.",
    references: &[(
        "Compose interpolation",
        "https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/",
    )],
};

use super::{Finding, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    for site in ctx.service.urls.iter().filter(|u| !u.url.contains("://")) {
        let hidden = ctx.service.kind.urls.hidden.iter().find(|(var, _)| site.source.ends_with(var));
        if let Some((var, what)) = hidden {
            out.push(Finding::new(
                &DOC,
                format!(
                    "{var} takes the URL from {what}, which poolfix cannot read: the URL was not checked, and the service's connections are on no pooler's budget; check the URL itself with `poolfix url`"
                ),
                site.anchor,
            ));
            continue;
        }
        // `$${NAME}` in a command is Compose's escape for a variable left to the shell, which reads
        // the container's environment: after interpolation it is `${NAME}`, with nothing unresolved.
        let shell = site.unresolved.is_empty() && site.url.starts_with('$');
        let unresolved_by = if shell {
            "a shell variable the service's environment does not set"
        } else {
            "which the given .env does not resolve"
        };
        out.push(Finding::new(
            &DOC,
            format!("{} is `{}`, {unresolved_by}: the URL was not checked", site.source, site.url),
            site.anchor,
        ));
    }
}
