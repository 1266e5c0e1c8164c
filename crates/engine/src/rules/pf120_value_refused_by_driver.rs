//! PF120: a URL key's value that the driver refuses when it connects.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF120",
    scope: Scope::Url,
    name: "value-refused-by-driver",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "A key the driver knows has a value it refuses, or one with which it cannot connect to Supabase.",
    fix_title: "Use a value the driver accepts",
    what: "Checks the values of the keys libpq validates for psycopg2, psycopg 3 and libpq tools: `sslmode` (disable, allow, prefer, require, verify-ca, verify-full) and `connect_timeout` (an integer of seconds); for node-postgres and postgres.js, the `sslmode` and `ssl` values that make them verify the server's certificate.",
    why: "libpq checks these values before it opens a connection and stops with `invalid sslmode value: \"requre\"` or `invalid integer value \"10s\" for connection option \"connect_timeout\"`; psycopg 3 reads `connect_timeout` itself first (`bad value for connect_timeout: '10s'`). A typo in one URL stops the service that reads it. node-postgres (pg 8.23) treats `sslmode=require`, `prefer`, `verify-ca` and `ssl=true` as verify-full and fails with `self-signed certificate in certificate chain` against Supabase, whose CA Node does not trust; `sslmode=no-verify` (or `uselibpqcompat=true&sslmode=require`) encrypts as libpq's `require` does (measured, verify/node_postgres.py). postgres.js 3.4 is the other way round: `sslmode=require` encrypts without the check, and `ssl=true`, `verify-full` and `no-verify` verify (measured, verify/postgres_js.py).",
    example: "```text\npostgresql+psycopg2://…/postgres?sslmode=requre&connect_timeout=10s\n```",
    instead: "```text\npostgresql+psycopg2://…/postgres?sslmode=require&connect_timeout=10\n```",
    fix_safety: "Review: poolfix writes `require` and `10` (node-postgres: `no-verify`; postgres.js: `require`); check that they are what you meant. To verify the server instead, give node-postgres Supabase's CA with `sslmode=verify-full&sslrootcert=…`.",
    references: &[(
        "libpq connection parameters",
        "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS",
    )],
};

use super::{Finding, Fix, UrlCtx};
use crate::fix::UrlAction;

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    for (i, p) in ctx.conn.params.iter().enumerate() {
        let key = ctx.slice(p.key);
        let Some(check) = ctx.driver.values.iter().find(|c| c.key == key) else {
            continue;
        };
        let Some(span) = p.value else { continue };
        let value = ctx.slice(span);
        if !check.refuses(value)
            || check.unless.is_some_and(|(k, v)| {
                ctx.conn
                    .param(k, ctx.text)
                    .and_then(|(_, p)| p.value)
                    .is_some_and(|s| ctx.slice(s).eq_ignore_ascii_case(v))
            })
        {
            continue;
        }
        let error = check.error.replace("{value}", value);
        let verb = if check.refused { "refuses" } else { "cannot connect with" };
        let title = format!("Use `{key}={}`", check.instead);
        let fix = match ctx.driver.assumed {
            Some(note) => Fix::new(title, Applicability::Manual).note(note),
            None => Fix::new(title, Applicability::Review).action(UrlAction::RenameParam {
                index: i,
                key: key.to_string(),
                value: Some(check.instead.to_string()),
            }),
        };
        out.push(
            Finding::new(&DOC, format!("{} {verb} `{key}={value}`: {error}", ctx.driver.name), span).with_fix(fix),
        );
    }
}
