//! poolfix's checker in the browser: the interactive part of `check/`, rendered by Leptos.
//! The home page and the guide are static HTML (see `crates/guide/src/site.rs`); all
//! analysis is done by `poolfix_engine`; nothing here talks to a server.

mod base;
mod checker;
mod clipboard;

use wasm_bindgen::JsCast;

fn main() {
    // Let the browser paint the page as served (heading, text box with the example) before
    // the app replaces it: a timer set in an animation frame runs after that frame's paint.
    leptos::prelude::request_animation_frame(|| leptos::prelude::set_timeout(mount, std::time::Duration::ZERO));
}

fn mount() {
    let document = leptos::prelude::document();
    // The page shell draws the input column in #checker-app until the app takes its place;
    // whatever was typed into its text box meanwhile is kept.
    let Some(root) = document.get_element_by_id("checker-app") else {
        return;
    };
    let typed = document
        .get_element_by_id("input")
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .filter(|text| text != checker::SEED_COMPOSE);
    root.set_inner_html("");
    leptos::mount::mount_to(root.unchecked_into(), move || checker::CheckerPage(checker::CheckerPageProps { typed }))
        .forget();
}
