//! Connections spread over several variables instead of one URL: libpq's `PG*` variables
//! (<https://www.postgresql.org/docs/current/libpq-envars.html>), the `POSTGRES_*`, `DB_*` and
//! `DATABASE_*` families programs commonly read, and `…_POSTGRESQL__HOST`-style nested settings
//! (authentik's `AUTHENTIK_POSTGRESQL__HOST`, <https://docs.goauthentik.io/install-config/configuration/>).
//! A service with a host variable of one family is read as one connection, assembled from them.

/// One family of variables; each part lists the names it goes by, preferred first.
#[derive(Debug)]
pub struct VarFamily {
    pub host: &'static [&'static str],
    pub port: &'static [&'static str],
    pub user: &'static [&'static str],
    pub password: &'static [&'static str],
    pub database: &'static [&'static str],
    pub sslmode: &'static [&'static str],
    pub connect_timeout: &'static [&'static str],
    /// The program reads every variable of the family, set or not (libpq does), so a fix may
    /// add one the file lacks; for the others only a variable the file already sets is edited.
    pub reads_unset: bool,
}

/// A part of a connection that a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Host,
    Port,
    User,
    Database,
    Sslmode,
    ConnectTimeout,
}

impl Part {
    /// The part a URL query key sets, if a variable can hold it.
    pub fn of_key(key: &str) -> Option<Part> {
        match key {
            "sslmode" => Some(Part::Sslmode),
            "connect_timeout" => Some(Part::ConnectTimeout),
            _ => None,
        }
    }
}

impl VarFamily {
    fn names(&self, part: Part) -> &'static [&'static str] {
        match part {
            Part::Host => self.host,
            Part::Port => self.port,
            Part::User => self.user,
            Part::Database => self.database,
            Part::Sslmode => self.sslmode,
            Part::ConnectTimeout => self.connect_timeout,
        }
    }
}

pub static FAMILIES: &[VarFamily] = &[
    VarFamily {
        host: &["PGHOST"],
        port: &["PGPORT"],
        user: &["PGUSER"],
        password: &["PGPASSWORD"],
        database: &["PGDATABASE"],
        sslmode: &["PGSSLMODE"],
        connect_timeout: &["PGCONNECT_TIMEOUT"],
        reads_unset: true,
    },
    VarFamily {
        host: &["POSTGRES_HOST"],
        port: &["POSTGRES_PORT"],
        user: &["POSTGRES_USER"],
        password: &["POSTGRES_PASSWORD"],
        database: &["POSTGRES_DB", "POSTGRES_DATABASE"],
        sslmode: &["POSTGRES_SSLMODE"],
        connect_timeout: &[],
        reads_unset: false,
    },
    VarFamily {
        host: &["DB_HOST"],
        port: &["DB_PORT"],
        user: &["DB_USER", "DB_USERNAME"],
        password: &["DB_PASSWORD", "DB_PASS"],
        database: &["DB_NAME", "DB_DATABASE"],
        sslmode: &["DB_SSLMODE"],
        connect_timeout: &[],
        reads_unset: false,
    },
    VarFamily {
        host: &["DATABASE_HOST"],
        port: &["DATABASE_PORT"],
        user: &["DATABASE_USER", "DATABASE_USERNAME"],
        password: &["DATABASE_PASSWORD"],
        database: &["DATABASE_NAME"],
        sslmode: &["DATABASE_SSLMODE"],
        connect_timeout: &[],
        reads_unset: false,
    },
];

/// The suffixes of a nested family, after a `…_POSTGRESQL__` prefix.
const NESTED: &str = "_POSTGRESQL__";

/// The variable that holds `part` of the connection a service assembles from `names`: the one
/// the file sets, else one the program reads unset (libpq's `PGSSLMODE`); `None` when no
/// variable can carry it, and the URL's fix is given by hand.
pub fn var_for(names: &[&str], part: Part) -> Option<String> {
    let set = |n: &&str| names.contains(n);
    if let Some(f) = FAMILIES.iter().find(|f| f.host.iter().any(set)) {
        let candidates = f.names(part);
        let name = candidates.iter().find(|n| set(n)).or(candidates.first().filter(|_| f.reads_unset))?;
        return Some(name.to_string());
    }
    // authentik's nested settings: the ones it documents, set or not.
    let host = names.iter().find(|n| n.ends_with(&format!("{NESTED}HOST")))?;
    let prefix = &host[..host.len() - "HOST".len()];
    let suffix = match part {
        Part::Host => "HOST",
        Part::Port => "PORT",
        Part::User => "USER",
        Part::Database => "NAME",
        Part::Sslmode => "SSLMODE",
        Part::ConnectTimeout => return None,
    };
    Some(format!("{prefix}{suffix}"))
}

/// A connection assembled from variables: the URL poolfix analyses, and each part's variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    pub url: String,
    /// The variables read, in URL order (host first).
    pub read: Vec<String>,
    pub host_var: String,
}

/// The connection a service's variables describe, if one family has its host. `get` returns a
/// variable's value as the service sees it. The password is written as `${NAME}`, a reference
/// to its variable, so the URL carries no secret.
pub fn assemble(names: &[&str], get: impl Fn(&str) -> Option<String>) -> Option<Assembled> {
    let find = |candidates: &[&str]| candidates.iter().find_map(|n| get(n).map(|v| (n.to_string(), v)));
    for f in FAMILIES {
        if let Some(host) = find(f.host) {
            let part = |c: &[&'static str]| find(c);
            let query = [part(f.sslmode), part(f.connect_timeout)];
            return Some(build(host, part(f.port), part(f.user), part(f.password), part(f.database), query));
        }
    }
    // `AUTHENTIK_POSTGRESQL__HOST` and its siblings.
    let host_name = names.iter().find(|n| n.ends_with(&format!("{NESTED}HOST")))?;
    let prefix = &host_name[..host_name.len() - "HOST".len()];
    let part = |suffix: &str| {
        let name = format!("{prefix}{suffix}");
        get(&name).map(|v| (name, v))
    };
    Some(build(
        (host_name.to_string(), get(host_name)?),
        part("PORT"),
        part("USER"),
        part("PASSWORD"),
        part("NAME"),
        [part("SSLMODE"), None],
    ))
}

type Found = Option<(String, String)>;

/// `query`: the variables of `sslmode` and `connect_timeout`, in that order.
fn build(
    host: (String, String),
    port: Found,
    user: Found,
    password: Found,
    database: Found,
    query: [Found; 2],
) -> Assembled {
    let mut read = vec![host.0.clone()];
    let mut url = String::from("postgresql://");
    if let Some((name, v)) = &user {
        read.push(name.clone());
        url.push_str(&encode(v));
        if let Some((pname, _)) = &password {
            read.push(pname.clone());
            url.push_str(&format!(":${{{pname}}}"));
        }
        url.push('@');
    }
    url.push_str(host.1.trim());
    if let Some((name, v)) = &port {
        read.push(name.clone());
        url.push_str(&format!(":{}", v.trim()));
    }
    if let Some((name, v)) = &database {
        read.push(name.clone());
        url.push_str(&format!("/{}", encode(v)));
    }
    for (key, found) in ["sslmode", "connect_timeout"].into_iter().zip(query) {
        if let Some((name, v)) = found {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("{key}={}", encode(v.trim())));
            read.push(name);
        }
    }
    Assembled { url, read, host_var: host.0 }
}

/// Percent-encodes what would end a URL part early.
fn encode(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '@' | ':' | '/' | '?' | '#' | '%' | ' ' | '&' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
    }

    #[test]
    fn families_assemble_one_url() {
        let pairs = [
            ("PGHOST", "aws-0-eu-central-1.pooler.supabase.com"),
            ("PGPORT", "5432"),
            ("PGUSER", "postgres.abcdefghijklmnopqrst"),
            ("PGPASSWORD", "s3cr@t"),
            ("PGDATABASE", "postgres"),
        ];
        let names: Vec<&str> = pairs.iter().map(|p| p.0).collect();
        let a = assemble(&names, env(&pairs)).unwrap();
        assert_eq!(
            a.url,
            "postgresql://postgres.abcdefghijklmnopqrst:${PGPASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"
        );
        assert_eq!(a.read, ["PGHOST", "PGUSER", "PGPASSWORD", "PGPORT", "PGDATABASE"]);
        let nested = [("AUTHENTIK_POSTGRESQL__HOST", "db"), ("AUTHENTIK_POSTGRESQL__USER", "authentik")];
        let names: Vec<&str> = nested.iter().map(|p| p.0).collect();
        assert_eq!(assemble(&names, env(&nested)).unwrap().url, "postgresql://authentik@db");
        assert_eq!(var_for(&["PGHOST", "PGPORT"], Part::Port).as_deref(), Some("PGPORT"));
        assert_eq!(var_for(&["PGHOST"], Part::ConnectTimeout).as_deref(), Some("PGCONNECT_TIMEOUT"));
        assert_eq!(var_for(&["DB_HOST", "DB_USERNAME"], Part::User).as_deref(), Some("DB_USERNAME"));
        assert_eq!(var_for(&["DB_HOST"], Part::Sslmode), None, "no program is known to read DB_SSLMODE unset");
        let nested = ["AUTHENTIK_POSTGRESQL__HOST"];
        assert_eq!(var_for(&nested, Part::Sslmode).as_deref(), Some("AUTHENTIK_POSTGRESQL__SSLMODE"));
        // The database server's own POSTGRES_USER/POSTGRES_DB name no host: not a client.
        let server = [("POSTGRES_USER", "app"), ("POSTGRES_DB", "app")];
        assert_eq!(assemble(&["POSTGRES_USER", "POSTGRES_DB"], env(&server)), None);
    }
}
