//! The path the site is served under (`/` or e.g. `/poolfix/`), read from the `<base>`
//! element that trunk fills with `--public-url`. Every internal link is built from it, so
//! one build works at whatever sub-path it was built for.

use std::sync::OnceLock;

/// The base path, always ending with `/`.
pub fn base() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let href = leptos::prelude::document()
            .query_selector("base")
            .ok()
            .flatten()
            .and_then(|b| b.get_attribute("href"))
            .unwrap_or_else(|| "/".into());
        if href.ends_with('/') {
            href
        } else {
            format!("{href}/")
        }
    })
}

/// An absolute link to a page of the site, e.g. `href("guide/mlflow")`.
pub fn href(path: &str) -> String {
    format!("{}{}", base(), path)
}
