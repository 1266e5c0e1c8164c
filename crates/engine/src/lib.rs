//! poolfix's analysis engine.
//!
//! Pure Rust: no leptos, web-sys, wasm-bindgen or file system. The web page, the CLI and the
//! tests are thin faces on it, so the same input gives the same report everywhere.
//!
//! Layout (CONTRIBUTING.md walks through it): `knowledge` holds the facts as tables; `conn` and
//! `yaml` parse with spans; `url_doctor` and `compose` run the stages; `rules` hold one check
//! per file; `model` and `diagnostic` are the types they pass along; `report` renders.
#![warn(clippy::too_many_lines)]

pub mod compose;
pub mod conn;
pub mod diagnostic;
pub mod dotenv;
pub mod fix;
pub mod knowledge;
pub mod log_doctor;
pub mod model;
pub mod order;
pub mod placeholder;
pub mod redact;
pub mod report;
pub mod rules;
pub mod span;
pub mod url_doctor;
pub mod yaml;

pub use compose::{analyze_compose, ComposeOptions, ComposeReport};
pub use url_doctor::{analyze_url, ModeChoice, UrlOptions, UrlReport};
