//! The outputs, in tabs: corrected settings per service (with the explain view), the fixed
//! file, the diff, the `.env` lines, the rollout checklist and the rollback. Each has copy and
//! download buttons; "Copy as markdown" gives the whole report for a ticket.

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::either::{Either, EitherOf3, EitherOf6};
use leptos::prelude::*;
use poolfix_engine::compose::plan::Step;
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

/// A URL with each part coloured and explained; a literal password is masked.
#[component]
pub fn Explain(url: String, parts: Vec<ExplainPart>) -> impl IntoView {
    let mut pieces = Vec::new();
    let mut at = 0;
    for (i, p) in parts.iter().enumerate() {
        if p.span.start < at || p.span.end > url.len() {
            continue;
        }
        pieces.push((None, url[at..p.span.start].to_string()));
        let shown = if p.kind == "password" { p.text.clone() } else { url[p.span.start..p.span.end].to_string() };
        pieces.push((Some((i, p.kind)), shown));
        at = p.span.end;
    }
    pieces.push((None, url.get(at..).unwrap_or("").to_string()));
    view! {
        <div class="explain">
            <code class="url">
                {pieces.into_iter().map(|(kind, text)| match kind {
                    Some((i, k)) => Either::Left(view! { <span class=format!("part {k}") title=parts[i].note.clone()>{text}</span> }),
                    None => Either::Right(view! { <span>{text}</span> }),
                }).collect_view()}
            </code>
            <dl class="notes">
                {parts.iter().map(|p| view! {
                    <dt class=format!("part {}", p.kind)>{p.text.clone()}</dt>
                    <dd>{p.note.clone()}</dd>
                }).collect_view()}
            </dl>
        </div>
    }
}

fn env_text(env: &[(String, String)]) -> String {
    env.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

/// A URL as explained and corrected (password masked on screen, kept in what is copied).
fn url_blocks(title: String, url: String, report: &UrlReport) -> impl IntoView {
    view! {
        {(!report.explain.is_empty()).then(|| view! { <Explain url=url parts=report.explain.clone()/> })}
        {report.corrected_url.clone().map(|c| view! {
            <h4>{title}</h4>
            <pre class="out" tabindex="0">{mask_password(&c)}</pre>
            <CopyDownload text=Signal::stored(c) file="url.txt" what="the corrected URL"/>
        })}
    }
}

/// The settings to add and the create_engine() snippet: the same blocks for a pasted URL and a
/// compose service.
fn settings_blocks(env: String, env_title: &'static str, snippet: Option<String>) -> impl IntoView {
    view! {
        {(!env.is_empty()).then(|| view! {
            <h4>{env_title}</h4>
            <pre class="out" tabindex="0">{env.clone()}</pre>
            <CopyDownload text=Signal::stored(env.clone()) file="service.env" what="the environment settings"/>
        })}
        {snippet.map(|s| view! { <h4>"In your code"</h4><pre class="out" tabindex="0">{s}</pre> })}
    }
}

/// Corrected URLs and settings per service (or per URL).
fn settings_view(a: &Analysis) -> impl IntoView {
    match a {
        Analysis::Empty => EitherOf3::A(view! { <p>"Paste something to check."</p> }),
        Analysis::Urls(urls) => EitherOf3::B(urls
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let r = &u.report;
                let env = env_text(&r.env);
                view! {
                    <article class="service">
                        <h3>{format!("URL {} — {} · {}", i + 1, r.service.label, r.endpoint.label())}</h3>
                        {url_blocks("Corrected URL".into(), u.text.clone(), r)}
                        {settings_blocks(env, "Environment", r.snippet.clone())}
                    </article>
                }
            })
            .collect_view()),
        Analysis::Compose(r) => EitherOf3::C(r
            .services
            .iter()
            .filter(|s| s.has_pool() && !s.urls.is_empty())
            .map(|s| {
                let env = env_text(&s.env_after);
                // A service may read several URLs (an app's and its migrations'): each one.
                let several = s.urls.len() > 1;
                view! {
                    <article class="service">
                        <h3>{format!("{} — {}{}", s.service.name, s.service.kind.kind, s.service.version_note().map(|v| format!(" {v}")).unwrap_or_default())}</h3>
                        <p class="formula">"Before: " {s.formula_before.clone()}<br/>"After: " {s.formula_after.clone()}</p>
                        {s.verdict.clone().map(|(v, why)| view! { <p>"Transaction mode: " <strong>{v.as_str()}</strong> " — " {why}</p> })}
                        {s.urls.iter().map(|u| {
                            let title = if several { format!("Corrected URL ({})", u.source) } else { "Corrected URL".into() };
                            url_blocks(title, u.url.clone(), &u.report)
                        }).collect_view()}
                        {settings_blocks(env, "Environment to add", s.snippet.clone())}
                    </article>
                }
            })
            .collect_view()),
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

/// A checklist: a checkbox per step, its commands and checks, what to expect.
fn steps_view(steps: &[Step], prefix: &'static str) -> impl IntoView {
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
        html.push_str("</li>");
    }
    view! { <ol class="checklist" inner_html=html></ol> }
}

/// The whole report as markdown, for a ticket. Passwords are masked.
pub fn markdown(a: &Analysis, text: &str) -> String {
    match a {
        Analysis::Compose(r) => report::markdown::compose(r),
        Analysis::Urls(urls) => {
            let reports: Vec<(usize, &UrlReport)> = urls.iter().map(|u| (u.offset, &u.report)).collect();
            report::markdown::urls(text, &reports)
        }
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
                                (Tab::Settings, _) => EitherOf6::A(settings_view(&a)),
                                (Tab::Fixed | Tab::Env, Analysis::Compose(r)) => {
                                    let text = if t == Tab::Fixed { &r.fixed } else { &r.env_lines };
                                    EitherOf6::B(view! { <pre class="out" tabindex="0">{text.clone()}</pre> })
                                }
                                (Tab::Diff, Analysis::Compose(r)) => EitherOf6::C(diff_view(&r.diff)),
                                (Tab::Checklist, Analysis::Compose(r)) => {
                                    let p = &r.plan;
                                    EitherOf6::D(view! {
                                        <div class="plan">
                                            <h3>"Before you start"</h3>{steps_view(&p.before, "before")}
                                            <h3>"Roll out, one service at a time"</h3>{steps_view(&p.rollout, "rollout")}
                                            <h3>"Watch the logs for"</h3>
                                            <ul>{p.watch.iter().map(|w| view! { <li><code>{w.clone()}</code></li> }).collect_view()}</ul>
                                            <h3>"Count connections per application"</h3><pre class="out" tabindex="0">{p.sql.clone()}</pre>
                                            <h3>"Soak"</h3><p>{p.soak.clone()}</p>
                                        </div>
                                    })
                                }
                                (Tab::Rollback, Analysis::Compose(r)) => EitherOf6::E(steps_view(&r.plan.rollback, "rollback")),
                                _ => EitherOf6::F(view! { <p>"Only for compose files."</p> }),
                            }
                        }}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
