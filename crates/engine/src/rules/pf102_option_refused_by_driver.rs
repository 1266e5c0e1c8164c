//! PF102: a URL key the driver refuses (other than pool settings).

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::fix::UrlAction;
use crate::knowledge::drivers::{self, Verdict};
use crate::knowledge::services::env_for_key;

pub static DOC: RuleDoc = RuleDoc {
    code: "PF102",
    scope: Scope::Url,
    name: "option-refused-by-driver",
    severity: Severity::Error,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The URL has a key that this service's driver refuses, so the connection fails, or ignores, so the setting never applies.",
    fix_title: "Respell it for the driver, or move it out of the URL",
    what: "Checks every query key against what the driver really accepts, measured: libpq drivers (psycopg2, psycopg 3, psql) know only libpq's connection parameters; asyncpg accepts only its own keyword arguments, and some of those fail when they arrive as strings from a URL; Django hands the keys to psycopg (its own `OPTIONS` pass); node-postgres reads its SSL and identity keys and ignores the rest; postgres.js reads its own options and sends any other key to the server as a startup parameter, which a pooler refuses.",
    why: "A refused key stops the connection: `sslmode` on asyncpg (`unexpected keyword argument 'sslmode'`), `timeout` anywhere (libpq: `invalid connection option \"timeout\"`; asyncpg: `unsupported operand type(s) for +: 'float' and 'str'`), `connect_timeout` or `application_name` on asyncpg, `command_timeout` on libpq, `conn_max_age` on Django (`invalid connection option \"conn_max_age\"`). An ignored key is as bad in another way: node-postgres connects with `?connection_limit=1&connect_timeout=10` and its pool still opens 10 connections, with no timeout (measured, verify/node_postgres.py). postgres.js fails with `unsupported startup parameter: pgbouncer` through PgBouncer, and misreads `max`: `?max=5` makes a pool of one connection.",
    example: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require&connect_timeout=10\n```",
    instead: "```text\npostgresql+asyncpg://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require\n```\nwith the connect timeout in the service's environment (Prefect 3.1+: `PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT=10`).",
    fix_safety: "`sslmode`↔`ssl` and `timeout`→`connect_timeout` are respelled with the same meaning. Other keys are removed, and moved to the service's environment variable where it has one; otherwise the fix says what to set in code, or that the driver has no such setting (a Prisma key such as `pgbouncer` is named as one).",
    references: &[
        ("libpq parameter key words", "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS"),
        ("asyncpg connect()", "https://magicstack.github.io/asyncpg/current/api/index.html#connection"),
    ],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    for (i, p) in ctx.conn.params.iter().enumerate() {
        let key = ctx.slice(p.key);
        if drivers::POOL_KEYS.contains(&key) {
            continue; // PF101
        }
        let message = match drivers::verdict(ctx.driver, key) {
            Verdict::Refused(error) => format!("{} refuses `{key}` in the URL: {error}", ctx.driver.name),
            Verdict::Ignored => {
                format!("{} ignores `{key}` in the URL without a word: the setting does not apply", ctx.driver.name)
            }
            Verdict::Misread(what) => format!("{} misreads `{key}` in the URL: {what}", ctx.driver.name),
            _ => continue,
        };
        let value = p.value.map(|v| ctx.slice(v)).unwrap_or("");
        let has = |k: &str| ctx.conn.params.iter().any(|q| ctx.slice(q.key) == k);
        let fix = match drivers::respelling(ctx.driver, key) {
            // The URL already says it the driver's way: renaming would write the key twice (PF121).
            Some(to) if has(to) => Fix::new(format!("Remove `{key}`: the URL already has `{to}`"), Applicability::Safe)
                .action(UrlAction::RemoveParam(i)),
            Some(to) => {
                let new_value = drivers::respelled_value(to, value);
                let same = new_value == value;
                Fix::new(format!("Rename `{key}` to `{to}`"), Applicability::Safe).action(UrlAction::RenameParam {
                    index: i,
                    key: to.to_string(),
                    value: (!same).then_some(new_value),
                })
            }
            None => {
                let mut fix = Fix::new(format!("Remove `{key}` from the URL"), Applicability::Review)
                    .action(UrlAction::RemoveParam(i));
                if let Some((name, v)) = env_for_key(ctx.service, key, value) {
                    fix = fix.env(name, v);
                } else if let Some(note) = elsewhere(ctx, key) {
                    fix = fix.note(note);
                }
                fix
            }
        };
        out.push(Finding::new(&DOC, message, p.span).with_fix(fix));
    }
}

/// Where a refused key's setting can live instead, if the driver has it at all: never a home
/// the driver does not have (`connect_args` only for keys its `connect()` takes).
fn elsewhere(ctx: &UrlCtx, key: &str) -> Option<String> {
    let driver = ctx.driver;
    if matches!(key, "sslmode" | "ssl") && driver.ssl_key.is_none() {
        return Some(driver.ssl_instead.to_string());
    }
    let misread = driver.misread.iter().any(|(k, _)| *k == key);
    if let (true, Some(how)) = (misread, driver.in_code_for(key)) {
        return Some(format!("Set it in code, where {} reads it as a number: {how}", driver.name));
    }
    if let Some(how) = driver.in_code_for(key) {
        return Some(format!("{} calls this setting by another name; pass it in code: {how}", driver.name));
    }
    if driver.string_traps.iter().any(|(k, _)| *k == key) && ctx.service.uses_sqlalchemy() {
        return Some(format!("If you need `{key}`, pass it in create_engine(connect_args={{…}}) with its proper type"));
    }
    if drivers::PRISMA_KEYS.contains(&key) {
        let pgbouncer = match (key, driver.no_prepare_args, driver.transaction_keys.first()) {
            ("pgbouncer", Some(args), _) if driver.prepares => {
                format!(" What it does for Prisma (no prepared statements) is `connect_args={args}` here.")
            }
            ("pgbouncer", _, Some((k, v))) if driver.prepares => {
                format!(" What it does for Prisma (no prepared statements) is `{k}={v}` here.")
            }
            ("pgbouncer", ..) => format!(" {} prepares no statements, so nothing takes its place.", driver.name),
            _ => String::new(),
        };
        return Some(format!("`{key}` is a Prisma URL key: {} has no such setting.{pgbouncer}", driver.name));
    }
    Some(format!("{} has no `{key}` setting, in the URL or in code: drop it", driver.name))
}
