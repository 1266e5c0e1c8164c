//! trunk's post-build hook: writes the static pages of the site around trunk's build.
//!
//! `poolfix-site [DIR]` reads `DIR/index.html` as trunk wrote it (stylesheet, wasm loader,
//! base href), renders the guide from `content/`, and writes every page into `DIR`
//! (default: `$TRUNK_STAGING_DIR`). A broken internal link in the guide fails the build.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("dist"));
    match run(&dir) {
        Ok(count) => {
            println!("poolfix-site: wrote {count} files into {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("poolfix-site: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path) -> Result<usize, String> {
    let index = dir.join("index.html");
    let trunk = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let assets = poolfix_guide::site::Assets::from_trunk(&trunk)?;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let guide = poolfix_guide::load(&content)?;
    let written =
        poolfix_guide::site::write_site(&guide, dir, &assets).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(written.len())
}
