//! `poolfix check`, `poolfix fix` and `poolfix plan`: the compose doctor.

use poolfix_engine::model::count_label as show;
use std::process::ExitCode;

use clap::Args;
use poolfix_engine::compose::{analyze_compose, ComposeOptions, ComposeReport};
use poolfix_engine::knowledge::compute::Compute;
use poolfix_engine::url_doctor::{mask_password, ModeChoice};
use serde_json::{json, Map, Value};

use crate::Format;

/// Where the compose file comes from and the project's limits.
#[derive(Args)]
pub struct Common {
    /// The compose file, or `-` for standard input.
    pub file: String,
    /// A .env file for ${VAR} interpolation (and env_file contents).
    #[arg(long = "env-file")]
    pub env_file: Option<String>,
    /// The Supabase compute size (sets the limits and the default pool size).
    #[arg(long, value_parser = crate::values::compute(), default_value = "micro")]
    pub compute: &'static Compute,
    /// The pool size, if changed in the dashboard.
    #[arg(long = "pool-size")]
    pub pool_size: Option<u32>,
    /// Pooler mode to end up in; poolfix never switches on its own.
    #[arg(long, value_parser = crate::values::mode(), default_value = "keep")]
    pub mode: ModeChoice,
    /// The MLflow version to assume where the image tag does not say (e.g. 2, 2.17.0; default:
    /// the newest).
    #[arg(long = "mlflow-version", value_parser = version_arg)]
    pub mlflow_version: Option<(u32, u32, u32)>,
    /// The Prefect version to assume where the image tag does not say (e.g. 2, 3.0, 3.4.20;
    /// default: the newest).
    #[arg(long = "prefect-version", value_parser = version_arg)]
    pub prefect_version: Option<(u32, u32, u32)>,
}

fn version_arg(text: &str) -> Result<(u32, u32, u32), String> {
    poolfix_engine::knowledge::parse_version(text)
        .ok_or_else(|| format!("`{text}` is not a version (write e.g. 2, 3.0 or 3.4.20)"))
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: Common,
    /// Print the unified diff instead of the fixed file.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Write the fixed file back in place.
    #[arg(long)]
    pub write: bool,
}

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub common: Common,
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

fn load(c: &Common) -> Result<(String, ComposeReport), String> {
    let text = read(&c.file)?;
    let env_text = match &c.env_file {
        Some(p) => read(p)?,
        None => String::new(),
    };
    let options = ComposeOptions {
        compute: c.compute,
        pool_size: c.pool_size,
        mode: c.mode,
        env_text,
        file_name: if c.file == "-" { "docker-compose.yml".into() } else { c.file.clone() },
        mlflow_version: c.mlflow_version,
        prefect_version: c.prefect_version,
    };
    let report = analyze_compose(&text, &options);
    Ok((text, report))
}

fn fail(e: String) -> ExitCode {
    eprintln!("poolfix: {e}");
    ExitCode::from(2)
}

fn over_budget(r: &ComposeReport) -> bool {
    r.budget.groups.iter().any(|g| g.limit.is_some_and(|l| g.before.is_none_or(|b| b > l)))
}

pub fn check(args: CheckArgs) -> ExitCode {
    let (_, report) = match load(&args.common) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    match args.format {
        Format::Json => crate::out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&report)).expect("JSON"))),
        Format::Text => crate::out(&to_text(&report, crate::colour())),
        Format::Github => {
            let file = (args.common.file != "-").then_some(args.common.file.as_str());
            let lines: String = report
                .findings
                .iter()
                .map(|f| crate::github::annotation(&f.finding, file, f.line, f.column) + "\n")
                .collect();
            crate::out(&lines);
        }
    }
    if report.has_errors() || over_budget(&report) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn fix(args: FixArgs) -> ExitCode {
    let (_, report) = match load(&args.common) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    if report.invalid {
        eprint!("{}", to_text(&report, false));
        return ExitCode::from(1);
    }
    if args.diff {
        crate::out(&report.diff);
    } else if args.write {
        if args.common.file == "-" {
            return fail("--write needs a file, not standard input".into());
        }
        if let Err(e) = std::fs::write(&args.common.file, &report.fixed) {
            return fail(format!("cannot write {}: {e}", args.common.file));
        }
        eprintln!("poolfix: wrote {} ({} edits)", args.common.file, report.edits.len());
    } else {
        crate::out(&report.fixed);
    }
    ExitCode::SUCCESS
}

pub fn plan(args: PlanArgs) -> ExitCode {
    match load(&args.common) {
        Ok((_, report)) if report.invalid => {
            eprint!("{}", to_text(&report, false));
            ExitCode::from(1)
        }
        Ok((_, report)) => {
            crate::out(&report.plan.to_markdown());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn opt(v: Option<u32>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// The stable JSON report (documented in the README).
pub fn to_json(r: &ComposeReport) -> Value {
    let primary = r.budget.primary();
    json!({
        "findings": r.findings.iter().map(|f| json!({
            "rule": f.finding.rule.code,
            "name": f.finding.rule.name,
            "severity": f.finding.severity().as_str(),
            "message": f.finding.message,
            "service": f.service,
            "line": f.line,
            "column": f.column,
            "guide": f.finding.rule.guide_path(),
            "fix": f.finding.fix.as_ref().map(|fx| json!({
                "title": fx.title,
                "applicability": fx.applicability.as_str(),
                "env": fx.env.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect::<Map<_, _>>(),
                "note": fx.note,
            })),
        })).collect::<Vec<_>>(),
        "services": r.services.iter().map(|s| json!({
            "name": s.service.name,
            "kind": s.service.kind.kind,
            "version": s.service.version.map(poolfix_engine::knowledge::version_label),
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
            "env": s.env_after.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect::<Map<_, _>>(),
            "settings": s.settings_after().into_iter().map(|(k, v)| (k, Value::from(v))).collect::<Map<_, _>>(),
            "corrected_url": s.corrected_url,
            "urls": s.urls.iter().map(|u| json!({
                "source": u.source,
                "corrected_url": u.report.corrected_url,
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
                "before": opt(g.before),
                "after": opt(g.after),
                "services": g.services.iter().map(|(n, b, a)| json!({ "name": n, "before": opt(*b), "after": opt(*a) })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "fixed": r.fixed,
        "diff": r.diff,
        "env_lines": r.env_lines,
        "plan": r.plan.to_markdown(),
    })
}

pub fn to_text(r: &ComposeReport, colour: bool) -> String {
    use std::fmt::Write as _;
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    // Every finding on a URL that comes from a variable carries the same note (the corrected
    // URL to put where the variable is defined): print it once per run of such findings.
    let mut last_note: Option<&str> = None;
    for f in &r.findings {
        let sev = f.finding.severity().as_str();
        let code = match sev {
            "error" => "1;31",
            "warning" => "1;33",
            _ => "1;36",
        };
        let svc = f.service.as_deref().map(|s| format!(" {s}:")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}[{}] {}:{}{svc} {}",
            paint(code, sev),
            f.finding.rule.code,
            f.line,
            f.column,
            f.finding.message
        );
        if let Some(fx) = &f.finding.fix {
            let _ = writeln!(out, "    fix ({}): {}", fx.applicability.as_str(), fx.title);
            if let Some(n) = &fx.note {
                if last_note != Some(n.as_str()) {
                    let _ = writeln!(out, "      {n}");
                }
            }
            last_note = fx.note.as_deref();
        }
    }
    if r.invalid {
        return out;
    }
    let _ = writeln!(out, "\nservices:");
    for s in &r.services {
        let _ = writeln!(
            out,
            "  {} ({}): {} → {}",
            s.service.name,
            s.service.kind.kind,
            show(s.max_before),
            show(s.max_after)
        );
        if s.has_pool() && !s.urls.is_empty() {
            let _ = writeln!(out, "    before: {}\n    after:  {}", s.formula_before, s.formula_after);
            if let Some(u) = &s.corrected_url {
                let _ = writeln!(out, "    url:    {}", mask_password(u));
            }
        }
    }
    let _ = writeln!(out, "\nbudget:");
    for g in &r.budget.groups {
        let _ = writeln!(
            out,
            "  {} {}: {} → {} of {} ({})",
            g.host,
            g.mode.map_or("?", |m| m.as_str()),
            show(g.before),
            show(g.after),
            g.limit.map_or("?".into(), |l| l.to_string()),
            g.limit_label
        );
    }
    if !r.env_lines.is_empty() {
        let _ = writeln!(out, "\nsettings added (.env form):\n{}", r.env_lines);
    }
    let count = |sev: &str| r.findings.iter().filter(|f| f.finding.severity().as_str() == sev).count();
    let _ = writeln!(
        out,
        "\n{} errors, {} warnings, {} notes; `poolfix fix --diff` shows the change",
        count("error"),
        count("warning"),
        count("info")
    );
    out
}
