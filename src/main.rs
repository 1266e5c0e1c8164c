//! poolfix's checker in the browser: the interactive part of `check/`, rendered by Leptos.
//! The home page and the guide are static HTML (see `crates/guide/src/site.rs`); all
//! analysis is done by `poolfix_engine`; nothing here talks to a server.

mod base;
mod checker;
mod clipboard;

use wasm_bindgen::JsCast;

fn main() {
    let document = leptos::prelude::document();
    // The page shell holds a "Loading…" line in #checker-app; the app takes its place.
    let Some(root) = document.get_element_by_id("checker-app") else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root.unchecked_into(), checker::CheckerPage).forget();
}
