//! `poolfix` on the command line: the same engine as the web page, for CI.
//!
//! Exit status: 0 when nothing is wrong (warnings allowed), 1 when errors are found,
//! 2 for bad usage (clap's own exit code for argument errors).

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod compose_cmd;
mod explain_cmd;
mod github;
mod url_cmd;
mod values;

#[derive(Parser)]
#[command(name = "poolfix", version, about = "Finds Supabase connection-pool problems before they become outages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check one connection URL (or libpq key=value string) and print the corrected URL and settings.
    Url(url_cmd::UrlArgs),
    /// Check a docker-compose file: findings, the connection budget before and after.
    Check(compose_cmd::CheckArgs),
    /// Print the fixed compose file (or its diff, or write it back).
    Fix(compose_cmd::FixArgs),
    /// Print the rollout checklist and rollback steps as markdown.
    Plan(compose_cmd::PlanArgs),
    /// Explain the error lines of a log (or pasted error text): what each means, its fix, and
    /// with --compose the services it most likely comes from; unknown errors are listed as such.
    Explain(explain_cmd::ExplainArgs),
}

/// Output format.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, with colour on a terminal.
    Text,
    /// The whole report as JSON (documented in the README).
    Json,
    /// GitHub Actions annotations, one per finding.
    Github,
    /// Markdown, for a pull-request comment or a ticket (passwords masked).
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning and editors (`check` only).
    Sarif,
}

/// Writes to standard output. A reader that stops early (`poolfix check … | head`) closes the
/// pipe: that ends the output quietly instead of panicking as `print!` would.
pub fn out(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// Whether to colour text output.
pub fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Url(args) => url_cmd::run(args),
        Command::Check(args) => compose_cmd::check(args),
        Command::Fix(args) => compose_cmd::fix(args),
        Command::Plan(args) => compose_cmd::plan(args),
        Command::Explain(args) => explain_cmd::run(args),
    }
}
