//! The error texts poolfix recognises in a pasted log, one entry each in [`ERRORS`]: the exact
//! words the pooler, the driver or the server prints (recorded from the real software by
//! `verify/`, kept in `tests/logs/`), what they mean, the usual cause, the fix, the guide's
//! section, and the rules that find the cause in a compose file or URL. A new error is a new
//! entry; a line no entry matches is reported as unknown, never guessed.

/// What a log line must contain: a fixed text, or a text followed by a value up to `until`
/// (the key or parameter the message names), which the explanation quotes.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    Text(&'static str),
    Value { before: &'static str, until: &'static str },
}

/// One error text, known.
#[derive(Debug)]
pub struct KnownError {
    pub id: &'static str,
    pub patterns: &'static [Pattern],
    /// Who prints it.
    pub source: &'static str,
    pub meaning: &'static str,
    /// What to do; `{value}` stands for the value a `Pattern::Value` caught.
    pub fix: &'static str,
    /// The guide's page and section (`troubleshooting#max-clients`).
    pub guide: &'static str,
    /// Rules whose findings in a pasted compose file or URL point at the cause.
    pub rules: &'static [&'static str],
    /// The drivers that print it (`DriverDef::name`); empty: any.
    pub drivers: &'static [&'static str],
}

use Pattern::{Text, Value};

/// Most specific first: the first entry that matches a line explains it.
pub static ERRORS: &[KnownError] = &[
    KnownError {
        id: "max-clients-session",
        patterns: &[
            Text("max clients reached in session mode"),
            Text("MaxClientsInSessionMode"),
            Text("EMAXCONNSESSION"),
            Text("Max client connections reached"),
        ],
        source: "Supavisor (Supabase's shared pooler), session mode",
        meaning: "the session pool is full: every client holds one of the pool's server connections for its whole life, and the clients of all services together reached the pool size",
        fix: "Count what every service can hold (`poolfix check docker-compose.yml`) and lower it where each tool reads its pool, move compatible services to port 6543, or raise the pool size.",
        guide: "troubleshooting#max-clients",
        rules: &["PF201", "PF202", "PF203", "PF207"],
        drivers: &[],
    },
    KnownError {
        id: "pgbouncer-max-client-conn",
        patterns: &[Text("no more connections allowed (max_client_conn)"), Text("query_wait_timeout")],
        source: "PgBouncer",
        meaning: "PgBouncer's version of a full pool: past `default_pool_size` a session client waits and its query times out; past `max_client_conn` it is refused",
        fix: "Count what every service can hold (`poolfix check`) and keep it under the pool size.",
        guide: "troubleshooting#pgbouncer",
        rules: &["PF201", "PF202"],
        drivers: &[],
    },
    KnownError {
        id: "too-many-clients",
        patterns: &[Text("remaining connection slots are reserved"), Text("too many clients already")],
        source: "PostgreSQL",
        meaning: "the database's own connection limit (max_connections) is reached: direct connections and the pooler's server connections together",
        fix: "Connect through the pooler instead of the direct host, and lower what each service holds; on Supabase the limit follows the compute size.",
        guide: "endpoints#limits",
        rules: &["PF201"],
        drivers: &[],
    },
    // PostgreSQL's `postinit.c` (https://github.com/postgres/postgres/blob/master/src/backend/utils/init/postinit.c).
    KnownError {
        id: "role-connection-limit",
        patterns: &[Text("too many connections for role")],
        source: "PostgreSQL",
        meaning: "the role's own connection limit (`ALTER ROLE … CONNECTION LIMIT`, or a host's per-user limit) is reached by the connections of every service that logs in as it",
        fix: "Count what every service can hold (`poolfix check`) and lower it, or connect through the pooler; raise the role's limit only if the database has room.",
        guide: "endpoints#limits",
        rules: &["PF201"],
        drivers: &[],
    },
    KnownError {
        id: "queue-pool-limit",
        patterns: &[Text("QueuePool limit of size")],
        source: "SQLAlchemy",
        meaning: "the service's own pool is exhausted: all pool_size + max_overflow connections were busy for pool_timeout seconds",
        fix: "The pool is smaller than the service's concurrency: raise that service's max_overflow by what it needs (and count it against the pooler's limit), or run fewer requests at once.",
        guide: "rollout#watch",
        rules: &["PF207", "PF208"],
        drivers: &[],
    },
    // Prisma's error reference, P2024 (https://www.prisma.io/docs/orm/reference/error-reference).
    KnownError {
        id: "prisma-pool-timeout",
        patterns: &[Text("Timed out fetching a new connection from the connection pool"), Text("P2024")],
        source: "Prisma 6 and earlier (its engine's pool)",
        meaning: "Prisma's own pool is exhausted: all `connection_limit` connections were busy for `pool_timeout` seconds (with `connection_limit=1`, every query waits for the one before)",
        fix: "Raise `connection_limit` in the URL by what the service needs and count it against the pooler (`poolfix check`), or raise `pool_timeout`.",
        guide: "node#prisma-6",
        rules: &["PF201"],
        drivers: &["Prisma 6's engine"],
    },
    KnownError {
        id: "tenant-not-found",
        patterns: &[Text("Tenant or user not found"), Text("ENOTFOUND")],
        source: "Supavisor",
        meaning: "the pooler does not know this host and user: the user lacks the project ref, or the host is another cluster's",
        fix: "Use the user `postgres.<project-ref>` and copy the host from the dashboard's Connect panel.",
        guide: "troubleshooting#tenant-not-found",
        rules: &["PF107", "PF117"],
        drivers: &[],
    },
    KnownError {
        id: "duplicate-prepared-statement",
        patterns: &[Text("DuplicatePreparedStatementError"), Value { before: "prepared statement \"__asyncpg_stmt", until: "\" already exists" }],
        source: "asyncpg through a transaction pooler",
        meaning: "asyncpg names its prepared statements, and another process (or the same one after a restart) already prepared that name on the server connection the pooler lent",
        fix: "Turn asyncpg's statement caches off (Prefect 3.2.7+: both `…_CONNECT_ARGS_STATEMENT_CACHE_SIZE` settings at 0; your code: `connect_args={\"statement_cache_size\": 0}`) with asyncpg 0.31 or later, or use the session pooler (port 5432).",
        guide: "troubleshooting#prepared-statement",
        rules: &["PF110"],
        drivers: &["asyncpg"],
    },
    KnownError {
        id: "prepared-statement-missing",
        patterns: &[
            Text("InvalidSQLStatementNameError"),
            Value { before: "prepared statement \"", until: "\" does not exist" },
            Value { before: "prepared statement \"", until: "\" already exists" },
        ],
        source: "asyncpg, psycopg 3, postgres.js or Prisma 6 through a transaction pooler",
        meaning: "the driver prepared a statement on one server connection and the pooler ran the next transaction on another (`__asyncpg_stmt_…` is asyncpg, `_pg3_…` psycopg 3, a short random name postgres.js)",
        fix: "Turn prepared statements off for the driver (asyncpg: `statement_cache_size=0`, with asyncpg 0.31+; psycopg 3: `prepare_threshold=None`; Prefect 3.2.7+: its two statement-cache settings at 0; postgres.js: `prepare=false&max_pipeline=0` in the URL; Prisma 6 and earlier: `pgbouncer=true`), or use the session pooler (port 5432).",
        guide: "troubleshooting#prepared-statement",
        rules: &["PF110"],
        drivers: &["asyncpg", "psycopg 3", "postgres.js", "Prisma 6's engine"],
    },
    KnownError {
        id: "server-side-cursor",
        patterns: &[Text("\"_django_curs_"), Text("InvalidCursorName")],
        source: "Django (psycopg 3 or psycopg2) through a transaction pooler",
        meaning: "Django declared a server-side cursor (`QuerySet.iterator()`) on one server connection and the pooler ran the next fetch on another, where the cursor does not exist",
        fix: "Set `DISABLE_SERVER_SIDE_CURSORS: True` in the database's settings (dj-database-url 2.2+: `disable_server_side_cursors=True`), or use the session pooler (port 5432).",
        guide: "django#server-side-cursors",
        rules: &["PF219"],
        drivers: &[],
    },
    KnownError {
        id: "self-signed-certificate",
        patterns: &[Text("self-signed certificate"), Text("self signed certificate"), Text("SELF_SIGNED_CERT_IN_CHAIN")],
        source: "node-postgres or postgres.js (or another Node client) checking the server's certificate",
        meaning: "the client verifies the certificate against the CAs Node trusts, and Supabase's is not one of them: node-postgres does this for `sslmode=require`, `prefer`, `verify-ca` and `ssl=true`; postgres.js for `ssl=true`, `verify-full` and `no-verify`",
        fix: "node-postgres: `sslmode=no-verify` (encrypted, not verified, as libpq's `require`) or `uselibpqcompat=true&sslmode=require`; postgres.js: `sslmode=require`; to verify, download the CA from Supabase's database settings and use `sslmode=verify-full&sslrootcert=…`.",
        guide: "node#ssl",
        rules: &["PF120", "PF106"],
        drivers: &[],
    },
    KnownError {
        id: "invalid-connection-option",
        patterns: &[Value { before: "invalid connection option \"", until: "\"" }],
        source: "libpq (psycopg2, psycopg 3, psql)",
        meaning: "the URL has a query key libpq does not know, `{value}`, and the connection stops before it is made",
        fix: "Remove `{value}` from the URL: pool settings go where the tool reads them (MLflow and Prefect: their environment variables; your code: create_engine()); `timeout` is `connect_timeout` for libpq.",
        guide: "troubleshooting#invalid-connection-option",
        rules: &["PF101", "PF102"],
        drivers: &["psycopg2", "psycopg 3", "libpq"],
    },
    KnownError {
        id: "unexpected-keyword",
        patterns: &[Value { before: "unexpected keyword argument '", until: "'" }],
        source: "asyncpg or pg8000 (the URL's keys become connect() arguments)",
        meaning: "the driver's connect() has no argument `{value}`, and the URL passed it one",
        fix: "Remove `{value}` from the URL (asyncpg spells SSL `ssl=require`; pool settings and timeouts go in the service's environment or create_engine()). Airflow 3 hands its URL to asyncpg too: give that engine AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC.",
        guide: "troubleshooting#unexpected-keyword",
        rules: &["PF101", "PF102", "PF123"],
        drivers: &["asyncpg", "pg8000"],
    },
    KnownError {
        id: "unsupported-startup-parameter",
        patterns: &[Value { before: "unsupported startup parameter: ", until: "" }],
        source: "PgBouncer (Supabase's dedicated pooler, and the stand-in poolfix verifies with)",
        meaning: "the client sent the startup parameter `{value}` when it connected, and the pooler refuses parameters it does not know (Prefect 2.8.6 to 3.0 send `jit`; postgres.js sends every URL key that is not one of its options)",
        fix: "For `options`: remove it from the URL and set the setting on the database role. For `jit`: Prefect 3.1 or later, or a pooler that ignores it; Supavisor's session port is where Prefect 2 is meant to run. For postgres.js: remove `{value}` from the URL (Prisma's `pgbouncer`, `connection_limit` mean nothing to it).",
        guide: "troubleshooting#unsupported-startup-parameter",
        rules: &["PF115", "PF119", "PF102"],
        drivers: &[],
    },
    KnownError {
        id: "unrecognized-configuration-parameter",
        patterns: &[Value { before: "unrecognized configuration parameter \"", until: "\"" }],
        source: "PostgreSQL, through a raw asyncpg connection (Prefect 3's LISTEN connection)",
        meaning: "a URL key reached the server as a setting `{value}`: raw asyncpg hands unknown URL keys to the server",
        fix: "Keep only `ssl` in Prefect's URL and set timeouts in its environment.",
        guide: "troubleshooting#unrecognized-parameter",
        rules: &["PF113"],
        drivers: &["asyncpg"],
    },
    KnownError {
        id: "invalid-sslmode",
        patterns: &[Value { before: "invalid sslmode value: \"", until: "\"" }],
        source: "libpq",
        meaning: "`sslmode` has a value libpq does not know, `{value}` (a typo, a key given twice, or a second `?` in the URL)",
        fix: "Write `sslmode=require` once, and join the URL's parameters with `&`.",
        guide: "rules#pf120",
        rules: &["PF118", "PF120", "PF121"],
        drivers: &["psycopg2", "psycopg 3", "libpq"],
    },
    KnownError {
        id: "bad-connect-timeout",
        patterns: &[Text("for connection option \"connect_timeout\""), Text("bad value for connect_timeout")],
        source: "libpq or psycopg 3",
        meaning: "`connect_timeout` is not a whole number of seconds (or is given twice)",
        fix: "Write `connect_timeout=10` once.",
        guide: "rules#pf120",
        rules: &["PF120", "PF121"],
        drivers: &["psycopg2", "psycopg 3", "libpq"],
    },
    KnownError {
        id: "no-module-psycopg2",
        patterns: &[Text("No module named 'psycopg2'")],
        source: "Python, in the service's image",
        meaning: "the URL asks for psycopg2 and the image has no such driver (the plain `ghcr.io/mlflow/mlflow` image installs none)",
        fix: "Use an image with the driver (MLflow 3.9+: the `-full` tag) or build one that runs `pip install psycopg2-binary`.",
        guide: "mlflow#image",
        rules: &["PF218"],
        drivers: &[],
    },
    KnownError {
        id: "no-module-psycopg",
        patterns: &[Text("No module named 'psycopg'")],
        source: "Python, in the service's image",
        meaning: "a bare `postgresql://` URL, which SQLAlchemy 2.1 maps to psycopg 3, in an image that has psycopg2",
        fix: "Name the installed driver in the scheme: `postgresql+psycopg2://`.",
        guide: "troubleshooting#no-module-psycopg",
        rules: &["PF104", "PF114"],
        drivers: &[],
    },
    KnownError {
        id: "cant-load-plugin-postgres",
        patterns: &[Text("Can't load plugin: sqlalchemy.dialects:postgres")],
        source: "SQLAlchemy",
        meaning: "the URL starts with `postgres://`, which SQLAlchemy 1.4 and later do not accept",
        fix: "Write `postgresql+<driver>://`.",
        guide: "troubleshooting#cant-load-plugin",
        rules: &["PF103"],
        drivers: &[],
    },
    KnownError {
        id: "nullpool-with-sizes",
        patterns: &[Text("Invalid argument(s) 'pool_size'"), Text("Invalid argument(s) 'max_overflow'")],
        source: "SQLAlchemy (MLflow with NullPool and pool sizes)",
        meaning: "NullPool takes no pool size, and the service was given both",
        fix: "Use either `MLFLOW_SQLALCHEMYSTORE_POOLCLASS=NullPool` or the pool sizes, not both.",
        guide: "troubleshooting#invalid-argument",
        rules: &["PF205"],
        drivers: &[],
    },
    KnownError {
        id: "unsupported-operand",
        patterns: &[Text("unsupported operand type(s) for +: 'float' and 'str'")],
        source: "asyncpg",
        meaning: "`timeout=` in an asyncpg URL: the value arrives as a string",
        fix: "Remove `timeout` from the URL and set the service's connection timeout in its environment or code.",
        guide: "troubleshooting#unsupported-operand",
        rules: &["PF102"],
        drivers: &["asyncpg"],
    },
    KnownError {
        id: "server-closed",
        patterns: &[Text("server closed the connection unexpectedly"), Text("ConnectionDoesNotExistError"), Text("connection was closed in the middle of operation")],
        source: "the driver",
        meaning: "the pooler or the database dropped the connection: a restart, a failover, or an idle connection cut off",
        fix: "Let the pool check connections before use (`pool_pre_ping=True`, `pool_recycle` below the pooler's idle timeout); if it keeps happening, look at the pooler's side.",
        guide: "rollout#watch",
        rules: &[],
        drivers: &[],
    },
    KnownError {
        id: "ipv6-unreachable",
        patterns: &[Text("Network is unreachable"), Text("Cannot assign requested address")],
        source: "the operating system",
        meaning: "the host resolves to an IPv6 address the container cannot reach: Supabase's direct host is IPv6-only without the add-on, and Docker networks are usually IPv4-only",
        fix: "Use the shared pooler's session endpoint (port 5432) instead of the direct host.",
        guide: "troubleshooting#ipv6",
        rules: &["PF108"],
        drivers: &[],
    },
    KnownError {
        id: "connect-timeout",
        patterns: &[Text("timeout expired"), Text("TimeoutError"), Text("Connection timed out"), Text("could not connect to server"), Text("Can't reach database server")],
        source: "the driver",
        meaning: "no connection within the connect timeout: the host is unreachable, or the pooler queued the client because the pool was full",
        fix: "Check the host and port from inside the container; if the pooler is reachable, count the pool (`poolfix check`).",
        guide: "troubleshooting#max-clients",
        rules: &["PF105", "PF108", "PF201"],
        drivers: &[],
    },
    KnownError {
        id: "password-authentication-failed",
        patterns: &[Text("password authentication failed")],
        source: "PostgreSQL or the pooler",
        meaning: "the password is wrong as the server received it: a character such as `@`, `#` or `%` in it must be percent-encoded in a URL",
        fix: "Percent-encode the password in the URL, or keep it in a variable.",
        guide: "rules#pf111",
        rules: &["PF111"],
        drivers: &[],
    },
    KnownError {
        id: "migration-reapplied",
        patterns: &[Text("DuplicateColumnError"), Text("DuplicateTableError")],
        source: "PostgreSQL, during the service's database migration",
        meaning: "a migration is being applied over one that was half applied: an earlier start failed in the middle of it (through a transaction pooler, asyncpg's prepared statements are the usual cause)",
        fix: "Fix the first error of the earlier start, and run migrations through the session pooler (port 5432) or the direct connection; the half-applied step may need to be undone by hand.",
        guide: "transaction-mode",
        rules: &["PF110"],
        drivers: &[],
    },
    KnownError {
        id: "exception-follows",
        patterns: &[Text("SQLAlchemy engine could not be created"), Text("Encountered exception in request")],
        source: "MLflow or Prefect, reporting an exception",
        meaning: "the service could not reach or use its database: the exception in the lines below says why",
        fix: "Read the exception that follows; poolfix explains it when it is one of these.",
        guide: "troubleshooting",
        rules: &[],
        drivers: &[],
    },
    KnownError {
        id: "application-startup-failed",
        patterns: &[Text("Application startup failed")],
        source: "uvicorn (Prefect's server)",
        meaning: "the server stopped while starting: the cause is in the lines just above (often a refused URL key or a full pool)",
        fix: "Read the error above this line; poolfix explains it when it is one of these.",
        guide: "troubleshooting",
        rules: &[],
        drivers: &[],
    },
];

impl Pattern {
    /// Where the pattern matches in `line`, and the value it caught.
    pub fn find<'a>(&self, line: &'a str) -> Option<Option<&'a str>> {
        self.find_in(line, &line.to_ascii_lowercase())
    }

    /// [`Pattern::find`] with the line already lower-cased (once per line, not per pattern).
    fn find_in<'a>(&self, line: &'a str, lower: &str) -> Option<Option<&'a str>> {
        match *self {
            // Case aside: people paste a message as a document spelled it ("No more connections
            // allowed" in Supabase's docs, "no more …" from PgBouncer itself).
            Text(t) => contains_ignoring_case(lower, t).then_some(None),
            Value { before, until } => {
                let at = line.find(before)? + before.len();
                let rest = &line[at..];
                let end = if until.is_empty() { rest.find(char::is_whitespace) } else { rest.find(until) };
                let value = rest[..end.unwrap_or(rest.len())].trim_end_matches(['"', '\'', ',', '.']);
                if until.is_empty() || end.is_some() {
                    Some(Some(value))
                } else {
                    None
                }
            }
        }
    }
}

/// Whether `lower` (lower-cased) holds `needle` in any case: candidates are found by the
/// needle's first byte (a fast character search), then compared.
fn contains_ignoring_case(lower: &str, needle: &str) -> bool {
    let Some(first) = needle.bytes().next() else { return true };
    let n = needle.as_bytes();
    lower
        .match_indices(char::from(first.to_ascii_lowercase()))
        .any(|(i, _)| lower.as_bytes()[i..].get(..n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
}

/// The entry that explains `line`, with the value it caught.
pub fn recognise(line: &str) -> Option<(&'static KnownError, Option<&str>)> {
    let lower = line.to_ascii_lowercase();
    ERRORS.iter().find_map(|e| e.patterns.iter().find_map(|p| p.find_in(line, &lower)).map(|v| (e, v)))
}

/// Whether a line reads like an error report (then an unknown one is said to be unknown).
pub fn looks_like_error(line: &str) -> bool {
    const WORDS: &[&str] = &["error", "fatal", "exception", "failed", "refused", "traceback", "panic", "critical"];
    let lower = line.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}
