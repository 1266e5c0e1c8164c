//! The connection budget: an SVG bar chart (before and after per service, against the limit
//! line, per pooler endpoint), with the same numbers as a table beside it.
//!
//! Written as one HTML string and set as the section's content: the same markup as Leptos
//! views, for about a tenth of their wasm (every text is escaped with `html-escape`).

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::prelude::*;
use poolfix_engine::compose::budget::count_label as show;
use poolfix_engine::compose::BudgetGroup;

use super::{derived, Analysis, Checker};

// Whole-pixel coordinates: integers keep float formatting out of the wasm. Each service's name
// sits above its bars, so the chart stays narrow and its text readable at 360 px.
const BAR_H: u32 = 14;
const LABEL_H: u32 = 16;
const ROW_H: u32 = LABEL_H + 2 * BAR_H + 2 + 12;
const CHART_W: u32 = 360;

/// One group's chart: two bars per service (before, after) and the limit as a line.
fn chart(out: &mut String, group: &BudgetGroup) {
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
    let _ =
        write!(out, r#"<svg class="chart" viewBox="0 0 {CHART_W} {height}" role="img" aria-label="{}">"#, esc(&title));
    // The limit line first, so names and values are drawn over it.
    if group.limit.is_some() {
        let _ = write!(out, r#"<line x1="{limit_x}" x2="{limit_x}" y1="0" y2="{}" class="limit"></line>"#, height - 18);
    }
    for (i, (name, b, a)) in group.services.iter().enumerate() {
        let y = i as u32 * ROW_H + 4;
        let bars = y + LABEL_H;
        let _ = write!(out, r#"<g><text x="0" y="{}" class="label">{}</text>"#, y + 12, esc(name));
        for (n, v) in [(0, b), (1, a)] {
            let class = if n == 0 { "before" } else { "after" };
            let top = bars + n * (BAR_H + 2);
            let _ = write!(
                out,
                r#"<rect x="0" y="{top}" width="{}" height="{BAR_H}" class="{class}"></rect><text x="{}" y="{}" class="value">{}</text>"#,
                scale(*v),
                scale(*v) + 4,
                top + BAR_H - 3 + n,
                show(*v)
            );
        }
        out.push_str("</g>");
    }
    if let Some(l) = group.limit {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" class="limit-label">limit {l}</text>"#,
            limit_x.saturating_sub(24),
            height - 4
        );
    }
    out.push_str("</svg>");
}

/// One group: caption, chart, table, and a warning when it is still over.
fn group(out: &mut String, g: &BudgetGroup) {
    let caption = format!("{} — {} mode, limit: {}", g.host, g.mode.map_or("?", |m| m.as_str()), g.limit_label);
    let caption = esc(&caption);
    let _ = write!(out, r#"<figure class="group"><figcaption>{caption}</figcaption>"#);
    chart(out, g);
    let _ = write!(
        out,
        r#"<div class="table-wrap" tabindex="0" role="region" aria-label="Budget table: {caption}"><table><thead><tr><th scope="col">service</th><th scope="col">before</th><th scope="col">after</th></tr></thead><tbody>"#
    );
    for (n, b, a) in &g.services {
        let _ = write!(out, r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#, esc(n), show(*b), show(*a));
    }
    let _ = write!(
        out,
        r#"<tr class="total"><th scope="row">total</th><td>{}</td><td>{}</td></tr><tr><th scope="row">limit</th><td colspan="2">{} (keep {} free)</td></tr>"#,
        show(g.before),
        show(g.after),
        show(g.limit),
        g.headroom()
    );
    if let Some(r) = g.reserve {
        let _ = write!(
            out,
            r#"<tr><th scope="row">server connections left by the session port</th><td colspan="2">{r}</td></tr>"#
        );
    }
    out.push_str("</tbody></table></div>");
    if g.limit.is_some_and(|l| g.after.is_none_or(|a| a > l - g.headroom())) {
        out.push_str(r#"<p class="warn">Still over the limit less headroom after the fix: see the findings.</p>"#);
    }
    out.push_str("</figure>");
}

/// The section, or nothing when there is no budget.
fn budget_html(groups: &[BudgetGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        r#"<section class="budget" aria-labelledby="budget-title"><h2 id="budget-title">Connection budget</h2><p class="legend"><span class="swatch before"></span> before the fix <span class="swatch after"></span> after the fix</p>"#,
    );
    for g in groups {
        group(&mut out, g);
    }
    out.push_str("</section>");
    out
}

/// The budget's place on the page: the section is written into it only when there is one.
#[component]
pub fn BudgetView() -> impl IntoView {
    let c = Checker::from_context();
    let html = derived(c, |c| match c.analysis.get() {
        Analysis::Compose(r) => budget_html(&r.budget.groups),
        _ => String::new(),
    });
    view! { <div inner_html=html></div> }
}
