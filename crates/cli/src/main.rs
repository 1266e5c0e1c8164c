//! `poolfix` on the command line: the same engine as the web page, for CI.

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "poolfix",
    version,
    about = "Finds Supabase connection-pool problems before they become outages"
)]
struct Cli {}

fn main() {
    let _ = Cli::parse();
}
