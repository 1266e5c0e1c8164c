//! PF219: a program whose server-side cursors break through a transaction pooler (Django's
//! `QuerySet.iterator()`), on one, where the cure lives in its own settings.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::knowledge::endpoints::PoolMode;
use crate::knowledge::services::Transaction;
use crate::span::Span;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF219",
    scope: Scope::Url,
    name: "server-side-cursors-in-transaction-mode",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "Django declares server-side cursors, which a transaction pooler loses between transactions.",
    fix_title: "Set DISABLE_SERVER_SIDE_CURSORS in settings.py",
    what: "Finds a Django app (`--for django`, or a compose service recognised as one) whose URL goes through a transaction-mode pooler: Supavisor on port 6543 or a PgBouncer in transaction mode.",
    why: "`QuerySet.iterator()` makes Django declare a server-side cursor on one server connection and fetch from it in later transactions; a transaction pooler may run those on another server connection, where the cursor does not exist. Measured with Django 5.2 through PgBouncer in transaction mode, with psycopg 3 and with psycopg2, once another client took the server connection after the first chunk: `psycopg.errors.InvalidCursorName: cursor \"_django_curs_…_sync_1\" does not exist`. It fails only when the pooler switches server connections, so it comes and goes with load.",
    example: "```yaml\nweb:\n  command: gunicorn mysite.wsgi --workers 2\n  environment:\n    DATABASE_URL: postgres://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres\n```",
    instead: "In settings.py: `DATABASES[\"default\"][\"DISABLE_SERVER_SIDE_CURSORS\"] = True`, or with dj-database-url 2.2 and later `dj_database_url.config(disable_server_side_cursors=True)`. Measured: the same read then returned all its rows through the transaction pooler. Or keep the app on the session pooler (port 5432).",
    fix_safety: "Manual: the setting is in settings.py, which poolfix does not see; if it is already there, the finding is satisfied. Prepared statements are no concern for Django by default (psycopg 3 binds on the client unless `server_side_binding` is on; psycopg2 never prepares).",
    references: &[
        ("Django: transaction pooling and server-side cursors", "https://docs.djangoproject.com/en/5.2/ref/databases/#transaction-pooling-server-side-cursors"),
        ("dj-database-url", "https://github.com/jazzband/dj-database-url"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    let Transaction::InCode { message, fix, note, .. } = &ctx.service.transaction else { return };
    if ctx.mode != PoolMode::Transaction {
        return;
    }
    let span = ctx.conn.hosts.first().and_then(|h| h.port).unwrap_or(Span::empty_at(ctx.conn.end()));
    out.push(Finding::new(&DOC, *message, span).with_fix(Fix::new(*fix, Applicability::Manual).note(*note)));
}
