//! The services poolfix knows, one entry each in [`SERVICES`]: how a compose service is
//! recognised, where it reads its URL and pool settings, how its connections are counted, its
//! health check, and how it fares through a transaction pooler. Detection, the budget, the fixes,
//! the plan, the CLI's `--for` values and the page all read this table: a new service is a new
//! entry (CONTRIBUTING.md says what else it asks for). Every setting name is written here once.

use super::drivers::{
    Driver, PoolHome, ASYNCPG, DJANGO as DJANGO_DRIVER, LIBPQ, NODE_ASSUMED, NODE_POSTGRES, POSTGRES_JS, PRISMA6,
    PRISMA7, PSYCOPG, PSYCOPG2,
};
use super::Version;

/// How a compose service is recognised.
#[derive(Debug)]
pub struct Detect {
    /// Phrases in the command line (entrypoint and command, lower-cased).
    pub commands: &'static [&'static str],
    /// Words that must all stand in the command line (`celery … beat`).
    pub words: &'static [&'static str],
    /// Image names (registry and tag stripped, lower-cased).
    pub images: &'static [ImageMatch],
    /// Command phrases that rule an image or word match out (an MLflow image that runs Prefect).
    pub unless_command: &'static [&'static str],
    /// Variables that mark the service when they hold a PostgreSQL URL (MLflow's client).
    pub url_vars: &'static [&'static str],
    /// Variables whose presence rules a `url_vars` match out (the server's own URL variable).
    pub unless_env: &'static [&'static str],
    /// Query keys one of which a `url_vars` URL must carry (Prisma's `connection_limit`).
    pub url_keys: &'static [&'static str],
    /// Variables whose presence marks the service (Django's `DJANGO_SETTINGS_MODULE`).
    pub env_names: &'static [&'static str],
    /// Which part of a program this entry is: when set, a match by image, words or variable
    /// also needs one of these phrases in the command line, or one of `component_env` set
    /// (the official Airflow image runs `api-server`, `scheduler`, … from one image).
    pub component: &'static [&'static str],
    pub component_env: &'static [&'static str],
    /// `url_vars` do not mark the service on their own: the command or image does, and one of
    /// them must also hold a PostgreSQL URL (a Node image that serves only a front end is no client).
    pub url_required: bool,
    /// Command phrases or variables only this entry's releases have (`prefect orion`): with the
    /// version unknown, they pick this entry instead of the one for the newest releases.
    pub era: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub enum ImageMatch {
    Contains(&'static str),
    EndsWith(&'static str),
    Exact(&'static str),
}

impl ImageMatch {
    fn matches(self, image: &str) -> bool {
        match self {
            ImageMatch::Contains(s) => image.contains(s),
            ImageMatch::EndsWith(s) => image.ends_with(s),
            ImageMatch::Exact(s) => image == s,
        }
    }
}

/// Where a service reads its connection URL.
#[derive(Debug)]
pub struct UrlSource {
    /// Command-line flags (`--flag URL` or `--flag=URL`), read first.
    pub flags: &'static [&'static str],
    /// Environment variables, preferred first; the first one set is read.
    pub env: &'static [&'static str],
    /// Every variable that holds a PostgreSQL URL (a program of your own reads any of them).
    pub any_postgres_var: bool,
    /// Variables that say where to get the URL instead of holding it, and what they point to
    /// (Airflow's `…_CMD`: a command's output); read when none of `env` is set.
    pub hidden: &'static [(&'static str, &'static str)],
    /// Variables whose URL follows a prefix the service strips (Celery's `db+` before a
    /// database result backend); a value without it is no database URL (a Redis backend).
    pub prefixed: &'static [(&'static str, &'static str)],
    /// Variables that hold a second URL the service also connects with, read beside the first
    /// (an Airflow Celery setup's result backend); the fix moves it with the first.
    pub also: &'static [&'static str],
    /// The store the program keeps its data in when none of these is set, from each release
    /// on (MLflow's SQLite from 3.7.0).
    pub default_store: &'static [(Version, &'static str)],
}

impl UrlSource {
    /// The store the program uses without a URL at `version` (unknown: the newest release's).
    pub fn default_store(&self, version: Option<Version>) -> Option<&'static str> {
        self.default_store.iter().rev().find(|(from, _)| version.is_none_or(|v| *from <= v)).map(|(_, s)| *s)
    }
}

/// Environment variables a service reads for its database pool.
#[derive(Debug)]
pub struct EnvSettings {
    pub pool_size: &'static str,
    pub max_overflow: &'static str,
    /// Values are applied only when truthy, so 0 is ignored and the default applies (MLflow).
    pub zero_ignored: bool,
    pub pool_recycle: Option<&'static str>,
    pub pool_timeout: Option<&'static str>,
    pub poolclass: Option<&'static str>,
    pub connect_timeout: Option<&'static str>,
    pub statement_timeout: Option<&'static str>,
    /// (asyncpg statement cache, SQLAlchemy prepared-statement cache) switches.
    pub statement_cache: Option<(&'static str, &'static str)>,
    /// The first release that reads them (earlier ones silently ignore them).
    pub statement_cache_since: Version,
    /// Server worker processes.
    pub workers: Option<&'static str>,
    /// Background jobs that hold connections of their own, and the release that has them.
    pub job_execution: Option<(&'static str, Version)>,
    /// Older names the service still reads when the new ones are not set.
    pub fallback: Option<&'static EnvSettings>,
    /// The smallest working pool is NullPool (a short-lived client), not pool 1 + overflow.
    pub nullpool_fix: bool,
    /// A variable whose false value turns the pool off (Airflow's `…_POOL_ENABLED`): SQLAlchemy's
    /// NullPool, a connection per session, whatever the pool settings say.
    pub pool_switch: Option<&'static str>,
}

/// Where a service's pool lives.
#[derive(Debug)]
pub enum PoolModel {
    /// In environment variables the service reads.
    Env(&'static EnvSettings),
    /// In the program's code (`create_engine()`): SQLAlchemy's defaults assumed, a snippet offered.
    Code,
    /// A connection per thread that serves requests (Django without its pool); a command with
    /// one of `unbounded` (a word, or a word's part) starts a thread per request in flight, so
    /// it has no bound.
    PerThread { unbounded: &'static [&'static str] },
    /// A fixed number of connections per process, set in the program's code or fixed by it
    /// (a Celery worker's result backend: 1; node-postgres's `Pool`: 10).
    PerProcess { count: u32, label: &'static str },
    /// SQLAlchemy's default pool (5 + 10 per engine), which this release reads no setting to
    /// change (Prefect before 2.12); a later entry of the same kind has the settings (PF220).
    DefaultOnly { label: &'static str },
    /// No database pool.
    None,
}

/// A program that runs several processes, each with its own pool (an app's server or worker).
#[derive(Debug)]
pub struct Runner {
    pub programs: &'static [&'static str],
    pub flags: &'static [&'static str],
    /// Threads per process (gunicorn's gthread workers), counted where a thread holds its own
    /// connection ([`Processes::per_thread`]).
    pub threads: &'static [&'static str],
    pub env: Option<&'static str>,
    pub default: u32,
    pub default_source: &'static str,
    /// Flag values that mean one process per CPU (pm2's `-i max`), counted as [`PER_CPU`].
    pub per_cpu: &'static [&'static str],
}

/// The CPUs assumed where a runner starts one process per CPU: a compose file does not say.
pub const PER_CPU: u32 = 4;

/// How many processes a service runs, each with its own pools.
#[derive(Debug)]
pub struct Processes {
    pub flags: &'static [&'static str],
    pub env: Option<&'static str>,
    pub default: u32,
    pub default_source: &'static str,
    /// Runners recognised in the command (for programs of your own).
    pub runners: &'static [Runner],
    /// The default is more than the service needs: poolfix's fix lowers it to this.
    pub lowered_to: Option<u32>,
    /// (one, many) as the formula names them; `None`: just the count.
    pub word: Option<(&'static str, &'static str)>,
    /// Each thread of a runner counts as one (Django: a connection per thread).
    pub per_thread: bool,
    /// Processes beside the counted ones that hold the same pool, and what they are (Airflow 2's
    /// scheduler and its DAG file processor manager beside the parsing processes).
    pub plus: Option<(u32, &'static str)>,
}

/// Connections held beside the pools.
#[derive(Debug)]
pub struct Extra {
    pub count: u32,
    pub label: &'static str,
    /// Counted only while the service's job-execution setting is on (and the release has it).
    pub job_execution: bool,
    /// Held by each process (an engine the pool settings do not reach), not once.
    pub per_process: bool,
    /// A variable that sets `count` when present; its 0 means no limit (Airflow 2's
    /// `AIRFLOW__CORE__PARALLELISM`).
    pub count_env: Option<&'static str>,
    /// Counted only when this variable contains this text (the executor that runs tasks here).
    pub when_env: Option<(&'static str, &'static str)>,
    /// Held on the URL in this variable: counted when it is unset (the service's own URL is
    /// used) or holds a database URL, not when it names another store (Redis).
    pub on_url: Option<&'static str>,
}

/// The fields most extras leave alone.
const EXTRA: Extra = Extra {
    count: 0,
    label: "",
    job_execution: false,
    per_process: false,
    count_env: None,
    when_env: None,
    on_url: None,
};

/// An HTTP check that the service is up and reaches its database: `/health`-style endpoints
/// answer 200 with PostgreSQL stopped, so the rollout would not see the failure it guards
/// against (measured on MLflow 3.17.2 and Prefect 3.9.1: docs/sources.md#health).
#[derive(Debug)]
pub struct Health {
    pub port: u16,
    pub path: &'static str,
    /// Sent as `POST` with the JSON body `{}` (an API call that runs a query).
    pub post: bool,
    pub answer: &'static str,
}

/// A startup parameter a service sends when it connects, in the releases that send it.
#[derive(Debug)]
pub struct StartupParameter {
    pub name: &'static str,
    /// First release that sends it, and the first that no longer does.
    pub versions: (Version, Option<Version>),
}

/// How the service fares through a transaction pooler.
#[derive(Debug)]
pub enum Transaction {
    /// Decided by the driver; the cure goes in the program's code.
    ByDriver,
    Compatible(&'static str),
    /// Works once the service's statement-cache settings are 0.
    WithSettings {
        why: &'static str,
        note: &'static str,
    },
    /// Works once the program's own settings say so (settings.py), which poolfix cannot edit.
    InCode {
        why: &'static str,
        message: &'static str,
        fix: &'static str,
        note: &'static str,
    },
    /// No client-side cure.
    NotCompatible {
        why: &'static str,
        message: &'static str,
        fix: &'static str,
        note: &'static str,
    },
    /// Holds no database connection.
    NotApplicable,
}

/// One kind of service.
#[derive(Debug)]
pub struct ServiceDef {
    /// Stable id: the CLI's `--for` value and the share link's.
    pub id: &'static str,
    /// The compose report's `kind` (entries for versions of one program share it).
    pub kind: &'static str,
    pub label: &'static str,
    /// The program's name in messages (`MLflow`).
    pub name: &'static str,
    /// `None`: never recognised in a compose file (a libpq tool), or a fallback (see [`detect`]).
    pub detect: Option<Detect>,
    /// The program whose version the image tag gives (`--mlflow-version`), and the releases
    /// this entry holds for: [from, until).
    pub product: Option<&'static str>,
    pub versions: (Version, Option<Version>),
    pub urls: UrlSource,
    /// The driver the service must be given, and why.
    pub driver: Option<(Driver, &'static str)>,
    pub pool: PoolModel,
    pub processes: Processes,
    /// Separate engines (pools) per process: MLflow has a tracking and a model-registry engine.
    pub engines: u32,
    /// Threads that use the database at once in a process, when the program fixes it: a pool
    /// never holds more than it hands out at once (`None`: as many as requests).
    pub concurrency: Option<u32>,
    pub extras: &'static [Extra],
    pub health: Option<Health>,
    pub transaction: Transaction,
    /// URL keys a second, raw connection accepts (Prefect's LISTEN connection, 3.4.6+).
    pub listener_keys: Option<&'static [&'static str]>,
    /// Startup parameters the service sends, which PgBouncer refuses unless told to ignore them.
    pub startup_parameters: &'static [StartupParameter],
    /// A client of this service's API, restarted after it (a Prefect worker).
    pub client_of: Option<&'static str>,
    /// Offered as a `--for` value of the URL doctor.
    pub for_urls: bool,
    /// The smallest (pool, overflow) that worked when measured, when it is not 1 + the least
    /// overflow the service honours.
    pub smallest_pool: Option<(u32, u32)>,
    /// A second, async engine the program derives from the same URL (Airflow 3).
    pub async_engine: Option<AsyncEngine>,
    /// A driver the service's image always installs: PF114 names it in a URL that names none.
    pub installed_driver: Option<Driver>,
}

/// An async engine a program builds from its URL by swapping the driver, query and all.
#[derive(Debug)]
pub struct AsyncEngine {
    pub driver: Driver,
    /// The variable that gives it a URL of its own, and the first release that reads it.
    pub env: &'static str,
    pub since: Version,
    /// What uses it (what breaks when it cannot connect).
    pub used_by: &'static str,
}

/// A service kind: an entry of [`SERVICES`]. Kinds are equal when they are the same entry.
pub type ServiceKind = &'static ServiceDef;

impl PartialEq for ServiceDef {
    fn eq(&self, other: &ServiceDef) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for ServiceDef {}

/// SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3 (docs/sources.md#url-keys).
pub const BARE_SCHEME_DRIVER: Driver = &PSYCOPG;

/// SQLAlchemy's QueuePool defaults (`sqlalchemy/pool/impl.py`).
pub const DEFAULT_POOL: u32 = 5;
pub const DEFAULT_OVERFLOW: u32 = 10;

impl ServiceDef {
    pub fn cli_name(&self) -> &'static str {
        self.id
    }

    /// The driver the service must be given (a SQLAlchemy driver), if it needs one.
    pub fn required_driver(&self) -> Option<Driver> {
        self.driver.map(|(d, _)| d).filter(|d| d.pool == PoolHome::SqlAlchemy)
    }

    /// Whether the URL goes through SQLAlchemy (pool keys, `+driver` schemes).
    pub fn uses_sqlalchemy(&self) -> bool {
        self.driver.is_none_or(|(d, _)| d.pool == PoolHome::SqlAlchemy)
    }

    /// The driver a URL of this service uses, given the one its scheme names.
    pub fn driver_for(&self, written: Option<Driver>) -> Driver {
        match self.driver {
            Some((d, _)) => d,
            None => written.unwrap_or(BARE_SCHEME_DRIVER),
        }
    }

    /// Where the service reads its pool settings, if from the environment.
    pub fn settings(&self) -> Option<&'static EnvSettings> {
        match self.pool {
            PoolModel::Env(s) => Some(s),
            _ => None,
        }
    }

    /// The smallest (pool, overflow) that works for it: measured, else 1 + the least overflow
    /// the service honours.
    pub fn smallest_pool(&self, settings: &EnvSettings) -> (u32, u32) {
        self.smallest_pool.unwrap_or((1, settings.min_overflow()))
    }

    /// Whether the service keeps a database pool at all.
    pub fn has_pool(&self) -> bool {
        !matches!(self.pool, PoolModel::None)
    }

    fn holds(&self, version: Option<Version>) -> bool {
        let (from, until) = self.versions;
        match version {
            Some(v) => v >= from && until.is_none_or(|u| v < u),
            // Unknown: the entry for the newest releases.
            None => until.is_none(),
        }
    }
}

const MLFLOW_WORKERS: &str = "MLFLOW_WORKERS";

/// MLflow: `mlflow/environment_variables.py`, read in `mlflow/store/db/utils.py`; values are
/// applied only when truthy, so 0 is ignored (docs/sources.md#mlflow; `verify/services.py`).
pub static MLFLOW_ENV: EnvSettings = MLFLOW_ENV_BASE;
const MLFLOW_ENV_BASE: EnvSettings = EnvSettings {
    pool_size: "MLFLOW_SQLALCHEMYSTORE_POOL_SIZE",
    max_overflow: "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW",
    zero_ignored: true,
    pool_recycle: Some("MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE"),
    pool_timeout: None,
    poolclass: Some("MLFLOW_SQLALCHEMYSTORE_POOLCLASS"),
    connect_timeout: None,
    statement_timeout: None,
    statement_cache: None,
    statement_cache_since: (0, 0, 0),
    workers: Some(MLFLOW_WORKERS),
    job_execution: Some(("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", (3, 0, 0))),
    fallback: None,
    nullpool_fix: false,
    pool_switch: None,
};

/// MLflow's client with a database tracking URI (a job, a notebook) opens the same SQLAlchemy
/// store in its own process and reads the same variables (`mlflow/store/db/utils.py`); it runs
/// no workers and no job runner, and between calls it needs no connection: NullPool.
pub static MLFLOW_CLIENT_ENV: EnvSettings =
    EnvSettings { workers: None, job_execution: None, nullpool_fix: true, ..MLFLOW_ENV_BASE };

/// Prefect 2.x and 3.0: the 2.20 `settings.py` (docs/sources.md#prefect).
pub static PREFECT2_ENV: EnvSettings = EnvSettings {
    pool_size: "PREFECT_SQLALCHEMY_POOL_SIZE",
    max_overflow: "PREFECT_SQLALCHEMY_MAX_OVERFLOW",
    zero_ignored: false,
    pool_recycle: None,
    pool_timeout: None,
    poolclass: None,
    connect_timeout: Some("PREFECT_API_DATABASE_CONNECTION_TIMEOUT"),
    statement_timeout: Some("PREFECT_API_DATABASE_TIMEOUT"),
    statement_cache: None,
    statement_cache_since: (0, 0, 0),
    workers: None,
    job_execution: None,
    fallback: None,
    nullpool_fix: false,
    pool_switch: None,
};

/// Prefect 3.1+: `src/prefect/settings/models/server/database.py`; it still reads the 2.x
/// names (docs/sources.md#prefect).
pub static PREFECT3_ENV: EnvSettings = EnvSettings {
    pool_size: "PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE",
    max_overflow: "PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW",
    zero_ignored: false,
    pool_recycle: Some("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_RECYCLE"),
    pool_timeout: Some("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT"),
    poolclass: None,
    connect_timeout: Some("PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT"),
    statement_timeout: Some("PREFECT_SERVER_DATABASE_TIMEOUT"),
    statement_cache: Some((
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE",
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_PREPARED_STATEMENT_CACHE_SIZE",
    )),
    // 3.1.15 and 3.2.6 ignore them (Prefect's settings at those tags; docs/sources.md#prefect).
    statement_cache_since: (3, 2, 7),
    workers: None,
    job_execution: None,
    fallback: Some(&PREFECT2_ENV),
    nullpool_fix: false,
    pool_switch: None,
};

const ONE_PROCESS: Processes = Processes {
    flags: &[],
    env: None,
    default: 1,
    default_source: "one process",
    runners: &[],
    lowered_to: None,
    word: None,
    per_thread: false,
    plus: None,
};

/// Without a URL, MLflow keeps runs in local files, and in SQLite from 3.7.0
/// (<https://mlflow.org/docs/latest/self-hosting/architecture/backend-store>).
const MLFLOW_DEFAULT_STORE: &[(Version, &str)] =
    &[((0, 0, 0), "local files in `./mlruns`"), ((3, 7, 0), "SQLite in `mlflow.db`")];
/// Prefect's server defaults to SQLite in its home directory
/// (<https://docs.prefect.io/v3/manage/server>).
const PREFECT_DEFAULT_STORE: &[(Version, &str)] = &[((0, 0, 0), "SQLite in `~/.prefect/prefect.db`")];
/// Airflow's `sql_alchemy_conn` defaults to SQLite in `AIRFLOW_HOME`
/// (<https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html#sql-alchemy-conn>).
const AIRFLOW_DEFAULT_STORE: &[(Version, &str)] = &[((0, 0, 0), "SQLite in `AIRFLOW_HOME`")];

const NO_URLS: UrlSource = UrlSource {
    flags: &[],
    env: &[],
    any_postgres_var: false,
    hidden: &[],
    prefixed: &[],
    also: &[],
    default_store: &[],
};

const CELERY_WORKER: Runner = Runner {
    programs: &["celery"],
    flags: &["--concurrency", "-c"],
    threads: &[],
    env: None,
    default: PER_CPU,
    default_source: "assumed: Celery's default is one process per CPU (4 assumed)",
    per_cpu: &[],
};

const WEB_SERVER: Runner = Runner {
    programs: &["gunicorn", "uvicorn", "hypercorn"],
    flags: &["--workers", "-w"],
    threads: &["--threads"],
    env: Some("WEB_CONCURRENCY"),
    default: 1,
    default_source: "the server's default of 1 worker",
    per_cpu: &[],
};

/// The servers and workers an app of your own runs under (docs/sources.md#processes).
pub static RUNNERS: &[Runner] = &[CELERY_WORKER, WEB_SERVER];

/// A Django project's: its Celery beat is one process with one thread (matched first, by the
/// word `beat`), its workers and web servers as anyone's.
static DJANGO_RUNNERS: &[Runner] = &[
    Runner {
        programs: &["beat"],
        flags: &[],
        threads: &[],
        env: None,
        default: 1,
        default_source: "Celery beat runs one process",
        per_cpu: &[],
    },
    CELERY_WORKER,
    WEB_SERVER,
];

/// How many Node processes hold a pool each (docs/sources.md#node-processes): pm2 starts
/// `-i`/`--instances` copies (`max`, `0` and `-1` mean one per CPU); cluster apps built on throng
/// read `WEB_CONCURRENCY`; anything else is one process. Serverless functions are one process per
/// instance running, which no compose file shows.
static NODE_RUNNERS: &[Runner] = &[
    Runner {
        programs: &["pm2-runtime", "pm2"],
        flags: &["-i", "--instances"],
        threads: &[],
        env: None,
        default: 1,
        default_source: "pm2's default of one instance",
        per_cpu: &["max", "0", "-1"],
    },
    Runner {
        programs: &["node", "npm", "npx", "next", "yarn", "pnpm", "bun"],
        flags: &[],
        threads: &[],
        env: Some("WEB_CONCURRENCY"),
        default: 1,
        default_source: "assumed: one Node process, no cluster",
        per_cpu: &[],
    },
];
const NODE_PROCESSES: Processes = Processes {
    default_source: "assumed: one Node process, no cluster",
    runners: NODE_RUNNERS,
    word: Some(("process", "processes")),
    ..ONE_PROCESS
};

const PREFECT_SERVER_COMMANDS: &[&str] = &["prefect server start", "prefect orion start"];
/// `/api/ready` only opens a connection, which a pooler accepts while the database is down
/// (verify/services.py); counting flows runs a query.
const PREFECT_HEALTH: Health = Health {
    port: 4200,
    path: "/api/flows/count",
    post: true,
    answer: "a number; an error status while it cannot reach the database",
};
const PREFECT_PROCESSES: Processes =
    Processes { flags: &["--workers"], default_source: "Prefect's default of 1 server worker", ..ONE_PROCESS };
/// Prefect 3 at pool 1 + overflow 0 held 3 connections in session mode: 2 beyond its pool
/// (measured on 3.9.1, `verify/services.py`).
const PREFECT_EXTRAS: &[Extra] = &[Extra { count: 2, label: "LISTEN and background", ..EXTRA }];

const MLFLOW_DRIVER: Option<(Driver, &str)> = Some((
    &PSYCOPG2,
    "SQLAlchemy 2.1 maps bare postgresql:// to psycopg 3, and MLflow then fails with `No module named 'psycopg'`",
));

/// MLflow tracking server (`mlflow server`): docs/sources.md#mlflow.
pub static MLFLOW: ServiceDef = ServiceDef {
    id: "mlflow",
    name: "MLflow",
    kind: "mlflow",
    label: "MLflow tracking server",
    detect: Some(Detect {
        words: &[],
        commands: &["mlflow server", "mlflow ui"],
        images: &[ImageMatch::Contains("mlflow")],
        unless_command: &["prefect"],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    product: Some("mlflow"),
    versions: ((0, 0, 0), None),
    urls: UrlSource {
        flags: &["--backend-store-uri", "--backend_store_uri"],
        env: &["MLFLOW_BACKEND_STORE_URI"],
        default_store: MLFLOW_DEFAULT_STORE,
        ..NO_URLS
    },
    driver: MLFLOW_DRIVER,
    pool: PoolModel::Env(&MLFLOW_ENV),
    processes: Processes {
        flags: &["--workers", "-w"],
        env: Some(MLFLOW_WORKERS),
        default: 4,
        default_source: "MLflow's default of 4 workers",
        runners: &[],
        lowered_to: Some(1),
        word: Some(("worker", "workers")),
        per_thread: false,
        plus: None,
    },
    engines: 2,
    concurrency: None,
    // The CLI parent keeps 2 connections; job execution (3.x default) adds a runner and a
    // consumer, counted as 2 (measured on 3.17.2).
    extras: &[
        Extra { count: 2, label: "parent", ..EXTRA },
        Extra { count: 2, label: "job execution", job_execution: true, ..EXTRA },
    ],
    health: Some(Health {
        port: 5000,
        path: "/api/2.0/mlflow/experiments/search?max_results=1",
        post: false,
        answer: "200; 503 while it cannot reach the database",
    }),
    transaction: Transaction::Compatible(
        "psycopg2 never prepares statements; run upgrades' migrations through session mode",
    ),
    listener_keys: None,
    startup_parameters: &[],
    client_of: None,
    for_urls: true,
    smallest_pool: None,
    async_engine: None,
    installed_driver: None,
};

/// A job, notebook or script whose `MLFLOW_TRACKING_URI` is the database itself (not an MLflow
/// server's `http://` address): MLflow's client opens the SQLAlchemy store in the process, a
/// tracking and a model-registry engine, with the same `MLFLOW_SQLALCHEMYSTORE_*` settings as the
/// server (docs/sources.md#mlflow). A job calls the store from one thread (assumed).
pub static MLFLOW_CLIENT: ServiceDef = ServiceDef {
    id: "mlflow-client",
    name: "MLflow client",
    kind: "mlflow-client",
    label: "MLflow client in a job",
    detect: Some(Detect {
        commands: &[],
        words: &[],
        images: &[],
        unless_command: &["mlflow server", "mlflow ui"],
        url_vars: &["MLFLOW_TRACKING_URI"],
        unless_env: &["MLFLOW_BACKEND_STORE_URI"],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    product: Some("mlflow"),
    urls: UrlSource { flags: &[], env: &["MLFLOW_TRACKING_URI"], any_postgres_var: false, ..NO_URLS },
    driver: MLFLOW_DRIVER,
    pool: PoolModel::Env(&MLFLOW_CLIENT_ENV),
    processes: Processes {
        default_source: "assumed: one process",
        runners: RUNNERS,
        word: Some(("process", "processes")),
        ..ONE_PROCESS
    },
    engines: 2,
    concurrency: Some(1),
    transaction: Transaction::Compatible("psycopg2 never prepares statements"),
    for_urls: true,
    ..NO_POOL
};

/// Prefect server 3.1 and later: docs/sources.md#prefect. The image's entrypoint installs
/// `EXTRA_PIP_PACKAGES` (PrefectHQ/prefect `scripts/entrypoint.sh`).
pub static PREFECT3: ServiceDef = ServiceDef {
    id: "prefect",
    name: "Prefect",
    label: "Prefect server 3.1+",
    versions: ((3, 1, 0), None),
    urls: UrlSource {
        flags: &[],
        env: &["PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"],
        default_store: PREFECT_DEFAULT_STORE,
        ..NO_URLS
    },
    pool: PoolModel::Env(&PREFECT3_ENV),
    transaction: Transaction::WithSettings {
        why: "both statement-cache settings at 0 (Prefect 3.2.7+, with asyncpg 0.31+ in the image); automations rely on LISTEN, which PgBouncer documents as unsupported in transaction mode (not measured here)",
        note: "Needs Prefect 3.2.7 or later, and asyncpg 0.31 or later in the image: with 0.30 (every image built before late November 2025) it still names its statements, and with a restart or other clients on the pool the server fails with `DuplicatePreparedStatementError` or `prepared statement \"__asyncpg_stmt_…__\" does not exist` (measured on 3.4.20, verify/prefect_versions.py); in an image you build, `RUN pip install 'asyncpg>=0.31'`; on the `prefecthq/prefect` image as it is, `EXTRA_PIP_PACKAGES=asyncpg>=0.31` in its environment (its entrypoint installs them at each start; not with an `entrypoint:` of your own). Automations rely on LISTEN, which PgBouncer documents as unsupported in transaction mode (not measured here).",
    },
    listener_keys: Some(&["ssl"]),
    startup_parameters: &[],
    ..PREFECT_SERVER_SHAPE
};

/// Prefect server 2.13 to 3.0 (the older setting names): docs/sources.md#prefect.
pub static PREFECT2: ServiceDef = ServiceDef {
    id: "prefect2",
    label: "Prefect server 2.x / 3.0",
    versions: ((2, 13, 0), Some((3, 1, 0))),
    urls: UrlSource { env: &["PREFECT_API_DATABASE_CONNECTION_URL"], default_store: PREFECT_DEFAULT_STORE, ..NO_URLS },
    ..PREFECT2_SHAPE
};

/// Prefect server 2.12: the pool settings have arrived, and `PREFECT_ORION_DATABASE_CONNECTION_URL`
/// is still read, ahead of `PREFECT_API_…`, for the last time (gone in 2.13.0).
pub static PREFECT2_12: ServiceDef = ServiceDef {
    id: "prefect-2.12",
    label: "Prefect server 2.12",
    versions: ((2, 12, 0), Some((2, 13, 0))),
    urls: PREFECT_ORION_URLS,
    for_urls: false,
    ..PREFECT2_SHAPE
};

/// Prefect server before 2.12 (`prefect orion start`; `prefect server start` from 2.10). Its URL
/// is `PREFECT_ORION_DATABASE_CONNECTION_URL`, read until 2.12 and preferred over the
/// `PREFECT_API_…` name 2.8.1 added; and it reads no pool setting: `create_async_engine()` gets
/// SQLAlchemy's default pool, 5 + 10. `PREFECT_SQLALCHEMY_POOL_SIZE` arrives in 2.12.0
/// (Prefect's `settings.py` and `database/configurations.py` at the tags: docs/sources.md#prefect).
pub static PREFECT_ORION: ServiceDef = ServiceDef {
    id: "prefect-orion",
    label: "Prefect server 2.0–2.11",
    // Both are gone in 2.13.0 (Prefect's `cli/` and `settings.py` at the tags).
    detect: Some(Detect { era: &["prefect orion", "PREFECT_ORION_DATABASE_CONNECTION_URL"], ..PREFECT_SERVER_DETECT }),
    versions: ((0, 0, 0), Some((2, 12, 0))),
    urls: PREFECT_ORION_URLS,
    pool: PoolModel::DefaultOnly { label: "Prefect reads no pool setting before 2.12" },
    // Prefect 3's LISTEN connection is not there yet; its background services are (assumed,
    // as measured on 3.9.1: 2.7.6 held at most 15 under a burst, verify/prefect_versions.py).
    extras: &[Extra { count: 2, label: "background services", ..EXTRA }],
    for_urls: false,
    ..PREFECT2_SHAPE
};

/// Up to 2.12 the old name is read, ahead of the one 2.8.1 added.
const PREFECT_ORION_URLS: UrlSource = UrlSource {
    flags: &[],
    env: &["PREFECT_ORION_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"],
    default_store: PREFECT_DEFAULT_STORE,
    ..NO_URLS
};

/// What the Prefect 2 entries share.
const PREFECT2_SHAPE: ServiceDef = ServiceDef {
    pool: PoolModel::Env(&PREFECT2_ENV),
    transaction: Transaction::NotCompatible {
        why: "Prefect 2 sends the `jit` parameter and has no cure for prepared statements: keep session mode",
        message: "Prefect 2.x has no working cure for prepared statements (and sends the `jit` parameter) through a transaction pooler: keep it on the session pooler",
        fix: "Use the session pooler (port 5432)",
        note: "Point Prefect 2 at the same pooler host on port 5432 (session mode).",
    },
    listener_keys: None,
    // 2.8.6 to 3.0 send `jit` (prefect issue 14602; gone from 3.1.0: Prefect's source at the tags).
    startup_parameters: &[StartupParameter { name: "jit", versions: ((2, 8, 6), Some((3, 1, 0))) }],
    ..PREFECT_SERVER_SHAPE
};

const PREFECT_SERVER_DETECT: Detect = Detect {
    commands: PREFECT_SERVER_COMMANDS,
    words: &[],
    images: &[],
    unless_command: &[],
    url_vars: &[],
    unless_env: &[],
    url_keys: &[],
    env_names: &[],
    component: &[],
    component_env: &[],
    url_required: false,
    era: &[],
};

/// What the Prefect server entries share.
const PREFECT_SERVER_SHAPE: ServiceDef = ServiceDef {
    id: "",
    name: "Prefect",
    kind: "prefect-server",
    label: "",
    detect: Some(PREFECT_SERVER_DETECT),
    product: Some("prefect"),
    versions: ((0, 0, 0), None),
    urls: NO_URLS,
    driver: Some((&ASYNCPG, "")),
    pool: PoolModel::None,
    processes: PREFECT_PROCESSES,
    engines: 1,
    concurrency: None,
    extras: PREFECT_EXTRAS,
    health: Some(PREFECT_HEALTH),
    transaction: Transaction::NotApplicable,
    listener_keys: None,
    startup_parameters: &[],
    client_of: None,
    for_urls: true,
    smallest_pool: None,
    async_engine: None,
    installed_driver: None,
};

/// `prefect worker start` / `prefect agent start`: talks to the server's API and holds no
/// database pool (docs/sources.md#prefect).
pub static PREFECT_WORKER: ServiceDef = ServiceDef {
    id: "prefect-worker",
    name: "Prefect worker",
    kind: "prefect-worker",
    label: "Prefect worker",
    detect: Some(Detect {
        words: &[],
        commands: &["prefect worker start", "prefect agent start"],
        images: &[],
        unless_command: &[],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    product: Some("prefect"),
    client_of: Some("the Prefect server"),
    for_urls: false,
    health: None,
    extras: &[],
    processes: ONE_PROCESS,
    ..NO_POOL
};

/// A PostgreSQL server (or PgBouncer) in the file itself, not Supabase.
pub static POSTGRES: ServiceDef = ServiceDef {
    id: "postgres",
    name: "PostgreSQL",
    kind: "postgres",
    label: "PostgreSQL server",
    detect: Some(Detect {
        words: &[],
        images: &[
            ImageMatch::EndsWith("postgres"),
            ImageMatch::Contains("postgis"),
            ImageMatch::Exact("supabase/postgres"),
            ImageMatch::EndsWith("/pgbouncer"),
        ],
        commands: &[],
        unless_command: &[],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    ..NO_POOL
};

/// Any other program with a database URL: assumed to use SQLAlchemy, its pool in its code.
pub static SQLALCHEMY: ServiceDef = ServiceDef {
    id: "sqlalchemy",
    name: "SQLAlchemy",
    kind: "sqlalchemy",
    label: "SQLAlchemy service",
    detect: None,
    urls: UrlSource { flags: &[], env: &[], any_postgres_var: true, ..NO_URLS },
    driver: None,
    pool: PoolModel::Code,
    processes: Processes {
        default_source: "assumed: one process",
        runners: RUNNERS,
        word: Some(("process", "processes")),
        ..ONE_PROCESS
    },
    transaction: Transaction::ByDriver,
    for_urls: true,
    ..NO_POOL
};

/// `celery … beat`: the scheduler. One process with one thread that sends tasks and runs none;
/// it touches the database only in what your code does on import (a database scheduler,
/// `--scheduler`/`-S`, is not this entry: such a beat counts as an app of your own).
/// docs/sources.md#processes; measured with Celery 5.5, `verify/services.py`.
pub static CELERY_BEAT: ServiceDef = ServiceDef {
    id: "celery-beat",
    name: "Celery beat",
    kind: "celery-beat",
    label: "Celery beat (scheduler)",
    detect: Some(Detect {
        commands: &[],
        words: &["celery", "beat"],
        images: &[],
        unless_command: &["--scheduler", " -s "],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    urls: UrlSource { flags: &[], env: &[], any_postgres_var: true, ..NO_URLS },
    pool: PoolModel::Code,
    processes: Processes {
        default_source: "the scheduler runs one process",
        word: Some(("process", "processes")),
        ..ONE_PROCESS
    },
    concurrency: Some(1),
    transaction: Transaction::ByDriver,
    ..NO_POOL
};

/// Airflow 3's `[database]` options as environment variables (`config_templates/config.yml`,
/// applied in `airflow/settings.py` `prepare_engine_args`, 3.0.0 to 3.3.2): a pool size of 0 and
/// an overflow of −1 mean no limit, as in SQLAlchemy. docs/sources.md#airflow
pub static AIRFLOW_ENV: EnvSettings = AIRFLOW_ENV_BASE;
const AIRFLOW_ENV_BASE: EnvSettings = EnvSettings {
    pool_size: "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE",
    max_overflow: "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW",
    zero_ignored: false,
    pool_recycle: Some("AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_RECYCLE"),
    pool_timeout: None,
    poolclass: None,
    connect_timeout: None,
    statement_timeout: None,
    statement_cache: None,
    statement_cache_since: (0, 0, 0),
    workers: None,
    job_execution: None,
    fallback: None,
    nullpool_fix: false,
    // `prepare_engine_args`: NullPool unless `[database] sql_alchemy_pool_enabled` (2.10.5, 3.3.2).
    pool_switch: Some("AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_ENABLED"),
};

const AIRFLOW_IMAGES: &[ImageMatch] = &[ImageMatch::EndsWith("apache/airflow")];
const AIRFLOW_CONN: &str = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN";
/// Airflow reads any setting from `…_CMD` (a command's output) or `…_SECRET` (a key in the
/// secrets backend) when the variable itself is not set
/// (<https://airflow.apache.org/docs/apache-airflow/stable/howto/set-config.html>).
const AIRFLOW_URLS: UrlSource = UrlSource {
    flags: &[],
    env: &[AIRFLOW_CONN],
    any_postgres_var: false,
    hidden: &[
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD", "the output of a command"),
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET", "a key in Airflow's secrets backend"),
    ],
    default_store: AIRFLOW_DEFAULT_STORE,
    ..NO_URLS
};

/// Celery's database result backend: `db+` and a SQLAlchemy URL (Celery's `backends/database`).
/// Unset, Airflow's Celery provider uses `db+` and the metadata database's URL
/// (`default_celery.py`), so the worker then reads [`AIRFLOW_CONN`].
const CELERY_RESULT_BACKEND: &str = "AIRFLOW__CELERY__RESULT_BACKEND";
const RESULT_BACKEND_PREFIX: &[(&str, &str)] = &[(CELERY_RESULT_BACKEND, "db+")];

/// A scheduler running the CeleryExecutor reads task states from the result backend
/// (`BulkStateFetcher` in the provider's `celery_executor_utils.py`): one connection, measured
/// on 3.3.2 (verify/airflow_stack.py; the dag-processor, triggerer and API server held none).
const CELERY_STATE_FETCH: Extra = Extra {
    count: 1,
    label: "task states read from the Celery result backend",
    when_env: Some(("AIRFLOW__CORE__EXECUTOR", "CeleryExecutor")),
    on_url: Some(CELERY_RESULT_BACKEND),
    ..EXTRA
};

/// Every Airflow 3 process derives an async engine from the URL, driver swapped to asyncpg and
/// the query kept (`_get_async_conn_uri_from_sync`); 3.1.0 reads a URL of its own for it
/// (`sql_alchemy_conn_async`; 3.0's settings.py has none). In 3.3.2 only the dag-run wait
/// endpoint, multi-team lookups and the task state store use it, all in the API server
/// (measured: verify/airflow_stack.py).
const AIRFLOW_ASYNC: Option<AsyncEngine> = Some(AsyncEngine {
    driver: &ASYNCPG,
    env: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
    since: (3, 1, 0),
    used_by: "the dag-run wait endpoint and the task state store",
});

/// What the Airflow entries share: the image, the URL, the pool settings.
const AIRFLOW_SHAPE: ServiceDef = ServiceDef {
    id: "",
    name: "Airflow",
    kind: "airflow",
    label: "",
    detect: None,
    product: Some("airflow"),
    versions: ((3, 0, 0), None),
    urls: AIRFLOW_URLS,
    pool: PoolModel::Env(&AIRFLOW_ENV),
    transaction: Transaction::ByDriver,
    // The postgres provider, in the official image and the `[postgres]` extra, requires
    // psycopg2-binary (its METADATA in 2.10.5's and 3.3.2's installs).
    installed_driver: Some(&PSYCOPG2),
    ..NO_POOL
};

const fn airflow_detect(commands: &'static [&'static str], component: &'static [&'static str]) -> Option<Detect> {
    Some(Detect {
        commands,
        words: &[],
        images: AIRFLOW_IMAGES,
        unless_command: &[],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &[AIRFLOW_CONN],
        component,
        component_env: &[],
        url_required: false,
        era: &[],
    })
}

/// `airflow db migrate` (the official compose file's `airflow-init`, whose image entrypoint
/// migrates when `_AIRFLOW_DB_MIGRATE` is set): a session, a session-level advisory lock on a
/// connection of its own, and Alembic's — 3 at once (measured on 3.3.2; at 1 + 0 and 1 + 1 it
/// fails with `QueuePool limit of size 1 overflow 1 reached`). verify/airflow_stack.py
pub static AIRFLOW_MIGRATE: ServiceDef = AIRFLOW_MIGRATE_DEF;
const AIRFLOW_MIGRATE_DEF: ServiceDef = ServiceDef {
    id: "airflow-db-migrate",
    label: "Airflow database migration (3.x)",
    name: "Airflow db migrate",
    detect: Some(Detect {
        component_env: &["_AIRFLOW_DB_MIGRATE", "_AIRFLOW_DB_UPGRADE"],
        url_required: false,
        era: &[],
        ..airflow_detect(&["airflow db migrate", "airflow db upgrade"], &["db migrate", "db upgrade"]).unwrap()
    }),
    processes: Processes { default_source: "one migration", word: Some(("process", "processes")), ..ONE_PROCESS },
    smallest_pool: Some((1, 2)),
    transaction: Transaction::NotCompatible {
        why: "the migration holds a session-level advisory lock (pg_advisory_lock), which a transaction pooler does not keep",
        message: "`airflow db migrate` holds a session-level advisory lock while it migrates, which a transaction pooler does not keep: run it through the session pooler",
        fix: "Use the session pooler (port 5432)",
        note: "Point the migration at the same pooler host on port 5432 (session mode); the other Airflow processes may stay on 6543.",
    },
    ..AIRFLOW_SHAPE
};

/// What Airflow's health endpoints (2.x `/health`, 3.x `/api/v2/monitor/health`) say when
/// the metadata database answers.
const METADATABASE_HEALTHY: &str =
    "`\"metadatabase\": {\"status\": \"healthy\"}` in the body (the status is 200 either way: read the body)";

/// The API server, 3.3 and later. Each worker holds Airflow's pool twice: the sync engine and
/// the async one, which 3.3.0 gives the same pool settings. With fewer sync connections than
/// requests in flight, requests wait 30 s and fail or hang (1 + 4 under 20 writes at once);
/// 1 + 9 answered them all, peak 11 with the async engine's one (measured on 3.3.2,
/// verify/airflow_stack.py).
pub static AIRFLOW_API: ServiceDef = AIRFLOW_API_DEF;
const AIRFLOW_API_DEF: ServiceDef = ServiceDef {
    id: "airflow-api-server",
    name: "Airflow API server",
    label: "Airflow API server (3.3+)",
    detect: airflow_detect(&["airflow api-server"], &["api-server"]),
    versions: ((3, 3, 0), None),
    processes: Processes {
        flags: &["--workers", "-w"],
        env: Some("AIRFLOW__API__WORKERS"),
        default: 1,
        default_source: "Airflow's default of 1 API server worker",
        runners: &[],
        lowered_to: None,
        word: Some(("worker", "workers")),
        per_thread: false,
        plus: None,
    },
    engines: 2,
    smallest_pool: Some((1, 9)),
    health: Some(Health {
        port: 8080,
        path: "/api/v2/monitor/health",
        post: false,
        answer: METADATABASE_HEALTHY,
    }),
    transaction: Transaction::NotCompatible {
        why: "its async engine uses asyncpg, which names prepared statements (apache/airflow#67801; not measured here)",
        message: "Airflow's API server builds an asyncpg engine from this URL, and asyncpg's named prepared statements break through a transaction pooler (apache/airflow#67801): keep the API server on the session pooler",
        fix: "Use the session pooler (port 5432)",
        note: "Point the API server at the same pooler host on port 5432 (session mode); the scheduler, dag-processor and triggerer use only the sync engine and may move to 6543.",
    },
    async_engine: AIRFLOW_ASYNC,
    for_urls: true,
    ..AIRFLOW_SHAPE
};

/// Before 3.3 the async engine ignores the pool settings: SQLAlchemy's 5 + 10 in each worker
/// (3.1.0 and 3.2.0 `_configure_async_session`).
const ASYNC_DEFAULT_POOL: &[Extra] = &[Extra {
    count: DEFAULT_POOL + DEFAULT_OVERFLOW,
    label: "async engine at SQLAlchemy's 5 + 10 per worker: before 3.3 it ignores the pool settings",
    per_process: true,
    ..EXTRA
}];

/// The API server of 3.1 and 3.2: one worker by default, the async engine at 5 + 10.
pub static AIRFLOW_API_31: ServiceDef = ServiceDef {
    id: "airflow-api-server-3.1",
    label: "Airflow API server (3.1, 3.2)",
    versions: ((3, 1, 0), Some((3, 3, 0))),
    engines: 1,
    extras: ASYNC_DEFAULT_POOL,
    ..AIRFLOW_API_DEF
};

/// The API server of 3.0, whose `[api] workers` default is 4 (its config.yml).
pub static AIRFLOW_API_30: ServiceDef = ServiceDef {
    id: "airflow-api-server-3.0",
    label: "Airflow API server (3.0)",
    versions: ((3, 0, 0), Some((3, 1, 0))),
    processes: Processes {
        default: 4,
        default_source: "Airflow 3.0's default of 4 API server workers",
        lowered_to: Some(1),
        ..AIRFLOW_API_DEF.processes
    },
    engines: 1,
    extras: ASYNC_DEFAULT_POOL,
    ..AIRFLOW_API_DEF
};

/// A Celery worker of Airflow's CeleryExecutor (`airflow celery worker`): from 3.0 it opens no
/// metadata-database session (`celery_command.py` skips `reconfigure_orm` on 3.0+) and tasks
/// reach the database through the API server, but each of its `worker_concurrency` processes
/// (16 by default) keeps a connection to the Celery result backend, when that is the database
/// (Celery's `backends/database/session.py` keeps a pooled engine per forked process), and the
/// main process one more, opened when it creates the result tables at start. So its URL is the
/// result backend's, else the metadata database's. Measured on 3.3.2 with 4 slots and 6 tasks:
/// 4 at once by name, 5 by process (verify/airflow_stack.py).
pub static AIRFLOW_CELERY_WORKER: ServiceDef = AIRFLOW_CELERY_WORKER_DEF;
const AIRFLOW_CELERY_WORKER_DEF: ServiceDef = ServiceDef {
    id: "airflow-celery-worker",
    name: "Airflow Celery worker",
    label: "Airflow Celery worker (3.x)",
    detect: airflow_detect(&["airflow celery worker"], &["celery worker"]),
    urls: UrlSource { env: &[CELERY_RESULT_BACKEND, AIRFLOW_CONN], prefixed: RESULT_BACKEND_PREFIX, ..AIRFLOW_URLS },
    pool: PoolModel::PerProcess { count: 1, label: "1 result-backend connection per process" },
    extras: &[Extra { count: 1, label: "the main process, which creates the result tables", ..EXTRA }],
    processes: Processes {
        flags: &["--concurrency", "-c"],
        env: Some("AIRFLOW__CELERY__WORKER_CONCURRENCY"),
        default: 16,
        default_source: "Airflow's default worker_concurrency of 16",
        runners: &[],
        lowered_to: None,
        word: Some(("process", "processes")),
        per_thread: false,
        plus: None,
    },
    ..AIRFLOW_SHAPE
};

/// The scheduler (`airflow scheduler`): one process, one connection at a time in measurements
/// (1 + 0 kept it healthy and ran a DAG on 3.3.2, verify/airflow_stack.py); under the
/// CeleryExecutor it also reads task states from the result backend, which the fix moves with
/// its URL.
pub static AIRFLOW_SCHEDULER: ServiceDef = ServiceDef {
    id: "airflow-scheduler",
    name: "Airflow scheduler",
    label: "Airflow scheduler (3.x)",
    detect: airflow_detect(&["airflow scheduler"], &["scheduler"]),
    urls: UrlSource { also: &[CELERY_RESULT_BACKEND], prefixed: RESULT_BACKEND_PREFIX, ..AIRFLOW_URLS },
    extras: &[CELERY_STATE_FETCH],
    for_urls: false,
    ..AIRFLOW_DEF
};

/// The dag-processor and triggerer, and any other Airflow command on the image: one
/// process each, one connection at a time in measurements (1 + 0 kept each healthy and ran a
/// DAG on 3.3.2, verify/airflow_stack.py).
pub static AIRFLOW: ServiceDef = AIRFLOW_DEF;
const AIRFLOW_DEF: ServiceDef = ServiceDef {
    id: "airflow",
    label: "Airflow scheduler etc. (3.x)",
    detect: airflow_detect(&["airflow dag-processor", "airflow triggerer"], &[]),
    processes: Processes { default_source: "one process", word: Some(("process", "processes")), ..ONE_PROCESS },
    smallest_pool: Some((1, 0)),
    for_urls: true,
    ..AIRFLOW_SHAPE
};

/// Airflow 2.3 to 2.10: the same `[database]` options (added in 2.3.0, config.yml's
/// `version_added`), read before their `[core]` names, which 2.x still reads when they are not
/// set (`deprecated_options` in `airflow/configuration.py`, 2.10.5). docs/sources.md#airflow-2
pub static AIRFLOW2_ENV: EnvSettings = EnvSettings { fallback: Some(&AIRFLOW2_CORE_ENV), ..AIRFLOW_ENV_BASE };
/// The `[core]` names of Airflow before 2.3.
static AIRFLOW2_CORE_ENV: EnvSettings = EnvSettings {
    pool_size: "AIRFLOW__CORE__SQL_ALCHEMY_POOL_SIZE",
    max_overflow: "AIRFLOW__CORE__SQL_ALCHEMY_MAX_OVERFLOW",
    pool_recycle: Some("AIRFLOW__CORE__SQL_ALCHEMY_POOL_RECYCLE"),
    ..AIRFLOW_ENV_BASE
};

/// What the Airflow 2 entries share: the URL (`[database]`, else the older `[core]` name) and
/// the pool settings. Counted from 2.10.5's source and measured on 2.10.5
/// (verify/airflow2_stack.py); 2.3 to 2.9 are taken to run the same processes.
const AIRFLOW2_SHAPE: ServiceDef = ServiceDef {
    versions: ((2, 3, 0), Some((3, 0, 0))),
    urls: UrlSource { env: &[AIRFLOW_CONN, "AIRFLOW__CORE__SQL_ALCHEMY_CONN"], ..AIRFLOW_URLS },
    pool: PoolModel::Env(&AIRFLOW2_ENV),
    async_engine: None,
    ..AIRFLOW_SHAPE
};

/// Airflow 2's URL, and beside it the Celery result backend's, which the fix moves with it.
const AIRFLOW2_CELERY_URLS: UrlSource =
    UrlSource { also: &[CELERY_RESULT_BACKEND], prefixed: RESULT_BACKEND_PREFIX, ..AIRFLOW2_SHAPE.urls };

/// `airflow db migrate` on 2.x: the pool, plus one connection of its own while Alembic runs
/// (`_run_upgrade` reconfigures the ORM to a SingletonThreadPool while the session holding
/// the advisory lock stays open). Measured on 2.10.5: 1 + 0 and 1 + 1 fail with `QueuePool
/// limit … reached`, 1 + 2 migrates with 4 clients at its peak.
pub static AIRFLOW2_MIGRATE: ServiceDef = ServiceDef {
    id: "airflow-db-migrate-2",
    label: "Airflow database migration (2.x)",
    extras: &[Extra { count: 1, label: "Alembic's own connection while it migrates", ..EXTRA }],
    versions: AIRFLOW2_SHAPE.versions,
    urls: AIRFLOW2_SHAPE.urls,
    pool: AIRFLOW2_SHAPE.pool,
    ..AIRFLOW_MIGRATE_DEF
};

/// The webserver of Airflow 2 (`airflow webserver`): gunicorn with sync workers, each with
/// Airflow's pool; `airflow webserver` itself and gunicorn's master each connect once
/// (`webserver_command.py`, 2.10.5). Measured on 2.10.5 at 1 + 0 with 4 workers: all 20 writes
/// at once answered, 5 clients at the peak (4 workers and `airflow webserver`), gunicorn's
/// master one more while it starts. Every `worker_refresh_interval` (6000 s) gunicorn starts a
/// new worker before it stops an old one: one worker's pool more for those seconds.
pub static AIRFLOW2_WEBSERVER: ServiceDef = ServiceDef {
    id: "airflow-webserver",
    name: "Airflow webserver",
    label: "Airflow webserver (2.x)",
    detect: airflow_detect(&["airflow webserver"], &["webserver"]),
    processes: Processes {
        flags: &["--workers", "-w"],
        env: Some("AIRFLOW__WEBSERVER__WORKERS"),
        default: 4,
        default_source: "Airflow 2's default of 4 webserver workers",
        runners: &[],
        lowered_to: None,
        word: Some(("worker", "workers")),
        per_thread: false,
        plus: None,
    },
    extras: &[Extra { count: 2, label: "`airflow webserver` and gunicorn's master, 1 each", ..EXTRA }],
    smallest_pool: Some((1, 0)),
    health: Some(Health { port: 8080, path: "/health", post: false, answer: METADATABASE_HEALTHY }),
    ..AIRFLOW2_SHAPE
};

/// The scheduler of Airflow 2 (`airflow scheduler`): its own pool, the DAG file processor
/// manager's, and one per parsing process (`configure_orm()` in each, `parsing_processes` 2 by
/// default) unless the DAG processor runs standalone. Under the LocalExecutor every running
/// task is a process of its own whose ORM uses NullPool: one connection each, up to
/// `parallelism` (32; 0 is no limit). Measured on 2.10.5 at 1 + 0: the scheduler, the manager
/// and 2 parsing processes 1 each, and 6 tasks at once 6 more (verify/airflow2_stack.py).
pub static AIRFLOW2_SCHEDULER: ServiceDef = ServiceDef {
    id: "airflow-scheduler-2",
    name: "Airflow scheduler",
    label: "Airflow scheduler (2.x)",
    detect: airflow_detect(&["airflow scheduler"], &["scheduler"]),
    processes: Processes {
        env: Some("AIRFLOW__SCHEDULER__PARSING_PROCESSES"),
        default: 2,
        default_source: "Airflow 2's default of 2 parsing processes",
        word: Some(("process", "processes")),
        plus: Some((2, "the scheduler and its DAG file processor manager")),
        ..ONE_PROCESS
    },
    extras: &[
        Extra {
            count: 32,
            label: "LocalExecutor tasks, 1 each, up to parallelism (32 unless set)",
            count_env: Some("AIRFLOW__CORE__PARALLELISM"),
            when_env: Some(("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")),
            ..EXTRA
        },
        CELERY_STATE_FETCH,
    ],
    urls: AIRFLOW2_CELERY_URLS,
    smallest_pool: Some((1, 0)),
    ..AIRFLOW2_SHAPE
};

/// A Celery worker of Airflow 2 (`airflow celery worker`): the worker drops its pool
/// (`reconfigure_orm(disable_connection_pool=True)` in `celery_command.py`), and each of its
/// `worker_concurrency` slots (16) runs `airflow tasks run`, whose supervisor and task use
/// NullPool, and writes to the result backend when that is the database. Measured on 2.10.5
/// with 4 slots and 6 tasks: 8 at once, the supervisors alone 8 at one moment; counted as 3
/// per slot, a supervisor's 2 with its task's 1 (verify/airflow2_stack.py).
pub static AIRFLOW2_CELERY_WORKER: ServiceDef = ServiceDef {
    id: "airflow-celery-worker-2",
    label: "Airflow Celery worker (2.x)",
    pool: PoolModel::PerProcess { count: 3, label: "up to 3 per slot: task supervisor, task, result backend" },
    versions: AIRFLOW2_SHAPE.versions,
    urls: AIRFLOW2_CELERY_URLS,
    ..AIRFLOW_CELERY_WORKER_DEF
};

/// The triggerer and any other Airflow 2 command on the image: one process each (the
/// triggerer held 1 at 1 + 0 on 2.10.5).
pub static AIRFLOW2: ServiceDef = ServiceDef {
    id: "airflow-2",
    label: "Airflow triggerer etc. (2.x)",
    detect: airflow_detect(&["airflow triggerer"], &[]),
    processes: Processes { default_source: "one process", word: Some(("process", "processes")), ..ONE_PROCESS },
    smallest_pool: Some((1, 0)),
    ..AIRFLOW2_SHAPE
};

/// A Django app: gunicorn `….wsgi`, uvicorn or daphne `….asgi`, `manage.py …`, or any service
/// with `DJANGO_SETTINGS_MODULE` (the project's Celery worker and beat too). Django holds a
/// connection per thread that serves requests — closed when the request ends with
/// `CONN_MAX_AGE = 0`, kept otherwise — and its settings live in settings.py, which poolfix does
/// not edit. Measured with Django 5.2.19 and 6.1.3: docs/sources.md#django, verify/django_stack.py.
pub static DJANGO: ServiceDef = ServiceDef {
    id: "django",
    name: "Django",
    kind: "django",
    label: "Django app",
    detect: Some(Detect {
        // `project.wsgi:application`, or the module alone (gunicorn then takes `application`,
        // Django's name; a Flask `app.wsgi:app` is not matched).
        commands: &["manage.py ", ".wsgi:application", ".asgi:application", ".wsgi ", ".asgi "],
        words: &[],
        images: &[],
        unless_command: &[],
        url_vars: &[],
        unless_env: &[],
        url_keys: &[],
        env_names: &["DJANGO_SETTINGS_MODULE"],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    urls: UrlSource { flags: &[], env: &["DATABASE_URL"], any_postgres_var: true, ..NO_URLS },
    driver: Some((&DJANGO_DRIVER, "Django hands the URL's keys to psycopg")),
    // `manage.py runserver` and ASGI servers (`….asgi`) start a thread per request.
    pool: PoolModel::PerThread { unbounded: &["runserver", ".asgi"] },
    processes: Processes {
        default_source: "assumed: one process",
        runners: DJANGO_RUNNERS,
        word: Some(("thread", "threads")),
        per_thread: true,
        ..ONE_PROCESS
    },
    transaction: Transaction::InCode {
        why: "DISABLE_SERVER_SIDE_CURSORS: True in settings.py (QuerySet.iterator() breaks without it); no prepared statements unless server_side_binding is on",
        message: "Django's server-side cursors (QuerySet.iterator()) break through a transaction pooler: `cursor \"_django_curs_…\" does not exist`",
        fix: "Set DISABLE_SERVER_SIDE_CURSORS: True in settings.py",
        note: "DATABASES[\"default\"][\"DISABLE_SERVER_SIDE_CURSORS\"] = True (dj-database-url 2.2+: dj_database_url.config(disable_server_side_cursors=True)). poolfix cannot see settings.py; if it already does this, the finding is satisfied.",
    },
    for_urls: true,
    ..NO_POOL
};

/// A Node app with Prisma 7 and its pg adapter (`@prisma/adapter-pg`), recognised by a
/// `prisma …` command or by Prisma's own keys in `DATABASE_URL` (`pgbouncer`,
/// `connection_limit`; `pool_timeout` is SQLAlchemy's too). The adapter hands the URL to node-postgres, which ignores
/// those keys and opens its `Pool`'s default of 10 per process (measured with Prisma 7.10.1,
/// verify/prisma7.py); Prisma 6 and earlier read `connection_limit` in their own engine instead
/// (from Prisma's documentation, not measured here). docs/sources.md#node-postgres
pub static PRISMA_APP: ServiceDef = ServiceDef {
    id: "prisma",
    name: "Prisma app",
    kind: "prisma",
    label: "Node app with Prisma 7",
    detect: Some(Detect {
        commands: &["prisma migrate", "prisma db push", "prisma generate"],
        words: &[],
        images: &[],
        unless_command: &[],
        url_vars: &["DATABASE_URL", "DIRECT_URL"],
        unless_env: &[],
        url_keys: &["pgbouncer", "connection_limit"],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    urls: UrlSource { flags: &[], env: &["DATABASE_URL"], any_postgres_var: true, ..NO_URLS },
    driver: Some((&PRISMA7, "Prisma 7's pg adapter hands the URL to node-postgres")),
    pool: PoolModel::PerProcess {
        count: 10,
        label: "node-postgres's Pool, 10 unless `new PrismaPg({ connectionString, max })` says less; Prisma 7 assumed",
    },
    processes: NODE_PROCESSES,
    transaction: Transaction::Compatible(
        "Prisma 7's pg adapter works through a transaction pooler without `pgbouncer=true` (measured); run `prisma migrate` through the session pooler",
    ),
    for_urls: true,
    ..NO_POOL
};

/// A Node service in a compose file with a PostgreSQL URL (the `node` image, or `node`,
/// `npm start`, `next start`, `pm2-runtime` in its command), its library unknown (it is in
/// `package.json`): counted and judged as node-postgres, which Knex, Sequelize, TypeORM and
/// Drizzle's `node-postgres` driver use underneath, with "node-postgres assumed" shown and SSL
/// fixes given by hand ([`NODE_ASSUMED`]). postgres.js is recognised first, by its own URL
/// options ([`POSTGRES_JS_APP`]). `--for node` in the URL doctor.
pub static NODE_APP: ServiceDef = ServiceDef {
    id: "node",
    name: "Node app",
    kind: "node",
    label: "Node app (library unknown)",
    detect: Some(Detect {
        commands: &["node ", "npm start", "npm run start", "next start", "pm2-runtime", "pm2 start", "yarn start", "pnpm start"],
        words: &[],
        images: &[ImageMatch::Exact("node")],
        unless_command: &[],
        url_vars: &["DATABASE_URL", "POSTGRES_URL", "DB_URL", "PG_URL"],
        unless_env: &[],
        url_keys: &[],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: true,
        era: &[],
    }),
    urls: UrlSource { flags: &[], env: &["DATABASE_URL", "POSTGRES_URL"], any_postgres_var: true, ..NO_URLS },
    driver: Some((&NODE_ASSUMED, "")),
    pool: PoolModel::PerProcess {
        count: 10,
        label: "node-postgres's Pool, 10 unless `new Pool({ max })` says less; node-postgres assumed",
    },
    processes: NODE_PROCESSES,
    transaction: Transaction::Compatible(
        "node-postgres prepares only queries given a `name`; with postgres.js add `prepare=false&max_pipeline=0` to the URL; check the code for SET, LISTEN, advisory locks and temp tables",
    ),
    for_urls: true,
    ..NO_POOL
};

/// A Node program with node-postgres (`pg`), for the URL doctor (`--for node-postgres`): its
/// URL is judged by what node-postgres reads from it (docs/sources.md#node-postgres).
pub static NODE_POSTGRES_APP: ServiceDef = ServiceDef {
    id: "node-postgres",
    name: "node-postgres",
    kind: "node-postgres",
    label: "Node app (node-postgres)",
    driver: Some((&NODE_POSTGRES, "")),
    transaction: Transaction::Compatible(
        "node-postgres prepares only queries given a `name`; check the code for SET, LISTEN, advisory locks and temp tables",
    ),
    for_urls: true,
    ..NO_POOL
};

/// A Node program with postgres.js (`postgres`): for the URL doctor (`--for postgres-js`) and,
/// in compose files, recognised by one of postgres.js's own options in `DATABASE_URL` (`prepare`,
/// `idle_timeout`, `max_lifetime`, …: no other driver here reads them). Each `postgres()` holds up
/// to 10 connections (measured, docs/sources.md#postgres-js).
pub static POSTGRES_JS_APP: ServiceDef = ServiceDef {
    id: "postgres-js",
    name: "postgres.js",
    kind: "postgres-js",
    label: "Node app (postgres.js)",
    detect: Some(Detect {
        commands: &[],
        words: &[],
        images: &[],
        unless_command: &[],
        url_vars: &["DATABASE_URL", "POSTGRES_URL"],
        unless_env: &[],
        url_keys: &["prepare", "idle_timeout", "max_lifetime", "max_pipeline", "fetch_types"],
        env_names: &[],
        component: &[],
        component_env: &[],
        url_required: false,
        era: &[],
    }),
    urls: UrlSource { flags: &[], env: &["DATABASE_URL", "POSTGRES_URL"], any_postgres_var: true, ..NO_URLS },
    driver: Some((&POSTGRES_JS, "")),
    pool: PoolModel::PerProcess {
        count: 10,
        label: "postgres.js's default of 10 per `postgres()` unless its `max` option says less",
    },
    processes: NODE_PROCESSES,
    transaction: Transaction::ByDriver,
    for_urls: true,
    ..NO_POOL
};

/// A Node program with Prisma 6 or earlier and no driver adapter, for the URL doctor
/// (`--for prisma-6`): its URL is read by Prisma's own engine (docs/sources.md#prisma-6). In a
/// compose file a Prisma app is taken for Prisma 7 ([`PRISMA_APP`]): the version is in
/// `package.json`, which poolfix does not read.
pub static PRISMA6_APP: ServiceDef = ServiceDef {
    id: "prisma-6",
    name: "Prisma 6",
    kind: "prisma-6",
    label: "Node app with Prisma ≤ 6",
    driver: Some((&PRISMA6, "")),
    transaction: Transaction::ByDriver,
    for_urls: true,
    ..NO_POOL
};

/// A libpq tool: psql, pg_dump, or a program that hands the URL to libpq (URL doctor only).
pub static LIBPQ_TOOL: ServiceDef = ServiceDef {
    id: "libpq",
    name: "libpq",
    kind: "libpq",
    label: "libpq tool (psql)",
    driver: Some((&LIBPQ, "")),
    for_urls: true,
    ..NO_POOL
};

/// A service with no database connection found.
pub static OTHER: ServiceDef =
    ServiceDef { id: "other", name: "other", kind: "other", label: "other service", ..NO_POOL };

const NO_POOL: ServiceDef = ServiceDef {
    id: "",
    name: "",
    kind: "",
    label: "",
    detect: None,
    product: None,
    versions: ((0, 0, 0), None),
    urls: NO_URLS,
    driver: None,
    pool: PoolModel::None,
    processes: ONE_PROCESS,
    engines: 1,
    concurrency: None,
    extras: &[],
    health: None,
    transaction: Transaction::NotApplicable,
    listener_keys: None,
    startup_parameters: &[],
    client_of: None,
    for_urls: false,
    smallest_pool: None,
    async_engine: None,
    installed_driver: None,
};

/// Every service kind, in the order compose detection tries them; entries without `detect`
/// are the fallbacks ([`SQLALCHEMY`] for a service with a URL, else [`OTHER`]).
pub static SERVICES: &[ServiceKind] = &[
    &MLFLOW_CLIENT,
    &MLFLOW,
    &PREFECT_ORION,
    &PREFECT3,
    &PREFECT2,
    &PREFECT2_12,
    &PREFECT_WORKER,
    &AIRFLOW_MIGRATE,
    &AIRFLOW_API_30,
    &AIRFLOW_API_31,
    &AIRFLOW_API,
    &AIRFLOW_CELERY_WORKER,
    &AIRFLOW_SCHEDULER,
    &AIRFLOW,
    &AIRFLOW2_MIGRATE,
    &AIRFLOW2_WEBSERVER,
    &AIRFLOW2_SCHEDULER,
    &AIRFLOW2_CELERY_WORKER,
    &AIRFLOW2,
    &DJANGO,
    &PRISMA_APP,
    &POSTGRES_JS_APP,
    &CELERY_BEAT,
    &POSTGRES,
    &NODE_APP,
    &SQLALCHEMY,
    &NODE_POSTGRES_APP,
    &PRISMA6_APP,
    &LIBPQ_TOOL,
    &OTHER,
];

/// The URL doctor's `--for` values, in the table's order.
pub fn for_urls() -> impl Iterator<Item = ServiceKind> {
    SERVICES.iter().copied().filter(|s| s.for_urls)
}

/// The kind named by a `--for` value.
pub fn from_cli(name: &str) -> Option<ServiceKind> {
    for_urls().find(|k| k.id == name)
}

/// The kind a compose service is, from its command line (lower-cased), image name and version;
/// `None` when no entry recognises it (then it is an app of your own if it has a URL).
pub fn detect(
    command: &str,
    image: &str,
    version: impl Fn(&str) -> Option<Version>,
    env: impl Fn(&str) -> Option<String>,
) -> Option<ServiceKind> {
    let holds_url = |name: &&str| env(name).is_some_and(|v| is_postgres_url(&v));
    SERVICES.iter().copied().find(|s| {
        let Some(d) = &s.detect else { return false };
        let of_era = d.era.iter().any(|e| command.contains(e) || env(e).is_some());
        let in_range = |p: &str| match version(p) {
            None if of_era => true,
            v => s.holds(v),
        };
        let has_key = |name: &&str| {
            let query = env(name).and_then(|v| v.split_once('?').map(|(_, q)| q.to_string())).unwrap_or_default();
            d.url_keys.is_empty() || query.split('&').any(|kv| d.url_keys.contains(&kv.split('=').next().unwrap_or("")))
        };
        let by_env = !d.url_required
            && d.url_vars.iter().any(|n| holds_url(n) && has_key(n))
            && !d.unless_env.iter().any(|n| env(n).is_some())
            && !d.unless_command.iter().any(|c| command.contains(c));
        if by_env {
            return s.product.is_none_or(in_range);
        }
        let has_word = |w: &&str| command.split_whitespace().any(|c| c == *w || c.ends_with(&format!("/{w}")));
        let ruled_out = d.unless_command.iter().any(|c| command.contains(c));
        let by_words = !d.words.is_empty() && d.words.iter().all(has_word) && !ruled_out;
        let by_command = by_words || d.commands.iter().any(|c| command.contains(c));
        let by_image = !image.is_empty() && d.images.iter().any(|m| m.matches(image)) && !ruled_out;
        let by_name = d.env_names.iter().any(|n| env(n).is_some());
        let any_part = d.component.is_empty() && d.component_env.is_empty();
        let this_part = any_part
            || d.component.iter().any(|c| command.contains(c))
            || d.component_env.iter().any(|n| env(n).is_some());
        let client = !d.url_required || d.url_vars.iter().any(holds_url);
        (by_command || ((by_image || by_name) && this_part)) && client && s.product.is_none_or(in_range)
    })
}

/// Whether a value is a PostgreSQL URL (`postgresql://`, `postgres://`, `postgresql+driver://`).
pub fn is_postgres_url(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    v.starts_with("postgres://") || v.starts_with("postgresql://") || v.starts_with("postgresql+")
}

/// Variable names that programs of your own commonly read a database URL from (a URL in any
/// other variable is found by its `postgresql://` scheme).
const URL_VARS: &[&str] = &[
    "DATABASE_URL",
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_DATABASE_URL",
    "DB_URL",
    "POSTGRES_URL",
    "POSTGRES_DSN",
    "PG_URL",
    "DB_DSN",
    "DSN",
];
const URL_VAR_SUFFIXES: &[&str] = &["_DATABASE_URL", "_DB_URL", "_DATABASE_URI", "_POSTGRES_URL"];

/// Whether a variable's name says it carries a database URL (a placeholder may stand for it).
pub fn is_url_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    URL_VARS.contains(&n.as_str()) || URL_VAR_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// The environment variable (and value) that replaces URL key `key` for a service, if any.
/// Values are corrected for each tool's traps: MLflow ignores 0, SQLAlchemy reads −1 as
/// unlimited overflow and a pool size of 0 as unlimited (docs/sources.md#mlflow, #prefect).
pub fn env_for_key(service: ServiceKind, key: &str, value: &str) -> Option<(&'static str, String)> {
    let s = service.settings()?;
    let number = value.trim().parse::<i64>().ok();
    let min_overflow = s.min_overflow() as i64;
    match key {
        "pool_size" => Some((s.pool_size, number.filter(|n| *n >= 1).unwrap_or(1).to_string())),
        "max_overflow" => Some((s.max_overflow, number.unwrap_or(min_overflow).max(min_overflow).to_string())),
        "pool_recycle" => s.pool_recycle.map(|v| (v, value.to_string())),
        "pool_timeout" => s.pool_timeout.map(|v| (v, value.to_string())),
        "poolclass" => s.poolclass.map(|v| (v, value.to_string())),
        "connect_timeout" | "timeout" => s.connect_timeout.map(|v| (v, value.to_string())),
        "command_timeout" => s.statement_timeout.map(|v| (v, value.to_string())),
        "statement_cache_size" => s.statement_cache.map(|(v, _)| (v, value.to_string())),
        "prepared_statement_cache_size" => s.statement_cache.map(|(_, v)| (v, value.to_string())),
        _ => None,
    }
}

impl EnvSettings {
    /// Whether `value` of [`EnvSettings::pool_switch`] turns the pool off (Airflow's
    /// `getboolean`: `false`, `f`, `0`).
    pub fn switched_off(value: &str) -> bool {
        matches!(value.trim().to_ascii_lowercase().as_str(), "false" | "f" | "0")
    }

    /// The smallest overflow the service honours (MLflow ignores 0).
    pub fn min_overflow(&self) -> u32 {
        u32::from(self.zero_ignored)
    }

    /// Every variable of the table, in a stable order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = vec![self.pool_size, self.max_overflow];
        names.extend(
            [self.pool_recycle, self.pool_timeout, self.poolclass, self.connect_timeout, self.statement_timeout]
                .into_iter()
                .flatten(),
        );
        if let Some((a, b)) = self.statement_cache {
            names.extend([a, b]);
        }
        names.extend(self.workers);
        names.extend(self.job_execution.map(|(n, _)| n));
        names
    }
}

/// The settings poolfix recommends outside the URL, at the smallest pool that works:
/// MLflow 1 + 1 with one worker and job execution off (3 idle / 4 burst, measured), NullPool for
/// its client in a job;
/// Prefect 1 + 0 with a 10 s connect timeout; in transaction mode Prefect 3 also turns
/// both statement caches off (60/60 requests ok, measured). docs/sources.md#mlflow, #prefect.
pub fn recommended_env(
    service: ServiceKind,
    transaction_mode: bool,
    version: Option<Version>,
) -> Vec<(&'static str, String)> {
    let Some(s) = service.settings() else {
        return Vec::new();
    };
    let mut env = match s.poolclass.filter(|_| s.nullpool_fix) {
        Some(class) => vec![(class, "NullPool".to_string())],
        None => {
            let (pool, overflow) = service.smallest_pool(s);
            vec![(s.pool_size, pool.to_string()), (s.max_overflow, overflow.to_string())]
        }
    };
    if let (Some(workers), Some(n)) = (s.workers, service.processes.lowered_to) {
        env.push((workers, n.to_string()));
    }
    if let Some((jobs, _)) = s.job_execution {
        env.push((jobs, "false".into()));
    }
    if let Some(timeout) = s.connect_timeout {
        env.push((timeout, "10".into()));
    }
    let reads_cache = version.is_none_or(|v| v >= s.statement_cache_since);
    if let (true, true, Some((a, b))) = (transaction_mode, reads_cache, s.statement_cache) {
        env.push((a, "0".into()));
        env.push((b, "0".into()));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traps_are_corrected() {
        assert_eq!(
            env_for_key(&MLFLOW, "max_overflow", "0"),
            Some(("MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW", "1".into()))
        );
        assert_eq!(
            env_for_key(&PREFECT3, "max_overflow", "-1"),
            Some(("PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW", "0".into()))
        );
        assert_eq!(env_for_key(&PREFECT2, "pool_size", "0"), Some(("PREFECT_SQLALCHEMY_POOL_SIZE", "1".into())));
        assert_eq!(env_for_key(&SQLALCHEMY, "pool_size", "1"), None);
        assert_eq!(env_for_key(&PREFECT2, "statement_cache_size", "0"), None);
    }

    #[test]
    fn detection_reads_the_table() {
        let none = |_: &str| None;
        let no_env = |_: &str| None;
        let tracking = |n: &str| (n == "MLFLOW_TRACKING_URI").then(|| "postgresql://u@h/db".to_string());
        assert_eq!(
            detect("python train.py", "ghcr.io/mlflow/mlflow", none, tracking),
            Some(&MLFLOW_CLIENT as ServiceKind)
        );
        assert_eq!(detect("mlflow server", "", none, tracking), Some(&MLFLOW as ServiceKind));
        let remote = |n: &str| (n == "MLFLOW_TRACKING_URI").then(|| "http://mlflow:5000".to_string());
        assert_eq!(detect("python train.py", "trainer", none, remote), None);
        assert_eq!(detect("mlflow server --workers 2", "", none, no_env), Some(&MLFLOW as ServiceKind));
        assert_eq!(detect("", "mlflow/mlflow", none, no_env), Some(&MLFLOW as ServiceKind));
        assert_eq!(detect("prefect server start", "mlflow/mlflow", none, no_env), Some(&PREFECT3 as ServiceKind));
        assert_eq!(detect("prefect server start", "", |_| Some((2, 20, 0)), no_env), Some(&PREFECT2 as ServiceKind));
        assert_eq!(detect("prefect server start", "", |_| Some((3, 0, 5)), no_env), Some(&PREFECT2 as ServiceKind));
        assert_eq!(detect("prefect orion start", "", |_| Some((2, 7, 6)), no_env), Some(&PREFECT_ORION as ServiceKind));
        assert_eq!(
            detect("prefect server start", "", |_| Some((2, 11, 5)), no_env),
            Some(&PREFECT_ORION as ServiceKind)
        );
        assert_eq!(detect("prefect server start", "", |_| Some((2, 12, 0)), no_env), Some(&PREFECT2_12 as ServiceKind));
        assert_eq!(detect("prefect server start", "", |_| Some((2, 13, 0)), no_env), Some(&PREFECT2 as ServiceKind));
        // With the version unknown, `orion` places it before 2.13; otherwise the newest is assumed.
        assert_eq!(detect("prefect orion start", "", |_| None, no_env), Some(&PREFECT_ORION as ServiceKind));
        let orion_url =
            |n: &str| (n == "PREFECT_ORION_DATABASE_CONNECTION_URL").then(|| "postgresql+asyncpg://h/db".to_string());
        assert_eq!(detect("prefect server start", "", |_| None, orion_url), Some(&PREFECT_ORION as ServiceKind));
        assert_eq!(detect("prefect server start", "", |_| None, no_env), Some(&PREFECT3 as ServiceKind));
        assert_eq!(detect("prefect server start", "", |_| Some((3, 1, 0)), no_env), Some(&PREFECT3 as ServiceKind));
        assert_eq!(detect("", "postgres", none, no_env), Some(&POSTGRES as ServiceKind));
        assert_eq!(detect("python app.py", "myapp", none, no_env), None);
        assert_eq!(detect("celery -a app beat -l info", "app", none, no_env), Some(&CELERY_BEAT as ServiceKind));
        assert_eq!(detect("/venv/bin/celery -a app beat", "app", none, no_env), Some(&CELERY_BEAT as ServiceKind));
        assert_eq!(detect("celery -a app worker -b", "app", none, no_env), None);
        assert_eq!(
            detect("celery -a app beat -s django_celery_beat.schedulers:databasescheduler", "app", none, no_env),
            None
        );
        let django = Some(&DJANGO as ServiceKind);
        assert_eq!(detect("gunicorn mysite.wsgi:application -w 2 ", "", none, no_env), django);
        assert_eq!(detect("gunicorn mysite.wsgi --threads 4 ", "", none, no_env), django);
        assert_eq!(detect("python manage.py migrate ", "", none, no_env), django);
        assert_eq!(detect("gunicorn app.wsgi:app ", "", none, no_env), None, "a Flask app is not Django");
        let settings = |n: &str| (n == "DJANGO_SETTINGS_MODULE").then(|| "mysite.settings".to_string());
        assert_eq!(detect("celery -a mysite beat ", "", none, settings), django, "the project's beat is Django's");
        let url = |n: &str| (n == "DATABASE_URL").then(|| "postgres://u@h/db".to_string());
        let node = Some(&NODE_APP as ServiceKind);
        assert_eq!(detect("node server.js", "", none, url), node);
        assert_eq!(detect("npm run dev", "node", none, url), node);
        assert_eq!(detect("node server.js", "", none, no_env), None, "a Node service without a URL holds nothing");
        let js = |n: &str| (n == "DATABASE_URL").then(|| "postgres://u@h/db?prepare=false".to_string());
        assert_eq!(detect("node server.js", "", none, js), Some(&POSTGRES_JS_APP as ServiceKind));
        let ids: Vec<&str> = for_urls().map(|k| k.id).collect();
        assert_eq!(
            ids,
            [
                "mlflow-client",
                "mlflow",
                "prefect",
                "prefect2",
                "airflow-api-server-3.0",
                "airflow-api-server-3.1",
                "airflow-api-server",
                "airflow",
                "django",
                "prisma",
                "postgres-js",
                "node",
                "sqlalchemy",
                "node-postgres",
                "prisma-6",
                "libpq"
            ]
        );
        assert_eq!(detect("api-server ", "", none, no_env), None, "the word alone is not Airflow");
        let prisma = |n: &str| (n == "DATABASE_URL").then(|| "postgresql://u@h:6543/db?pgbouncer=true".to_string());
        assert_eq!(detect("npm start ", "", none, prisma), Some(&PRISMA_APP as ServiceKind));
        let sqlalchemy = |n: &str| (n == "DATABASE_URL").then(|| "postgresql://u@h/db?pool_timeout=30".to_string());
        assert_eq!(detect("python app.py ", "", none, sqlalchemy), None, "pool_timeout is SQLAlchemy's too");
    }

    #[test]
    fn airflow_detection_reads_the_release() {
        let no_env = |_: &str| None;
        let none = |_: &str| None;
        // One image, a component per command; the tag picks the release's entry.
        let image = "apache/airflow";
        let v332 = |_: &str| Some((3, 3, 2));
        assert_eq!(detect("api-server ", image, v332, no_env), Some(&AIRFLOW_API as ServiceKind));
        assert_eq!(detect("api-server ", image, |_| Some((3, 0, 6)), no_env), Some(&AIRFLOW_API_30 as ServiceKind));
        assert_eq!(detect("scheduler ", image, v332, no_env), Some(&AIRFLOW_SCHEDULER as ServiceKind));
        assert_eq!(detect("triggerer ", image, v332, no_env), Some(&AIRFLOW as ServiceKind));
        assert_eq!(detect("celery worker ", image, v332, no_env), Some(&AIRFLOW_CELERY_WORKER as ServiceKind));
        let migrate = |n: &str| (n == "_AIRFLOW_DB_MIGRATE").then(|| "true".to_string());
        assert_eq!(detect("-c echo ", image, v332, migrate), Some(&AIRFLOW_MIGRATE as ServiceKind));
        assert_eq!(detect("airflow db migrate ", "myimage", none, no_env), Some(&AIRFLOW_MIGRATE as ServiceKind));
        let v2105 = |_: &str| Some((2, 10, 5));
        assert_eq!(detect("scheduler ", image, v2105, no_env), Some(&AIRFLOW2_SCHEDULER as ServiceKind));
        assert_eq!(detect("webserver ", image, v2105, no_env), Some(&AIRFLOW2_WEBSERVER as ServiceKind));
        assert_eq!(detect("celery worker ", image, v2105, no_env), Some(&AIRFLOW2_CELERY_WORKER as ServiceKind));
        assert_eq!(detect("triggerer ", image, v2105, no_env), Some(&AIRFLOW2 as ServiceKind));
        assert_eq!(detect("-c echo ", image, v2105, migrate), Some(&AIRFLOW2_MIGRATE as ServiceKind));
        assert_eq!(
            detect("scheduler ", image, |_| Some((2, 2, 5)), no_env),
            None,
            "before 2.3 Airflow is not in the table"
        );
    }
}
