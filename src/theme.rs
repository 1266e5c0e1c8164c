//! Light and dark themes: the system preference by default, a toggle that remembers the
//! choice in localStorage.

use leptos::prelude::*;

const KEY: &str = "poolfix-theme";

fn stored() -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(KEY).ok().flatten()
}

fn system_prefers_dark() -> bool {
    window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}

fn apply(theme: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// A button that switches between the light and dark theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let initial = stored().unwrap_or_else(|| if system_prefers_dark() { "dark".into() } else { "light".into() });
    let (theme, set_theme) = signal(initial);
    Effect::new(move |_| apply(&theme.get()));
    let toggle = move |_| {
        let next = if theme.get_untracked() == "dark" { "light" } else { "dark" };
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(KEY, next);
        }
        set_theme.set(next.to_string());
    };
    view! {
        <button type="button" class="theme-toggle" on:click=toggle
            aria-label=move || if theme.get() == "dark" { "Switch to light theme" } else { "Switch to dark theme" }>
            {move || if theme.get() == "dark" { "☀ Light" } else { "☾ Dark" }}
        </button>
    }
}
