//! Database drivers, one entry each in [`DRIVERS`]: how a URL names them, which URL query keys
//! they accept and the error they give for the rest, whether they prepare statements and the
//! cure for that, and where their pool lives. A new driver is a new entry.
//!
//! The key verdicts were measured with SQLAlchemy 2.1.9 / 2.0.58, psycopg2 2.9.13, psycopg 3.3.9
//! and asyncpg 0.32 (`verify/drivers.py`, docs/sources.md#url-keys) and match libpq's list of
//! connection parameters (<https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS>).

use super::Verdict as TxVerdict;

/// What a driver does with the URL query keys it does not accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Refused with this text; `{key}` stands for the key.
    Always(&'static str),
    /// Only SQLAlchemy's pool keys were measured (refused with the text); others are unknown.
    PoolKeysOnly(&'static str),
    /// Not read from the URL at all: the connection works and the setting does not apply.
    Ignored,
}

/// Where a program's pool lives when it uses this driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolHome {
    /// SQLAlchemy's `create_engine()` (defaults 5 + 10): every Python driver here.
    SqlAlchemy,
    /// The driver's own (node-postgres: `new Pool()`, 10 connections by default).
    Driver,
    /// No pool: one connection per program (psql, pg_dump).
    None,
    /// Django's: a connection per thread, or its psycopg pool (settings.py).
    Django,
}

/// One driver.
#[derive(Debug)]
pub struct DriverDef {
    /// The name after `+` in a SQLAlchemy URL, and its aliases.
    pub names: &'static [&'static str],
    /// As people call it.
    pub name: &'static str,
    /// The scheme that selects it (`postgresql` for libpq tools).
    pub scheme: &'static str,
    /// Hands the URL's keys to libpq as connection parameters.
    pub libpq: bool,
    /// Keys it accepts from a URL.
    pub accepts: &'static [&'static str],
    /// Keys the program takes out of the URL before the driver sees them (Django's `OPTIONS`).
    pub program_keys: &'static [&'static str],
    /// Keys that exist but fail when a URL hands them over as strings, with the error.
    pub string_traps: &'static [(&'static str, &'static str)],
    /// Keys whose values it checks when it connects, and the error it gives for any other.
    pub values: &'static [ValueCheck],
    pub refusal: Refusal,
    /// Refused URL keys whose setting the driver has under another name, and how to pass it in
    /// code (the URL cannot carry it).
    pub in_code: &'static [(&'static str, &'static str)],
    /// How it spells "require SSL" in a URL; `None`: it has no such URL key.
    pub ssl_key: Option<&'static str>,
    /// The value of `ssl_key` that encrypts without checking the certificate against a CA the
    /// client has (libpq's `require`).
    pub ssl_require: &'static str,
    /// How to require SSL where the URL cannot say it.
    pub ssl_instead: &'static str,
    /// Uses protocol-level prepared statements by default, which break through a transaction
    /// pooler (asyncpg always; psycopg 3 after 5 executions; psycopg2 never). docs/sources.md#prepared-statements
    pub prepares: bool,
    /// The `connect_args` that turn prepared statements off.
    pub no_prepare_args: Option<&'static str>,
    /// What that cure needs besides (a release of the driver), said wherever it is given.
    pub no_prepare_caveat: Option<&'static str>,
    /// The URL keys and values that make it safe through a transaction pooler, where the driver
    /// reads them from the URL (postgres.js: `prepare=false`, and `max_pipeline=0`).
    pub transaction_keys: &'static [(&'static str, &'static str)],
    /// What goes wrong through a transaction pooler without `transaction_keys`.
    pub transaction_why: &'static str,
    /// Keys it reads from a URL, but not as people mean them, with what happens.
    pub misread: &'static [(&'static str, &'static str)],
    /// The driver is a guess (a Node service whose library is in `package.json`, which poolfix
    /// does not read): a fix that the other library would fail with is given by hand, with this.
    pub assumed: Option<&'static str>,
    /// SQLAlchemy's async engine (`create_async_engine`).
    pub is_async: bool,
    pub pool: PoolHome,
}

/// What a driver accepts as one key's value.
#[derive(Debug)]
pub enum Allowed {
    OneOf(&'static [&'static str]),
    Integer,
}

/// A key whose value the driver checks: what it accepts, the error for anything else (`{value}`
/// stands for the value), and the value poolfix's fix writes.
#[derive(Debug)]
pub struct ValueCheck {
    pub key: &'static str,
    pub allowed: Allowed,
    pub error: &'static str,
    pub instead: &'static str,
    /// Another key and value in the URL that make any value acceptable.
    pub unless: Option<(&'static str, &'static str)>,
    /// The driver refuses the value itself (`false`: it takes it, and the connection fails).
    pub refused: bool,
}

impl ValueCheck {
    /// Whether the driver would refuse `value`. A value from a variable is judged where the
    /// variable is set; empty and quoted values (key=value strings) are left alone.
    pub fn refuses(&self, value: &str) -> bool {
        !value.is_empty() && !value.contains(['$', '\'']) && !self.accepts(value)
    }

    pub fn accepts(&self, value: &str) -> bool {
        match self.allowed {
            Allowed::OneOf(values) => values.contains(&value),
            Allowed::Integer => {
                let digits = value.trim().strip_prefix('-').unwrap_or(value.trim());
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }
        }
    }
}

const SSLMODE_VALUES: ValueCheck = ValueCheck {
    key: "sslmode",
    allowed: Allowed::OneOf(&["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]),
    error: "invalid sslmode value: \"{value}\"",
    instead: "require",
    unless: None,
    refused: true,
};

/// libpq's checks (`fe-connect.c`: `sslmode`'s values, `parse_int_param`), measured through
/// psycopg2 by verify/drivers.py.
const LIBPQ_VALUES: &[ValueCheck] = &[
    SSLMODE_VALUES,
    ValueCheck {
        key: "connect_timeout",
        allowed: Allowed::Integer,
        error: "invalid integer value \"{value}\" for connection option \"connect_timeout\"",
        instead: "10",
        unless: None,
        refused: true,
    },
];

/// psycopg 3 reads `connect_timeout` itself, before libpq, with an error of its own (measured
/// by verify/drivers.py); `sslmode` is libpq's.
const PSYCOPG_VALUES: &[ValueCheck] = &[
    SSLMODE_VALUES,
    ValueCheck {
        key: "connect_timeout",
        allowed: Allowed::Integer,
        error: "bad value for connect_timeout: '{value}'",
        instead: "10",
        unless: None,
        refused: true,
    },
];

/// A driver: an entry of [`DRIVERS`]. Drivers are equal when they are the same entry.
pub type Driver = &'static DriverDef;

impl PartialEq for DriverDef {
    fn eq(&self, other: &DriverDef) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for DriverDef {}

impl DriverDef {
    /// How to pass a setting the URL cannot carry for this driver, if it has one in code.
    pub fn in_code_for(&self, key: &str) -> Option<&'static str> {
        self.in_code.iter().find(|(k, _)| *k == key).map(|(_, how)| *how)
    }

    /// Whether it works through a transaction pooler, and what that takes.
    pub fn transaction(&self) -> (TxVerdict, String) {
        const CODE: &str = "unless the code uses SET, LISTEN, advisory locks or temp tables";
        match self.no_prepare_args {
            Some(args) if self.prepares => {
                let caveat = self.no_prepare_caveat.map(|c| format!(" ({c})")).unwrap_or_default();
                (TxVerdict::CompatibleWithSettings, format!("connect_args={args}{caveat}, {CODE}"))
            }
            _ => match self.transaction_keys {
                [] => (
                    TxVerdict::Compatible,
                    format!(
                        "{} never prepares statements; check the code for SET, LISTEN, advisory locks and temp tables",
                        self.name
                    ),
                ),
                keys => {
                    let keys: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    (TxVerdict::CompatibleWithSettings, format!("`{}` in the URL (or in code), {CODE}", keys.join("&")))
                }
            },
        }
    }
}

/// libpq's connection parameters (PostgreSQL 17 docs, "Parameter Key Words").
const LIBPQ_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslkeylogfile",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

const STRING_ARRIVES: &str = "the value arrives as a string and asyncpg fails on it";
const UNEXPECTED_KEYWORD: &str = "TypeError: connect() got an unexpected keyword argument '{key}'";

/// What the drivers that hand the URL to libpq share.
const LIBPQ_BASED: DriverDef = DriverDef {
    names: &[],
    name: "",
    scheme: "",
    libpq: true,
    accepts: LIBPQ_KEYS,
    program_keys: &[],
    string_traps: &[],
    values: LIBPQ_VALUES,
    refusal: Refusal::Always("invalid connection option \"{key}\""),
    in_code: &[],
    ssl_key: Some("sslmode"),
    ssl_require: "require",
    ssl_instead: "",
    prepares: false,
    no_prepare_args: None,
    no_prepare_caveat: None,
    transaction_keys: &[],
    transaction_why: "",
    misread: &[],
    assumed: None,
    is_async: false,
    pool: PoolHome::SqlAlchemy,
};

/// `postgresql+psycopg2://` (libpq underneath).
pub static PSYCOPG2: DriverDef = DriverDef {
    names: &["psycopg2", "psycopg2cffi"],
    name: "psycopg2",
    scheme: "postgresql+psycopg2",
    refusal: Refusal::Always("invalid dsn: invalid connection option \"{key}\""),
    ..LIBPQ_BASED
};

/// `postgresql+psycopg://`: psycopg 3 (libpq underneath). It takes `prepare_threshold` as a
/// keyword, but from a URL the value is a string.
pub static PSYCOPG: DriverDef = DriverDef {
    names: &["psycopg", "psycopg_async"],
    name: "psycopg 3",
    scheme: "postgresql+psycopg",
    string_traps: &[("prepare_threshold", "the value arrives as a string and psycopg fails on it")],
    values: PSYCOPG_VALUES,
    prepares: true,
    no_prepare_args: Some("{\"prepare_threshold\": None}"),
    ..LIBPQ_BASED
};

/// `postgresql+asyncpg://`: its own protocol code, keyword arguments. `prepared_statement_cache_size`
/// is consumed by SQLAlchemy's asyncpg dialect.
pub static ASYNCPG: DriverDef = DriverDef {
    names: &["asyncpg"],
    name: "asyncpg",
    scheme: "postgresql+asyncpg",
    libpq: false,
    accepts: &[
        "ssl",
        "command_timeout",
        "prepared_statement_cache_size",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
    ],
    program_keys: &[],
    string_traps: &[
        ("timeout", "unsupported operand type(s) for +: 'float' and 'str'"),
        ("statement_cache_size", STRING_ARRIVES),
        ("max_cached_statement_lifetime", STRING_ARRIVES),
        ("max_cacheable_statement_size", STRING_ARRIVES),
    ],
    values: &[],
    refusal: Refusal::Always(UNEXPECTED_KEYWORD),
    // asyncpg.connect(): `timeout`, and server settings in a dict
    // (<https://magicstack.github.io/asyncpg/current/api/index.html#connection>).
    in_code: &[
        ("connect_timeout", "connect_args={\"timeout\": 10}"),
        ("application_name", "connect_args={\"server_settings\": {\"application_name\": \"…\"}}"),
    ],
    ssl_key: Some("ssl"),
    ssl_require: "require",
    ssl_instead: "",
    prepares: true,
    no_prepare_args: Some("{\"statement_cache_size\": 0}"),
    // asyncpg 0.30 and older still create a named statement per query with the cache off, and
    // every process counts from 1: a second process on the pool collides
    // (DuplicatePreparedStatementError). 0.31.0 uses unnamed ones. docs/sources.md#prepared-statements
    // SQLAlchemy's `prepared_statement_name_func` arrived in 2.0.10 (its asyncpg dialect, 2.0.9 has
    // none); its docs warn that the named statements build up on the server connections.
    no_prepare_caveat: Some(
        "needs asyncpg 0.31 or later: with 0.30 and older a second process or a restart on the pool fails with `DuplicatePreparedStatementError`, so pin `asyncpg>=0.31`; or, on SQLAlchemy 2.0.10 and later, give each statement a unique name (`\"prepared_statement_name_func\": lambda: f\"__asyncpg_{uuid4()}__\"` in connect_args), which works on older asyncpg but leaves the named statements on the pooler's server connections",
    ),
    transaction_keys: &[],
    transaction_why: "",
    misread: &[],
    assumed: None,
    is_async: true,
    pool: PoolHome::SqlAlchemy,
};

/// `postgresql+pg8000://`: pure Python; only pool keys are verified.
pub static PG8000: DriverDef = DriverDef {
    names: &["pg8000"],
    name: "pg8000",
    scheme: "postgresql+pg8000",
    libpq: false,
    accepts: &[],
    program_keys: &[],
    // pg8000's connect() has no libpq keys: `connect() got an unexpected keyword argument 'sslmode'`.
    string_traps: &[("sslmode", "TypeError: connect() got an unexpected keyword argument 'sslmode'")],
    values: &[],
    refusal: Refusal::PoolKeysOnly(UNEXPECTED_KEYWORD),
    in_code: &[],
    ssl_key: None,
    ssl_require: "",
    ssl_instead: "pg8000 takes SSL as an object, not a URL key: create_engine(url, connect_args={\"ssl_context\": ssl.create_default_context()})",
    prepares: false,
    no_prepare_args: None,
    no_prepare_caveat: None,
    transaction_keys: &[],
    transaction_why: "",
    misread: &[],
    assumed: None,
    is_async: false,
    pool: PoolHome::SqlAlchemy,
};

/// libpq itself: psql, pg_dump, and any tool that hands the URL to libpq.
pub static LIBPQ: DriverDef =
    DriverDef { names: &[], name: "libpq", scheme: "postgresql", pool: PoolHome::None, ..LIBPQ_BASED };

const DJANGO_POOL: &str = "OPTIONS[\"pool\"] = {\"min_size\": 1, \"max_size\": 2} in settings.py (Django 5.1+, psycopg 3); without a pool Django holds one connection per thread";

/// Django's PostgreSQL backend with `DATABASE_URL` read by dj-database-url: every query key goes
/// into `OPTIONS`, which Django hands to psycopg 3 (psycopg2 without it), so libpq's keys and
/// Django's own options work and any other key stops the app with psycopg 3's error
/// (verify/django_stack.py; docs/sources.md#django). Its pool is Django's: a connection per thread.
pub static DJANGO: DriverDef = DriverDef {
    names: &[],
    name: "Django (psycopg)",
    scheme: "postgres",
    // Django's backend (5.2): `isolation_level`, `assume_role`, `server_side_binding`, `pool`;
    // dj-database-url turns `currentSchema` into `options`.
    program_keys: &["isolation_level", "assume_role", "server_side_binding", "pool", "currentSchema"],
    in_code: &[
        ("conn_max_age", "CONN_MAX_AGE in settings.py, e.g. dj_database_url.config(conn_max_age=60)"),
        (
            "conn_health_checks",
            "CONN_HEALTH_CHECKS in settings.py, e.g. dj_database_url.config(conn_health_checks=True)",
        ),
        (
            "disable_server_side_cursors",
            "DISABLE_SERVER_SIDE_CURSORS in settings.py, e.g. dj_database_url.config(disable_server_side_cursors=True)",
        ),
        ("pool_size", DJANGO_POOL),
        ("max_overflow", DJANGO_POOL),
    ],
    pool: PoolHome::Django,
    ..LIBPQ_BASED
};

const NODE_VERIFIES: &str = "it verifies the certificate as verify-full does, so it fails with `self-signed certificate in certificate chain` when Node does not trust the server's CA (Supabase's)";
// Prisma 7 hands the URL to node-postgres through @prisma/adapter-pg (verify/prisma7.py).
const NODE_POOL: &str = "new Pool({ connectionString, max: 2 }), with Prisma 7 new PrismaPg({ connectionString, max: 2 }) (node-postgres's default is 10 per Pool)";

/// node-postgres (`pg` 8.23, whose pg-connection-string 2.14 reads the URL): its own protocol
/// code. It reads libpq's SSL and identity keys and ignores every other key without a word, so a
/// pool or timeout setting in the URL does nothing. `sslmode=require` (and `prefer`,
/// `verify-ca`, `ssl=true`) means verify-full, which fails against a server whose CA Node does
/// not trust — Supabase's — unless `uselibpqcompat=true`; `sslmode=no-verify` encrypts without
/// that check, as libpq's `require` does. It prepares only queries given a `name`. Measured:
/// verify/node (docs/sources.md#node-postgres).
pub static NODE_POSTGRES: DriverDef = NODE_POSTGRES_DEF;
const NODE_POSTGRES_DEF: DriverDef = DriverDef {
    names: &[],
    name: "node-postgres",
    scheme: "postgresql",
    libpq: false,
    accepts: &[
        "sslmode",
        "ssl",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslnegotiation",
        "uselibpqcompat",
        "application_name",
        "fallback_application_name",
        "options",
        "client_encoding",
        "replication",
        "host",
        "port",
    ],
    program_keys: &[],
    string_traps: &[],
    values: &[
        ValueCheck {
            key: "sslmode",
            allowed: Allowed::OneOf(&["disable", "no-verify", "verify-full"]),
            error: NODE_VERIFIES,
            instead: "no-verify",
            unless: Some(("uselibpqcompat", "true")),
            refused: false,
        },
        ValueCheck {
            key: "ssl",
            allowed: Allowed::OneOf(&["0", "false", "no-verify"]),
            error: NODE_VERIFIES,
            instead: "no-verify",
            unless: None,
            refused: false,
        },
    ],
    refusal: Refusal::Ignored,
    in_code: &[
        ("connect_timeout", "new Pool({ connectionString, connectionTimeoutMillis: 10000 })"),
        ("pool_size", NODE_POOL),
        ("max_overflow", NODE_POOL),
        ("connection_limit", NODE_POOL),
        ("max", NODE_POOL),
    ],
    ssl_key: Some("sslmode"),
    ssl_require: "no-verify",
    ssl_instead: "",
    prepares: false,
    no_prepare_args: None,
    no_prepare_caveat: None,
    transaction_keys: &[],
    transaction_why: "",
    misread: &[],
    assumed: None,
    is_async: true,
    pool: PoolHome::Driver,
};

// postgres.js sends every URL key that is not one of its options to the server as a startup
// parameter (`parseOptions` in src/index.js): PgBouncer closes the connection with this text,
// PostgreSQL with `unrecognized configuration parameter "{key}"` (measured: verify/node_postgres.py).
const STARTUP_PARAMETER: &str = "PostgresError: unsupported startup parameter: {key} (postgres.js sends keys it does not know to the server as startup parameters; PostgreSQL itself says `unrecognized configuration parameter \"{key}\"`)";
const JS_VERIFIES: &str = "postgres.js verifies the certificate for any `ssl`/`sslmode` value but disable, allow, prefer and require, so it fails with `self-signed certificate` when Node does not trust the server's CA (Supabase's)";
const JS_POOL: &str = "postgres(url, { max: 2 }) (postgres.js's default is 10 per instance)";

/// postgres.js reads `sslmode` as `ssl`: the values that do not verify the certificate.
const fn js_ssl(key: &'static str) -> ValueCheck {
    ValueCheck {
        key,
        allowed: Allowed::OneOf(&["disable", "false", "allow", "prefer", "require"]),
        error: JS_VERIFIES,
        instead: "require",
        unless: None,
        refused: false,
    }
}

/// postgres.js (`postgres` 3.4.9): its own protocol code. It reads its options from the URL's
/// query (`max`, `ssl`/`sslmode`, `prepare`, `connect_timeout`, `idle_timeout`, …) and sends every
/// other key to the server as a startup parameter, which a pooler refuses. `sslmode=require`
/// encrypts without verifying, as libpq's; `ssl=true`, `verify-full` and node-postgres's
/// `no-verify` verify. It prepares every parameterised query and pipelines queries by default;
/// `prepare=false&max_pipeline=0` in the URL (or in code) turns both off. `max` from a URL stays text, and `Array("5")` makes a pool of
/// one. Measured: verify/node (docs/sources.md#postgres-js); src/index.js `parseOptions`
/// (<https://github.com/porsager/postgres/blob/v3.4.9/src/index.js>).
pub static POSTGRES_JS: DriverDef = DriverDef {
    names: &[],
    name: "postgres.js",
    scheme: "postgres",
    libpq: false,
    accepts: &[
        "ssl",
        "sslmode",
        "sslnegotiation",
        "sslrootcert",
        "idle_timeout",
        "connect_timeout",
        "max_lifetime",
        "max_pipeline",
        "backoff",
        "keep_alive",
        "prepare",
        "debug",
        "fetch_types",
        "publications",
        "target_session_attrs",
        // Startup parameters PgBouncer lets through.
        "application_name",
        "client_encoding",
    ],
    program_keys: &[],
    string_traps: &[],
    values: &[js_ssl("sslmode"), js_ssl("ssl")],
    refusal: Refusal::Always(STARTUP_PARAMETER),
    in_code: &[
        ("pool_size", JS_POOL),
        ("max_overflow", JS_POOL),
        ("connection_limit", JS_POOL),
        ("max", JS_POOL),
        ("statement_timeout", "postgres(url, { connection: { statement_timeout: 10000 } })"),
        ("search_path", "postgres(url, { connection: { search_path: '…' } }) on a direct connection; through a pooler, `ALTER ROLE … SET search_path` instead"),
    ],
    ssl_key: Some("sslmode"),
    ssl_require: "require",
    ssl_instead: "",
    prepares: true,
    no_prepare_args: None,
    no_prepare_caveat: None,
    // `prepare=false`: no named statements. `max_pipeline=0`: no query written onto a connection
    // that still waits for a reply, which a transaction pooler may already have handed on
    // (Supavisor wedges: porsager/postgres#970, supabase/supabase#50082; PgBouncer 1.18 closed
    // connections under a burst of 300). Both measured in verify/postgres_js.py.
    transaction_keys: &[("prepare", "false"), ("max_pipeline", "0")],
    transaction_why: "prepares statements and pipelines queries by default, which break through a transaction pooler (`prepared statement \"…\" does not exist`, queries that never answer)",
    misread: &[(
        "max",
        "it keeps the URL's value as text, and a pool of text size opens one connection whatever the number (measured: `?max=5` held 1)",
    )],
    assumed: None,
    is_async: true,
    pool: PoolHome::Driver,
};

/// Prisma 7 with `@prisma/adapter-pg`: node-postgres reads the URL, so it is judged as
/// node-postgres judges it, except Prisma's own keys: Prisma 6 and earlier read them and 7
/// ignores them (measured: verify/prisma7.py), so in a Prisma app's URL they stay, harmless on
/// 7 and needed on 6 (`pgbouncer=true` through a transaction pooler).
pub static PRISMA7: DriverDef = DriverDef {
    name: "Prisma 7 (node-postgres)",
    program_keys: &["pgbouncer", "connection_limit", "pool_timeout"],
    ..NODE_POSTGRES_DEF
};

const PRISMA6_POOL: &str =
    "connection_limit=2 in the URL, Prisma 6's own key (its default is num_physical_cpus × 2 + 1)";

/// Prisma 6 and earlier without a driver adapter: its Rust query engine (quaint) reads the URL
/// (`PostgresUrl::parse_query_params`, <https://github.com/prisma/prisma-engines/blob/main/quaint/src/connector/postgres/url.rs>):
/// the keys below, every other one discarded without a word; `sslmode` only disable, prefer
/// (its default) and require, anything else read as prefer, and certificates not checked unless
/// `sslaccept=strict`; 100 prepared statements cached per connection unless `pgbouncer=true`.
/// Pool: `connection_limit`, by default num_physical_cpus × 2 + 1
/// (<https://www.prisma.io/docs/v6/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool>).
/// From the source and documentation, not measured: Prisma 6's engine downloads from
/// binaries.prisma.sh, which this project's machines cannot reach (docs/sources.md#prisma-6).
pub static PRISMA6: DriverDef = DriverDef {
    names: &[],
    name: "Prisma 6's engine",
    scheme: "postgresql",
    libpq: false,
    accepts: &[
        "pgbouncer",
        "sslmode",
        "sslcert",
        "sslidentity",
        "sslpassword",
        "sslaccept",
        "statement_cache_size",
        "schema",
        "connection_limit",
        "host",
        "socket_timeout",
        "connect_timeout",
        "pool_timeout",
        "max_connection_lifetime",
        "max_idle_connection_lifetime",
        "application_name",
        "channel_binding",
        "options",
    ],
    program_keys: &[],
    string_traps: &[],
    values: &[],
    refusal: Refusal::Ignored,
    in_code: &[("pool_size", PRISMA6_POOL), ("max_overflow", PRISMA6_POOL), ("max", PRISMA6_POOL)],
    ssl_key: Some("sslmode"),
    ssl_require: "require",
    ssl_instead: "",
    prepares: true,
    no_prepare_args: None,
    no_prepare_caveat: None,
    transaction_keys: &[("pgbouncer", "true")],
    transaction_why: "caches prepared statements on each connection unless told it is behind PgBouncer, which break through a transaction pooler (`prepared statement \"s0\" already exists`, as Supabase's troubleshooting guide reports)",
    misread: &[],
    assumed: None,
    is_async: true,
    pool: PoolHome::Driver,
};

/// A Node service whose library poolfix cannot see: judged as node-postgres, which most Node
/// database libraries use underneath, but its SSL fixes are given by hand, since postgres.js
/// fails with node-postgres's `sslmode=no-verify` and node-postgres with `sslmode=require`
/// (both measured: verify/node_postgres.py, verify/postgres_js.py).
pub static NODE_ASSUMED: DriverDef = DriverDef {
    name: "node-postgres (assumed)",
    assumed: Some(
        "poolfix cannot see which library the app uses: this is node-postgres's value; with postgres.js write `sslmode=require` instead (it fails with `no-verify`)",
    ),
    ..NODE_POSTGRES_DEF
};

/// Every driver poolfix knows.
pub static DRIVERS: &[Driver] = &[
    &PSYCOPG2,
    &PSYCOPG,
    &ASYNCPG,
    &PG8000,
    &LIBPQ,
    &DJANGO,
    &NODE_POSTGRES,
    &POSTGRES_JS,
    &PRISMA7,
    &PRISMA6,
    &NODE_ASSUMED,
];

/// The driver named after `+` in a SQLAlchemy URL.
pub fn from_name(name: &str) -> Option<Driver> {
    let name = name.to_ascii_lowercase();
    DRIVERS.iter().copied().find(|d| d.names.contains(&name.as_str()))
}

/// SQLAlchemy `create_engine()` pool arguments: never valid in a URL (docs/sources.md#url-keys).
pub const POOL_KEYS: &[&str] = &[
    "pool_size",
    "max_overflow",
    "pool_timeout",
    "pool_recycle",
    "pool_pre_ping",
    "poolclass",
    "pool_use_lifo",
    "pool_reset_on_return",
];

/// Prisma's own connection-URL keys, which no Python driver has
/// (<https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments>).
pub const PRISMA_KEYS: &[&str] =
    &["pgbouncer", "connection_limit", "socket_timeout", "sslaccept", "sslidentity", "schema"];

/// What a driver does with one URL query key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// The connection fails; the text is the error the user sees.
    Refused(String),
    /// Not measured for this driver.
    Unknown,
    /// Read, but not as meant: the text says what happens.
    Misread(String),
    /// The connection works; the setting does not apply.
    Ignored,
}

/// What `driver` does with the URL query key `key`.
pub fn verdict(driver: Driver, key: &str) -> Verdict {
    if let Some((_, error)) = driver.string_traps.iter().find(|(k, _)| *k == key) {
        return Verdict::Refused((*error).into());
    }
    if let Some((_, what)) = driver.misread.iter().find(|(k, _)| *k == key) {
        return Verdict::Misread((*what).into());
    }
    if driver.accepts.contains(&key) || driver.program_keys.contains(&key) {
        return Verdict::Accepted;
    }
    match driver.refusal {
        Refusal::Always(text) => Verdict::Refused(text.replace("{key}", key)),
        Refusal::PoolKeysOnly(text) if POOL_KEYS.contains(&key) => Verdict::Refused(text.replace("{key}", key)),
        Refusal::PoolKeysOnly(_) => Verdict::Unknown,
        Refusal::Ignored => Verdict::Ignored,
    }
}

/// The spelling `driver` accepts for a key it refuses, when there is one in the URL:
/// `sslmode` ↔ `ssl`, `timeout` → `connect_timeout`.
pub fn respelling(driver: Driver, key: &str) -> Option<&'static str> {
    match (driver.libpq, key) {
        (false, "sslmode") if driver.ssl_key == Some("ssl") => Some("ssl"),
        (true, "ssl") => Some("sslmode"),
        (true, "timeout") => Some("connect_timeout"),
        _ => None,
    }
}

/// The value to use after respelling (`ssl=true` means `sslmode=require`).
pub fn respelled_value(to: &str, value: &str) -> String {
    let mapped = match (to, value.to_ascii_lowercase().as_str()) {
        ("sslmode", "true" | "1" | "yes" | "on") => "require".to_string(),
        ("sslmode", "false" | "0" | "no" | "off") => "disable".to_string(),
        _ => value.to_string(),
    };
    // A value libpq would refuse under the new name gets the one PF120 writes.
    match LIBPQ_VALUES.iter().find(|c| c.key == to) {
        Some(c) if c.refuses(&mapped) => c.instead.to_string(),
        _ => mapped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measured_table() {
        use Verdict::*;
        let refused = |d, k| matches!(verdict(d, k), Refused(_));
        assert_eq!(
            verdict(&PSYCOPG2, "pool_size"),
            Refused("invalid dsn: invalid connection option \"pool_size\"".into())
        );
        assert_eq!(verdict(&PSYCOPG, "pool_size"), Refused("invalid connection option \"pool_size\"".into()));
        assert_eq!(
            verdict(&ASYNCPG, "pool_size"),
            Refused("TypeError: connect() got an unexpected keyword argument 'pool_size'".into())
        );
        assert_eq!(verdict(&PSYCOPG2, "connect_timeout"), Accepted);
        assert!(refused(&ASYNCPG, "connect_timeout"));
        assert!(refused(&PSYCOPG2, "timeout") && refused(&PSYCOPG, "timeout"));
        assert_eq!(
            verdict(&ASYNCPG, "timeout"),
            Refused("unsupported operand type(s) for +: 'float' and 'str'".into())
        );
        assert!(refused(&PSYCOPG2, "command_timeout"));
        assert_eq!(verdict(&ASYNCPG, "command_timeout"), Accepted);
        assert_eq!(verdict(&PSYCOPG2, "sslmode"), Accepted);
        assert!(refused(&ASYNCPG, "sslmode"));
        assert!(refused(&PSYCOPG2, "ssl"));
        assert_eq!(verdict(&ASYNCPG, "ssl"), Accepted);
        assert!(refused(&ASYNCPG, "application_name"));
        assert_eq!(verdict(&ASYNCPG, "prepared_statement_cache_size"), Accepted);
        assert!(refused(&ASYNCPG, "statement_cache_size"));
        assert!(refused(&PSYCOPG, "prepare_threshold"));
        assert_eq!(verdict(&PG8000, "application_name"), Unknown);
        assert!(refused(&PG8000, "pool_size"));
        assert!(refused(&PG8000, "sslmode"));
        assert_eq!(from_name("Psycopg2cffi"), Some(&PSYCOPG2 as Driver));
        assert_eq!(from_name("mysql"), None);
    }
}
