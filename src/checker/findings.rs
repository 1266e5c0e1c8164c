//! The findings list: severity, rule code, message, the line (click to select it in the
//! input) and the rule's section in the guide.

use std::fmt::Write as _;

use html_escape::encode_safe as esc;
use leptos::prelude::*;
use poolfix_engine::log_doctor::LogLine;
use poolfix_engine::rules::{Finding, Severity};
use poolfix_engine::span::LineIndex;
use wasm_bindgen::JsCast;

use super::{derived, handler, highlight, Analysis, Checker};

/// One finding, ready to show.
#[derive(Clone)]
struct Row {
    severity: Severity,
    code: &'static str,
    message: String,
    service: Option<String>,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    fix: Option<String>,
    /// The guide's section, relative to the page's `<base>` (trunk's public URL), so the link
    /// stays under the path the site is served from.
    guide: String,
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
        guide: f.rule.guide_path(),
    }
}

/// An error line of a pasted log: what it means and its fix, or that poolfix does not know it.
fn log_row(l: &LogLine, lines: &LineIndex) -> Row {
    let (line, column) = lines.line_col(l.span.start);
    let again = if l.count > 1 { format!(" ({} times, last on line {})", l.count, l.last_line) } else { String::new() };
    let (severity, code, message, fix, guide) = match &l.known {
        Some(k) => (
            Severity::Error,
            k.error.id,
            format!("{}{again} — {}: {}", l.text.trim(), k.error.source, k.meaning),
            Some(k.fix.clone()),
            k.guide_path(),
        ),
        None => (
            Severity::Info,
            "unknown",
            format!("{}{again} — poolfix does not know this error text", l.text.trim()),
            None,
            "guide/troubleshooting/".into(),
        ),
    };
    Row { severity, code, message, service: None, line, column, start: l.span.start, end: l.span.end, fix, guide }
}

/// Every finding of the analysis, in text order.
fn rows(analysis: &Analysis, text: &str) -> Vec<Row> {
    let lines = LineIndex::new(text);
    match analysis {
        Analysis::Empty => Vec::new(),
        Analysis::Compose(r) => r.findings.iter().map(|f| row(&f.finding, f.service.clone(), 0, &lines)).collect(),
        Analysis::Urls(urls) => {
            urls.iter().flat_map(|u| u.report.findings.iter().map(|f| row(f, None, u.offset, &lines))).collect()
        }
        Analysis::Log(r) => r.lines.iter().map(|l| log_row(l, &lines)).collect(),
    }
}

/// The section as HTML (like the budget, budget.rs): its heading with the counts, and the
/// list, where each position is a button that carries the span it selects, read by one
/// click handler on the section.
fn findings_html(rows: &[Row]) -> String {
    let n = |s: Severity| rows.iter().filter(|x| x.severity == s).count();
    let mut out = format!(
        r#"<section class="findings" aria-labelledby="findings-title"><h2 id="findings-title">Findings <span class="count">{} errors, {} warnings, {} notes</span></h2>"#,
        n(Severity::Error),
        n(Severity::Warning),
        n(Severity::Info)
    );
    if rows.is_empty() {
        out.push_str(r#"<p class="ok">No findings.</p></section>"#);
        return out;
    }
    out.push_str(r#"<ol class="finding-list">"#);
    for r in rows {
        let sev = r.severity.as_str();
        let _ = write!(
            out,
            r#"<li class="finding {sev}"><span class="sev">{sev}</span><a class="code" href="{}" title="What this rule checks, in the guide">{}</a><button type="button" class="where" data-start="{}" data-end="{}" aria-label="Show line {} column {} in the input">{}:{}</button>"#,
            esc(&r.guide),
            r.code,
            r.start,
            r.end,
            r.line,
            r.column,
            r.line,
            r.column
        );
        if let Some(s) = &r.service {
            let _ = write!(out, r#"<span class="svc">{}</span>"#, esc(s));
        }
        let _ = write!(out, r#"<p class="msg">{}</p>"#, esc(&r.message));
        if let Some(f) = &r.fix {
            let _ = write!(out, r#"<p class="fix">Fix: {}</p>"#, esc(f));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></section>");
    out
}

/// Selects the span of the position button that was clicked (or pressed with Enter).
fn jump(_: Checker, ev: leptos::ev::MouseEvent) {
    let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let Some(button) = target.and_then(|t| t.closest(".where").ok().flatten()) else {
        return;
    };
    let at = |name: &str| button.get_attribute(name).and_then(|v| v.parse::<usize>().ok());
    if let (Some(start), Some(end)) = (at("data-start"), at("data-end")) {
        highlight(start, end);
    }
}

#[component]
pub fn Findings() -> impl IntoView {
    let c = Checker::from_context();
    let html = derived(c, |c| c.input.with(|t| findings_html(&rows(&c.analysis.get(), t))));
    view! { <div on:click=handler(c, jump) inner_html=html></div> }
}
