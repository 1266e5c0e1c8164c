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

pub fn text(r: &LogReport) -> String {
    let mut out = String::new();
    for l in &r.lines {
        let _ = writeln!(out, "line {}{}: {}", l.line, times(l), l.text.trim());
        match &l.known {
            Some(k) => {
                let _ = writeln!(out, "  {}: {}", k.error.source, k.meaning);
                let _ = writeln!(out, "  fix: {}", k.fix);
                if let Some(s) = suspects(l) {
                    let _ = writeln!(out, "  likely in: {s}");
                }
                let _ = writeln!(out, "  see {}", k.guide_path());
            }
            None => out.push_str("  unknown: poolfix does not know this error text\n"),
        }
    }
    let _ = writeln!(out, "\n{}", summary(r));
    out
}

pub fn markdown(r: &LogReport) -> String {
    let mut out = String::from("## Log (poolfix)\n\n");
    for l in &r.lines {
        let _ = writeln!(out, "- line {}{}: `{}`", l.line, times(l), l.text.trim().replace('`', "'"));
        match &l.known {
            Some(k) => {
                let _ = writeln!(out, "  - {}: {}", k.error.source, k.meaning);
                let _ = writeln!(out, "  - fix: {}", k.fix);
                if let Some(s) = suspects(l) {
                    let _ = writeln!(out, "  - likely in: {s}");
                }
                let _ = writeln!(out, "  - guide: `{}`", k.guide_path());
            }
            None => out.push_str("  - unknown: poolfix does not know this error text\n"),
        }
    }
    let _ = writeln!(out, "\n{}", summary(r));
    out
}
