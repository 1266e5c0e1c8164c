//! The connection budget: an SVG bar chart drawn by the app (before and after per service,
//! against the limit line, per pooler endpoint), with the same numbers as a table beside it.

use leptos::prelude::*;
use poolfix_engine::compose::budget::count_label as show;
use poolfix_engine::compose::BudgetGroup;

use super::{Analysis, Checker};

// Whole-pixel coordinates: integers keep float formatting out of the wasm. Each service's name
// sits above its bars, so the chart stays narrow and its text readable at 360 px.
const BAR_H: u32 = 14;
const LABEL_H: u32 = 16;
const ROW_H: u32 = LABEL_H + 2 * BAR_H + 2 + 12;
const CHART_W: u32 = 360;

/// One group's chart: two bars per service (before, after) and the limit as a line.
#[component]
fn GroupChart(group: BudgetGroup) -> impl IntoView {
    let limit = group.limit.unwrap_or(0);
    let max = group
        .services
        .iter()
        .flat_map(|(_, b, a)| [b.unwrap_or(0), a.unwrap_or(0)])
        .chain([limit])
        .max()
        .unwrap_or(1)
        .max(1);
    // Room at the right for the largest value's label.
    let width = CHART_W - 40;
    let scale = |v: Option<u32>| v.map_or(width + 10, |v| (v.min(max) as u64 * width as u64 / max as u64) as u32);
    let height = group.services.len() as u32 * ROW_H + 24;
    let limit_x = scale(Some(limit)) + 1;
    let title = format!(
        "{} {}: {} connections before, {} after, limit {}",
        group.host,
        group.mode.map_or("?", |m| m.as_str()),
        show(group.before),
        show(group.after),
        show(group.limit)
    );
    view! {
        <svg class="chart" viewBox=format!("0 0 {CHART_W} {height}") role="img" aria-label=title>
            // The limit line first, so names and values are drawn over it.
            {group.limit.map(|_| view! { <line x1=limit_x x2=limit_x y1="0" y2=height - 18 class="limit"/> })}
            {group.services.iter().enumerate().map(|(i, (name, b, a))| {
                let y = i as u32 * ROW_H + 4;
                let bars = y + LABEL_H;
                view! {
                    <g>
                        <text x="0" y=y + 12 class="label">{name.clone()}</text>
                        <rect x="0" y=bars width=scale(*b) height=BAR_H class="before"/>
                        <text x=scale(*b) + 4 y=bars + BAR_H - 3 class="value">{show(*b)}</text>
                        <rect x="0" y=bars + BAR_H + 2 width=scale(*a) height=BAR_H class="after"/>
                        <text x=scale(*a) + 4 y=bars + 2 * BAR_H - 1 class="value">{show(*a)}</text>
                    </g>
                }
            }).collect_view()}
            {group.limit.map(|l| view! {
                <text x=limit_x.saturating_sub(24) y=height - 4 class="limit-label">{format!("limit {l}")}</text>
            })}
        </svg>
    }
}

#[component]
pub fn BudgetView() -> impl IntoView {
    let c = expect_context::<Checker>();
    let groups = move || match c.analysis.get() {
        Analysis::Compose(r) => r.budget.groups.clone(),
        _ => Vec::new(),
    };
    // Rebuilt in place on every analysis: tachys updates what changed.
    move || {
        let groups = groups();
        (!groups.is_empty()).then(|| view! {
            <section class="budget" aria-labelledby="budget-title">
                <h2 id="budget-title">"Connection budget"</h2>
                <p class="legend"><span class="swatch before"></span>" before the fix "<span class="swatch after"></span>" after the fix"</p>
                {groups.into_iter().map(|g| {
                    let caption = format!("{} — {} mode, limit: {}", g.host, g.mode.map_or("?", |m| m.as_str()), g.limit_label);
                    let over = g.limit.is_some_and(|l| g.after.is_none_or(|a| a > l - g.headroom()));
                    view! {
                        <figure class="group">
                            <figcaption>{caption.clone()}</figcaption>
                            <GroupChart group=g.clone()/>
                            <div class="table-wrap" tabindex="0" role="region" aria-label=format!("Budget table: {caption}")>
                                <table>
                                    <thead><tr><th scope="col">"service"</th><th scope="col">"before"</th><th scope="col">"after"</th></tr></thead>
                                    <tbody>
                                        {g.services.iter().map(|(n, b, a)| view! {
                                            <tr><th scope="row">{n.clone()}</th><td>{show(*b)}</td><td>{show(*a)}</td></tr>
                                        }).collect_view()}
                                        <tr class="total"><th scope="row">"total"</th><td>{show(g.before)}</td><td>{show(g.after)}</td></tr>
                                        <tr><th scope="row">"limit"</th><td colspan="2">{format!("{} (keep {} free)", show(g.limit), g.headroom())}</td></tr>
                                        {g.reserve.map(|r| view! {
                                            <tr><th scope="row">"server connections left by the session port"</th><td colspan="2">{r}</td></tr>
                                        })}
                                    </tbody>
                                </table>
                            </div>
                            {over.then(|| view! { <p class="warn">"Still over the limit less headroom after the fix: see the findings."</p> })}
                        </figure>
                    }
                }).collect_view()}
            </section>
        })
    }
}
