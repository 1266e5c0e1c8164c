//! The checker page: paste a compose file or connection URLs, get the analysis.

use leptos::prelude::*;

use crate::guide::set_title;

/// The seed scenario every newcomer sees first: MLflow, a Prefect server, an API and a
/// Prefect worker sharing one Supabase session pooler.
pub const SEED_COMPOSE: &str = include_str!("../examples/seed-compose.yml");

#[component]
pub fn CheckerPage() -> impl IntoView {
    set_title("Checker — poolfix");
    let (input, set_input) = signal(SEED_COMPOSE.to_string());
    let lines = Memo::new(move |_| input.with(|t| t.lines().count()));
    view! {
        <section class="checker">
            <h1>"Check your connection settings"</h1>
            <p class="lede">"Paste a docker-compose file or one connection URL per line. Nothing leaves this page."</p>
            <label for="input">"Compose file or connection URLs"</label>
            <textarea id="input" class="input" spellcheck="false" rows="24"
                prop:value=move || input.get()
                on:input:target=move |ev| set_input.set(ev.target().value())>
            </textarea>
            <p class="status" role="status">{move || format!("{} lines", lines.get())}</p>
        </section>
    }
}
