//! poolfix's analysis engine.
//!
//! Pure Rust: no leptos, web-sys, wasm-bindgen or file system. The web page, the CLI and the
//! tests are thin faces on it, so the same input gives the same report everywhere.

pub mod rules;
