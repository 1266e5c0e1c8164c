//! Stage 4, the connection budget: the most each service can hold, before and after the fix,
//! counted the way its service-table entry says, and added up per pooler endpoint and mode
//! against the limit that applies (docs/sources.md#limits).

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{ServiceReport, ServiceUrl};
use crate::knowledge::drivers::PSYCOPG2;
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::knowledge::services::{EnvSettings, Extra, PoolModel, Transaction, DEFAULT_OVERFLOW, DEFAULT_POOL};
use crate::knowledge::Verdict;
use crate::model::{Budget, BudgetGroup, ComposeOptions, Levers, Service};
use crate::rules::{self, BudgetCtx, Finding};
use crate::span::Span;

pub use crate::model::count_label;

fn add(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    Some(a?.saturating_add(b?))
}

/// What poolfix concludes about a service from its URLs and the settings after the fix.
pub fn summarise(
    service: Service,
    urls: Vec<ServiceUrl>,
    env_after: Vec<(String, String)>,
    levers: &Levers,
) -> ServiceReport {
    let first = urls.first().map(|u| &u.report);
    // As the .env resolves it: a host kept in `${SUPABASE_HOST}` is the same pool as one written out.
    let host = first.and_then(|r| {
        let url = &urls[0].url;
        let raw = |h: &crate::conn::HostPort| {
            let t = h.host.slice(url);
            // A variable's name is case-sensitive; a host name is not.
            if t.contains('$') {
                t.to_string()
            } else {
                t.to_ascii_lowercase()
            }
        };
        r.host.clone().or_else(|| r.conn.as_ref()?.hosts.first().map(raw))
    });
    let snippet = match (&service.kind.pool, first) {
        (PoolModel::Code, r) => Some(crate::url_doctor::sqlalchemy_snippet(
            r.and_then(|r| r.driver).unwrap_or(&PSYCOPG2),
            r.map_or(PoolMode::Unknown, |r| r.mode_after),
            r.is_some_and(|r| r.driver_implicit),
        )),
        _ => None,
    };
    let (processes_after, replicas_after) = counts_after(&service, levers);
    let mut report = ServiceReport {
        processes_after,
        replicas_after,
        endpoint: first.map_or(EndpointKind::Unknown, |r| r.endpoint),
        mode_before: first.map_or(PoolMode::Unknown, |r| r.mode_before),
        mode_after: first.map_or(PoolMode::Unknown, |r| r.mode_after),
        corrected_url: urls.first().and_then(ServiceUrl::corrected_value),
        host,
        snippet,
        service,
        urls,
        max_before: None,
        max_after: None,
        formula_before: String::new(),
        formula_after: String::new(),
        env_after,
        verdict: None,
    };
    size_service(&mut report);
    report.verdict = transaction_verdict(&report);
    report
}

/// The processes and replicas a service runs once the plan is applied.
pub fn counts_after(service: &Service, levers: &Levers) -> (u32, u32) {
    let (procs, replicas) = (service.processes.value.max(1), service.replicas.value.max(1));
    if let Some(counts) = levers.fewer_for(&service.name) {
        return counts;
    }
    let lowered = service.kind.processes.lowered_to.filter(|to| levers.lower_processes && *to < procs);
    (lowered.unwrap_or(procs), replicas)
}

/// A pool size or overflow as the service applies it: `None` = unlimited.
fn applied(raw: Option<i64>, default: u32, table: &EnvSettings) -> Option<u32> {
    match raw {
        None => Some(default),
        // Applied only when truthy: 0 falls back to the default.
        Some(0) if table.zero_ignored => Some(default),
        Some(v) if v < 0 => None,
        Some(v) => u32::try_from(v).ok(),
    }
}

/// (pool, overflow) as the service applies them; `None` = unbounded.
fn pool_settings(r: &ServiceReport, after: bool) -> (Option<u32>, Option<u32>, String) {
    let setting = |v: Option<u32>| v.map_or("unlimited".to_string(), |v| v.to_string());
    match r.service.kind.pool {
        PoolModel::Env(t) => {
            let get = |n: &str| r.env_value(n, after).and_then(|v| v.parse::<i64>().ok());
            let read = |pick: fn(&EnvSettings) -> &'static str| get(pick(t)).or_else(|| get(pick(t.fallback?)));
            let (pool, overflow) = (read(|t| t.pool_size), read(|t| t.max_overflow));
            if t.pool_switch.and_then(|v| r.env_value(v, after)).is_some_and(|v| EnvSettings::switched_off(&v)) {
                // Every session opens its own connection: bounded only by the sessions at once.
                return (None, None, "(pool off: a connection per session, no upper bound)".into());
            }
            let nullpool = t.poolclass.and_then(|v| r.env_value(v, after)).is_some_and(|v| v.contains("NullPool"));
            if nullpool && pool.is_none() && overflow.is_none() {
                // A connection per call in progress: bounded only where the program's threads are.
                return match r.service.kind.concurrency {
                    Some(c) => (Some(c), Some(0), "(NullPool: a connection per call in progress)".into()),
                    None => (None, None, "NullPool: one connection per concurrent request, no upper bound".into()),
                };
            }
            // A pool size of 0 is unlimited where the service passes it on.
            let pool = applied(pool, DEFAULT_POOL, t).filter(|p| *p > 0);
            let overflow = applied(overflow, DEFAULT_OVERFLOW, t);
            (pool, overflow, format!("({} + {})", setting(pool), setting(overflow)))
        }
        PoolModel::Code if after => (Some(1), Some(1), "(1 + 1, with the create_engine() settings below)".into()),
        PoolModel::Code => (
            Some(DEFAULT_POOL),
            Some(DEFAULT_OVERFLOW),
            format!("({DEFAULT_POOL} + {DEFAULT_OVERFLOW}, SQLAlchemy's defaults assumed)"),
        ),
        // Django serves each request on a thread, and a thread holds one connection; the dev
        // server and ASGI start a thread per request in flight (docs/sources.md#django).
        PoolModel::PerThread { unbounded }
            if r.service.argv.iter().any(|a| unbounded.iter().any(|u| a.contains(u))) =>
        {
            (None, None, "(a thread per request in flight: runserver or ASGI)".into())
        }
        PoolModel::PerThread { .. } => (Some(1), Some(0), "(1 connection per thread)".into()),
        PoolModel::PerProcess { count, label } => (Some(count), Some(0), format!("({label})")),
        PoolModel::DefaultOnly { label } => (
            Some(DEFAULT_POOL),
            Some(DEFAULT_OVERFLOW),
            format!("({DEFAULT_POOL} + {DEFAULT_OVERFLOW}, SQLAlchemy's default: {label})"),
        ),
        PoolModel::None => (Some(0), Some(0), String::new()),
    }
}

/// The connections a service holds beside its pools (MLflow's parent, its job runner), each
/// with its label and whether every process holds it; `None`: no limit.
fn extras(r: &ServiceReport, after: bool) -> Vec<(Option<u32>, &'static str, bool)> {
    let jobs = r.service.kind.settings().and_then(|t| t.job_execution);
    let jobs_on = jobs.is_some_and(|(name, since)| {
        let off = r.env_value(name, after).is_some_and(|v| v.eq_ignore_ascii_case("false") || v == "0");
        !off && r.service.version.is_none_or(|v| v >= since)
    });
    let on_url = |var: &str| r.service.env(var).is_none() || r.urls.iter().any(|u| u.var() == Some(var));
    let applies = |e: &Extra| {
        e.when_env.is_none_or(|(name, text)| r.env_value(name, after).is_some_and(|v| v.contains(text)))
            && e.on_url.is_none_or(on_url)
    };
    let count = |e: &Extra| match e.count_env.and_then(|n| r.env_value(n, after)).map(|v| v.trim().parse::<u32>()) {
        Some(Ok(0)) => None,
        Some(Ok(n)) => Some(n),
        _ => Some(e.count),
    };
    r.service
        .kind
        .extras
        .iter()
        .filter(|e| (!e.job_execution || jobs_on) && applies(e))
        .map(|e| (count(e), e.label, e.per_process))
        .collect()
}

/// The most a service can hold, and the formula, before or after the fix, with `procs` processes.
fn size(r: &ServiceReport, after: bool, procs: u32) -> (Option<u32>, String) {
    let kind = r.service.kind;
    if !kind.has_pool() {
        return (Some(0), "no database pool".into());
    }
    if let Some(store) = &r.service.store {
        return (Some(0), format!("not counted: it uses {}, not PostgreSQL ({})", store.label, store.why));
    }
    let (pool, overflow, pool_text) = pool_settings(r, after);
    let def = &kind.processes;
    let extras = extras(r, after);
    let held: Option<u32> = extras.iter().map(|(n, _, each)| n.map(|n| if *each { n * procs } else { n })).sum();
    // A pool holds at most what it hands out at once.
    let per_engine = add(pool, overflow).map(|p| kind.concurrency.map_or(p, |c| p.min(c)));
    let max = per_engine.zip(held).map(|(p, held)| procs * kind.engines * p + held);
    let mut f = match def.word {
        Some((one, many)) => format!("{procs} {}", if procs == 1 { one } else { many }),
        None => procs.to_string(),
    };
    if !def.runners.is_empty() {
        let _ = write!(f, " ({})", r.service.processes.source);
    }
    if kind.engines > 1 {
        let _ = write!(f, " × {} engines", kind.engines);
    }
    match kind.concurrency {
        Some(c) => {
            let _ = write!(f, " × {pool_text} at most {c} at once");
        }
        None => {
            let _ = write!(f, " × {pool_text}");
        }
    }
    for (n, label, each) in extras {
        let n = n.map_or("unlimited".to_string(), |n| n.to_string());
        match (each, procs) {
            (true, 2..) => {
                let _ = write!(f, " + {procs} × {n} ({label})");
            }
            _ => {
                let _ = write!(f, " + {n} ({label})");
            }
        }
    }
    (max, f)
}

/// Fills in a service's maximum connections and how they were counted.
pub fn size_service(r: &mut ServiceReport) {
    if r.service.store.is_some() {
        // Nothing to multiply: the reason is the whole formula.
        let (max, why) = size(r, false, 1);
        (r.max_before, r.max_after) = (max, max);
        (r.formula_before, r.formula_after) = (why.clone(), why);
        return;
    }
    for after in [false, true] {
        let (procs, replicas) = if after {
            (r.processes_after, r.replicas_after)
        } else {
            (r.service.processes.value.max(1), r.service.replicas.value.max(1))
        };
        let (max, formula) = size(r, after, procs);
        let (max, formula) = if replicas > 1 {
            (max.map(|m| m * replicas), format!("{replicas} replicas × ({formula})"))
        } else {
            (max, formula)
        };
        let formula = match max {
            Some(m) => format!("{formula} = {m}"),
            None => format!("{formula}: unbounded"),
        };
        if after {
            (r.max_after, r.formula_after) = (max, formula);
        } else {
            (r.max_before, r.formula_before) = (max, formula);
        }
    }
}

/// The most a service can hold after the fix when it runs `procs` processes and `replicas`
/// replicas (the planner's question).
pub fn max_with(r: &ServiceReport, procs: u32, replicas: u32) -> Option<u32> {
    Some(size(r, true, procs).0? * replicas)
}

/// What the budget adds up for one service: the report, and where and how much it holds after
/// the fix (the planner changes these two).
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub report: &'a ServiceReport,
    pub mode_after: PoolMode,
    pub max_after: Option<u32>,
}

impl ServiceReport {
    /// The service as the budget counts it, if it does.
    pub fn holder(&self) -> Option<Holder<'_>> {
        self.is_counted().then_some(Holder { report: self, mode_after: self.mode_after, max_after: self.max_after })
    }
}

/// Whether the service works through a transaction pooler, and why (docs/sources.md#transaction-mode).
pub fn transaction_verdict(r: &ServiceReport) -> Option<(Verdict, String)> {
    Some(match &r.service.kind.transaction {
        Transaction::Compatible(why) => (Verdict::Compatible, why.to_string()),
        Transaction::WithSettings { why, .. } => {
            let since = r.service.kind.settings().map_or((0, 0, 0), |t| t.statement_cache_since);
            match r.service.version.filter(|v| *v < since) {
                Some(v) => (
                    Verdict::NotCompatible,
                    format!(
                        "{} {} has no statement-cache settings (they arrive in {}): upgrade, or keep session mode",
                        r.service.kind.name,
                        crate::knowledge::version_label(v),
                        crate::knowledge::version_label(since)
                    ),
                ),
                None => (Verdict::CompatibleWithSettings, why.to_string()),
            }
        }
        Transaction::InCode { why, .. } => (Verdict::CompatibleWithSettings, why.to_string()),
        Transaction::NotCompatible { why, .. } => (Verdict::NotCompatible, why.to_string()),
        Transaction::ByDriver => r.urls.first().and_then(ServiceUrl::driver_after).unwrap_or(&PSYCOPG2).transaction(),
        Transaction::NotApplicable => return None,
    })
}

fn limit_for(endpoint: EndpointKind, mode: PoolMode, options: &ComposeOptions) -> (Option<u32>, String) {
    let c = options.compute;
    match (endpoint, mode) {
        (_, PoolMode::Session) => {
            (Some(options.pool_size()), format!("pool size {} ({})", options.pool_size(), c.label))
        }
        (_, PoolMode::Transaction) => {
            (Some(c.pooler_max_clients), format!("pooler max clients {} ({})", c.pooler_max_clients, c.label))
        }
        (EndpointKind::Direct, _) => (
            Some(c.direct_max.saturating_sub(options.pool_size())),
            format!("direct max connections {} less the pooler's {} ({})", c.direct_max, options.pool_size(), c.label),
        ),
        (EndpointKind::OtherPostgres, _) => (Some(100), "PostgreSQL's default max_connections 100".into()),
        _ => (None, "unknown: the host is a placeholder".into()),
    }
}

/// Adds the services up per endpoint and mode.
pub fn budget(holders: &[Holder], options: &ComposeOptions) -> Budget {
    let mut groups: Vec<BudgetGroup> = Vec::new();
    // (group, service name) → index in the group's list: files may hold thousands of services.
    let mut index: HashMap<(usize, String), usize> = HashMap::new();
    for h in holders {
        let r = h.report;
        let host = r.host.clone().unwrap_or_else(|| "(unknown host)".into());
        for (after, mode) in [(false, r.mode_before), (true, h.mode_after)] {
            let idx = groups.iter().position(|g| g.host == host && g.mode == Some(mode)).unwrap_or_else(|| {
                let (limit, mut limit_label) = limit_for(r.endpoint, mode, options);
                let (limit_before, label_before) = limit_for(r.endpoint, mode, &options.before_dashboard());
                if label_before != limit_label {
                    limit_label = format!("{limit_label} after the plan's dashboard change; now {label_before}");
                }
                groups.push(BudgetGroup {
                    limit_before,
                    limit_label_before: label_before,
                    host: host.clone(),
                    mode: Some(mode),
                    endpoint: Some(r.endpoint),
                    limit,
                    limit_label,
                    before: Some(0),
                    after: Some(0),
                    services: Vec::new(),
                    reserve: None,
                });
                groups.len() - 1
            });
            let g = &mut groups[idx];
            let entry = *index.entry((idx, r.service.name.clone())).or_insert_with(|| {
                g.services.push((r.service.name.clone(), Some(0), Some(0)));
                g.services.len() - 1
            });
            if after {
                g.after = add(g.after, h.max_after);
                g.services[entry].2 = h.max_after;
            } else {
                g.before = add(g.before, r.max_before);
                g.services[entry].1 = r.max_before;
            }
        }
    }
    shared_pool_reserve(&mut groups, options.pool_size());
    Budget { groups }
}

/// Supavisor's session and transaction ports draw on the project's one pool: every session
/// client holds a server connection for its life, and transaction traffic runs on what is left
/// (docs/sources.md#limits). Each shared transaction group gets that reserve.
fn shared_pool_reserve(groups: &mut [BudgetGroup], pool_size: u32) {
    let session: Vec<(String, Option<u32>)> = groups
        .iter()
        .filter(|g| g.endpoint.is_some_and(|e| e.is_shared_pooler()) && g.mode == Some(PoolMode::Session))
        .map(|g| (g.host.clone(), g.after))
        .collect();
    for g in groups.iter_mut().filter(|g| g.endpoint.is_some_and(|e| e.is_shared_pooler())) {
        if g.mode != Some(PoolMode::Transaction) {
            continue;
        }
        let held = session.iter().find(|(h, _)| *h == g.host).map_or(Some(0), |(_, a)| *a);
        g.reserve = Some(held.map_or(0, |h| pool_size.saturating_sub(h)));
    }
}

/// A pool's user: (service, before, after).
type PoolUser = (String, Option<u32>, Option<u32>);

/// The budget rules (PF201, PF202) on every pool, pointing at its largest holder.
pub fn findings(budget: &Budget, reports: &[ServiceReport], advice: &str) -> Vec<Finding> {
    let key_span = |name: &str| reports.iter().find(|r| r.service.name == name).map(|r| r.service.key_span);
    let mut out = Vec::new();
    for group in &budget.groups {
        let largest = |pick: fn(&PoolUser) -> Option<u32>| {
            group
                .services
                .iter()
                .max_by_key(|s| pick(s).unwrap_or(u32::MAX))
                .and_then(|(name, _, _)| key_span(name))
                .unwrap_or(Span::default())
        };
        let ctx = BudgetCtx { group, largest_before: largest(|s| s.1), largest_after: largest(|s| s.2), advice };
        out.extend(rules::check_budget(&ctx));
    }
    out
}
