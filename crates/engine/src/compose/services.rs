//! Recognising what each compose service is, how many processes it runs, and where its
//! connection URLs and pool settings are written.

use std::collections::BTreeMap;

use super::dotenv::interpolate;
use super::yaml::{Kind, NodeId, Yaml};
use crate::knowledge::services::ServiceKind;
use crate::span::Span;

/// What a compose service is, for pool purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Mlflow,
    PrefectServer,
    /// `prefect worker start` / `prefect agent start`: talks to the API, holds no DB pool.
    PrefectWorker,
    /// A Postgres server in the file itself (not Supabase).
    LocalPostgres,
    /// Any other service with a database URL: assumed to use SQLAlchemy.
    App,
    /// No database connection found.
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Mlflow => "mlflow",
            Role::PrefectServer => "prefect-server",
            Role::PrefectWorker => "prefect-worker",
            Role::LocalPostgres => "postgres",
            Role::App => "sqlalchemy",
            Role::Other => "other",
        }
    }
}

/// One environment variable of a service.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: String,
    /// As written in the file.
    pub raw: String,
    /// After interpolation from the pasted `.env`.
    pub value: String,
    /// The value's node (map form) or the `NAME=value` item (list form).
    pub node: Option<NodeId>,
    /// Where the value's text is in the source, when it can be edited in place.
    pub value_span: Option<Span>,
}

/// Where a connection URL was found.
#[derive(Debug, Clone)]
pub struct UrlSite {
    /// e.g. `environment DATABASE_URL` or `command --backend-store-uri`.
    pub source: String,
    /// The URL after interpolation (what the service sees).
    pub url: String,
    /// The URL's text in the compose source, when it is written there verbatim.
    pub span: Option<Span>,
    /// Where to point a finding when `span` is unknown.
    pub anchor: Span,
    pub unresolved: Vec<String>,
}

/// A number read from the file, or the default that applies, and where it came from.
#[derive(Debug, Clone)]
pub struct Count {
    pub value: u32,
    pub source: String,
    /// The number's text in the source, for editing.
    pub span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub node: NodeId,
    /// The service's key (`api:`), for positions.
    pub key_span: Span,
    pub line: usize,
    pub role: Role,
    pub image: Option<String>,
    /// The version read from the image tag, or else the one the user said to assume.
    pub version: Option<(u32, u32, u32)>,
    /// `version` is the user's assumption, not read from the file.
    pub version_assumed: bool,
    pub argv: Vec<String>,
    pub env: Vec<EnvEntry>,
    /// The `environment` node, when written in the service itself.
    pub env_node: Option<NodeId>,
    /// The `environment` key exists but is an alias shared with other services.
    pub env_shared: bool,
    pub env_files: Vec<String>,
    pub urls: Vec<UrlSite>,
    pub processes: Count,
    pub replicas: Count,
    pub profiles: Vec<String>,
    /// (host port, container port) pairs from `ports`.
    pub ports: Vec<(Option<u16>, u16)>,
}

impl Service {
    pub fn env(&self, name: &str) -> Option<&EnvEntry> {
        self.env.iter().find(|e| e.name == name)
    }

    /// The URL-doctor service kind for this service's URLs.
    pub fn url_kind(&self) -> ServiceKind {
        match self.role {
            Role::Mlflow => ServiceKind::Mlflow,
            Role::PrefectServer if self.version.is_some_and(|v| v.0 == 2 || (v.0 == 3 && v.1 == 0)) => {
                ServiceKind::Prefect2
            }
            Role::PrefectServer => ServiceKind::Prefect3,
            _ => ServiceKind::SqlAlchemy,
        }
    }

    /// The version as shown to people: `3.17.2`, `2.x`, or `2.x (assumed)` when it is the
    /// user's setting rather than the file's.
    pub fn version_note(&self) -> Option<String> {
        let v = version_label(self.version?);
        Some(if self.version_assumed { format!("{v} (assumed)") } else { v })
    }

    /// The host port published for `container_port`, if any.
    pub fn host_port(&self, container_port: u16) -> Option<u16> {
        self.ports.iter().find(|(_, c)| *c == container_port).and_then(|(h, _)| *h)
    }
}

/// Splits a command string into words: blanks separate, quotes group.
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

/// Finds `needle` in the source text of `node`, when it occurs exactly once there.
pub fn find_once(text: &str, span: Span, needle: &str) -> Option<Span> {
    if needle.is_empty() {
        return None;
    }
    let hay = span.slice(text);
    let first = hay.find(needle)?;
    if hay[first + 1..].contains(needle) {
        return None;
    }
    Some(Span::new(span.start + first, span.start + first + needle.len()))
}

/// The `major.minor.patch` in an image tag such as `v3.17.2`, `3.4.20-python3.11` or `2-latest`.
pub fn version_from_image(image: &str) -> Option<(u32, u32, u32)> {
    let (name, tag) = image.rsplit_once(':')?;
    if name.ends_with('/') || tag.contains('/') {
        return None;
    }
    parse_version(tag)
}

/// A version as people write it: `3.17.2`, `v3.4`, `2` or `2-latest` (open parts: the newest).
pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let tag = text.trim().trim_start_matches('v');
    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut parts = digits.split('.').filter(|p| !p.is_empty()).map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    // `3-latest` or `3.4`: the newest release of that line.
    Some((major, parts.next().flatten().unwrap_or(LATEST), parts.next().flatten().unwrap_or(LATEST)))
}

/// A version part the tag leaves open (`3-latest`): the newest.
pub const LATEST: u32 = u32::MAX;

/// `3.17.2`, or `3.x` for an open tag.
pub fn version_label((a, b, c): (u32, u32, u32)) -> String {
    match (b, c) {
        (LATEST, _) => format!("{a}.x"),
        (b, LATEST) => format!("{a}.{b}.x"),
        (b, c) => format!("{a}.{b}.{c}"),
    }
}

fn image_name(image: &str) -> String {
    let without_tag = image.split('@').next().unwrap_or(image);
    let without_tag = match without_tag.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => n,
        _ => without_tag,
    };
    without_tag
        .rsplit('/')
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

/// Environment variable names that carry a database URL in generic services.
pub fn is_url_var(name: &str) -> bool {
    const EXACT: &[&str] = &[
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
    let n = name.to_ascii_uppercase();
    EXACT.contains(&n.as_str())
        || n.ends_with("_DATABASE_URL")
        || n.ends_with("_DB_URL")
        || n.ends_with("_DATABASE_URI")
        || n.ends_with("_POSTGRES_URL")
}

fn looks_like_postgres(value: &str) -> bool {
    let v = value.trim_start().to_ascii_lowercase();
    v.starts_with("postgres://")
        || v.starts_with("postgresql://")
        || v.starts_with("postgresql+")
        || v.starts_with("postgres+")
}

/// The value of a command-line flag (`--flag value` or `--flag=value`), with its index.
fn flag<'a>(argv: &'a [String], names: &[&str]) -> Option<(usize, &'a str)> {
    for (i, w) in argv.iter().enumerate() {
        for n in names {
            if w == n {
                return argv.get(i + 1).map(|v| (i + 1, v.as_str()));
            }
            if let Some(v) = w.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some((i, v));
            }
        }
    }
    None
}

fn count_from_flag(
    text: &str,
    cmd_span: Option<Span>,
    argv: &[String],
    names: &[&str],
    what: &str,
    vars: &BTreeMap<String, String>,
) -> Option<Count> {
    let (_, v) = flag(argv, names)?;
    let value = interpolate(v, vars).value.parse::<u32>().ok()?;
    // Locate the number in the source for editing, after the flag's one occurrence:
    // `--workers 4`, `--workers=4`, or list items `"--workers", "4"`.
    let span = cmd_span.and_then(|s| {
        names.iter().find_map(|n| {
            let flag_at = find_once(text, s, n)?;
            let rest = Span::new(flag_at.end, s.end).slice(text);
            let at = rest.find(v)?;
            // Only blanks, `=`, quotes and a comma may stand between the flag and its value.
            let between_ok = rest[..at].chars().all(|c| c.is_whitespace() || "=\"',".contains(c));
            let after = rest[at + v.len()..].chars().next();
            (between_ok && !after.is_some_and(|c| c.is_ascii_alphanumeric()))
                .then(|| Span::new(flag_at.end + at, flag_at.end + at + v.len()))
        })
    });
    // A number behind a placeholder is not edited in place.
    let span = span.filter(|s| !s.slice(text).contains('$'));
    Some(Count { value, source: format!("{what} {} {v}", names[0]), span })
}

/// Reads one service.
pub fn read_service(
    text: &str,
    y: &Yaml,
    name: &str,
    key: NodeId,
    node: NodeId,
    vars: &BTreeMap<String, String>,
) -> Service {
    let get = |k: &str| y.get(node, k);
    let image = get("image").and_then(|i| y.str(i)).map(|s| interpolate(s, vars).value);
    let mut argv = Vec::new();
    let mut cmd_span: Option<Span> = None;
    for k in ["entrypoint", "command"] {
        let Some(c) = get(k) else { continue };
        let c_res = y.resolve(c);
        cmd_span = Some(match cmd_span {
            Some(s) => Span::new(s.start.min(y.node(c_res).span.start), s.end.max(y.node(c_res).span.end)),
            None => y.node(c_res).span,
        });
        match &y.node(c_res).kind {
            // Kept as written: placeholders stay intact, so URLs in it can be edited in place.
            Kind::Scalar { value, .. } => argv.extend(split_words(value)),
            Kind::Seq(items) => argv.extend(items.iter().filter_map(|i| y.str(*i)).map(str::to_string)),
            _ => {}
        }
    }
    // Environment: a map or a list of NAME=value.
    let mut env = Vec::new();
    let mut env_node = None;
    let mut env_shared = false;
    if let Some(e) = get("environment") {
        if y.is_own(e) {
            env_node = Some(e);
        } else {
            env_shared = true;
        }
        if y.is_map(e) {
            for (k, v) in y.pairs(e) {
                let Some(name) = y.str(k) else { continue };
                let raw = y.str(v).unwrap_or("");
                let own = y.is_own(v) && matches!(y.node(v).kind, Kind::Scalar { .. });
                env.push(EnvEntry {
                    name: name.to_string(),
                    raw: raw.to_string(),
                    value: interpolate(raw, vars).value,
                    node: Some(v),
                    value_span: own.then(|| y.node(v).span).filter(|s| !s.is_empty()),
                });
            }
        } else {
            for &item in y.items(e) {
                let Some(entry) = y.str(item) else { continue };
                let (name, raw) = entry.split_once('=').unwrap_or((entry, ""));
                let value_span = y.is_own(item).then(|| find_once(text, y.node(item).span, raw)).flatten();
                env.push(EnvEntry {
                    name: name.trim().to_string(),
                    raw: raw.to_string(),
                    value: interpolate(raw, vars).value,
                    node: Some(item),
                    value_span,
                });
            }
        }
    }
    let env_files = match get("env_file") {
        Some(f) if y.is_map(f) => y.get(f, "path").and_then(|p| y.str(p)).map(str::to_string).into_iter().collect(),
        Some(f) => match y.str(f) {
            Some(s) => vec![s.to_string()],
            None => y
                .items(f)
                .iter()
                .filter_map(|i| y.str(*i).or_else(|| y.get(*i, "path").and_then(|p| y.str(p))))
                .map(str::to_string)
                .collect(),
        },
        None => Vec::new(),
    };
    let joined = argv.join(" ").to_ascii_lowercase();
    let img = image.as_deref().map(image_name).unwrap_or_default();
    let role = if joined.contains("mlflow server")
        || joined.contains("mlflow ui")
        || (img.contains("mlflow") && !joined.contains("prefect"))
    {
        Role::Mlflow
    } else if joined.contains("prefect server start") || joined.contains("prefect orion start") {
        Role::PrefectServer
    } else if joined.contains("prefect worker start") || joined.contains("prefect agent start") {
        Role::PrefectWorker
    } else if img.ends_with("postgres")
        || img.contains("postgis")
        || img == "supabase/postgres"
        || img.ends_with("/pgbouncer")
    {
        Role::LocalPostgres
    } else if img.starts_with("prefecthq/prefect") && argv.is_empty() {
        // The image's default command is `prefect server start`? No: it is a shell. Treat as unknown.
        Role::Other
    } else {
        Role::App
    };
    // Only MLflow's and Prefect's versions change poolfix's advice.
    let version = image
        .as_deref()
        .and_then(version_from_image)
        .filter(|_| matches!(role, Role::Mlflow | Role::PrefectServer | Role::PrefectWorker));

    // Connection URLs.
    let mut urls = Vec::new();
    // A URL written out (placeholders allowed) is analysed and edited as written; one that
    // is a single variable (`${DATABASE_URL}`) is analysed as the pasted .env resolves it.
    let site = |raw: &str, value_span: Option<Span>, anchor: Span, source: String| {
        let inter = interpolate(raw, vars);
        if looks_like_postgres(raw) {
            let span = value_span.and_then(|vs| find_once(text, vs, raw));
            UrlSite { source, url: raw.to_string(), span, anchor: span.unwrap_or(anchor), unresolved: inter.unresolved }
        } else {
            UrlSite { source, url: inter.value, span: None, anchor, unresolved: inter.unresolved }
        }
    };
    let env_url_site = |e: &EnvEntry, source: String, urls: &mut Vec<UrlSite>| {
        let anchor = e.value_span.or(e.node.map(|n| y.node(n).span)).unwrap_or_default();
        urls.push(site(&e.raw, e.value_span, anchor, source));
    };
    match role {
        Role::Mlflow => {
            if let Some((_, uri)) = flag(&argv, &["--backend-store-uri", "--backend_store_uri"]) {
                let anchor = cmd_span.unwrap_or_default();
                urls.push(site(uri, cmd_span, anchor, "command --backend-store-uri".into()));
            } else if let Some(e) = env.iter().find(|e| e.name == "MLFLOW_BACKEND_STORE_URI") {
                env_url_site(e, "environment MLFLOW_BACKEND_STORE_URI".into(), &mut urls);
            }
        }
        Role::PrefectServer => {
            for var in ["PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL"] {
                if let Some(e) = env.iter().find(|e| e.name == var) {
                    env_url_site(e, format!("environment {var}"), &mut urls);
                    break;
                }
            }
        }
        Role::App | Role::Other => {
            for e in &env {
                if looks_like_postgres(&e.value) || (is_url_var(&e.name) && looks_like_postgres(&e.raw)) {
                    env_url_site(e, format!("environment {}", e.name), &mut urls);
                }
            }
        }
        Role::PrefectWorker | Role::LocalPostgres => {}
    }
    let role = if role == Role::Other && !urls.is_empty() {
        Role::App
    } else if role == Role::App && urls.is_empty() {
        Role::Other
    } else {
        role
    };

    // Processes per replica.
    let env_count = |name: &str, what: &str| {
        env.iter().find(|e| e.name == name).and_then(|e| {
            e.value.trim().parse::<u32>().ok().map(|value| Count {
                value,
                source: format!("{what} {name}={value}"),
                span: e.value_span.and_then(|s| find_once(text, s, e.value.trim())),
            })
        })
    };
    let processes = match role {
        Role::Mlflow => count_from_flag(text, cmd_span, &argv, &["--workers", "-w"], "command", vars)
            .or_else(|| env_count("MLFLOW_WORKERS", "environment"))
            .unwrap_or(Count { value: 4, source: "MLflow's default of 4 workers".into(), span: None }),
        Role::PrefectServer => count_from_flag(text, cmd_span, &argv, &["--workers"], "command", vars)
            .unwrap_or(Count { value: 1, source: "Prefect's default of 1 server worker".into(), span: None }),
        Role::App => {
            let is = |w: &str| argv.iter().any(|a| a == w || a.ends_with(&format!("/{w}")));
            if is("celery") {
                count_from_flag(text, cmd_span, &argv, &["--concurrency", "-c"], "command", vars).unwrap_or(Count {
                    value: 4,
                    source: "assumed: Celery's default is one process per CPU (4 assumed)".into(),
                    span: None,
                })
            } else if is("gunicorn") || is("uvicorn") || is("hypercorn") {
                count_from_flag(text, cmd_span, &argv, &["--workers", "-w"], "command", vars)
                    .or_else(|| env_count("WEB_CONCURRENCY", "environment"))
                    .unwrap_or(Count { value: 1, source: "the server's default of 1 worker".into(), span: None })
            } else {
                Count { value: 1, source: "assumed: one process".into(), span: None }
            }
        }
        _ => Count { value: 1, source: "one process".into(), span: None },
    };
    let replicas = get("deploy")
        .and_then(|d| y.get(d, "replicas"))
        .and_then(|r| {
            y.str(r).and_then(|s| s.parse::<u32>().ok()).map(|v| Count {
                value: v,
                source: format!("deploy.replicas: {v}"),
                span: Some(y.node(r).span),
            })
        })
        .or_else(|| {
            get("scale").and_then(|r| {
                y.str(r).and_then(|s| s.parse::<u32>().ok()).map(|v| Count {
                    value: v,
                    source: format!("scale: {v}"),
                    span: Some(y.node(r).span),
                })
            })
        })
        .unwrap_or(Count { value: 1, source: "one replica".into(), span: None });
    let profiles = get("profiles")
        .map(|p| y.items(p).iter().filter_map(|i| y.str(*i)).map(str::to_string).collect())
        .unwrap_or_default();
    let ports = get("ports")
        .map(|p| {
            y.items(p)
                .iter()
                .filter_map(|&i| {
                    if let Some(s) = y.str(i) {
                        let s = s.split('/').next().unwrap_or(s);
                        let parts: Vec<&str> = s.rsplitn(3, ':').collect();
                        let container = parts.first()?.split('-').next()?.parse().ok()?;
                        let host = parts.get(1).and_then(|h| h.split('-').next()?.parse().ok());
                        Some((host, container))
                    } else {
                        let target = y.get(i, "target").and_then(|t| y.str(t))?.parse().ok()?;
                        let published = y.get(i, "published").and_then(|t| y.str(t)).and_then(|s| s.parse().ok());
                        Some((published, target))
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let key_node = y.node(key);
    Service {
        name: name.to_string(),
        node,
        key_span: key_node.span,
        line: key_node.line,
        role,
        image,
        version,
        version_assumed: false,
        argv,
        env,
        env_node,
        env_shared,
        env_files,
        urls,
        processes,
        replicas,
        profiles,
        ports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_image_tags() {
        assert_eq!(version_from_image("ghcr.io/mlflow/mlflow:v3.17.2"), Some((3, 17, 2)));
        assert_eq!(version_from_image("prefecthq/prefect:3.4.20-python3.11"), Some((3, 4, 20)));
        assert_eq!(version_from_image("prefecthq/prefect:2-latest"), Some((2, LATEST, LATEST)));
        assert_eq!(version_label((3, LATEST, LATEST)), "3.x");
        assert_eq!(version_from_image("prefecthq/prefect:latest"), None);
        assert_eq!(version_from_image("localhost:5000/app"), None);
        assert_eq!(parse_version("3.0"), Some((3, 0, LATEST)));
        assert_eq!(parse_version("v2"), Some((2, LATEST, LATEST)));
        assert_eq!(parse_version("x"), None);
        assert_eq!(image_name("ghcr.io/mlflow/mlflow:v3.17.2"), "mlflow/mlflow");
        assert_eq!(image_name("postgres:16"), "postgres");
    }

    #[test]
    fn words_and_flags() {
        let argv = split_words("gunicorn app:app -w 4 --bind '0.0.0.0:8000'");
        assert_eq!(argv, ["gunicorn", "app:app", "-w", "4", "--bind", "0.0.0.0:8000"]);
        assert_eq!(flag(&argv, &["--workers", "-w"]), Some((3, "4")));
        assert_eq!(flag(&split_words("x --workers=2"), &["--workers"]), Some((1, "2")));
    }
}
