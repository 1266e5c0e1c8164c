//! Database drivers and what each does with a URL query key.
//!
//! SQLAlchemy passes every query key to the driver's `connect()`; the verdicts below were
//! measured with SQLAlchemy 2.1.9 / 2.0.58, psycopg2 2.9.13, psycopg 3.3.9 and asyncpg 0.32
//! (shared/domain/FACTS.md §4) and match libpq's list of connection parameters
//! (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS).

/// The library that opens the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Driver {
    /// `postgresql+psycopg2://` (libpq underneath).
    Psycopg2,
    /// `postgresql+psycopg://`: psycopg 3 (libpq underneath).
    Psycopg,
    /// `postgresql+asyncpg://`: its own protocol code, keyword arguments.
    Asyncpg,
    /// `postgresql+pg8000://`: pure Python; only pool keys are verified.
    Pg8000,
    /// libpq itself: psql, pg_dump, and any tool that hands the URL to libpq.
    Libpq,
}

impl Driver {
    /// The driver named after `+` in a SQLAlchemy URL.
    pub fn from_name(name: &str) -> Option<Driver> {
        match name.to_ascii_lowercase().as_str() {
            "psycopg2" | "psycopg2cffi" => Some(Driver::Psycopg2),
            "psycopg" | "psycopg_async" => Some(Driver::Psycopg),
            "asyncpg" => Some(Driver::Asyncpg),
            "pg8000" => Some(Driver::Pg8000),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Driver::Psycopg2 => "psycopg2",
            Driver::Psycopg => "psycopg 3",
            Driver::Asyncpg => "asyncpg",
            Driver::Pg8000 => "pg8000",
            Driver::Libpq => "libpq",
        }
    }

    /// The scheme that selects this driver in SQLAlchemy (`postgresql` for libpq tools).
    pub fn scheme(self) -> &'static str {
        match self {
            Driver::Psycopg2 => "postgresql+psycopg2",
            Driver::Psycopg => "postgresql+psycopg",
            Driver::Asyncpg => "postgresql+asyncpg",
            Driver::Pg8000 => "postgresql+pg8000",
            Driver::Libpq => "postgresql",
        }
    }

    /// Drivers that hand the URL's keys to libpq as connection parameters.
    pub fn is_libpq(self) -> bool {
        matches!(self, Driver::Psycopg2 | Driver::Psycopg | Driver::Libpq)
    }

    /// Whether the driver uses protocol-level prepared statements by default, which break
    /// through a transaction pooler (FACTS.md §5: asyncpg always; psycopg 3 after 5
    /// executions; psycopg2 never).
    pub fn prepares_statements(self) -> bool {
        matches!(self, Driver::Asyncpg | Driver::Psycopg)
    }

    /// How this driver spells "require SSL" in a URL.
    pub fn ssl_key(self) -> &'static str {
        if self == Driver::Asyncpg {
            "ssl"
        } else {
            "sslmode"
        }
    }
}

/// SQLAlchemy `create_engine()` pool arguments: never valid in a URL (FACTS.md §4).
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

/// Keys asyncpg's `connect()` accepts as strings from a URL; `prepared_statement_cache_size`
/// is consumed by SQLAlchemy's asyncpg dialect (measured, FACTS.md §4).
const ASYNCPG_KEYS: &[&str] =
    &["ssl", "command_timeout", "prepared_statement_cache_size", "target_session_attrs", "krbsrvname", "gsslib"];

/// asyncpg keyword arguments that exist but fail when the URL hands them over as strings.
const ASYNCPG_STRING_TRAPS: &[(&str, &str)] = &[
    ("timeout", "unsupported operand type(s) for +: 'float' and 'str'"),
    ("statement_cache_size", "the value arrives as a string and asyncpg fails on it"),
    ("max_cached_statement_lifetime", "the value arrives as a string and asyncpg fails on it"),
    ("max_cacheable_statement_size", "the value arrives as a string and asyncpg fails on it"),
];

/// What a driver does with one URL query key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// The connection fails; the text is the error the user sees.
    Refused(String),
    /// Not measured for this driver.
    Unknown,
}

/// What `driver` does with the URL query key `key`.
pub fn verdict(driver: Driver, key: &str) -> Verdict {
    let libpq_refusal = |prefix: &str| Verdict::Refused(format!("{prefix}invalid connection option \"{key}\""));
    match driver {
        Driver::Psycopg2 | Driver::Libpq if LIBPQ_KEYS.contains(&key) => Verdict::Accepted,
        Driver::Psycopg2 => libpq_refusal("invalid dsn: "),
        Driver::Libpq => libpq_refusal(""),
        // psycopg 3 takes prepare_threshold as a keyword, but from a URL it is a string.
        Driver::Psycopg if key == "prepare_threshold" => {
            Verdict::Refused("the value arrives as a string and psycopg fails on it".into())
        }
        Driver::Psycopg if LIBPQ_KEYS.contains(&key) => Verdict::Accepted,
        Driver::Psycopg => libpq_refusal(""),
        Driver::Asyncpg if ASYNCPG_KEYS.contains(&key) => Verdict::Accepted,
        Driver::Asyncpg => match ASYNCPG_STRING_TRAPS.iter().find(|(k, _)| *k == key) {
            Some((_, error)) => Verdict::Refused((*error).into()),
            None => Verdict::Refused(format!("TypeError: connect() got an unexpected keyword argument '{key}'")),
        },
        Driver::Pg8000 if POOL_KEYS.contains(&key) => {
            Verdict::Refused(format!("TypeError: connect() got an unexpected keyword argument '{key}'"))
        }
        Driver::Pg8000 => Verdict::Unknown,
    }
}

/// The spelling `driver` accepts for a key it refuses, when there is one in the URL:
/// `sslmode` ↔ `ssl`, `timeout` → `connect_timeout`.
pub fn respelling(driver: Driver, key: &str) -> Option<&'static str> {
    match (driver.is_libpq(), key) {
        (false, "sslmode") if driver == Driver::Asyncpg => Some("ssl"),
        (true, "ssl") => Some("sslmode"),
        (true, "timeout") => Some("connect_timeout"),
        _ => None,
    }
}

/// The value to use after respelling (`ssl=true` means `sslmode=require`).
pub fn respelled_value(to: &str, value: &str) -> String {
    match (to, value.to_ascii_lowercase().as_str()) {
        ("sslmode", "true" | "1" | "yes" | "on") => "require".into(),
        ("sslmode", "false" | "0" | "no" | "off") => "disable".into(),
        _ => value.to_string(),
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
            verdict(Driver::Psycopg2, "pool_size"),
            Refused("invalid dsn: invalid connection option \"pool_size\"".into())
        );
        assert_eq!(verdict(Driver::Psycopg, "pool_size"), Refused("invalid connection option \"pool_size\"".into()));
        assert_eq!(
            verdict(Driver::Asyncpg, "pool_size"),
            Refused("TypeError: connect() got an unexpected keyword argument 'pool_size'".into())
        );
        assert_eq!(verdict(Driver::Psycopg2, "connect_timeout"), Accepted);
        assert!(refused(Driver::Asyncpg, "connect_timeout"));
        assert!(refused(Driver::Psycopg2, "timeout") && refused(Driver::Psycopg, "timeout"));
        assert_eq!(
            verdict(Driver::Asyncpg, "timeout"),
            Refused("unsupported operand type(s) for +: 'float' and 'str'".into())
        );
        assert!(refused(Driver::Psycopg2, "command_timeout"));
        assert_eq!(verdict(Driver::Asyncpg, "command_timeout"), Accepted);
        assert_eq!(verdict(Driver::Psycopg2, "sslmode"), Accepted);
        assert!(refused(Driver::Asyncpg, "sslmode"));
        assert!(refused(Driver::Psycopg2, "ssl"));
        assert_eq!(verdict(Driver::Asyncpg, "ssl"), Accepted);
        assert!(refused(Driver::Asyncpg, "application_name"));
        assert_eq!(verdict(Driver::Asyncpg, "prepared_statement_cache_size"), Accepted);
        assert!(refused(Driver::Asyncpg, "statement_cache_size"));
        assert!(refused(Driver::Psycopg, "prepare_threshold"));
        assert_eq!(verdict(Driver::Pg8000, "application_name"), Unknown);
    }
}
