//! The plan options: each way to make the pools fit, its pools after and its cost, with the
//! one the fix implements selected. Picking another re-runs the analysis with it (and the
//! share link keeps the choice).

use leptos::prelude::*;
use poolfix_engine::compose::budget::count_label as show;
use poolfix_engine::compose::{planner, PlanOption};

use super::{Analysis, Checker};

fn pools(o: &PlanOption) -> String {
    let each: Vec<String> = o
        .pools
        .iter()
        .map(|p| format!("{}: {} of {}", p.pool, show(p.after), p.room.map_or("?".into(), |r| r.to_string())))
        .collect();
    each.join("; ")
}

#[component]
pub fn PlanOptions() -> impl IntoView {
    let c = expect_context::<Checker>();
    let report = move || match c.analysis.get() {
        Analysis::Compose(r) if r.planned.options.len() > 1 || !r.planned.fits() => Some(r),
        _ => None,
    };
    move || {
        report().map(|r| {
            let p = &r.planned;
            let chosen = p.chosen;
            view! {
                <fieldset class="plan-options">
                    <legend>"How to make it fit"</legend>
                    {p.options.iter().enumerate().map(|(i, o)| {
                        let id = planner::IDS.into_iter().find(|k| *k == o.id);
                        let verdict = if o.fits { "fits" } else { "does not fit" };
                        let offered = if o.alternative { " (offered only)" } else { "" };
                        view! {
                            <label class="plan-option">
                                <input type="radio" name="plan" value=o.id prop:checked=i == chosen
                                    on:change=move |_| c.settings.update(|s| s.plan = id)/>
                                <strong>{o.id}</strong>{format!(" — {}{offered}: {verdict}", o.title)}
                                <small>{format!("{}. Costs: {}", pools(o), o.cost)}</small>
                            </label>
                        }
                    }).collect_view()}
                    {p.needs.clone().map(|n| view! { <p class="warn">{format!("Nothing fits: {n}.")}</p> })}
                </fieldset>
            }
        })
    }
}
