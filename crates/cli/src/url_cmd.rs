//! `poolfix url`: the URL doctor.

use std::process::ExitCode;

use clap::Args;
use poolfix_engine::knowledge::services::ServiceKind;
use poolfix_engine::report::json;
use poolfix_engine::report::text::{self, Style};
use poolfix_engine::span::line_col;
use poolfix_engine::url_doctor::{analyze_url, ModeChoice, UrlOptions};

use crate::Format;

#[derive(Args)]
pub struct UrlArgs {
    /// The connection URL, or `-` to read it from standard input.
    pub url: String,
    /// What uses the URL: MLflow's server, MLflow's client in a job (`mlflow-client`), Prefect 3.1+
    /// (`prefect`), Prefect 2.x/3.0 (`prefect2`), another SQLAlchemy program, or a libpq tool such as psql.
    #[arg(long = "for", value_parser = crate::values::service(), default_value = "sqlalchemy")]
    pub service: ServiceKind,
    /// Pooler mode to end up in; poolfix never switches on its own.
    #[arg(long, value_parser = crate::values::mode(), default_value = "keep")]
    pub mode: ModeChoice,
    /// The Supabase compute size, for the client limits the note states (all sizes when not given).
    #[arg(long, value_parser = crate::values::compute())]
    pub compute: Option<&'static poolfix_engine::knowledge::compute::Compute>,
    /// A .env file: `${VAR}` in the URL resolve from it to judge where it points (fixes keep them).
    #[arg(long = "env-file")]
    pub env_file: Option<String>,
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
    options.compute = args.compute;
    if let Some(path) = &args.env_file {
        match std::fs::read_to_string(path) {
            Ok(env) => options.vars = poolfix_engine::dotenv::parse_env(&env),
            Err(e) => {
                eprintln!("poolfix: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let report = analyze_url(&text, &options);
    match args.format {
        Format::Json => {
            crate::out(&format!("{}\n", serde_json::to_string_pretty(&json::url(&text, &report)).expect("JSON")))
        }
        Format::Text => crate::out(&text::url(&text, &report, Style { colour: crate::colour(), full: false })),
        Format::Markdown => crate::out(&poolfix_engine::report::markdown::urls(&text, &[(0, &report)])),
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
        Format::Sarif => {
            eprintln!("poolfix: --format sarif is for `poolfix check` (findings in files); use --format json here");
            return ExitCode::from(2);
        }
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
