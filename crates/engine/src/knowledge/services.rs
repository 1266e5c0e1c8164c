//! The services poolfix knows and where each reads its pool settings.

use super::drivers::Driver;

/// What kind of program uses the connection string. The names are the CLI's `--for` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// MLflow tracking server (`mlflow server`).
    Mlflow,
    /// Prefect server 3.1 and later.
    Prefect3,
    /// Prefect server 2.x and 3.0 (the older setting names).
    Prefect2,
    /// Any other SQLAlchemy program: an API, a worker, a script.
    SqlAlchemy,
    /// A libpq tool: psql, pg_dump, or a program that hands the URL to libpq.
    Libpq,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 5] = [
        ServiceKind::Mlflow,
        ServiceKind::Prefect3,
        ServiceKind::Prefect2,
        ServiceKind::SqlAlchemy,
        ServiceKind::Libpq,
    ];

    pub fn cli_name(self) -> &'static str {
        match self {
            ServiceKind::Mlflow => "mlflow",
            ServiceKind::Prefect3 => "prefect",
            ServiceKind::Prefect2 => "prefect2",
            ServiceKind::SqlAlchemy => "sqlalchemy",
            ServiceKind::Libpq => "libpq",
        }
    }

    pub fn from_cli(name: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.cli_name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Mlflow => "MLflow tracking server",
            ServiceKind::Prefect3 => "Prefect server 3.1+",
            ServiceKind::Prefect2 => "Prefect server 2.x / 3.0",
            ServiceKind::SqlAlchemy => "SQLAlchemy service",
            ServiceKind::Libpq => "libpq tool (psql)",
        }
    }

    pub fn uses_sqlalchemy(self) -> bool {
        self != ServiceKind::Libpq
    }

    pub fn is_prefect(self) -> bool {
        matches!(self, ServiceKind::Prefect3 | ServiceKind::Prefect2)
    }

    /// The driver the service must be given. MLflow: psycopg2, because MLflow 3.17 pulls
    /// SQLAlchemy 2.1, whose bare `postgresql://` means psycopg 3 (FACTS.md §4, §6).
    /// Prefect: asyncpg, the only driver its server supports (FACTS.md §7).
    pub fn required_driver(self) -> Option<Driver> {
        match self {
            ServiceKind::Mlflow => Some(Driver::Psycopg2),
            ServiceKind::Prefect3 | ServiceKind::Prefect2 => Some(Driver::Asyncpg),
            ServiceKind::SqlAlchemy | ServiceKind::Libpq => None,
        }
    }

    /// The driver a URL without `+driver` gets: SQLAlchemy 2.1 maps bare `postgresql://`
    /// to psycopg 3 (FACTS.md §4); libpq tools use libpq.
    pub fn bare_scheme_driver(self) -> Driver {
        if self == ServiceKind::Libpq {
            Driver::Libpq
        } else {
            Driver::Psycopg
        }
    }

    /// Where the service reads its pool settings, if from the environment.
    pub fn settings(self) -> Option<&'static EnvSettings> {
        match self {
            ServiceKind::Mlflow => Some(&MLFLOW),
            ServiceKind::Prefect3 => Some(&PREFECT3),
            ServiceKind::Prefect2 => Some(&PREFECT2),
            ServiceKind::SqlAlchemy | ServiceKind::Libpq => None,
        }
    }
}

/// Environment variables a service reads for its database pool.
#[derive(Debug)]
pub struct EnvSettings {
    /// Variables that carry the connection URL, preferred first.
    pub url_vars: &'static [&'static str],
    pub pool_size: &'static str,
    pub max_overflow: &'static str,
    /// The smallest overflow the service honours (MLflow ignores 0).
    pub min_overflow: u32,
    pub pool_recycle: Option<&'static str>,
    pub pool_timeout: Option<&'static str>,
    pub poolclass: Option<&'static str>,
    pub connect_timeout: Option<&'static str>,
    pub statement_timeout: Option<&'static str>,
    /// (asyncpg statement cache, SQLAlchemy prepared-statement cache) switches.
    pub statement_cache: Option<(&'static str, &'static str)>,
    /// Server worker processes and whether the server runs background jobs.
    pub workers: Option<&'static str>,
    pub job_execution: Option<&'static str>,
}

impl EnvSettings {
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
        names.extend([self.workers, self.job_execution].into_iter().flatten());
        names
    }
}

/// MLflow: `mlflow/environment_variables.py`, read in `mlflow/store/db/utils.py`; values are
/// applied only when truthy, so 0 is ignored (FACTS.md §6, measured on 3.17.2).
pub static MLFLOW: EnvSettings = EnvSettings {
    url_vars: &["MLFLOW_BACKEND_STORE_URI"],
    pool_size: "MLFLOW_SQLALCHEMYSTORE_POOL_SIZE",
    max_overflow: "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW",
    min_overflow: 1,
    pool_recycle: Some("MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE"),
    pool_timeout: None,
    poolclass: Some("MLFLOW_SQLALCHEMYSTORE_POOLCLASS"),
    connect_timeout: None,
    statement_timeout: None,
    statement_cache: None,
    workers: Some("MLFLOW_WORKERS"),
    job_execution: Some("MLFLOW_SERVER_ENABLE_JOB_EXECUTION"),
};

/// Prefect 3.1+: `src/prefect/settings/models/server/database.py` (FACTS.md §7).
pub static PREFECT3: EnvSettings = EnvSettings {
    url_vars: &["PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"],
    pool_size: "PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE",
    max_overflow: "PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW",
    min_overflow: 0,
    pool_recycle: Some("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_RECYCLE"),
    pool_timeout: Some("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT"),
    poolclass: None,
    connect_timeout: Some("PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT"),
    statement_timeout: Some("PREFECT_SERVER_DATABASE_TIMEOUT"),
    statement_cache: Some((
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE",
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_PREPARED_STATEMENT_CACHE_SIZE",
    )),
    workers: None,
    job_execution: None,
};

/// Prefect 2.x and 3.0: the 2.20 `settings.py` (FACTS.md §7).
pub static PREFECT2: EnvSettings = EnvSettings {
    url_vars: &["PREFECT_API_DATABASE_CONNECTION_URL"],
    pool_size: "PREFECT_SQLALCHEMY_POOL_SIZE",
    max_overflow: "PREFECT_SQLALCHEMY_MAX_OVERFLOW",
    min_overflow: 0,
    pool_recycle: None,
    pool_timeout: None,
    poolclass: None,
    connect_timeout: Some("PREFECT_API_DATABASE_CONNECTION_TIMEOUT"),
    statement_timeout: Some("PREFECT_API_DATABASE_TIMEOUT"),
    statement_cache: None,
    workers: None,
    job_execution: None,
};

/// The environment variable (and value) that replaces URL key `key` for a service, if any.
/// Values are corrected for each tool's traps: MLflow ignores 0, SQLAlchemy reads −1 as
/// unlimited overflow and a pool size of 0 as unlimited (FACTS.md §6, §7).
pub fn env_for_key(service: ServiceKind, key: &str, value: &str) -> Option<(&'static str, String)> {
    let s = service.settings()?;
    let number = value.trim().parse::<i64>().ok();
    match key {
        "pool_size" => Some((s.pool_size, number.filter(|n| *n >= 1).unwrap_or(1).to_string())),
        "max_overflow" => {
            let n = number.unwrap_or(s.min_overflow as i64).max(s.min_overflow as i64);
            Some((s.max_overflow, n.to_string()))
        }
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

/// The settings poolfix recommends outside the URL, at the smallest pool that works:
/// MLflow 1 + 1 with one worker and job execution off (3 idle / 4 burst, measured);
/// Prefect 1 + 0 with a 10 s connect timeout; in transaction mode Prefect 3 also turns
/// both statement caches off (60/60 requests ok, measured). FACTS.md §6, §7.
pub fn recommended_env(service: ServiceKind, transaction_mode: bool) -> Vec<(&'static str, String)> {
    let Some(s) = service.settings() else {
        return Vec::new();
    };
    let mut env = vec![(s.pool_size, "1".to_string()), (s.max_overflow, s.min_overflow.to_string())];
    if let Some(workers) = s.workers {
        env.push((workers, "1".into()));
    }
    if let Some(jobs) = s.job_execution {
        env.push((jobs, "false".into()));
    }
    if let Some(timeout) = s.connect_timeout {
        env.push((timeout, "10".into()));
    }
    if let (true, Some((a, b))) = (transaction_mode, s.statement_cache) {
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
            env_for_key(ServiceKind::Mlflow, "max_overflow", "0"),
            Some(("MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW", "1".into()))
        );
        assert_eq!(
            env_for_key(ServiceKind::Prefect3, "max_overflow", "-1"),
            Some(("PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW", "0".into()))
        );
        assert_eq!(
            env_for_key(ServiceKind::Prefect2, "pool_size", "0"),
            Some(("PREFECT_SQLALCHEMY_POOL_SIZE", "1".into()))
        );
        assert_eq!(env_for_key(ServiceKind::SqlAlchemy, "pool_size", "1"), None);
        assert_eq!(env_for_key(ServiceKind::Prefect2, "statement_cache_size", "0"), None);
    }
}
