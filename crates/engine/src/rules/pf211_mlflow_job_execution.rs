//! PF211: MLflow 3.x job execution opens connections of its own.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF211",
    scope: Scope::Service,
    name: "mlflow-job-execution",
    severity: Severity::Info,
    applicability: Applicability::Review,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "MLflow 3.x runs a job runner and consumers by default; each can hold a connection.",
    fix_title: "Set `MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false` unless you use MLflow jobs",
    what: "Finds MLflow 3.x servers (or servers of unknown version) without `MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false`.",
    why: "On 3.17 job execution defaults to true and adds a job runner and consumers next to the workers, outside the pool settings.",
    example: "```yaml\nmlflow:\n  image: ghcr.io/mlflow/mlflow:v3.17.2\n```",
    instead: "```yaml\nmlflow:\n  environment:\n    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: \"false\"\n```",
    fix_safety: "Review: turns off MLflow's server-side jobs.",
    references: &[("MLflow environment variables", "https://github.com/mlflow/mlflow/blob/master/mlflow/environment_variables.py")],
};

use super::{Finding, Fix, ServiceCtx};

pub fn check(ctx: &ServiceCtx, out: &mut Vec<Finding>) {
    let s = ctx.service;
    let Some((name, since)) = s.kind.settings().and_then(|t| t.job_execution) else {
        return;
    };
    if s.version.is_some_and(|v| v < since) {
        return;
    }
    if s.env(name).is_some_and(|e| matches!(e.value.trim().to_ascii_lowercase().as_str(), "false" | "0")) {
        return;
    }
    out.push(
        Finding::new(
            &DOC,
            format!(
                "{} {} runs job execution by default, which holds connections of its own: turn it off unless you use {} jobs",
                s.kind.name, since.0, s.kind.name
            ),
            s.key_span,
        )
        .with_fix(Fix::new(format!("Set {name}=false"), Applicability::Review).env(name, "false")),
    );
}
