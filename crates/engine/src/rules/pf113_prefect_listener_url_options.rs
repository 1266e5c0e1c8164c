//! PF113: Prefect 3's LISTEN connection breaks on any URL key but `ssl`.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::drivers::{self, Verdict};
use crate::knowledge::services::env_for_key;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF113",
    scope: Scope::Url,
    name: "prefect-listener-url-options",
    severity: Severity::Warning,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Prefect 3.4.6+ opens a raw asyncpg LISTEN connection from the same URL; any key but `ssl` breaks it.",
    fix_title: "Move the key to Prefect's environment settings",
    what: "Finds query keys other than `ssl` in a Prefect 3 server URL, even ones SQLAlchemy's asyncpg dialect accepts.",
    why: "Since 3.4.6 the Prefect server opens one extra asyncpg connection for LISTEN/NOTIFY (automations), outside SQLAlchemy. It passes the keys on as server settings: `unrecognized configuration parameter \"timeout\"`, or through a pooler `unsupported startup parameter: prepared_statement_cache_size`.",
    example: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require&command_timeout=30\n```",
    instead: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require\n```\nwith `PREFECT_SERVER_DATABASE_TIMEOUT=30`.",
    fix_safety: "Review: the key is removed; where Prefect has a setting for it (timeouts, statement caches) the value moves there.",
    references: &[("prefect PR 18266", "https://github.com/PrefectHQ/prefect/pull/18266")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let Some(allowed) = ctx.service.listener_keys else {
        return;
    };
    for (i, p) in ctx.conn.params.iter().enumerate() {
        let key = ctx.slice(p.key);
        // Refused keys and pool keys are PF102's and PF101's.
        if allowed.contains(&key)
            || drivers::POOL_KEYS.contains(&key)
            || drivers::verdict(ctx.driver, key) != Verdict::Accepted
        {
            continue;
        }
        let value = p.value.map(|v| ctx.slice(v)).unwrap_or("");
        let mut fix =
            Fix::new(format!("Remove `{key}` from the URL"), Applicability::Review).action(UrlAction::RemoveParam(i));
        if let Some((name, v)) = env_for_key(ctx.service, key, value) {
            fix = fix.env(name, v);
        }
        out.push(
            Finding::new(
                &DOC,
                format!("`{key}` breaks Prefect's LISTEN connection (3.4.6+): keep only `ssl` in the URL"),
                p.span,
            )
            .with_fix(fix),
        );
    }
}
