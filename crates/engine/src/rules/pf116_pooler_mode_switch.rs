//! PF116: switching between session and transaction mode, on request.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::endpoints::{EndpointKind, PoolMode, SESSION_PORT, TRANSACTION_PORT};
use crate::span::Span;
use crate::url_doctor::ModeChoice;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF116",
    scope: Scope::Url,
    name: "pooler-mode-switch",
    severity: Severity::Info,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "You asked for another pooler mode; on the shared pooler that is a port change.",
    fix_title: "Change the port: 5432 for session, 6543 for transaction",
    what: "Applies the mode you chose (`--mode session|transaction`, or the checker's setting) to a shared-pooler URL. poolfix never switches mode on its own.",
    why: "Supavisor serves session mode on port 5432 and transaction mode on 6543 of the same host, with the same user. Session mode caps clients at the pool size; transaction mode at max clients, but breaks prepared statements, LISTEN, SET and advisory locks.",
    example: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres\n```",
    fix_safety: "Review: read the transaction-mode page before switching; poolfix adds the settings the service then needs (for example Prefect's statement caches).",
    references: &[("Connecting to Postgres", "https://supabase.com/docs/guides/database/connecting-to-postgres")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let wanted = match ctx.options.mode {
        ModeChoice::Auto | ModeChoice::Keep => return,
        ModeChoice::Session => PoolMode::Session,
        ModeChoice::Transaction => PoolMode::Transaction,
    };
    let Some(host) = ctx.conn.hosts.first() else {
        return;
    };
    if !ctx.endpoint.is_shared_pooler() {
        if matches!(ctx.endpoint, EndpointKind::Direct | EndpointKind::DedicatedPooler) {
            out.push(
                Finding::new(&DOC, format!("{} mode needs the shared pooler host, which poolfix cannot derive", wanted.as_str()), host.host)
                    .with_fix(Fix::new("Switch to the shared pooler by hand", Applicability::Manual).note(
                        "Copy the pooler host and user from the dashboard's Connect panel: port 5432 is session mode, 6543 transaction mode.",
                    )),
            );
        }
        return;
    }
    if ctx.endpoint.mode() == wanted {
        return;
    }
    let port = if wanted == PoolMode::Transaction { TRANSACTION_PORT } else { SESSION_PORT };
    let (span, action) = match host.port {
        Some(p) if ctx.conn.has_placeholder(p) => {
            let var = ctx.slice(p);
            let message = format!(
                "switching to {} mode: port {port} on the same pooler host; the port comes from `{var}`",
                wanted.as_str()
            );
            let fix = Fix::new(format!("Use port {port}"), Applicability::Manual)
                .note(format!("Set the variable in `{var}` to {port} where it is defined (.env)."));
            out.push(Finding::new(&DOC, message, p).with_fix(fix));
            return;
        }
        Some(p) => (p, UrlAction::Replace { span: p, with: port.to_string() }),
        None => (Span::empty_at(host.host.end), UrlAction::Insert { at: host.host.end, text: format!(":{port}") }),
    };
    out.push(
        Finding::new(&DOC, format!("switching to {} mode: port {port} on the same pooler host", wanted.as_str()), span)
            .with_fix(Fix::new(format!("Use port {port}"), Applicability::Review).action(action)),
    );
}
