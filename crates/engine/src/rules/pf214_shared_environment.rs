//! PF214: settings poolfix would add, to an environment that several services share.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity};
use crate::model::Service;

const FIX_TITLE: &str = "Add the settings to this service by hand";

pub static DOC: RuleDoc = RuleDoc {
    code: "PF214",
    scope: Scope::Service,
    name: "settings-in-shared-environment",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary:
        "The service's `environment` is an alias shared with other services: poolfix does not add its settings there.",
    fix_title: FIX_TITLE,
    what: "Finds a pooled service whose `environment:` is an alias (`environment: *common`) and that needs settings the alias does not have.",
    why: "An alias is one block of text read by several services. Adding a pool setting there changes every service that uses it, and each may need another value (MLflow ignores an overflow of 0, Prefect needs it).",
    example: "```yaml\nx-env: &env\n  DATABASE_URL: postgresql://…\nservices:\n  mlflow:\n    environment: *env\n```",
    instead: "```yaml\n  mlflow:\n    environment:\n      <<: *env\n      MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: \"1\"\n```",
    fix_safety: "Manual: poolfix lists the settings; a merge key (`<<: *env`) gives the service its own block.",
    references: &[("Compose fragments and merge keys", "https://docs.docker.com/reference/compose-file/fragments/")],
};

/// The finding for `service`, naming the settings to add as `NAME=value`.
pub fn finding(service: &Service, settings: &[String]) -> Finding {
    Finding::new(
        &DOC,
        format!(
            "`{}`'s environment is shared through an alias; add these settings to it by hand: {}",
            service.name,
            settings.join(", ")
        ),
        service.key_span,
    )
    .with_fix(Fix::new(FIX_TITLE, Applicability::Manual))
}
