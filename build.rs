//! Renders `content/*.md` (and the engine's rule reference) to HTML at build time, so the
//! markdown parser never ships in the wasm. A broken internal link fails the build.

use std::path::Path;

fn main() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    println!("cargo:rerun-if-changed={}", content.display());
    println!("cargo:rerun-if-changed=crates/engine/src");
    let guide = poolfix_guide::load(&content).unwrap_or_else(|e| panic!("{e}"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("guide.rs");
    std::fs::write(&out, poolfix_guide::to_rust(&guide)).expect("write the rendered guide");
}
