//! The log doctor's report as text (the CLI, the page) and markdown (a ticket).

use std::fmt::Write as _;

use crate::log_doctor::{LogLine, LogReport};

fn times(l: &LogLine) -> String {
    match l.count {
        1 => String::new(),
        n => format!(" ({n} times, last on line {})", l.last_line),
    }
}

fn suspects(l: &LogLine) -> Option<String> {
    let k = l.known.as_ref()?;
    (!k.suspects.is_empty()).then(|| {
        k.suspects.iter().map(|(s, codes)| format!("{s} ({})", codes.join(", "))).collect::<Vec<_>>().join(", ")
    })
}

/// "N known errors, N unknown".
pub fn summary(r: &LogReport) -> String {
    match r.lines.len() {
        0 => "no error lines found".into(),
        _ => format!("{} known errors, {} unknown", r.known(), r.unknown()),
    }
}

/// Each error line and what is said about it, in the form's own marks: `item` opens a line,
/// `detail` indents what follows, `guide` shows the guide's path.
fn render(r: &LogReport, mut out: String, item: &str, detail: &str, guide: fn(&str) -> String) -> String {
    for l in &r.lines {
        let text = l.text.trim();
        let text = if item.is_empty() { text.to_string() } else { format!("`{}`", text.replace('`', "'")) };
        let _ = writeln!(out, "{item}line {}{}: {text}", l.line, times(l));
        match &l.known {
            Some(k) => {
                let _ = writeln!(out, "{detail}{}: {}", k.error.source, k.meaning);
                let _ = writeln!(out, "{detail}fix: {}", k.fix);
                if let Some(s) = suspects(l) {
                    let _ = writeln!(out, "{detail}likely in: {s}");
                }
                let _ = writeln!(out, "{detail}{}", guide(&k.guide_path()));
            }
            None => {
                let _ = writeln!(out, "{detail}unknown: poolfix does not know this error text");
            }
        }
    }
    let _ = writeln!(out, "\n{}", summary(r));
    out
}

pub fn text(r: &LogReport) -> String {
    render(r, String::new(), "", "  ", |path| format!("see {path}"))
}

pub fn markdown(r: &LogReport) -> String {
    render(r, "## Log (poolfix)\n\n".into(), "- ", "  - ", |path| format!("guide: `{path}`"))
}
