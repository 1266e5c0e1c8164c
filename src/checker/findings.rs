//! The findings list: severity, rule code, message, the line (click to select it in the
//! input) and the rule's section in the guide.

use leptos::either::Either;
use leptos::prelude::*;
use poolfix_engine::rules::{Finding, Severity};
use poolfix_engine::span::LineIndex;

use super::{highlight, Analysis, Checker};
use crate::base::href;

/// One finding, ready to show.
#[derive(Clone)]
pub struct Row {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub service: Option<String>,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
    pub fix: Option<String>,
    pub guide: String,
}

fn row(f: &Finding, service: Option<String>, offset: usize, lines: &LineIndex) -> Row {
    let (line, column) = lines.line_col(offset + f.span.start);
    Row {
        severity: f.severity(),
        code: f.rule.code,
        message: f.message.clone(),
        service,
        line,
        column,
        start: offset + f.span.start,
        end: offset + f.span.end,
        fix: f.fix.as_ref().map(|fx| {
            let note = fx.note.as_ref().map(|n| format!(" — {n}")).unwrap_or_default();
            format!("{} ({}){note}", fx.title, fx.applicability.as_str())
        }),
        guide: href(&f.rule.guide_path()),
    }
}

/// Every finding of the analysis, in text order.
pub fn rows(analysis: &Analysis, text: &str) -> Vec<Row> {
    let lines = LineIndex::new(text);
    match analysis {
        Analysis::Empty => Vec::new(),
        Analysis::Compose(r) => r.findings.iter().map(|f| row(&f.finding, f.service.clone(), 0, &lines)).collect(),
        Analysis::Urls(urls) => {
            urls.iter().flat_map(|u| u.report.findings.iter().map(|f| row(f, None, u.offset, &lines))).collect()
        }
    }
}

#[component]
pub fn Findings() -> impl IntoView {
    let c = expect_context::<Checker>();
    let rows = Memo::new_with_compare(move |_| c.input.with(|t| rows(&c.analysis.get(), t)), |_, _| true);
    let counts = move || {
        let r = rows.get();
        let n = |s: Severity| r.iter().filter(|x| x.severity == s).count();
        format!("{} errors, {} warnings, {} notes", n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    };
    view! {
        <section class="findings" aria-labelledby="findings-title">
            <h2 id="findings-title">"Findings " <span class="count">{counts}</span></h2>
            {move || {
                let rows = rows.get();
                if rows.is_empty() {
                    return Either::Left(view! { <p class="ok">"No findings."</p> });
                }
                Either::Right(view! {
                <ol class="finding-list">
                    {rows.into_iter().map(|r| {
                        let (start, end) = (r.start, r.end);
                        view! {
                            <li class=format!("finding {}", r.severity.as_str())>
                                <span class="sev">{r.severity.as_str()}</span>
                                <a class="code" href=r.guide.clone() title="What this rule checks, in the guide">{r.code}</a>
                                <button type="button" class="where" on:click=move |_| highlight(start, end)
                                    aria-label=format!("Show line {} column {} in the input", r.line, r.column)>
                                    {format!("{}:{}", r.line, r.column)}
                                </button>
                                {r.service.map(|s| view! { <span class="svc">{s}</span> })}
                                <p class="msg">{r.message}</p>
                                {r.fix.map(|f| view! { <p class="fix">"Fix: " {f}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                })
            }}
        </section>
    }
}
