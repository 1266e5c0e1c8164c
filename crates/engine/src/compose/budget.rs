//! The connection budget: the most each service can hold, before and after the fix, added
//! up per pooler endpoint and mode against the limit that applies (FACTS.md §1, §3, §6–§8).

use std::fmt::Write as _;

use super::services::Role;
use super::{ComposeOptions, ServiceReport};
use crate::knowledge::drivers::Driver;
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::knowledge::services::{ServiceKind, MLFLOW, PREFECT2, PREFECT3};
use crate::rules::{pf201_pool_exceeded, pf202_over_budget_after_fix, Finding};
use crate::span::Span;

/// SQLAlchemy's QueuePool defaults (`sqlalchemy/pool/impl.py`).
pub const DEFAULT_POOL: u32 = 5;
pub const DEFAULT_OVERFLOW: u32 = 10;
/// MLflow: the CLI parent keeps 2 connections; job execution (3.x default) adds a runner and
/// a consumer, counted as 2 (FACTS.md §6, measured on 3.17.2).
const MLFLOW_PARENT: u32 = 2;
const MLFLOW_JOBS: u32 = 2;
/// MLflow has a tracking and a model-registry engine per worker.
const MLFLOW_ENGINES: u32 = 2;
/// Prefect 3 at pool 1 + overflow 0 held 3 connections in session mode (LISTEN and one more;
/// FACTS.md §7, measured on 3.9.1): 2 beyond its pool.
const PREFECT_EXTRAS: u32 = 2;

/// Whether a service can run through a transaction pooler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Compatible,
    CompatibleWithSettings,
    NotCompatible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compatible => "compatible",
            Verdict::CompatibleWithSettings => "compatible with settings",
            Verdict::NotCompatible => "not compatible",
        }
    }
}

/// One pooler endpoint and mode, and who uses it.
#[derive(Debug, Clone, Default)]
pub struct BudgetGroup {
    pub host: String,
    pub mode: Option<PoolMode>,
    pub endpoint: Option<EndpointKind>,
    /// `None` when no limit is known (a placeholder host).
    pub limit: Option<u32>,
    pub limit_label: String,
    /// Sums; `None` = unbounded.
    pub before: Option<u32>,
    pub after: Option<u32>,
    /// (service, before, after) — a service appears where it is before or after the fix.
    pub services: Vec<(String, Option<u32>, Option<u32>)>,
}

impl BudgetGroup {
    /// Connections kept free for migrations, psql and deploys: a fifth of the limit, at least 2.
    pub fn headroom(&self) -> u32 {
        self.limit.map_or(0, |l| (l / 5).max(2).min(l))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub groups: Vec<BudgetGroup>,
}

impl Budget {
    /// The group the headline reports: the session pool if any, else the tightest group.
    pub fn primary(&self) -> Option<&BudgetGroup> {
        self.groups.iter().find(|g| g.mode == Some(PoolMode::Session)).or_else(|| {
            self.groups.iter().filter(|g| g.limit.is_some()).max_by_key(|g| {
                let used = g.before.unwrap_or(u32::MAX).max(g.after.unwrap_or(u32::MAX)) as u64;
                used * 1000 / g.limit.unwrap_or(1).max(1) as u64
            })
        })
    }
}

fn add(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    Some(a?.saturating_add(b?))
}

fn env_value(r: &ServiceReport, name: &str, after: bool) -> Option<String> {
    if after {
        if let Some((_, v)) = r.env_after.iter().find(|(k, _)| k == name) {
            return Some(v.clone());
        }
    }
    r.service.env(name).map(|e| e.value.trim().to_string())
}

/// (pool, overflow) as the service applies them; `None` = unbounded.
fn pool_settings(r: &ServiceReport, after: bool) -> (Option<u32>, Option<u32>, String) {
    let get = |n: &str| env_value(r, n, after).and_then(|v| v.parse::<i64>().ok());
    match r.service.role {
        Role::Mlflow => {
            let nullpool =
                env_value(r, MLFLOW.poolclass.unwrap_or_default(), after).is_some_and(|v| v.contains("NullPool"));
            // Applied only when truthy: 0 falls back to the default.
            let pool = get(MLFLOW.pool_size).filter(|v| *v > 0).map_or(DEFAULT_POOL, |v| v as u32);
            let overflow = get(MLFLOW.max_overflow).filter(|v| *v > 0).map_or(DEFAULT_OVERFLOW, |v| v as u32);
            if nullpool && get(MLFLOW.pool_size).is_none() && get(MLFLOW.max_overflow).is_none() {
                return (None, None, "NullPool: one connection per concurrent request, no upper bound".into());
            }
            (Some(pool), Some(overflow), format!("({pool} + {overflow})"))
        }
        Role::PrefectServer => {
            let s = if r.service.url_kind() == ServiceKind::Prefect2 { &PREFECT2 } else { &PREFECT3 };
            // Prefect 3.1+ still reads the old names.
            let pool = get(s.pool_size).or_else(|| get(PREFECT2.pool_size)).unwrap_or(DEFAULT_POOL as i64);
            let overflow =
                get(s.max_overflow).or_else(|| get(PREFECT2.max_overflow)).unwrap_or(DEFAULT_OVERFLOW as i64);
            let pool = (pool > 0).then_some(pool as u32);
            let overflow = (overflow >= 0).then_some(overflow as u32);
            let setting = |v: Option<u32>| v.map_or("unlimited".to_string(), |v| v.to_string());
            (pool, overflow, format!("({} + {})", setting(pool), setting(overflow)))
        }
        Role::App if after => (Some(1), Some(1), "(1 + 1, with the create_engine() settings below)".into()),
        Role::App => (Some(DEFAULT_POOL), Some(DEFAULT_OVERFLOW), "(5 + 10, SQLAlchemy's defaults assumed)".into()),
        _ => (Some(0), Some(0), String::new()),
    }
}

/// Fills in a service's maximum connections and how they were counted.
pub fn size_service(r: &mut ServiceReport) {
    for after in [false, true] {
        let (pool, overflow, pool_text) = pool_settings(r, after);
        let replicas = r.service.replicas.value.max(1);
        let (max, formula) = match r.service.role {
            Role::Mlflow => {
                let workers = if after { 1 } else { r.service.processes.value.max(1) };
                let jobs_off = env_value(r, MLFLOW.job_execution.unwrap_or_default(), after)
                    .is_some_and(|v| v.eq_ignore_ascii_case("false") || v == "0");
                let jobs = if jobs_off || r.service.version.is_some_and(|v| v.0 < 3) { 0 } else { MLFLOW_JOBS };
                let per = add(pool, overflow).map(|p| workers * MLFLOW_ENGINES * p + MLFLOW_PARENT + jobs);
                let mut f = format!(
                    "{workers} worker{} × {MLFLOW_ENGINES} engines × {pool_text} + {MLFLOW_PARENT} (parent)",
                    if workers == 1 { "" } else { "s" }
                );
                if jobs > 0 {
                    let _ = write!(f, " + {jobs} (job execution)");
                }
                (per, f)
            }
            Role::PrefectServer => {
                let workers = r.service.processes.value.max(1);
                let per = add(pool, overflow).map(|p| workers * p + PREFECT_EXTRAS);
                (per, format!("{workers} × {pool_text} + {PREFECT_EXTRAS} (LISTEN and background)"))
            }
            Role::App => {
                let procs = r.service.processes.value.max(1);
                let per = add(pool, overflow).map(|p| procs * p);
                (
                    per,
                    format!(
                        "{procs} process{} ({}) × {pool_text}",
                        if procs == 1 { "" } else { "es" },
                        r.service.processes.source
                    ),
                )
            }
            _ => (Some(0), "no database pool".into()),
        };
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
            r.max_after = max;
            r.formula_after = formula;
        } else {
            r.max_before = max;
            r.formula_before = formula;
        }
    }
}

/// Whether the service works through a transaction pooler, and why (FACTS.md §5, §7).
pub fn transaction_verdict(r: &ServiceReport) -> Option<(Verdict, String)> {
    let driver = r.urls.first().and_then(|u| u.report.driver);
    Some(match (r.service.role, r.service.url_kind()) {
        (Role::Mlflow, _) => (Verdict::Compatible, "psycopg2 never prepares statements; run upgrades' migrations through session mode".into()),
        (Role::PrefectServer, ServiceKind::Prefect2) => (Verdict::NotCompatible, "Prefect 2 sends the `jit` parameter and has no cure for prepared statements: keep session mode".into()),
        (Role::PrefectServer, _) => (
            Verdict::CompatibleWithSettings,
            "both statement-cache settings at 0 (Prefect 3.2.7+); automations (LISTEN) stop working".into(),
        ),
        (Role::App, _) => match driver {
            Some(Driver::Asyncpg) => (Verdict::CompatibleWithSettings, "connect_args={\"statement_cache_size\": 0}, unless the code uses SET, LISTEN, advisory locks or temp tables".into()),
            Some(Driver::Psycopg) => (Verdict::CompatibleWithSettings, "connect_args={\"prepare_threshold\": None}, unless the code uses SET, LISTEN, advisory locks or temp tables".into()),
            _ => (Verdict::Compatible, "psycopg2 never prepares statements; check the code for SET, LISTEN, advisory locks and temp tables".into()),
        },
        _ => return None,
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
pub fn budget(reports: &[ServiceReport], options: &ComposeOptions) -> Budget {
    let mut groups: Vec<BudgetGroup> = Vec::new();
    // (group, service name) → index in the group's list: files may hold thousands of services.
    let mut index: std::collections::HashMap<(usize, String), usize> = std::collections::HashMap::new();
    for r in reports.iter().filter(|r| r.has_pool() && !r.urls.is_empty()) {
        let host = r.host.clone().unwrap_or_else(|| "(unknown host)".into());
        for (after, mode) in [(false, r.mode_before), (true, r.mode_after)] {
            let idx = match groups.iter().position(|g| g.host == host && g.mode == Some(mode)) {
                Some(i) => i,
                None => {
                    let (limit, limit_label) = limit_for(r.endpoint, mode, options);
                    groups.push(BudgetGroup {
                        host: host.clone(),
                        mode: Some(mode),
                        endpoint: Some(r.endpoint),
                        limit,
                        limit_label,
                        before: Some(0),
                        after: Some(0),
                        services: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            let g = &mut groups[idx];
            let entry = *index.entry((idx, r.service.name.clone())).or_insert_with(|| {
                g.services.push((r.service.name.clone(), Some(0), Some(0)));
                g.services.len() - 1
            });
            if after {
                g.after = add(g.after, r.max_after);
                g.services[entry].2 = r.max_after;
            } else {
                g.before = add(g.before, r.max_before);
                g.services[entry].1 = r.max_before;
            }
        }
    }
    Budget { groups }
}

/// A connection count for people: the number, or "unbounded".
pub fn count_label(v: Option<u32>) -> String {
    v.map_or("unbounded".into(), |v| v.to_string())
}

/// PF201 and PF202 for each group over its limit.
pub fn findings(budget: &Budget, reports: &[ServiceReport]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &budget.groups {
        let Some(limit) = g.limit else { continue };
        let anchor = |pick_after: bool| {
            g.services
                .iter()
                .max_by_key(|(_, b, a)| if pick_after { a.unwrap_or(u32::MAX) } else { b.unwrap_or(u32::MAX) })
                .and_then(|(name, _, _)| reports.iter().find(|r| &r.service.name == name))
                .map_or(Span::default(), |r| r.service.key_span)
        };
        let mode = g.mode.map_or("?", |m| m.as_str());
        let over = g.before.is_none_or(|b| b > limit);
        if over && g.before != Some(0) {
            let who: Vec<String> = g
                .services
                .iter()
                .filter(|s| s.1 != Some(0))
                .map(|(n, b, _)| format!("{n} {}", count_label(*b)))
                .collect();
            out.push(Finding::new(
                &pf201_pool_exceeded::DOC,
                format!(
                    "{} {mode}: the services can hold {} connections, the limit is {limit} ({}): {}",
                    g.host,
                    count_label(g.before),
                    g.limit_label,
                    who.join(", ")
                ),
                anchor(false),
            ));
        }
        let target = limit - g.headroom();
        if g.after.is_none_or(|a| a > target) && g.after != Some(0) {
            out.push(Finding::new(
                &pf202_over_budget_after_fix::DOC,
                format!(
                    "{} {mode}: even after the fixes the services can hold {} connections, more than {target} (limit {limit} less {} headroom): lower workers or replicas, raise the pool size, or move services to the transaction pooler",
                    g.host,
                    count_label(g.after),
                    g.headroom()
                ),
                anchor(true),
            ));
        }
    }
    out
}
