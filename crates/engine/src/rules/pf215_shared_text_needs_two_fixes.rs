//! PF215: text that several services share (a YAML anchor) needs a different fix for each.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity};
use crate::span::Span;

const FIX_TITLE: &str = "Give the service its own value";

pub static DOC: RuleDoc = RuleDoc {
    code: "PF215",
    scope: Scope::Service,
    name: "shared-text-needs-two-fixes",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary:
        "Services that share one piece of text (an anchor) need different fixes to it; poolfix made the first one's.",
    fix_title: FIX_TITLE,
    what: "Finds text written once and used by several services — a URL under a YAML anchor (`&db` … `*db`) — when the services need different changes to it, for example an MLflow server (psycopg2) and a Prefect server (asyncpg) reading the same URL.",
    why: "A fix is an edit of your text. One string cannot be both `postgresql+psycopg2://…?sslmode=require` and `postgresql+asyncpg://…?ssl=require`; editing it twice would corrupt it. Services that share it and need the same change get that change once.",
    example: "```yaml\nx-db: &db\n  URL: postgresql://…\nservices:\n  mlflow:\n    environment: *db\n  prefect:\n    environment: *db\n```",
    instead: "```yaml\nservices:\n  mlflow:\n    environment:\n      MLFLOW_BACKEND_STORE_URI: postgresql+psycopg2://…\n  prefect:\n    environment:\n      PREFECT_SERVER_DATABASE_CONNECTION_URL: postgresql+asyncpg://…\n```",
    fix_safety: "Manual: poolfix applies the first service's change and tells you which service still needs its own value.",
    references: &[("Compose fragments", "https://docs.docker.com/reference/compose-file/fragments/")],
};

/// The finding for `service`, whose change to shared text at `span` was not applied because
/// `first` needed a different one.
pub fn finding(service: &str, first: &str, span: Span) -> Finding {
    Finding::new(
        &DOC,
        format!("{service} shares this text with {first} but needs a different change to it: poolfix changed it for {first}; give {service} its own value"),
        span,
    )
    .with_fix(Fix::new(FIX_TITLE, Applicability::Manual))
}
