//! The plan options: each way to make the pools fit, its pools after and its cost, with the
//! one the fix implements selected. Picking another re-runs the analysis with it (and the
//! share link keeps the choice). Written as an HTML string like the budget (budget.rs); one
//! change handler on the fieldset reads the picked radio button.

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::prelude::*;
use poolfix_engine::compose::{planner, Planned};

use super::{derived, handler, Analysis, Checker};

fn options_html(p: &Planned) -> String {
    let mut out = String::from(r#"<fieldset class="plan-options"><legend>How to make it fit</legend>"#);
    for (i, o) in p.options.iter().enumerate() {
        let checked = if i == p.chosen { " checked" } else { "" };
        let offered = if o.alternative { " (offered only)" } else { "" };
        let verdict = if o.fits { "fits" } else { "does not fit" };
        let pools: Vec<String> = o.pools.iter().map(|p| p.summary()).collect();
        let _ = write!(
            out,
            r#"<label class="plan-option"><input type="radio" name="plan" value="{}"{checked}> <strong>{}</strong> — {}{offered}: {verdict}<small>{}. Costs: {}</small></label>"#,
            o.id,
            o.id,
            esc(&o.title),
            esc(&pools.join("; ")),
            esc(&o.cost)
        );
    }
    if let Some(n) = &p.needs {
        let _ = write!(out, r#"<p class="warn">Nothing fits: {}.</p>"#, esc(n));
    }
    out.push_str("</fieldset>");
    out
}

/// An option was picked: the analysis runs again with it.
fn pick(c: Checker, ev: leptos::ev::Event) {
    let id = event_target_value(&ev);
    c.settings.update(|s| s.plan = planner::IDS.into_iter().find(|known| *known == id));
}

/// The options' place on the page: written into it only when there is a choice to make.
#[component]
pub fn PlanOptions() -> impl IntoView {
    let c = Checker::from_context();
    let html = derived(c, |c| match c.analysis.get() {
        Analysis::Compose(r) if r.planned.options.len() > 1 || !r.planned.fits() => options_html(&r.planned),
        _ => String::new(),
    });
    view! { <div on:change=handler(c, pick) inner_html=html></div> }
}
