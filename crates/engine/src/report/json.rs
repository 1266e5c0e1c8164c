//! The report as JSON (the CLI's `--format json`; its fields are documented in the README).

use serde_json::{json, Map, Value};

use crate::compose::ComposeReport;
use crate::diagnostic::Finding;
use crate::span::line_col;
use crate::url_doctor::UrlReport;

fn settings(env: &[(String, String)]) -> Map<String, Value> {
    env.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect()
}

/// A finding at (line, column), with the fields its form adds (`span`, or `service`).
fn finding(f: &Finding, (line, column): (usize, usize), extra: Value) -> Value {
    let fix = f.fix.as_ref().map(|fx| {
        json!({
            "title": fx.title,
            "applicability": fx.applicability.as_str(),
            "env": settings(&fx.env),
            "note": fx.note,
        })
    });
    let mut v = json!({
        "rule": f.rule.code,
        "name": f.rule.name,
        "severity": f.severity().as_str(),
        "message": f.message,
        "line": line,
        "column": column,
        "guide": f.rule.guide_path(),
        "fix": fix,
    });
    if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

/// The stable JSON report (documented in the README).
pub fn url(text: &str, r: &UrlReport) -> Value {
    json!({
        "service": r.service.cli_name(),
        "driver": r.driver.map(|d| d.name),
        "endpoint": r.endpoint.as_str(),
        "project_ref": r.project_ref,
        "mode_before": r.mode_before.as_str(),
        "mode_after": r.mode_after.as_str(),
        "findings": r.findings.iter().map(|f| {
            finding(f, line_col(text, f.span.start), json!({ "span": { "start": f.span.start, "end": f.span.end } }))
        }).collect::<Vec<_>>(),
        "corrected_url": r.corrected_url,
        "env": settings(&r.env),
        "snippet": r.snippet,
        "explain": r.explain.iter().map(|p| json!({
            "kind": p.kind, "text": p.text, "note": p.note,
            "span": { "start": p.span.start, "end": p.span.end },
        })).collect::<Vec<_>>(),
    })
}

fn opt(v: Option<u32>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// The stable JSON report (documented in the README).
pub fn compose(r: &ComposeReport) -> Value {
    let primary = r.budget.primary();
    json!({
        "findings": r.findings.iter().map(|f| {
            finding(&f.finding, (f.line, f.column), json!({ "service": f.service }))
        }).collect::<Vec<_>>(),
        "services": r.services.iter().map(|s| json!({
            "name": s.service.name,
            "kind": s.service.kind.kind,
            "version": s.service.version.map(crate::knowledge::version_label),
            "version_assumed": s.service.version_assumed,
            "processes": s.service.processes.value,
            "replicas": s.service.replicas.value,
            "endpoint": s.endpoint.as_str(),
            "mode_before": s.mode_before.as_str(),
            "mode_after": s.mode_after.as_str(),
            "max_connections_before": opt(s.max_before),
            "max_connections_after": opt(s.max_after),
            "formula_before": s.formula_before,
            "formula_after": s.formula_after,
            "env": settings(&s.env_after),
            "settings": settings(&s.settings_after()),
            "corrected_url": s.corrected_url,
            "urls": s.urls.iter().map(|u| json!({
                "source": u.source,
                "corrected_url": u.report.corrected_url,
                "prefix": u.prefix,
                "endpoint": u.report.endpoint.as_str(),
                "mode_after": u.report.mode_after.as_str(),
            })).collect::<Vec<_>>(),
            "transaction_mode": s.verdict.as_ref().map(|(v, why)| json!({ "verdict": v.as_str(), "why": why })),
            "snippet": s.snippet,
        })).collect::<Vec<_>>(),
        "budget": {
            "limit": primary.and_then(|g| g.limit),
            "mode": primary.and_then(|g| g.mode).map(|m| m.as_str()),
            "before": primary.map_or(Value::Null, |g| opt(g.before)),
            "after": primary.map_or(Value::Null, |g| opt(g.after)),
            "groups": r.budget.groups.iter().map(|g| json!({
                "host": g.host,
                "mode": g.mode.map(|m| m.as_str()),
                "limit": g.limit,
                "limit_label": g.limit_label,
                "headroom": g.headroom(),
                "reserve": g.reserve,
                "before": opt(g.before),
                "after": opt(g.after),
                "services": g.services.iter().map(|(n, b, a)| json!({ "name": n, "before": opt(*b), "after": opt(*a) })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "fixed": r.fixed,
        "diff": r.diff,
        "env_lines": r.env_lines,
        "plan": r.plan.to_markdown(),
        "plan_options": r.planned.options.iter().map(|o| json!({
            "id": o.id,
            "title": o.title,
            "cost": o.cost,
            "fits": o.fits,
            "chosen": r.planned.chosen().is_some_and(|c| c.id == o.id),
            "offered_only": o.alternative,
            "pool_size": o.pool_size,
            "compute": o.compute.name,
            "pools": o.pools.iter().map(|p| json!({
                "pool": p.pool, "before": opt(p.before), "after": opt(p.after), "room": p.room, "reserve": p.reserve,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "fits": r.planned.fits(),
        "nothing_fits": r.planned.needs,
    })
}

/// The log doctor's report (`poolfix explain --format json`).
pub fn log(r: &crate::log_doctor::LogReport) -> Value {
    let lines: Vec<Value> = r
        .lines
        .iter()
        .map(|l| {
            let known = l.known.as_ref().map(|k| {
                json!({
                    "error": k.error.id,
                    "source": k.error.source,
                    "value": k.value,
                    "meaning": k.meaning,
                    "fix": k.fix,
                    "guide": k.guide_path(),
                    "rules": k.error.rules,
                    "suspects": k.suspects.iter().map(|(s, codes)| json!({"service": s, "rules": codes})).collect::<Vec<_>>(),
                })
            });
            json!({"line": l.line, "text": l.text, "count": l.count, "last_line": l.last_line, "known": known})
        })
        .collect();
    json!({"lines": lines, "known": r.known(), "unknown": r.unknown()})
}
