//! Removing secrets before text leaves the page in a share link: every literal password in a
//! connection string becomes `${DB_PASSWORD}`, and `.env` values whose names look secret
//! become `<redacted>`. Placeholders are kept: they are names, not secrets.

use crate::conn;
use crate::fix::{apply, Edit};
use crate::span::Span;

/// Where a connection string written in `text` ends: at a blank, a quote or a line end.
fn url_end(text: &str, from: usize) -> usize {
    text[from..].find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`').map_or(text.len(), |i| from + i)
}

/// Where it starts: the scheme's first letter before `://`.
fn url_start(text: &str, sep: usize) -> usize {
    text[..sep].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')).map_or(0, |i| i + 1)
}

/// Where the literal passwords are in `text`: in every connection URL, and in libpq
/// key/value strings (`password=…`, quoted or not). Placeholders are not secrets.
pub fn password_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut search = 0;
    while let Some(i) = text[search..].find("://") {
        let sep = search + i;
        let (start, end) = (url_start(text, sep), url_end(text, sep));
        if let Ok(c) = conn::parse(&text[start..end]) {
            if let Some(p) = c.password.filter(|p| !p.is_empty() && !c.has_placeholder(*p)) {
                spans.push(p.shift(start));
            }
        }
        search = end.max(sep + 3);
    }
    let mut search = 0;
    while let Some(i) = text[search..].find("password=") {
        let at = search + i + "password=".len();
        let boundary = search + i == 0 || !text.as_bytes()[search + i - 1].is_ascii_alphanumeric();
        let end = if text[at..].starts_with('\'') {
            text[at + 1..].find('\'').map_or(text.len(), |j| at + 2 + j)
        } else {
            url_end(text, at)
        };
        let value = &text[at..end];
        if boundary && !value.is_empty() && !value.starts_with('$') {
            spans.push(Span::new(at, end));
        }
        search = end.max(at);
    }
    crate::order::sort_stable_by(&mut spans, |s| (s.start, s.end));
    spans
}

/// `text` with every literal URL password replaced, and how many were replaced.
pub fn redact_urls(text: &str) -> (String, usize) {
    let edits: Vec<Edit> =
        password_spans(text).into_iter().map(|span| Edit { span, replacement: "${DB_PASSWORD}".into() }).collect();
    let count = edits.len();
    (apply(text, &edits), count)
}

fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY"].iter().any(|s| n.contains(s))
}

/// A `.env` text with secret-looking values and URL passwords removed.
pub fn redact_env(text: &str) -> (String, usize) {
    let mut count = 0;
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches(['\n', '\r']);
            let ending = &line[body.len()..];
            match body.split_once('=') {
                Some((k, v)) if secret_name(k.trim().trim_start_matches("export ")) && !v.trim().is_empty() => {
                    count += 1;
                    format!("{k}=<redacted>{ending}")
                }
                _ => line.to_string(),
            }
        })
        .collect();
    let (out, urls) = redact_urls(&lines.concat());
    (out, count + urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_and_key_value_strings() {
        let text = "DATABASE_URL: postgresql://u:hunter2@h/db\nX: \"postgres://a:${P}@h\"\nDSN: host=h password='s e' user=u\nY: postgresql://u:p@ss@h/db?x=1\n";
        let (out, n) = redact_urls(text);
        assert_eq!(n, 3);
        assert!(!out.contains("hunter2") && !out.contains("s e") && !out.contains("p@ss"), "{out}");
        assert!(out.contains("postgres://a:${P}@h"));
        assert!(out.contains("postgresql://u:${DB_PASSWORD}@h/db\n"));
    }

    #[test]
    fn env_secrets() {
        let (out, n) = redact_env("DB_PASSWORD=x1\nAPI_TOKEN=abc\nPORT=5432\nURL=postgresql://u:pw@h/db\n");
        assert_eq!(n, 3);
        assert_eq!(
            out,
            "DB_PASSWORD=<redacted>\nAPI_TOKEN=<redacted>\nPORT=5432\nURL=postgresql://u:${DB_PASSWORD}@h/db\n"
        );
    }
}
