//! The URL doctor: parse one connection string, classify where it points, run the rules,
//! and produce the corrected string, the settings that belong outside it, and a part-by-part
//! explanation.

use std::collections::BTreeMap;

use crate::conn::{self, ConnString, Form};
use crate::fix::{self, Edit, UrlAction};
use crate::knowledge::drivers::{self, Driver, Verdict};
use crate::knowledge::endpoints::{self, EndpointKind, PoolMode};
use crate::knowledge::services::PoolModel;
use crate::knowledge::services::{self, ServiceKind};
use crate::knowledge::Version;
use crate::model::set_env;
use crate::rules::{self, Finding, UrlCtx};
use crate::span::Span;

pub use crate::model::ModeChoice;

/// What the URL doctor needs to know besides the text.
#[derive(Debug, Clone)]
pub struct UrlOptions {
    pub service: ServiceKind,
    pub mode: ModeChoice,
    /// The string sits in a file (compose, .env): a literal password is worth a finding.
    pub in_file: bool,
    /// The service runs in a container (Docker networks are usually IPv4-only).
    pub in_container: bool,
    /// The service's environment as far as known (name → value), so settings already made
    /// outside the URL are not asked for again.
    pub env: Vec<(String, String)>,
    /// The service's release, when the file (or the user) says it.
    pub version: Option<Version>,
    /// The Supabase compute size, when the user says it (the client limits it sets).
    pub compute: Option<&'static crate::knowledge::compute::Compute>,
    /// Values for `${VAR}` in the URL (the `.env`), as Compose interpolates them: where the
    /// URL points is judged on the resolved text, while fixes keep the placeholders.
    pub vars: BTreeMap<String, String>,
    /// Assembled from variables (`PGHOST`, `DB_HOST`, …): no scheme was written, so none is
    /// judged.
    pub assembled: bool,
}

impl UrlOptions {
    pub fn new(service: ServiceKind) -> UrlOptions {
        UrlOptions {
            service,
            mode: ModeChoice::Keep,
            in_file: false,
            assembled: false,
            in_container: true,
            env: Vec::new(),
            version: None,
            compute: None,
            vars: BTreeMap::new(),
        }
    }
}

/// One coloured part of the explain view. `text` never holds a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainPart {
    pub span: Span,
    /// scheme, driver, user, password, host, port, database, parameter.
    pub kind: &'static str,
    pub text: String,
    pub note: String,
}

/// Everything the URL doctor says about one connection string.
#[derive(Debug, Clone)]
pub struct UrlReport {
    pub conn: Option<ConnString>,
    pub findings: Vec<Finding>,
    /// The edits of every safe and review fix, on the original text.
    pub edits: Vec<Edit>,
    /// The input with those edits applied; untouched parts are byte-identical.
    pub corrected: String,
    /// Just the corrected connection string (without surrounding blanks or quotes).
    pub corrected_url: Option<String>,
    /// Settings outside the URL, name → value, in a stable order.
    pub env: Vec<(String, String)>,
    /// Code to paste where the pool lives in code (SQLAlchemy services).
    pub snippet: Option<String>,
    pub explain: Vec<ExplainPart>,
    pub service: ServiceKind,
    pub driver: Option<Driver>,
    /// The scheme names no driver: SQLAlchemy's version decides it (2.1 psycopg 3, 2.0 psycopg2).
    pub driver_implicit: bool,
    pub endpoint: EndpointKind,
    pub mode_before: PoolMode,
    pub mode_after: PoolMode,
    pub project_ref: Option<String>,
    /// The first host, lower-cased, with placeholders resolved where the `.env` says them.
    pub host: Option<String>,
}

impl UrlReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity() == rules::Severity::Error)
    }
}

impl UrlReport {
    /// The report on text that is not a connection string.
    fn unparsable(text: &str, service: ServiceKind, finding: Finding) -> UrlReport {
        UrlReport {
            conn: None,
            findings: vec![finding],
            edits: Vec::new(),
            corrected: text.to_string(),
            corrected_url: None,
            env: Vec::new(),
            snippet: None,
            explain: Vec::new(),
            service,
            driver: None,
            driver_implicit: false,
            endpoint: EndpointKind::Unknown,
            mode_before: PoolMode::Unknown,
            mode_after: PoolMode::Unknown,
            project_ref: None,
            host: None,
        }
    }
}

/// Where a connection string points: the endpoint, the project, the mode before and after,
/// and the host as it resolves.
struct Place {
    endpoint: EndpointKind,
    project_ref: Option<String>,
    mode_before: PoolMode,
    mode_after: PoolMode,
    host: Option<String>,
    /// The host is an unresolved variable, inferred from a `<user>.<project-ref>` user.
    host_assumed: bool,
}

/// A part's text with its `${VAR}`s resolved from `vars`; `None` while one stays unresolved.
fn resolved(text: &str, span: Span, conn: &ConnString, vars: &BTreeMap<String, String>) -> Option<String> {
    let raw = span.slice(text);
    if !conn.has_placeholder(span) {
        return Some(raw.to_string());
    }
    let r = crate::dotenv::interpolate(raw, vars);
    r.unresolved.is_empty().then_some(r.value)
}

fn place(text: &str, conn: &ConnString, options: &UrlOptions) -> Place {
    let part = |span: Span| resolved(text, span, conn, &options.vars);
    let host = conn.hosts.first().and_then(|h| part(h.host));
    let (endpoint, host_ref) = match conn.hosts.first() {
        None => (EndpointKind::Unknown, None),
        Some(h) => {
            let port = h.port.map(|p| part(p).map(|v| v.parse::<u16>().ok()));
            let unresolved = host.is_none() || port.is_some_and(|p| p.is_none());
            endpoints::classify(host.as_deref().unwrap_or(""), port.flatten().flatten(), unresolved)
        }
    };
    let user_ref = conn.user.and_then(part).and_then(|u| endpoints::user_ref(&u).map(str::to_string));
    // Only the shared pooler takes a `<user>.<ref>` user: an unresolved host must be it, and its
    // port picks the mode.
    let port = conn.hosts.first().and_then(|h| h.port).map_or(Some(endpoints::SESSION_PORT), |p| part(p)?.parse().ok());
    let host_assumed = host.is_none() && conn.hosts.len() == 1 && user_ref.is_some();
    let endpoint = match (host_assumed, port) {
        (true, Some(endpoints::SESSION_PORT)) => EndpointKind::SharedSession,
        (true, Some(endpoints::TRANSACTION_PORT)) => EndpointKind::SharedTransaction,
        _ => endpoint,
    };
    let host_assumed = host_assumed && endpoint.is_shared_pooler();
    let project_ref = host_ref.or(if endpoint.is_shared_pooler() { user_ref } else { None });
    let mode_before = endpoint.mode();
    let mode_after = match (options.mode, endpoint.is_shared_pooler()) {
        (ModeChoice::Session, true) => PoolMode::Session,
        (ModeChoice::Transaction, true) => PoolMode::Transaction,
        _ => mode_before,
    };
    Place { endpoint, project_ref, mode_before, mode_after, host: host.map(|h| h.to_ascii_lowercase()), host_assumed }
}

/// The service's recommended settings, then what the fixes move out of the URL.
fn settings(options: &UrlOptions, mode: PoolMode, findings: &[Finding]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    for (name, value) in services::recommended_env(options.service, mode == PoolMode::Transaction, options.version) {
        set_env(&mut env, name, &value);
    }
    for (name, value) in findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.env.iter()) {
        set_env(&mut env, name, value);
    }
    env
}

/// Analyses one connection string.
pub fn analyze_url(text: &str, options: &UrlOptions) -> UrlReport {
    let service = options.service;
    let conn = match conn::parse(text) {
        Ok(c) => c,
        Err(e) => return UrlReport::unparsable(text, service, rules::unparsable(e.message, e.span)),
    };
    let written_driver = conn.driver.and_then(|d| drivers::from_name(d.slice(text)));
    let driver = service.driver_for(written_driver);
    let place = place(text, &conn, options);
    let explain = explain(text, &conn, driver, &place);
    let Place { endpoint, project_ref, mode_before, mode_after, host, host_assumed } = place;
    let ctx = UrlCtx {
        text,
        conn: &conn,
        options,
        service,
        written_driver,
        driver,
        endpoint,
        project_ref: project_ref.clone(),
        mode: mode_after,
        host_assumed,
    };
    let mut findings = rules::check_url(&ctx);
    let actions: Vec<&UrlAction> =
        findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.actions.iter()).collect();
    let edits = fix::url_edits(text, &conn, &actions);
    let corrected = fix::apply(text, &edits);
    // Edits stay inside the connection string, so what follows it is unchanged.
    let tail = text.len() - conn.span.end;
    let corrected_url = Some(corrected[conn.span.start..corrected.len() - tail].to_string());
    let env = settings(options, mode_after, &findings);
    // Fixes were taken in rule priority order; the report reads in text order.
    crate::order::sort_stable_by(&mut findings, |f| (f.span.start, f.span.end));
    UrlReport {
        snippet: matches!(service.pool, PoolModel::Code)
            .then(|| sqlalchemy_snippet(driver, mode_after, written_driver.is_none())),
        driver_implicit: written_driver.is_none() && service.driver.is_none(),
        explain,
        conn: Some(conn),
        findings,
        edits,
        corrected,
        corrected_url,
        env,
        service,
        driver: Some(driver),
        endpoint,
        mode_before,
        mode_after,
        project_ref,
        host,
    }
}

/// `text` with a literal password replaced by `••••••` (placeholders stay), for display.
pub fn mask_password(text: &str) -> String {
    match conn::parse(text) {
        Ok(c) => match c.password {
            Some(p) if !p.is_empty() && !c.has_placeholder(p) => {
                fix::apply(text, &[Edit { span: p, replacement: "••••••".into() }])
            }
            _ => text.to_string(),
        },
        Err(_) => text.to_string(),
    }
}

/// The `create_engine` call for a SQLAlchemy service (docs/sources.md#sqlalchemy): a small
/// bounded pool with pre-ping, plus the prepared-statement cure in transaction mode.
pub fn sqlalchemy_snippet(driver: Driver, mode: PoolMode, implicit: bool) -> String {
    let asyncish = driver.is_async;
    let create = if asyncish { "create_async_engine" } else { "create_engine" };
    let import = if asyncish {
        "from sqlalchemy.ext.asyncio import create_async_engine"
    } else {
        "from sqlalchemy import create_engine"
    };
    // Both modes keep a small bounded pool: it is what the budget counts (clients), and in
    // transaction mode Supavisor lends each client a server connection per transaction only.
    let (comment, extra) = if mode == PoolMode::Transaction {
        let caveat = driver.no_prepare_caveat.map(|c| format!("# Cure {c}.\n")).unwrap_or_default();
        let args = match driver.no_prepare_args {
            // `postgresql://` is psycopg 3 only on SQLAlchemy 2.1; psycopg2 would refuse the key.
            Some(a) if implicit => format!(
                "    # With psycopg 3 (SQLAlchemy 2.1's driver for postgresql://); psycopg2 needs nothing:\n    # connect_args={a},\n"
            ),
            Some(a) => format!("    connect_args={a},\n"),
            None => String::new(),
        };
        (format!("# Transaction pooler: a server connection per transaction; no prepared statements.\n{caveat}"), args)
    } else {
        (String::new(), String::new())
    };
    format!(
        "{import}\n\n{comment}# Every process holds at most pool_size + max_overflow connections.\nengine = {create}(\n    DATABASE_URL,\n    pool_size=1,\n    max_overflow=1,\n    pool_timeout=30,\n    pool_recycle=1800,\n    pool_pre_ping=True,\n{extra})\n"
    )
}

fn user_note(user: &str, placeholder: bool, endpoint: EndpointKind) -> String {
    if placeholder {
        return "user name from an environment variable".to_string();
    }
    if !endpoint.is_shared_pooler() {
        return "database user".to_string();
    }
    match endpoints::user_ref(user) {
        Some(r) => format!("database user `{}` of project `{r}`", user.split('.').next().unwrap_or(user)),
        None => "the shared pooler needs `<user>.<project-ref>` here".to_string(),
    }
}

fn port_note(port: &str, placeholder: bool, endpoint: EndpointKind) -> String {
    match port {
        "5432" if endpoint.is_shared_pooler() => "5432: session mode — one server connection per client".to_string(),
        "6543" if endpoint.is_shared_pooler() => {
            "6543: transaction mode — connections lent per transaction".to_string()
        }
        "6543" => "6543 on the direct host: the dedicated PgBouncer, transaction mode".to_string(),
        "5432" => "5432: PostgreSQL's default port".to_string(),
        _ if placeholder => "port from an environment variable".to_string(),
        other => format!("port {other}"),
    }
}

fn param_note(driver: Driver, key: &str) -> String {
    if drivers::POOL_KEYS.contains(&key) {
        return format!("a create_engine() setting: {} refuses it in a URL", driver.name);
    }
    match drivers::verdict(driver, key) {
        Verdict::Accepted => format!("{} accepts `{key}`", driver.name),
        Verdict::Refused(e) => format!("{} refuses `{key}`: {e}", driver.name),
        Verdict::Unknown => format!("not verified for {}", driver.name),
        Verdict::Ignored => format!("{} ignores `{key}`", driver.name),
        Verdict::Misread(what) => format!("{} misreads `{key}`: {what}", driver.name),
    }
}

fn explain(text: &str, conn: &ConnString, driver: Driver, place: &Place) -> Vec<ExplainPart> {
    let (endpoint, project_ref, resolved_host) = (place.endpoint, place.project_ref.as_deref(), place.host.as_deref());
    let mut parts = Vec::new();
    let mut add = |span: Span, kind: &'static str, shown: String, note: String| {
        parts.push(ExplainPart { span, kind, text: shown, note });
    };
    // In key/value form user, host and the rest are parameters: explain them once, as such.
    let uri = conn.form == Form::Uri;
    if let Some(d) = conn.dialect {
        let note = match d.slice(text) {
            "postgres" => "postgres:// works for libpq tools; SQLAlchemy 1.4+ refuses it".to_string(),
            _ => "PostgreSQL URL".to_string(),
        };
        add(d, "scheme", d.slice(text).to_string(), note);
    }
    if let Some(d) = conn.driver {
        add(d, "driver", d.slice(text).to_string(), format!("SQLAlchemy driver: {}", driver.name));
    }
    if let Some(u) = conn.user.filter(|_| uri) {
        let user = u.slice(text);
        add(u, "user", conn::decode(user), user_note(user, conn.has_placeholder(u), endpoint));
    }
    if let Some(p) = conn.password.filter(|_| uri) {
        let (shown, note) = if conn.has_placeholder(p) {
            (p.slice(text).to_string(), "password from an environment variable".to_string())
        } else if p.is_empty() {
            (String::new(), "empty password".to_string())
        } else {
            ("••••••".to_string(), "password (hidden)".to_string())
        };
        add(p, "password", shown, note);
    }
    for (i, h) in conn.hosts.iter().enumerate().filter(|_| uri) {
        let note = if i == 0 {
            let label = match project_ref {
                Some(r) => format!("{} — project `{r}`", endpoint.label()),
                None => endpoint.label().to_string(),
            };
            // A host from the .env: show what it resolves to, as the analysis used it.
            match resolved_host.filter(|_| conn.has_placeholder(h.host)) {
                Some(r) => format!("{} → {r}: {label}", h.host.slice(text)),
                None => label,
            }
        } else {
            "fallback host: libpq tries the hosts in order".to_string()
        };
        add(h.host, "host", h.host.slice(text).to_string(), note);
        if let Some(p) = h.port {
            add(p, "port", p.slice(text).to_string(), port_note(p.slice(text), conn.has_placeholder(p), endpoint));
        }
    }
    if let Some(d) = conn.database.filter(|_| uri) {
        add(d, "database", conn::decode(d.slice(text)), "database name".to_string());
    }
    for p in &conn.params {
        let key = p.key.slice(text);
        let note = param_note(driver, key);
        let shown =
            if key.contains("password") { format!("{key}=••••••") } else { p.span.slice(text).to_string() };
        add(p.span, "parameter", shown, note);
    }
    parts
}
