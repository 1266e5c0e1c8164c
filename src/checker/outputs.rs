//! The outputs, in tabs: corrected settings per service (with the explain view), the fixed
//! file, the diff, the `.env` lines, the rollout checklist and the rollback. Each has copy and
//! download buttons; "Copy as markdown" gives the whole report for a ticket.

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::prelude::*;
use poolfix_engine::compose::plan::{Plan, Step};
use poolfix_engine::report;
use poolfix_engine::url_doctor::{mask_password, ExplainPart, UrlReport};

use super::{button_of, derived, handler, Analysis, Checker};
use crate::clipboard::{copy, download};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Settings,
    Fixed,
    Diff,
    Env,
    Checklist,
    Rollback,
}

/// (tab, id, label, the file its Download button saves).
const TABS: &[(Tab, &str, &str, &str)] = &[
    (Tab::Settings, "settings", "Corrected settings", "settings.txt"),
    (Tab::Fixed, "fixed", "Fixed file", "docker-compose.yml"),
    (Tab::Diff, "diff", "Diff", "poolfix.diff"),
    (Tab::Env, "env", ".env lines", "poolfix.env"),
    (Tab::Checklist, "checklist", "Rollout checklist", "rollout.md"),
    (Tab::Rollback, "rollback", "Rollback", "rollback.md"),
];

/// The settings tab's copyable blocks: (text, download file name), in the order of the buttons
/// that carry their index (`data-copy`, `data-download`).
type Copyables = Vec<(String, &'static str)>;

/// "Copy" and "Download" buttons for one block, read by the section's click handler (see
/// [`Outputs`]).
fn actions(out: &mut String, copies: &mut Copyables, text: String, file: &'static str, what: &str) {
    let i = copies.len();
    copies.push((text, file));
    let _ = write!(
        out,
        r#"<span class="actions"><button type="button" data-copy="{i}" aria-label="Copy {what}">Copy</button><button type="button" data-download="{i}" aria-label="Download {what} as {file}">Download</button></span>"#
    );
}

/// A URL with each part coloured and explained; a literal password is masked.
fn explain(out: &mut String, url: &str, parts: &[ExplainPart]) {
    out.push_str(r#"<div class="explain"><code class="url">"#);
    let mut at = 0;
    for p in parts {
        if p.span.start < at || p.span.end > url.len() {
            continue;
        }
        let shown = if p.kind == "password" { p.text.as_str() } else { &url[p.span.start..p.span.end] };
        let _ = write!(
            out,
            r#"<span>{}</span><span class="part {}" title="{}">{}</span>"#,
            esc(&url[at..p.span.start]),
            p.kind,
            esc(&p.note),
            esc(shown)
        );
        at = p.span.end;
    }
    let _ = write!(out, r#"<span>{}</span></code><dl class="notes">"#, esc(url.get(at..).unwrap_or("")));
    for p in parts {
        let _ = write!(out, r#"<dt class="part {}">{}</dt><dd>{}</dd>"#, p.kind, esc(&p.text), esc(&p.note));
    }
    out.push_str("</dl></div>");
}

fn env_text(env: &[(String, String)]) -> String {
    env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

/// A URL as explained and corrected (password masked on screen, kept in what is copied).
/// `corrected` is the URL as its variable holds it (with Celery's `db+` where the service strips one).
fn url_blocks(
    out: &mut String,
    copies: &mut Copyables,
    title: &str,
    url: &str,
    report: &UrlReport,
    corrected: Option<String>,
) {
    if !report.explain.is_empty() {
        explain(out, url, &report.explain);
    }
    if let Some(c) = corrected {
        let _ =
            write!(out, r#"<h4>{}</h4><pre class="out" tabindex="0">{}</pre>"#, esc(title), esc(&mask_password(&c)));
        actions(out, copies, c, "url.txt", "the corrected URL");
    }
}

/// The settings to add and the create_engine() snippet: the same blocks for a pasted URL and a
/// compose service.
fn settings_blocks(out: &mut String, copies: &mut Copyables, env: String, env_title: &str, snippet: Option<&str>) {
    if !env.is_empty() {
        let _ = write!(out, r#"<h4>{env_title}</h4><pre class="out" tabindex="0">{}</pre>"#, esc(&env));
        actions(out, copies, env, "service.env", "the environment settings");
    }
    if let Some(s) = snippet {
        let _ = write!(out, r#"<h4>In your code</h4><pre class="out" tabindex="0">{}</pre>"#, esc(s));
    }
}

/// Corrected URLs and settings per service (or per URL), as HTML and its copyable blocks.
fn settings_html(a: &Analysis) -> (String, Copyables) {
    let (mut out, mut copies) = (String::new(), Copyables::new());
    match a {
        Analysis::Empty => out.push_str("<p>Paste something to check.</p>"),
        Analysis::Log(_) => out.push_str("<p>A log: each error line is explained under Findings.</p>"),
        Analysis::Urls(urls) => {
            for (i, u) in urls.iter().enumerate() {
                let r = &u.report;
                let heading = format!("URL {} — {} · {}", i + 1, r.service.label, r.endpoint.label());
                let _ = write!(out, r#"<article class="service"><h3>{}</h3>"#, esc(&heading));
                url_blocks(&mut out, &mut copies, "Corrected URL", &u.text, r, r.corrected_url.clone());
                settings_blocks(&mut out, &mut copies, env_text(&r.env), "Environment", r.snippet.as_deref());
                out.push_str("</article>");
            }
        }
        Analysis::Compose(r) => {
            for s in r.services.iter().filter(|s| s.has_pool() && !s.urls.is_empty()) {
                let version = s.service.version_note().map(|v| format!(" {v}")).unwrap_or_default();
                let heading = format!("{} — {}{version}", s.service.name, s.service.kind.kind);
                let _ = write!(
                    out,
                    r#"<article class="service"><h3>{}</h3><p class="formula">Before: {}<br>After: {}</p>"#,
                    esc(&heading),
                    esc(&s.formula_before),
                    esc(&s.formula_after)
                );
                if let Some((v, why)) = &s.verdict {
                    let _ = write!(out, "<p>Transaction mode: <strong>{}</strong> — {}</p>", v.as_str(), esc(why));
                }
                // A service may read several URLs (an app's and its migrations'): each one.
                for u in &s.urls {
                    let title = match s.urls.len() > 1 {
                        true => format!("Corrected URL ({})", u.source),
                        false => "Corrected URL".into(),
                    };
                    url_blocks(&mut out, &mut copies, &title, &u.url, &u.report, u.corrected_value());
                }
                let env = env_text(&s.env_after);
                settings_blocks(&mut out, &mut copies, env, "Environment to add", s.snippet.as_deref());
                out.push_str("</article>");
            }
        }
    }
    (out, copies)
}

/// The diff, a span per line (classes for colour), as escaped HTML.
fn diff_html(out: &mut String, diff: &str) {
    if diff.is_empty() {
        out.push_str("<p>Nothing to change.</p>");
        return;
    }
    out.push_str(r#"<pre class="out diff" tabindex="0">"#);
    for l in diff.lines() {
        let class = match l.as_bytes().first() {
            _ if l.starts_with("+++") || l.starts_with("---") => "file",
            Some(b'+') => "add",
            Some(b'-') => "del",
            Some(b'@') => "hunk",
            _ => "ctx",
        };
        let _ = writeln!(out, r#"<span class="{class}">{}"#, esc(l));
        out.push_str("</span>");
    }
    out.push_str("</pre>");
}

/// A checklist: a checkbox per step, its commands and checks, what to expect (the list's items).
fn steps_html(steps: &[Step], prefix: &'static str) -> String {
    let mut html = String::new();
    for (i, s) in steps.iter().enumerate() {
        let _ = write!(
            html,
            r#"<li><input type="checkbox" id="{prefix}-{i}"><label for="{prefix}-{i}">{}</label>"#,
            esc(&s.title)
        );
        if !s.commands.is_empty() || !s.checks.is_empty() {
            let lines: String = s.commands.iter().chain(&s.checks).map(|c| format!("{c}\n")).collect();
            let _ = write!(html, r#"<pre class="out" tabindex="0">{}</pre>"#, esc(&lines));
        }
        for e in &s.expect {
            let _ = write!(html, r#"<p class="expect">{}</p>"#, esc(e));
        }
        if let Some(y) = &s.yaml {
            let _ = write!(html, r#"<pre class="out" tabindex="0">{}</pre>"#, esc(y));
        }
        html.push_str("</li>");
    }
    html
}

/// The rollout tab: the checklists, what to watch for, the SQL and the soak.
fn checklist_html(p: &Plan) -> String {
    let mut html = String::new();
    let _ = write!(html, r#"<h3>Before you start</h3><ol class="checklist">{}</ol>"#, steps_html(&p.before, "before"));
    let rollout = steps_html(&p.rollout, "rollout");
    let _ = write!(html, r#"<h3>Roll out, one service at a time</h3><ol class="checklist">{rollout}</ol>"#);
    html.push_str("<h3>Watch the logs for</h3><ul>");
    for w in &p.watch {
        let _ = write!(html, "<li><code>{}</code></li>", esc(w));
    }
    let _ = write!(
        html,
        r#"</ul><h3>Count connections per application</h3><pre class="out" tabindex="0">{}</pre><h3>Soak</h3><p>{}</p>"#,
        esc(&p.sql),
        esc(&p.soak)
    );
    html
}

/// The whole report as markdown, for a ticket. Passwords are masked.
pub fn markdown(a: &Analysis, text: &str) -> String {
    match a {
        Analysis::Compose(r) => report::markdown::compose(r),
        Analysis::Urls(urls) => {
            let reports: Vec<(usize, &UrlReport)> = urls.iter().map(|u| (u.offset, &u.report)).collect();
            report::markdown::urls(text, &reports)
        }
        Analysis::Log(r) => report::log::markdown(r),
        Analysis::Empty => String::new(),
    }
}

/// The text a tab's own Copy and Download buttons give.
fn text_of(a: &Analysis, t: Tab) -> String {
    match (a, t) {
        (Analysis::Compose(r), Tab::Fixed) => r.fixed.clone(),
        (Analysis::Compose(r), Tab::Diff) => r.diff.clone(),
        (Analysis::Compose(r), Tab::Env | Tab::Settings) => r.env_lines.clone(),
        (Analysis::Compose(r), Tab::Checklist) => r.plan.to_markdown(),
        (Analysis::Compose(r), Tab::Rollback) => {
            let mut s = String::new();
            for st in &r.plan.rollback {
                let _ = writeln!(s, "- [ ] {}", st.title);
                for c in &st.commands {
                    let _ = writeln!(s, "  {c}");
                }
            }
            s
        }
        (Analysis::Urls(u), _) => {
            u.iter().filter_map(|l| l.report.corrected_url.clone()).collect::<Vec<_>>().join("\n") + "\n"
        }
        _ => String::new(),
    }
}

/// A tab's content below its buttons.
fn panel_html(out: &mut String, copies: &mut Copyables, a: &Analysis, t: Tab) {
    match (t, a) {
        (Tab::Settings, _) => {
            let (html, blocks) = settings_html(a);
            *copies = blocks;
            let _ = write!(out, "<div>{html}</div>");
        }
        (Tab::Fixed | Tab::Env, Analysis::Compose(r)) => {
            let text = if t == Tab::Fixed { &r.fixed } else { &r.env_lines };
            let _ = write!(out, r#"<pre class="out" tabindex="0">{}</pre>"#, esc(text));
        }
        (Tab::Diff, Analysis::Compose(r)) => diff_html(out, &r.diff),
        (Tab::Checklist, Analysis::Compose(r)) => {
            let _ = write!(out, r#"<div class="plan">{}</div>"#, checklist_html(&r.plan));
        }
        (Tab::Rollback, Analysis::Compose(r)) => {
            let _ = write!(out, r#"<ol class="checklist">{}</ol>"#, steps_html(&r.plan.rollback, "rollback"));
        }
        _ => out.push_str("<p>Only for compose files.</p>"),
    }
}

/// The section: its heading, the markdown button, the tab list and every panel (only `current`
/// shown); the tabs past the first only for a compose file.
fn outputs_html(a: &Analysis, current: Tab) -> (String, Copyables) {
    let compose = matches!(a, Analysis::Compose(r) if !r.invalid);
    let current = if compose { current } else { Tab::Settings };
    let mut out = String::from(
        r#"<section class="outputs" aria-labelledby="outputs-title"><h2 id="outputs-title">What to change</h2><p><button type="button" data-markdown="">Copy as markdown</button></p><div role="tablist" aria-label="Outputs" class="tabs">"#,
    );
    for &(t, id, label, _) in TABS {
        let (selected, index) = if t == current { ("true", "0") } else { ("false", "-1") };
        let hidden = if t != Tab::Settings && !compose { " hidden" } else { "" };
        let _ = write!(
            out,
            r#"<button type="button" role="tab" id="tab-{id}" aria-controls="panel-{id}" aria-selected="{selected}" tabindex="{index}"{hidden}>{label}</button>"#
        );
    }
    out.push_str("</div>");
    let mut copies = Copyables::new();
    for (i, &(t, id, label, file)) in TABS.iter().enumerate() {
        let hidden = if t == current { "" } else { " hidden" };
        let _ = write!(
            out,
            r#"<div role="tabpanel" id="panel-{id}" aria-labelledby="tab-{id}" class="panel"{hidden}><span class="actions"><button type="button" data-copy-tab="{i}" aria-label="Copy {label}">Copy</button><button type="button" data-download-tab="{i}" aria-label="Download {label} as {file}">Download</button></span>"#
        );
        panel_html(&mut out, &mut copies, a, t);
        out.push_str("</div>");
    }
    out.push_str("</section>");
    (out, copies)
}

/// Shows tab `t` and its panel, and hides the others (no re-render: focus stays put).
fn show_tab(t: Tab) {
    let doc = document();
    for &(x, id, ..) in TABS {
        let on = x == t;
        if let Some(b) = doc.get_element_by_id(&format!("tab-{id}")) {
            let _ = b.set_attribute("aria-selected", if on { "true" } else { "false" });
            let _ = b.set_attribute("tabindex", if on { "0" } else { "-1" });
        }
        if let Some(p) = doc.get_element_by_id(&format!("panel-{id}")) {
            let _ = p.toggle_attribute_with_force("hidden", !on);
        }
    }
}

/// The tab a tab button selects.
fn tab_of(button: &web_sys::Element) -> Option<Tab> {
    let id = button.id();
    TABS.iter().find(|x| id.strip_prefix("tab-") == Some(x.1)).map(|x| x.0)
}

/// What the section's handlers read besides the page's state: the tab shown, and the settings
/// tab's copyable blocks.
#[derive(Clone, Copy)]
struct Section {
    c: Checker,
    tab: StoredValue<Tab>,
    copies: StoredValue<Copyables>,
}

impl Section {
    fn select(self, t: Tab) {
        self.tab.set_value(t);
        show_tab(t);
    }
}

/// A click on any button of the section.
fn click(s: Section, ev: leptos::ev::MouseEvent) {
    let Some(b) = button_of(&ev) else { return };
    let index = |name: &str| b.get_attribute(name).and_then(|v| v.parse::<usize>().ok());
    let a = s.c.analysis.get_untracked();
    if let Some(t) = tab_of(&b) {
        s.select(t);
    } else if b.has_attribute("data-markdown") {
        copy(&s.c.input.with_untracked(|t| markdown(&a, t)));
        b.set_text_content(Some("Copied the report"));
    } else if let Some(&(t, ..)) = index("data-copy-tab").and_then(|i| TABS.get(i)) {
        copy(&text_of(&a, t));
        b.set_text_content(Some("Copied"));
    } else if let Some(&(t, _, _, file)) = index("data-download-tab").and_then(|i| TABS.get(i)) {
        download(file, &text_of(&a, t));
    } else if let Some((text, _)) = index("data-copy").and_then(|i| s.copies.with_value(|l| l.get(i).cloned())) {
        copy(&text);
        b.set_text_content(Some("Copied"));
    } else if let Some((text, file)) = index("data-download").and_then(|i| s.copies.with_value(|l| l.get(i).cloned())) {
        download(file, &text);
    }
}

/// The arrow keys move between the tabs that are shown (as in WAI-ARIA's tabs pattern).
fn keydown(s: Section, ev: leptos::ev::KeyboardEvent) {
    let Some(current) = button_of(&ev).as_ref().and_then(tab_of) else { return };
    let compose = matches!(s.c.analysis.get_untracked(), Analysis::Compose(ref r) if !r.invalid);
    let visible: Vec<Tab> = TABS.iter().map(|x| x.0).filter(|x| *x == Tab::Settings || compose).collect();
    let i = visible.iter().position(|x| *x == current).unwrap_or(0);
    let next = match ev.key().as_str() {
        "ArrowRight" => visible[(i + 1) % visible.len()],
        "ArrowLeft" => visible[(i + visible.len() - 1) % visible.len()],
        _ => return,
    };
    s.select(next);
    let id = TABS.iter().find(|x| x.0 == next).map_or("settings", |x| x.1);
    if let Some(el) = document().get_element_by_id(&format!("tab-{id}")) {
        let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&el).focus();
    }
}

/// The outputs, as one HTML string set as the section's content (less wasm than views, see
/// budget.rs); one click and one keydown handler serve every button in it.
#[component]
pub fn Outputs() -> impl IntoView {
    let c = Checker::from_context();
    let s = Section { c, tab: StoredValue::new(Tab::Settings), copies: StoredValue::new(Copyables::new()) };
    let html = derived(s, |s| {
        let (html, blocks) = outputs_html(&s.c.analysis.get(), s.tab.get_value());
        s.copies.set_value(blocks);
        html
    });
    view! { <div on:click=handler(s, click) on:keydown=handler(s, keydown) inner_html=html></div> }
}
