//! The outputs, in tabs: corrected settings per service (with the explain view), the fixed
//! file, the diff, the `.env` lines, the rollout checklist and the rollback. Each has copy and
//! download buttons; "Copy as markdown" gives the whole report for a ticket.

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::either::{Either, EitherOf6};
use leptos::prelude::*;
use poolfix_engine::compose::plan::{Plan, Step};
use poolfix_engine::report;
use poolfix_engine::url_doctor::{mask_password, ExplainPart, UrlReport};

use super::{Analysis, Checker};
use crate::clipboard::{copy, CopyDownload};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Settings,
    Fixed,
    Diff,
    Env,
    Checklist,
    Rollback,
}

const TABS: &[(Tab, &str, &str)] = &[
    (Tab::Settings, "settings", "Corrected settings"),
    (Tab::Fixed, "fixed", "Fixed file"),
    (Tab::Diff, "diff", "Diff"),
    (Tab::Env, "env", ".env lines"),
    (Tab::Checklist, "checklist", "Rollout checklist"),
    (Tab::Rollback, "rollback", "Rollback"),
];

/// The settings tab's copyable blocks: (text, download file name), in the order of the buttons
/// that carry their index (`data-copy`, `data-download`).
type Copyables = Vec<(String, &'static str)>;

/// "Copy" and "Download" buttons for one block, read by one click handler (see [`act`]): the
/// same markup as [`crate::clipboard::CopyDownload`], as a string (less wasm, see budget.rs).
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

/// Copies or downloads the block of the button that was clicked.
fn act(ev: leptos::ev::MouseEvent, copies: &Copyables) {
    use wasm_bindgen::JsCast;
    let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let Some(button) = target.and_then(|t| t.closest("button").ok().flatten()) else {
        return;
    };
    let block =
        |name: &str| button.get_attribute(name).and_then(|v| v.parse::<usize>().ok()).and_then(|i| copies.get(i));
    if let Some((text, _)) = block("data-copy") {
        copy(text);
        button.set_text_content(Some("Copied"));
    } else if let Some((text, file)) = block("data-download") {
        crate::clipboard::download(file, text);
    }
}

/// The diff, a span per line (classes for colour), as one escaped HTML string: the same
/// markup as views for less wasm (see budget.rs).
fn diff_view(diff: &str) -> impl IntoView {
    if diff.is_empty() {
        return Either::Left(view! { <p>"Nothing to change."</p> });
    }
    let mut html = String::new();
    for l in diff.lines() {
        let class = match l.as_bytes().first() {
            _ if l.starts_with("+++") || l.starts_with("---") => "file",
            Some(b'+') => "add",
            Some(b'-') => "del",
            Some(b'@') => "hunk",
            _ => "ctx",
        };
        let _ = writeln!(html, r#"<span class="{class}">{}"#, esc(l));
        html.push_str("</span>");
    }
    Either::Right(view! { <pre class="out diff" tabindex="0" inner_html=html></pre> })
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

#[component]
pub fn Outputs() -> impl IntoView {
    let c = expect_context::<Checker>();
    let tab = RwSignal::new(Tab::Settings);
    let compose = move || matches!(c.analysis.get(), Analysis::Compose(ref r) if !r.invalid);
    let text_of = move |t: Tab| -> String {
        match (c.analysis.get_untracked(), t) {
            (Analysis::Compose(r), Tab::Fixed) => r.fixed.clone(),
            (Analysis::Compose(r), Tab::Diff) => r.diff.clone(),
            (Analysis::Compose(r), Tab::Env) => r.env_lines.clone(),
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
            (Analysis::Compose(r), Tab::Settings) => r.env_lines.clone(),
            _ => String::new(),
        }
    };
    let copied = RwSignal::new(false);
    view! {
        <section class="outputs" aria-labelledby="outputs-title">
            <h2 id="outputs-title">"What to change"</h2>
            <p>
                <button type="button" on:click=move |_| {
                    copy(&c.input.with_untracked(|t| markdown(&c.analysis.get_untracked(), t)));
                    copied.set(true);
                }>{move || if copied.get() { "Copied the report" } else { "Copy as markdown" }}</button>
            </p>
            <div role="tablist" aria-label="Outputs" class="tabs">
                {TABS.iter().map(|&(t, id, label)| view! {
                    <button type="button" role="tab" id=format!("tab-{id}") aria-controls=format!("panel-{id}")
                        aria-selected=move || (tab.get() == t).to_string()
                        tabindex=move || if tab.get() == t { "0" } else { "-1" }
                        hidden=move || t != Tab::Settings && !compose()
                        on:click=move |_| tab.set(t)
                        on:keydown=move |ev| {
                            let visible: Vec<Tab> = TABS.iter().map(|x| x.0).filter(|x| *x == Tab::Settings || compose()).collect();
                            let i = visible.iter().position(|x| *x == tab.get_untracked()).unwrap_or(0);
                            let next = match ev.key().as_str() {
                                "ArrowRight" => Some(visible[(i + 1) % visible.len()]),
                                "ArrowLeft" => Some(visible[(i + visible.len() - 1) % visible.len()]),
                                _ => None,
                            };
                            if let Some(n) = next {
                                tab.set(n);
                                let id = TABS.iter().find(|x| x.0 == n).map_or("settings", |x| x.1);
                                if let Some(el) = document().get_element_by_id(&format!("tab-{id}")) {
                                    let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&el).focus();
                                }
                            }
                        }>
                        {label}
                    </button>
                }).collect_view()}
            </div>
            {TABS.iter().map(|&(t, id, label)| {
                let file = match t {
                    Tab::Settings => "settings.txt",
                    Tab::Fixed => "docker-compose.yml",
                    Tab::Diff => "poolfix.diff",
                    Tab::Env => "poolfix.env",
                    Tab::Checklist => "rollout.md",
                    Tab::Rollback => "rollback.md",
                };
                view! {
                    <div role="tabpanel" id=format!("panel-{id}") aria-labelledby=format!("tab-{id}") class="panel" hidden=move || tab.get() != t>
                        <CopyDownload text=Signal::derive(move || text_of(t)) file=file what=label/>
                        {move || {
                            let a = c.analysis.get();
                            match (t, &a) {
                                (Tab::Settings, _) => {
                                    let (html, copies) = settings_html(&a);
                                    EitherOf6::A(view! { <div on:click=move |ev| act(ev, &copies) inner_html=html></div> })
                                }
                                (Tab::Fixed | Tab::Env, Analysis::Compose(r)) => {
                                    let text = if t == Tab::Fixed { &r.fixed } else { &r.env_lines };
                                    EitherOf6::B(view! { <pre class="out" tabindex="0">{text.clone()}</pre> })
                                }
                                (Tab::Diff, Analysis::Compose(r)) => EitherOf6::C(diff_view(&r.diff)),
                                (Tab::Checklist, Analysis::Compose(r)) => EitherOf6::D(view! { <div class="plan" inner_html=checklist_html(&r.plan)></div> }),
                                (Tab::Rollback, Analysis::Compose(r)) => {
                                    EitherOf6::E(view! { <ol class="checklist" inner_html=steps_html(&r.plan.rollback, "rollback")></ol> })
                                }
                                _ => EitherOf6::F(view! { <p>"Only for compose files."</p> }),
                            }
                        }}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
