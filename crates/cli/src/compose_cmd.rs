//! `poolfix check`, `poolfix fix` and `poolfix plan`: the compose doctor.

use std::process::ExitCode;

use clap::Args;
use poolfix_engine::compose::{analyze_compose, ComposeOptions, ComposeReport};
use poolfix_engine::knowledge::compute::Compute;
use poolfix_engine::report::text::{self, Style};
use poolfix_engine::report::{json, sarif};
use poolfix_engine::url_doctor::ModeChoice;

use crate::Format;

/// Where the compose file comes from and the project's limits.
#[derive(Args, Clone)]
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
    /// Pooler mode to end up in: `auto` keeps each service's mode unless the plan needs to move
    /// it to the transaction port; `keep` never changes a mode.
    #[arg(long, value_parser = crate::values::mode(), default_value = "auto")]
    pub mode: ModeChoice,
    /// The plan option to implement (`pools`, `workers`, `transaction`, `pool-size`, `compute`,
    /// `fewer-processes`; the report lists those the file has). Default: the first that fits.
    #[arg(long)]
    pub plan: Option<String>,
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
    /// More compose files, checked with the same options (pre-commit passes every staged one).
    #[arg(value_name = "MORE")]
    pub more: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Where the guide is published (e.g. https://example.org/poolfix/): SARIF rules then link
    /// to their documentation there.
    #[arg(long = "site-url")]
    pub site_url: Option<String>,
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
    let (text, report, _) = load_with_options(c)?;
    Ok((text, report))
}

fn load_with_options(c: &Common) -> Result<(String, ComposeReport, ComposeOptions), String> {
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
        plan: c.plan.clone(),
        ..ComposeOptions::default()
    };
    let report = analyze_compose(&text, &options);
    if let Some(id) = &report.planned.unknown_choice {
        return Err(format!("`--plan {id}` is not an option for this file; it has: {}", report.planned.ids()));
    }
    Ok((text, report, options))
}

/// A file's path for a report, `None` for standard input.
fn shown(path: &str) -> Option<&str> {
    (path != "-").then_some(path)
}

fn fail(e: String) -> ExitCode {
    eprintln!("poolfix: {e}");
    ExitCode::from(2)
}

/// Exit 1 when the chosen plan leaves a pool over its limit less headroom (the report says what
/// would fit).
fn plan_fails(r: &ComposeReport) -> bool {
    !r.planned.fits()
}

fn over_budget(r: &ComposeReport) -> bool {
    r.budget.groups.iter().any(|g| g.limit_before.is_some_and(|l| g.before.is_none_or(|b| b > l)))
}

pub fn check(args: CheckArgs) -> ExitCode {
    let paths: Vec<String> = std::iter::once(args.common.file.clone()).chain(args.more.iter().cloned()).collect();
    let mut loaded = Vec::with_capacity(paths.len());
    for path in &paths {
        let common = Common { file: path.clone(), ..args.common.clone() };
        match load(&common) {
            Ok((source, report)) => loaded.push((path.as_str(), source, report)),
            Err(e) => return fail(e),
        }
    }
    let several = loaded.len() > 1;
    match args.format {
        Format::Json => {
            let reports: Vec<_> = loaded.iter().map(|(_, _, r)| json::compose(r)).collect();
            let value =
                if several { serde_json::Value::Array(reports) } else { reports.into_iter().next().expect("one file") };
            crate::out(&format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON")));
        }
        Format::Sarif => {
            let files: Vec<_> =
                loaded.iter().map(|(path, _, report)| sarif::Analysed { path: shown(path), report }).collect();
            let log = sarif::log(&files, env!("CARGO_PKG_VERSION"), args.site_url.as_deref());
            crate::out(&format!("{}\n", serde_json::to_string_pretty(&log).expect("JSON")));
        }
        Format::Text | Format::Markdown => {
            for (path, source, report) in &loaded {
                if several {
                    crate::out(&if args.format == Format::Text {
                        format!("==> {path} <==\n")
                    } else {
                        format!("# {path}\n\n")
                    });
                }
                crate::out(&match args.format {
                    Format::Text => text::compose(source, report, Style { colour: crate::colour(), full: false }),
                    _ => poolfix_engine::report::markdown::compose(report),
                });
            }
        }
        Format::Github => {
            let lines: String = loaded
                .iter()
                .flat_map(|(path, _, report)| {
                    report
                        .findings
                        .iter()
                        .map(|f| crate::github::annotation(&f.finding, shown(path), f.line, f.column) + "\n")
                })
                .collect();
            crate::out(&lines);
        }
    }
    let failed = |r: &ComposeReport| r.has_errors() || over_budget(r) || plan_fails(r);
    if loaded.iter().any(|(_, _, r)| failed(r)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The fixed file, analysed again before it is shown: fixing it must change nothing and find
/// nothing the original did not (a fix that leaves a new problem is not a fix).
fn fixed_is_final(report: &ComposeReport, options: &ComposeOptions) -> Result<(), String> {
    let again = analyze_compose(&report.fixed, options);
    if !again.edits.is_empty() {
        return Err(format!(
            "the fixed file would be changed again (a poolfix bug, please report it):\n{}",
            again.diff
        ));
    }
    let before: Vec<&str> = report.findings.iter().map(|f| f.finding.rule.code).collect();
    match again.findings.iter().find(|f| !before.contains(&f.finding.rule.code)) {
        Some(f) => Err(format!(
            "the fixed file has a finding the original did not ({} {}; a poolfix bug, please report it)",
            f.finding.rule.code, f.finding.message
        )),
        None => Ok(()),
    }
}

pub fn fix(args: FixArgs) -> ExitCode {
    let (source, report, options) = match load_with_options(&args.common) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    if report.invalid {
        eprint!("{}", text::compose(&source, &report, Style::default()));
        return ExitCode::from(1);
    }
    if let Err(e) = fixed_is_final(&report, &options) {
        eprintln!("poolfix: {e}");
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
    if plan_fails(&report) {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

pub fn plan(args: PlanArgs) -> ExitCode {
    match load(&args.common) {
        Ok((source, report)) if report.invalid => {
            eprint!("{}", text::compose(&source, &report, Style::default()));
            ExitCode::from(1)
        }
        Ok((_, report)) => {
            crate::out(&report.plan.to_markdown());
            if plan_fails(&report) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(e),
    }
}
