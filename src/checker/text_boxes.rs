//! The two text boxes: the compose file or URLs, and the optional .env. Written as HTML (less
//! wasm than views, see budget.rs), each with one input handler on its wrapper; their text is
//! the page's `input` and `env` signals, put into the boxes when something other than typing
//! changes it (an example picked, a share link opened in the same tab).

use html_escape::encode_safe as esc;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{handler, Checker, LARGE_INPUT, TYPING_PAUSE};

/// A text box's markup. The newline after the start tag keeps a text that starts with one
/// (HTML drops the first newline of a `<textarea>`).
fn text_area(id: &str, class: &str, rows: u32, text: &str) -> String {
    format!(
        r#"<textarea id="{id}" class="{class}" spellcheck="false" rows="{rows}" autocomplete="off" wrap="off">
{}</textarea>"#,
        esc(text)
    )
}

/// The text box's input. A large file takes tens of milliseconds to analyse (a 10,000-line
/// file about 95 ms in Chromium here): it is analysed once typing pauses, so that each
/// keystroke stays immediate.
fn text_typed(c: Checker, ev: leptos::ev::Event) {
    let text = event_target_value(&ev);
    if let Some(timer) = c.pending.try_update_value(Option::take).flatten() {
        timer.clear();
    }
    if text.len() < LARGE_INPUT {
        c.input.set(text);
        return;
    }
    let timer = set_timeout_with_handle(move || c.input.set(text), TYPING_PAUSE).ok();
    c.pending.set_value(timer);
}

/// Puts `text` into the text box `id`.
fn show(id: &str, text: &str) {
    if let Some(t) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
        t.set_value(text);
    }
}

impl Checker {
    /// Replaces the text and the .env, in the state and in the boxes.
    pub fn replace(self, text: String, env: String) {
        show("input", &text);
        show("env", &env);
        self.input.set(text);
        self.env.set(env);
    }
}

/// The compose file or URLs.
#[component]
pub fn TextBox() -> impl IntoView {
    let c = Checker::from_context();
    let html = format!(
        r#"<label for="input">Compose file or connection URLs</label>{}"#,
        c.input.with_untracked(|t| text_area("input", "input", 22, t))
    );
    view! { <div on:input=handler(c, text_typed) inner_html=html></div> }
}

/// The .env, folded away until wanted.
#[component]
pub fn EnvBox() -> impl IntoView {
    let c = Checker::from_context();
    let html = format!(
        r#"<summary>.env (optional, for ${{VAR}} values and env_file contents)</summary><label for="env">.env contents</label>{}"#,
        c.env.with_untracked(|t| text_area("env", "input env", 6, t))
    );
    view! { <details class="env-box" on:input=handler(c, |c, ev| c.env.set(event_target_value(&ev))) inner_html=html></details> }
}
