//! poolfix's checker in the browser: the interactive part of `check/`, rendered by Leptos.
//! The home page and the guide are static HTML (see `crates/guide/src/site.rs`); all
//! analysis is done by `poolfix_engine`; nothing here talks to a server.

mod checker;
mod clipboard;

use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

// talc instead of dlmalloc: a few KB less wasm and faster allocation (the page re-analyses on
// every pause in typing).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    forbid_connections_from_first_input();
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
    if typed.is_some() || checker::opened_from_share_link() {
        forbid_connections();
    }
    root.set_inner_html("");
    leptos::mount::mount_to(root.unchecked_into(), move || checker::CheckerPage(checker::CheckerPageProps { typed }))
        .forget();
}

/// The page's own policy allows `connect-src 'self'` so that trunk's loader can fetch the
/// wasm (and so that tools reading the site from inside the page, such as Lighthouse's
/// robots.txt check, can). Once the page holds anything of the user's, it needs no connection
/// at all: a second policy (a page's policies can only add restrictions) turns fetch, XHR,
/// WebSocket and beacons off for the rest of the visit, so nothing pasted can be sent
/// anywhere, not even to this site. It goes in before the page handles the user's first
/// input (a capturing listener), or at once when the page opens with the user's text.
fn forbid_connections_from_first_input() {
    let forbid = Closure::<dyn Fn()>::new(forbid_connections);
    let window = leptos::prelude::window();
    // A paste or a drop that changes a field fires `input` too. (Not `paste` itself: tools
    // send synthetic paste events that change nothing — Lighthouse does, and then reads
    // robots.txt from inside the page.)
    for event in ["input", "change"] {
        let _ = window.add_event_listener_with_callback_and_bool(event, forbid.as_ref().unchecked_ref(), true);
    }
    forbid.forget();
}

fn forbid_connections() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    let document = leptos::prelude::document();
    let (Ok(meta), Ok(Some(head))) = (document.create_element("meta"), document.query_selector("head")) else {
        return;
    };
    let _ = meta.set_attribute("http-equiv", "Content-Security-Policy");
    let _ = meta.set_attribute("content", "connect-src 'none'");
    let _ = head.append_child(&meta);
}
