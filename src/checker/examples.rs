//! Example inputs: the seed scenario a newcomer sees first, and a few others.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{handler, Checker};

/// MLflow, a Prefect server, an API and a Prefect worker sharing one Supabase session pooler.
pub const SEED_COMPOSE: &str = include_str!("../../examples/seed-compose.yml");

pub const EXAMPLES: &[(&str, &str)] = &[
    ("MLflow + Prefect + API + worker (session pooler)", SEED_COMPOSE),
    ("API and Celery workers", include_str!("../../tests/compose/api-celery.yml")),
    ("Prefect 2 on the transaction pooler", include_str!("../../tests/compose/prefect-2x.yml")),
    ("MLflow 2.x on the direct host", include_str!("../../tests/compose/mlflow-2x-gunicorn.yml")),
    ("Anchors and merge keys", include_str!("../../tests/compose/anchors-and-merge.yml")),
    ("Connection URLs", include_str!("../../examples/urls.txt")),
];

/// The picker as HTML (less wasm than a view, see budget.rs): names are the constants above.
fn picker_html() -> String {
    let mut out = String::from(r#"Example <select><option value="">Choose an example…</option>"#);
    for (name, _) in EXAMPLES {
        out.push_str("<option>");
        out.push_str(name);
        out.push_str("</option>");
    }
    out.push_str("</select>");
    out
}

/// An example was picked: it replaces the input and the .env.
fn pick(c: Checker, ev: leptos::ev::Event) {
    let Some(select) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
    if let Some((_, text)) = usize::try_from(select.selected_index() - 1).ok().and_then(|i| EXAMPLES.get(i)) {
        c.replace(text.to_string(), String::new());
    }
}

#[component]
pub fn ExamplePicker() -> impl IntoView {
    let c = Checker::from_context();
    view! { <label class="examples" on:change=handler(c, pick) inner_html=picker_html()></label> }
}
