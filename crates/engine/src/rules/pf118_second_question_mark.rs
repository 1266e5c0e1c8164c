//! PF118: a second `?` in the query, where `&` was meant.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::conn::Form;
use crate::fix::UrlAction;
use crate::span::Span;

const FIX_TITLE: &str = "Join the parameters with `&`";

pub static DOC: RuleDoc = RuleDoc {
    code: "PF118",
    scope: Scope::Url,
    name: "second-question-mark",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The query has a second `?`: everything after it becomes part of the previous value.",
    fix_title: FIX_TITLE,
    what: "Finds a `?` inside the query of a URL (`…?sslmode=require?connect_timeout=10`), typically from appending parameters to a URL that already had some.",
    why: "Only the first `?` starts the query; later ones are plain characters. libpq reads the example as `sslmode` = `require?connect_timeout=10` and stops with `invalid sslmode value`, and the intended `connect_timeout` is never set. Other drivers fail on the value the same way.",
    example: "```text\npostgresql://…/postgres?sslmode=require?connect_timeout=10\n```",
    instead: "```text\npostgresql://…/postgres?sslmode=require&connect_timeout=10\n```",
    fix_safety: "Review: the `?` becomes `&`, which is what such a URL nearly always meant; read the diff.",
    references: &[("libpq connection URIs", "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if ctx.conn.form != Form::Uri {
        return;
    }
    for (i, p) in ctx.conn.params.iter().enumerate() {
        let at = p.span.start.saturating_sub(1);
        if Some(at) == ctx.conn.query_mark || ctx.text.as_bytes().get(at) != Some(&b'?') {
            continue;
        }
        let key = ctx.slice(p.key);
        out.push(
            Finding::new(
                &DOC,
                format!("a second `?` in the query: as written, the parameter before it gets `{key}=…` as part of its value; parameters are joined with `&`"),
                Span::new(at, at + 1),
            )
            // Rewriting the query joins every parameter with `&`.
            .with_fix(Fix::new(FIX_TITLE, Applicability::Review).action(UrlAction::RenameParam {
                index: i,
                key: key.to_string(),
                value: None,
            })),
        );
    }
}
