//! A small client-side router: real URLs via the History API, links intercepted on click,
//! deep links resolved on load. Written here instead of using `leptos_router` because that
//! crate cost ~45 KB brotli in the wasm for four fixed routes, half the site's budget.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::base::base;

/// The current location, relative to the site's base: `path` without leading slash
/// (`""`, `"guide/mlflow"`, `"check"`) and `hash` without `#`.
#[derive(Clone, Copy)]
pub struct Location {
    pub path: RwSignal<String>,
    pub hash: RwSignal<String>,
}

/// What a path shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    GuideIndex,
    GuidePage(String),
    Checker,
    NotFound,
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let path = path.trim_matches('/');
        match path.split_once('/') {
            None if path.is_empty() => Route::Home,
            None if path == "guide" => Route::GuideIndex,
            None if path == "check" => Route::Checker,
            Some(("guide", slug)) if !slug.is_empty() && !slug.contains('/') => Route::GuidePage(slug.to_string()),
            _ => Route::NotFound,
        }
    }
}

fn current() -> (String, String) {
    let loc = window().location();
    let pathname = loc.pathname().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    let path = pathname.strip_prefix(base()).or_else(|| (pathname.clone() + "/").strip_prefix(base()).map(|_| ""));
    (path.unwrap_or("\u{0}not-under-base").to_string(), hash.trim_start_matches('#').to_string())
}

/// Sets up the location signals, the link interceptor and the back/forward listener.
pub fn provide_location() -> Location {
    let (path, hash) = current();
    let location = Location { path: RwSignal::new(path), hash: RwSignal::new(hash) };
    provide_context(location);
    let sync = move || {
        let (path, hash) = current();
        location.path.set(path);
        location.hash.set(hash);
    };
    window_event_listener(leptos::ev::popstate, move |_| sync());
    window_event_listener(leptos::ev::click, move |ev| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(anchor) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        if !anchor.target().is_empty() || anchor.has_attribute("download") {
            return;
        }
        let origin = window().location().origin().unwrap_or_default();
        if anchor.origin() != origin || !(anchor.pathname() + "/").starts_with(base()) {
            return;
        }
        ev.prevent_default();
        let href = anchor.href();
        let same_page = anchor.pathname() == window().location().pathname().unwrap_or_default();
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
        }
        sync();
        if !same_page && anchor.hash().is_empty() {
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    });
    location
}

pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// Scrolls to the element named by the URL's fragment once it is in the DOM.
pub fn scroll_to_hash(hash: &str) {
    if hash.is_empty() {
        return;
    }
    if let Some(el) = document().get_element_by_id(hash) {
        el.scroll_into_view();
    }
}
