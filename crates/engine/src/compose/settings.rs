//! Stage 3: the settings a service has once the fix is applied — the URL doctor's and the
//! service rules' — less those the file already has and those the service would not read.

use super::{ServiceReport, ServiceUrl};
use crate::model::{set_env, Service};
use crate::rules::Finding;

/// The settings to add or change for `service`, in order (name → value).
pub fn after(service: &Service, urls: &[ServiceUrl], findings: &[Finding]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    let from_urls = urls.iter().flat_map(|u| u.report.env.iter());
    let from_fixes = findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.env.iter());
    for (k, v) in from_urls.chain(from_fixes) {
        set_env(&mut env, k, v);
    }
    // Keep only real changes: values the file does not already have.
    env.retain(|(k, v)| service.env(k).is_none_or(|e| e.value != *v));
    let Some(table) = service.kind.settings() else {
        return env;
    };
    // The fix lowers a pool, never raises one: a bounded pool the file sets at or below the
    // smallest that works is kept as it is (Airflow's API server: 1 + 9).
    let total = |pool: Option<i64>, overflow: Option<i64>| match (pool, overflow) {
        (Some(p), Some(o)) if p >= 1 && o >= 0 => Some(p + o),
        _ => None,
    };
    // As the service applies it: MLflow reads 0 as "use the default".
    let set = |k: &str| {
        let v = service.env(k).and_then(|e| e.value.trim().parse::<i64>().ok());
        v.filter(|v| !(table.zero_ignored && *v == 0))
    };
    let new = |k: &str| env.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.parse::<i64>().ok());
    let written = total(set(table.pool_size), set(table.max_overflow));
    let proposed =
        total(new(table.pool_size).or(set(table.pool_size)), new(table.max_overflow).or(set(table.max_overflow)));
    if written.is_some_and(|w| proposed.is_some_and(|p| w <= p)) {
        env.retain(|(k, _)| k != table.pool_size && k != table.max_overflow);
    }
    // A process count written in the file is edited there: the variable would be moot.
    if let Some(workers) = table.workers.filter(|_| service.processes.span.is_some()) {
        env.retain(|(k, _)| k != workers);
    }
    // A release without job execution has nothing to turn off.
    if let Some((jobs, _)) = table.job_execution.filter(|(_, since)| service.version.is_some_and(|v| v < *since)) {
        env.retain(|(k, _)| k != jobs);
    }
    env
}

/// The settings added to the file, as `.env` lines grouped by service.
pub fn env_lines(reports: &[ServiceReport]) -> String {
    reports
        .iter()
        .filter(|r| !r.env_after.is_empty())
        .map(|r| {
            // A URL among them (Airflow's async one) shows no literal password.
            let lines: String =
                r.env_after.iter().map(|(k, v)| format!("{k}={}\n", crate::url_doctor::mask_password(v))).collect();
            format!("# {}\n{lines}", r.service.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
