//! poolfix's analysis engine.
//!
//! Pure Rust: no leptos, web-sys, wasm-bindgen or file system. The web page, the CLI and the
//! tests are thin faces on it, so the same input gives the same report everywhere.

pub mod compose;
pub mod conn;
pub mod fix;
pub mod knowledge;
pub mod order;
pub mod placeholder;
pub mod redact;
pub mod rules;
pub mod span;
pub mod url_doctor;

pub use compose::{analyze_compose, ComposeOptions, ComposeReport};
pub use url_doctor::{analyze_url, ModeChoice, UrlOptions, UrlReport};
