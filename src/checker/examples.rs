//! Example inputs: the seed scenario a newcomer sees first, and a few others.

use leptos::prelude::*;

use super::Checker;

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

#[component]
pub fn ExamplePicker() -> impl IntoView {
    let c = expect_context::<Checker>();
    view! {
        <label class="examples">"Example "
            <select on:change:target=move |ev| {
                let i = ev.target().selected_index();
                if let Some((_, text)) = usize::try_from(i - 1).ok().and_then(|i| EXAMPLES.get(i)) {
                    c.input.set(text.to_string());
                    c.env.set(String::new());
                }
            }>
                <option value="">"Choose an example…"</option>
                {EXAMPLES.iter().map(|(name, _)| view! { <option>{*name}</option> }).collect_view()}
            </select>
        </label>
    }
}
