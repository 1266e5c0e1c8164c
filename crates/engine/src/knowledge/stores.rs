//! Stores other than PostgreSQL that a service's URL setting can name: a service whose URL is
//! one of these opens no connection to the pooler, so no pool rule and no budget applies to it.
//!
//! Sources: SQLAlchemy's database URLs (`dialect+driver://…`,
//! <https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls>); MLflow's backend
//! stores, a database URL or a local path (`./mlruns`, `file:/…`; SQLite by default from 3.7.0,
//! <https://mlflow.org/docs/latest/self-hosting/architecture/backend-store>); Celery's result
//! backends (`redis://`, `rpc://`, `db+mysql://`,
//! <https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend>).

/// URL schemes (the part before `+driver`), and the store each names.
const STORES: &[(&str, &str)] = &[
    ("sqlite", "SQLite"),
    ("mysql", "MySQL"),
    ("mariadb", "MariaDB"),
    ("mssql", "SQL Server"),
    ("oracle", "Oracle"),
    ("redis", "Redis"),
    ("rediss", "Redis"),
    ("file", "local files"),
];

/// The store a URL setting names when it is not PostgreSQL: a scheme from [`STORES`], another
/// scheme (named as written), or a path (local files). `None` for a PostgreSQL URL and for a
/// value poolfix cannot read (empty, or still a `${VAR}`).
pub fn other_store(value: &str) -> Option<String> {
    let v = value.trim();
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("../") {
        return Some("local files".into());
    }
    let (scheme, rest) = v.split_once(':')?;
    let dialect = scheme.split('+').next().unwrap_or(scheme);
    let is_scheme = !dialect.is_empty() && dialect.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    let postgres = dialect.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("postgres"));
    if !is_scheme || postgres || !rest.starts_with('/') {
        return None;
    }
    let known = STORES.iter().find(|(s, _)| dialect.eq_ignore_ascii_case(s)).map(|(_, label)| label.to_string());
    Some(known.unwrap_or(format!("`{dialect}`")))
}

#[cfg(test)]
mod tests {
    use super::other_store;

    #[test]
    fn stores_by_scheme_and_path() {
        assert_eq!(other_store("sqlite:///mlflow.db").as_deref(), Some("SQLite"));
        assert_eq!(other_store("mysql+pymysql://u:p@db:3306/mlflow").as_deref(), Some("MySQL"));
        assert_eq!(other_store("file:/mlruns").as_deref(), Some("local files"));
        assert_eq!(other_store("./mlruns").as_deref(), Some("local files"));
        assert_eq!(other_store("/mlflow/mlruns").as_deref(), Some("local files"));
        assert_eq!(other_store("rpc://").as_deref(), Some("`rpc`"));
        for not in ["postgresql+psycopg2://u@h/db", "postgres://u@h/db", "", "${DB_URL}", "mlruns", "C:x"] {
            assert_eq!(other_store(not), None, "{not}");
        }
    }
}
