//! PF212: a service that reads several connection URLs; the budget counts one engine.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

const FIX_TITLE: &str = "Give every other engine the smallest pool, or NullPool if it is short-lived";

pub static DOC: RuleDoc = RuleDoc {
    code: "PF212",
    scope: Scope::Service,
    name: "urls-beyond-the-first",
    severity: Severity::Info,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The service reads several connection URLs; the budget counts one engine, on the first.",
    fix_title: FIX_TITLE,
    what: "Reports each URL after the first in a service of your own (not MLflow or Prefect), such as a separate URL for migrations or a read replica.",
    why: "Each `create_engine()` keeps a pool of its own. poolfix cannot see which URLs your code opens engines on, or when, so it budgets the first; an engine on another URL that stays open holds connections on top of that, on its own endpoint. Every URL is still checked and corrected.",
    example: "```yaml\napi:\n  environment:\n    DATABASE_URL: postgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres\n    MIGRATIONS_DATABASE_URL: postgresql+psycopg2://postgres:${DB_PASSWORD}@db.<ref>.supabase.co:5432/postgres\n```",
    instead: "```python\n# migrations run once and end: no pool to keep\nmigrations = create_engine(MIGRATIONS_DATABASE_URL, poolclass=NullPool)\n```\nAn engine that stays open (a read replica) gets the same small pool as the main one.",
    fix_safety: "Manual: the change is in your code.",
    references: &[("SQLAlchemy pooling", "https://docs.sqlalchemy.org/en/20/core/pooling.html")],
};

use super::Finding;
use super::ServiceCtx;
use crate::knowledge::services::PoolModel;

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    // MLflow and Prefect each open their engines on one URL (the others are alternatives).
    let Some(first) = s.urls.first().filter(|_| matches!(s.kind.pool, PoolModel::Code)) else {
        return;
    };
    for other in &s.urls[1..] {
        out.push(
            Finding::new(
                &DOC,
                format!(
                    "{} also reads {}: the budget counts one engine, on {}; an engine on this URL that stays open holds a pool of its own",
                    s.name, other.source, first.source
                ),
                other.span.unwrap_or(other.anchor),
            )
            .with_fix(super::Fix::new(FIX_TITLE, Applicability::Manual)),
        );
    }
}
