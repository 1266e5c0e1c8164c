//! `poolfix url`: the URL doctor.

use std::process::ExitCode;

use clap::Args;
use poolfix_engine::knowledge::services::ServiceKind;
use poolfix_engine::rules::Finding;
use poolfix_engine::span::line_col;
use poolfix_engine::url_doctor::{analyze_url, mask_password, ModeChoice, UrlOptions, UrlReport};
use serde_json::{json, Map, Value};

use crate::Format;

#[derive(Args)]
pub struct UrlArgs {
    /// The connection URL, or `-` to read it from standard input.
    pub url: String,
    /// What uses the URL: MLflow, Prefect 3.1+ (`prefect`), Prefect 2.x/3.0 (`prefect2`),
    /// another SQLAlchemy program, or a libpq tool such as psql.
    #[arg(long = "for", value_parser = crate::values::service(), default_value = "sqlalchemy")]
    pub service: ServiceKind,
    /// Pooler mode to end up in; poolfix never switches on its own.
    #[arg(long, value_parser = crate::values::mode(), default_value = "keep")]
    pub mode: ModeChoice,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: UrlArgs) -> ExitCode {
    let text = if args.url == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("poolfix: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        args.url.clone()
    };
    let mut options = UrlOptions::new(args.service);
    options.mode = args.mode;
    let report = analyze_url(&text, &options);
    match args.format {
        Format::Json => {
            crate::out(&format!("{}\n", serde_json::to_string_pretty(&to_json(&text, &report)).expect("JSON")))
        }
        Format::Text => crate::out(&to_text(&text, &report, crate::colour())),
        Format::Github => {
            let lines: String = report
                .findings
                .iter()
                .map(|f| {
                    let (line, column) = line_col(&text, f.span.start);
                    crate::github::annotation(f, None, line, column) + "\n"
                })
                .collect();
            crate::out(&lines);
        }
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn finding_json(text: &str, f: &Finding) -> Value {
    let (line, column) = line_col(text, f.span.start);
    let fix = f.fix.as_ref().map(|fx| {
        json!({
            "title": fx.title,
            "applicability": fx.applicability.as_str(),
            "env": fx.env.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect::<Map<_, _>>(),
            "note": fx.note,
        })
    });
    json!({
        "rule": f.rule.code,
        "name": f.rule.name,
        "severity": f.severity().as_str(),
        "message": f.message,
        "span": { "start": f.span.start, "end": f.span.end },
        "line": line,
        "column": column,
        "guide": f.rule.guide_path(),
        "fix": fix,
    })
}

/// The stable JSON report (documented in the README).
pub fn to_json(text: &str, r: &UrlReport) -> Value {
    json!({
        "service": r.service.cli_name(),
        "driver": r.driver.map(|d| d.name),
        "endpoint": r.endpoint.as_str(),
        "project_ref": r.project_ref,
        "mode_before": r.mode_before.as_str(),
        "mode_after": r.mode_after.as_str(),
        "findings": r.findings.iter().map(|f| finding_json(text, f)).collect::<Vec<_>>(),
        "corrected_url": r.corrected_url,
        "env": r.env.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))).collect::<Map<_, _>>(),
        "snippet": r.snippet,
        "explain": r.explain.iter().map(|p| json!({
            "kind": p.kind, "text": p.text, "note": p.note,
            "span": { "start": p.span.start, "end": p.span.end },
        })).collect::<Vec<_>>(),
    })
}

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Human-readable output. Literal passwords are masked.
pub fn to_text(text: &str, r: &UrlReport, colour: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let driver = r.driver.map_or("?", |d| d.name);
    let _ = writeln!(out, "{} · {} · {}", r.service.label, driver, r.endpoint.label());
    for f in &r.findings {
        let (line, column) = line_col(text, f.span.start);
        let sev = f.severity().as_str();
        let code = match sev {
            "error" => "1;31",
            "warning" => "1;33",
            _ => "1;36",
        };
        let _ = writeln!(out, "{}[{}] {line}:{column} {}", paint(colour, code, sev), f.rule.code, f.message);
        if let Some(fx) = &f.fix {
            let _ = writeln!(out, "    fix ({}): {}", fx.applicability.as_str(), fx.title);
            for (k, v) in &fx.env {
                let _ = writeln!(out, "      {k}={v}");
            }
            if let Some(note) = &fx.note {
                let _ = writeln!(out, "      {note}");
            }
        }
        let _ = writeln!(out, "    see {}", f.rule.guide_path());
    }
    if let Some(url) = &r.corrected_url {
        let _ = writeln!(out, "\ncorrected URL (password masked):\n  {}", mask_password(url));
    }
    if !r.env.is_empty() {
        let _ = writeln!(out, "\nenvironment:");
        for (k, v) in &r.env {
            let _ = writeln!(out, "  {k}={v}");
        }
    }
    if let Some(s) = &r.snippet {
        let _ = writeln!(out, "\nin your code:\n{}", s.lines().map(|l| format!("  {l}\n")).collect::<String>());
    }
    let count = |sev: &str| r.findings.iter().filter(|f| f.severity().as_str() == sev).count();
    let _ = writeln!(out, "\n{} errors, {} warnings, {} notes", count("error"), count("warning"), count("info"));
    out
}
