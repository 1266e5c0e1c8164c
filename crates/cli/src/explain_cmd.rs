//! `poolfix explain`: the log doctor.

use std::process::ExitCode;

use clap::Args;
use poolfix_engine::log_doctor::explain_log;
use poolfix_engine::report;

use crate::Format;

#[derive(Args)]
pub struct ExplainArgs {
    /// A log file (or pasted error text), or `-` for standard input.
    pub log: String,
    /// The compose file the log came from: the services whose findings point at each error's
    /// cause are named with it.
    #[arg(long)]
    pub compose: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

fn read(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    // A log need not be UTF-8 throughout: undecodable bytes are replaced, the rest is read.
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("cannot read {path}: {e}"))
}

/// Exit status 0 (the log was read and explained; unknown lines are listed), 2 when a file
/// cannot be read.
pub fn run(args: ExplainArgs) -> ExitCode {
    let log = match read(&args.log) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let compose = match args.compose.as_deref().map(read).transpose() {
        Ok(t) => t.map(|t| poolfix_engine::analyze_compose(&t, &Default::default())),
        Err(e) => return fail(e),
    };
    let r = explain_log(&log, compose.as_ref());
    match args.format {
        Format::Json => {
            crate::out(&format!("{}\n", serde_json::to_string_pretty(&report::json::log(&r)).expect("JSON")))
        }
        Format::Markdown => crate::out(&report::log::markdown(&r)),
        Format::Text | Format::Github => crate::out(&report::log::text(&r)),
        Format::Sarif => {
            return fail("--format sarif is for `poolfix check` (findings in files); use --format json here".into())
        }
    }
    ExitCode::SUCCESS
}

fn fail(e: String) -> ExitCode {
    eprintln!("poolfix: {e}");
    ExitCode::from(2)
}
