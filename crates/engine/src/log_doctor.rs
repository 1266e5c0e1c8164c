//! The log doctor: finds the error lines of a pasted log, explains the ones in the error table
//! (`knowledge/errors.rs`) and says which it does not know. When a compose file was analysed
//! too, the services whose findings point at an error's cause are named with it.

use crate::compose::ComposeReport;
use crate::knowledge::errors::{looks_like_error, recognise, KnownError};
use crate::redact::password_spans;
use crate::span::Span;

/// One error line of the log, first occurrence of its text.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// 1-based.
    pub line: usize,
    pub span: Span,
    /// The line, passwords masked, at most [`MAX_SHOWN`] characters.
    pub text: String,
    /// `None`: an error line poolfix does not know.
    pub known: Option<Known>,
    /// How many times the same error appears (this line included), and the last line it is on.
    pub count: usize,
    pub last_line: usize,
}

#[derive(Debug, Clone)]
pub struct Known {
    pub error: &'static KnownError,
    /// The key or parameter the message names.
    pub value: Option<String>,
    pub meaning: String,
    pub fix: String,
    /// Services of the pasted compose file whose findings point at the cause: (service, rules).
    pub suspects: Vec<(String, Vec<&'static str>)>,
}

impl Known {
    pub fn guide_path(&self) -> String {
        let (page, anchor) = self.error.guide.split_once('#').unwrap_or((self.error.guide, ""));
        if anchor.is_empty() {
            format!("guide/{page}/")
        } else {
            format!("guide/{page}/#{anchor}")
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LogReport {
    pub lines: Vec<LogLine>,
}

impl LogReport {
    pub fn known(&self) -> usize {
        self.lines.iter().filter(|l| l.known.is_some()).count()
    }

    pub fn unknown(&self) -> usize {
        self.lines.len() - self.known()
    }
}

pub const MAX_SHOWN: usize = 300;

/// A traceback's frame and header lines are context, not errors of their own.
fn is_context(line: &str) -> bool {
    let t = line.trim_start();
    line.contains("Traceback (most recent call last)")
        || t.starts_with("File \"")
        || t.starts_with("The above exception")
        || t.starts_with("During handling of the above exception")
        || t.starts_with("(Background on this error at:")
        // A traceback's source lines are indented.
        || line.starts_with("  ")
}

fn masked(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for s in password_spans(line) {
        out.push_str(&line[at..s.start]);
        out.push_str("••••••");
        at = s.end;
    }
    out.push_str(&line[at..]);
    match out.char_indices().nth(MAX_SHOWN) {
        Some((i, _)) => format!("{}…", &out[..i]),
        None => out,
    }
}

fn suspects(
    error: &KnownError,
    value: Option<&str>,
    compose: Option<&ComposeReport>,
) -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&'static str>)> = Vec::new();
    let Some(report) = compose else { return out };
    // A service whose URLs use a driver that prints this error (any, when the error names none).
    let uses_driver = |name: &str| {
        error.drivers.is_empty()
            || report
                .services
                .iter()
                .filter(|s| s.service.name == name)
                .flat_map(|s| &s.urls)
                .any(|u| u.report.driver.is_some_and(|d| error.drivers.contains(&d.name)))
    };
    let related: Vec<_> = report
        .findings
        .iter()
        .filter(|f| error.rules.contains(&f.finding.rule.code))
        .filter(|f| f.service.as_deref().is_some_and(uses_driver))
        .collect();
    // Findings that name the key the error names, when there are any.
    let named =
        |f: &&&crate::compose::ComposeFinding| value.is_some_and(|v| f.finding.message.contains(&format!("`{v}`")));
    let naming: Vec<_> = related.iter().filter(named).copied().collect();
    for f in if naming.is_empty() { related } else { naming } {
        let code = f.finding.rule.code;
        let Some(service) = f.service.as_ref() else { continue };
        match out.iter_mut().find(|(s, _)| s == service) {
            Some((_, codes)) if !codes.contains(&code) => codes.push(code),
            Some(_) => {}
            None => out.push((service.clone(), vec![code])),
        }
    }
    out
}

/// Every error line of `text`, known or not, each distinct error once (with its count).
pub fn explain_log(text: &str, compose: Option<&ComposeReport>) -> LogReport {
    let mut report = LogReport::default();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let span = Span::new(offset, offset + line.len());
        offset += raw.len();
        let found = recognise(line);
        if found.is_none() && is_context(line) {
            continue;
        }
        if found.is_none() && !looks_like_error(line) {
            continue;
        }
        // The same error again: counted with its first line. Unknown lines are kept by text.
        let key = found.map(|(e, v)| (e.id, v.map(str::to_string)));
        let same = report.lines.iter_mut().find(|l| match (&l.known, &key) {
            (Some(k), Some((id, v))) => k.error.id == *id && k.value == *v,
            (None, None) => l.text == masked(line),
            _ => false,
        });
        if let Some(l) = same {
            l.count += 1;
            l.last_line = i + 1;
            continue;
        }
        let known = found.map(|(error, value)| {
            let v = value.unwrap_or("");
            Known {
                error,
                value: value.map(str::to_string),
                meaning: error.meaning.replace("{value}", v),
                fix: error.fix.replace("{value}", v),
                suspects: suspects(error, value, compose),
            }
        });
        report.lines.push(LogLine { line: i + 1, span, text: masked(line), known, count: 1, last_line: i + 1 });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_repeated_lines() {
        let log = "INFO starting\n\
            FATAL: (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: 15\n\
            Traceback (most recent call last):\n  File \"x.py\", line 1\n\
            psycopg2.OperationalError: invalid dsn: invalid connection option \"pool_size\"\n\
            SomeLibraryError: the flux capacitor is empty\n\
            FATAL: (EMAXCONNSESSION) max clients reached in session mode - max clients are limited to pool_size: 15\n\
            postgresql://postgres.abc:hunter2@h:5432/db failed\n";
        let r = explain_log(log, None);
        let ids: Vec<_> = r.lines.iter().map(|l| l.known.as_ref().map(|k| k.error.id)).collect();
        assert_eq!(ids, [Some("max-clients-session"), Some("invalid-connection-option"), None, None]);
        assert_eq!((r.lines[0].count, r.lines[0].last_line), (2, 7));
        assert_eq!(r.lines[1].known.as_ref().unwrap().value.as_deref(), Some("pool_size"));
        assert!(r.lines[1].known.as_ref().unwrap().fix.contains("Remove `pool_size`"));
        assert!(!r.lines[3].text.contains("hunter2"), "{}", r.lines[3].text);
        assert_eq!(r.lines[0].known.as_ref().unwrap().guide_path(), "guide/troubleshooting/#max-clients");
        assert_eq!((r.known(), r.unknown()), (2, 2));
    }
}
