//! Supabase endpoints, recognised from host, port and user (docs/sources.md#endpoints; Supabase docs
//! `guides/database/connecting-to-postgres`).

/// Where a connection string points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// `db.<ref>.supabase.co:5432`: Postgres itself; IPv6 unless the IPv4 add-on.
    Direct,
    /// `db.<ref>.supabase.co:6543`: the dedicated PgBouncer; transaction mode only.
    DedicatedPooler,
    /// `*.pooler.supabase.com:5432`: Supavisor, session mode.
    SharedSession,
    /// `*.pooler.supabase.com:6543`: Supavisor, transaction mode.
    SharedTransaction,
    /// A Supavisor host on a port that is neither 5432 nor 6543.
    SharedOtherPort,
    /// Not Supabase: a local or self-hosted Postgres.
    OtherPostgres,
    /// The host or port is a placeholder, or there is no host.
    Unknown,
}

/// How the endpoint multiplexes clients, which decides the limit that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolMode {
    Session,
    Transaction,
    /// A real server connection: counts against the direct maximum.
    Direct,
    Unknown,
}

impl PoolMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
            PoolMode::Direct => "direct",
            PoolMode::Unknown => "unknown",
        }
    }
}

impl EndpointKind {
    pub fn mode(self) -> PoolMode {
        match self {
            EndpointKind::Direct | EndpointKind::OtherPostgres => PoolMode::Direct,
            EndpointKind::SharedSession => PoolMode::Session,
            EndpointKind::SharedTransaction | EndpointKind::DedicatedPooler => PoolMode::Transaction,
            EndpointKind::SharedOtherPort | EndpointKind::Unknown => PoolMode::Unknown,
        }
    }

    /// Stable name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Direct => "supabase-direct",
            EndpointKind::DedicatedPooler => "supabase-dedicated-pooler",
            EndpointKind::SharedSession => "supabase-shared-session",
            EndpointKind::SharedTransaction => "supabase-shared-transaction",
            EndpointKind::SharedOtherPort => "supabase-shared-other-port",
            EndpointKind::OtherPostgres => "other-postgres",
            EndpointKind::Unknown => "unknown",
        }
    }

    pub fn is_supabase(self) -> bool {
        !matches!(self, EndpointKind::OtherPostgres | EndpointKind::Unknown)
    }

    pub fn is_shared_pooler(self) -> bool {
        matches!(self, EndpointKind::SharedSession | EndpointKind::SharedTransaction | EndpointKind::SharedOtherPort)
    }

    pub fn label(self) -> &'static str {
        match self {
            EndpointKind::Direct => "Supabase direct connection",
            EndpointKind::DedicatedPooler => "Supabase dedicated pooler (PgBouncer, transaction mode)",
            EndpointKind::SharedSession => "Supabase shared pooler (Supavisor), session mode",
            EndpointKind::SharedTransaction => "Supabase shared pooler (Supavisor), transaction mode",
            EndpointKind::SharedOtherPort => "Supabase shared pooler on an unexpected port",
            EndpointKind::OtherPostgres => "PostgreSQL outside Supabase",
            EndpointKind::Unknown => "unknown (placeholder or no host)",
        }
    }
}

pub const SESSION_PORT: u16 = 5432;
pub const TRANSACTION_PORT: u16 = 6543;

/// The endpoint a host and port point at, and the project ref when the host carries it.
/// `port` is `None` when absent (libpq's default 5432 applies) or a placeholder (`Some(None)`
/// is not used: pass `placeholder = true`).
pub fn classify(host: &str, port: Option<u16>, placeholder: bool) -> (EndpointKind, Option<String>) {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if host.is_empty() || placeholder {
        return (EndpointKind::Unknown, None);
    }
    let port = port.unwrap_or(SESSION_PORT);
    if let Some(project) = host.strip_prefix("db.").and_then(|h| h.strip_suffix(".supabase.co")) {
        let kind = if port == TRANSACTION_PORT { EndpointKind::DedicatedPooler } else { EndpointKind::Direct };
        return (kind, Some(project.to_string()));
    }
    if host.ends_with(".pooler.supabase.com") {
        let kind = match port {
            SESSION_PORT => EndpointKind::SharedSession,
            TRANSACTION_PORT => EndpointKind::SharedTransaction,
            _ => EndpointKind::SharedOtherPort,
        };
        return (kind, None);
    }
    (EndpointKind::OtherPostgres, None)
}

/// The project ref carried by a pooler user name (`postgres.<ref>` or `<role>.<ref>`).
pub fn user_ref(user: &str) -> Option<&str> {
    user.split_once('.').map(|(_, r)| r).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_endpoints() {
        assert_eq!(classify("db.abc.supabase.co", None, false), (EndpointKind::Direct, Some("abc".into())));
        assert_eq!(classify("db.abc.supabase.co", Some(6543), false).0, EndpointKind::DedicatedPooler);
        assert_eq!(
            classify("aws-0-eu-central-1.pooler.supabase.com", Some(5432), false).0,
            EndpointKind::SharedSession
        );
        assert_eq!(
            classify("AWS-1-us-east-1.pooler.supabase.com", Some(6543), false).0,
            EndpointKind::SharedTransaction
        );
        assert_eq!(classify("localhost", None, false).0, EndpointKind::OtherPostgres);
        assert_eq!(classify("${DB_HOST}", None, true).0, EndpointKind::Unknown);
        assert_eq!(user_ref("postgres.abcdefghijklmnopqrst"), Some("abcdefghijklmnopqrst"));
        assert_eq!(user_ref("postgres"), None);
    }
}
