//! PF203: MLflow runs several workers, each with its own engines.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF203",
    scope: Scope::Service,
    name: "mlflow-workers",
    severity: Severity::Warning,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The MLflow server runs more than one worker (4 by default); each has two engines with their own pools.",
    fix_title: "Run one worker: `--workers 1` or `MLFLOW_WORKERS=1`",
    what: "Finds MLflow tracking servers without `--workers 1`, and Airflow 3.0 API servers (4 workers by default; 3.1 made it 1) without `--workers 1` or `AIRFLOW__API__WORKERS=1`.",
    why: "MLflow 2.x (gunicorn) and 3.3+ (uvicorn) both start 4 workers unless told otherwise. Each worker has a tracking and a model-registry engine, so the pool settings count eight times. Worker flags inside `--gunicorn-opts` or `--uvicorn-opts` are overridden by the default.",
    example: "```yaml\ncommand: mlflow server --host 0.0.0.0 --backend-store-uri postgresql+psycopg2://…\n```",
    instead: "```yaml\ncommand: mlflow server --host 0.0.0.0 --workers 1 --backend-store-uri postgresql+psycopg2://…\n```",
    fix_safety: "Review: one worker serves fewer concurrent requests; the tracking server is rarely the bottleneck.",
    references: &[("mlflow server/__init__.py", "https://github.com/mlflow/mlflow/blob/master/mlflow/server/__init__.py")],
};

use super::{Finding, Fix, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let def = &s.kind.processes;
    let Some(to) = def.lowered_to.filter(|to| s.processes.value > *to) else {
        return;
    };
    let engines = s.kind.engines;
    let each = if engines == 1 { "its own pool".to_string() } else { format!("{engines} engines") };
    let message = format!(
        "{} runs {} workers ({}), each with {each}: every pool setting counts {} times",
        s.kind.name,
        s.processes.value,
        s.processes.source,
        s.processes.value * engines
    );
    // Fewer workers is a lever of the plan: taken only when the pools do not fit without it.
    if !ctx.options.levers.lower_processes {
        let message = format!("{message}; the budget fits without lowering them, so the plan keeps them");
        out.push(Finding::new(&DOC, message, s.processes.span.unwrap_or(s.key_span)));
        return;
    }
    let setting = def.env;
    let (span, fix) = match (s.processes.span, def.flags.first(), setting) {
        (Some(span), Some(flag), _) => {
            (span, Fix::new(format!("Use `{flag} {to}`"), Applicability::Review).file_edit(span, to.to_string()))
        }
        (None, _, Some(var)) => {
            (s.key_span, Fix::new(format!("Set `{var}={to}`"), Applicability::Review).env(var, to.to_string()))
        }
        _ => return,
    };
    out.push(Finding::new(&DOC, message, span).with_fix(fix));
}
