//! A connection-string parser that keeps the byte span of every part.
//!
//! Hand-written because no crate fits: the `url` crate parses WHATWG URLs, not libpq URIs
//! (several hosts, `${VAR}` placeholders, passwords with unencoded `@` or `/`), rewrites what
//! it parses, and would add ~60 KB brotli to the page. A fix must replace exactly one part of
//! the user's text and leave everything else byte-identical, so every part keeps its span.
//!
//! Accepted forms:
//! - URIs: `postgres://`, `postgresql://`, `postgresql+DRIVER://`, with optional user,
//!   password, one or more `host[:port]` (IPv6 in brackets), database and `?key=value&…`;
//! - libpq key/value strings: `host=… port=… user=… password='…' dbname=…`.

use crate::placeholder::{self, masked};
use crate::span::Span;

/// Which syntax the connection string uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Uri,
    KeyValue,
}

/// One `host[:port]` of the host list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// The host as written, brackets of an IPv6 literal included.
    pub host: Span,
    pub port: Option<Span>,
}

/// One `key=value` query parameter (or libpq keyword).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub key: Span,
    pub value: Option<Span>,
    /// The whole `key=value`.
    pub span: Span,
}

/// A parsed connection string. Every span points into the text given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnString {
    pub form: Form,
    /// The connection string itself, without surrounding blanks or quotes.
    pub span: Span,
    /// `postgresql+psycopg2`: the whole scheme.
    pub scheme: Option<Span>,
    /// `postgresql` or `postgres`.
    pub dialect: Option<Span>,
    /// `psycopg2`, `psycopg`, `asyncpg`, … when the scheme names one.
    pub driver: Option<Span>,
    pub user: Option<Span>,
    pub password: Option<Span>,
    pub hosts: Vec<HostPort>,
    /// Where the host list stands (empty when there is none), for inserting a port.
    pub host_list: Span,
    pub database: Option<Span>,
    /// The `?` that starts the query, for URIs that have one.
    pub query_mark: Option<usize>,
    pub params: Vec<Param>,
    /// Compose interpolations inside the connection string.
    pub placeholders: Vec<Span>,
}

/// Why a text is not a connection string, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

fn error(message: impl Into<String>, span: Span) -> ParseError {
    ParseError { message: message.into(), span }
}

impl ConnString {
    /// The first parameter named `key` (case-sensitive, as drivers read them).
    pub fn param(&self, key: &str, text: &str) -> Option<(usize, &Param)> {
        self.params.iter().enumerate().find(|(_, p)| p.key.slice(text) == key)
    }

    /// Whether `span` contains a compose placeholder.
    pub fn has_placeholder(&self, span: Span) -> bool {
        placeholder::touches(&self.placeholders, span)
    }

    /// The end of the connection string: where a new parameter is appended.
    pub fn end(&self) -> usize {
        self.span.end
    }
}

/// Percent-decodes a part for display and comparison (invalid escapes stay as written).
pub fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// Finds the first byte in `from..to` that is not inside a placeholder and satisfies `pred`.
fn find(text: &str, marks: &[Span], from: usize, to: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    (from..to).find(|&i| pred(text.as_bytes()[i]) && !masked(marks, i))
}

fn rfind(text: &str, marks: &[Span], from: usize, to: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    (from..to).rev().find(|&i| pred(text.as_bytes()[i]) && !masked(marks, i))
}

/// Parses the connection string in `text` (surrounding blanks and one pair of matching
/// quotes are allowed and excluded from the span).
pub fn parse(text: &str) -> Result<ConnString, ParseError> {
    let start = text.len() - text.trim_start().len();
    let mut end = text.trim_end().len();
    let mut start = start;
    if end <= start {
        return Err(error(
            "empty input: paste a connection URL such as postgresql://user@host:5432/db",
            Span::empty_at(0),
        ));
    }
    let bytes = text.as_bytes();
    if end - start >= 2 && (bytes[start] == b'"' || bytes[start] == b'\'') && bytes[end - 1] == bytes[start] {
        start += 1;
        end -= 1;
    }
    let marks = placeholder::placeholders(text).map_err(|u| {
        error("a `${` placeholder is never closed with `}`", Span::new(u.at, (u.at + 2).min(text.len())))
    })?;
    let body = &text[start..end];
    if let Some(i) = body.find("://") {
        parse_uri(text, Span::new(start, end), start + i, marks)
    } else if looks_like_key_value(body) {
        parse_key_value(text, Span::new(start, end), marks)
    } else {
        Err(error(
            "not a connection string: expected postgresql://… or libpq key=value pairs (host=… dbname=…)",
            Span::new(start, end.min(start + body.chars().take(40).map(char::len_utf8).sum::<usize>())),
        ))
    }
}

fn looks_like_key_value(body: &str) -> bool {
    let key_len = body.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    key_len > 0 && body[key_len..].trim_start().starts_with('=')
}

fn parse_uri(text: &str, span: Span, sep: usize, marks: Vec<Span>) -> Result<ConnString, ParseError> {
    let scheme = Span::new(span.start, sep);
    let scheme_text = scheme.slice(text);
    if scheme_text.is_empty() || !scheme_text.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) {
        return Err(error(format!("`{scheme_text}` is not a URL scheme"), scheme));
    }
    let (dialect, driver) = match scheme_text.find('+') {
        Some(p) => (Span::new(scheme.start, scheme.start + p), Some(Span::new(scheme.start + p + 1, scheme.end))),
        None => (scheme, None),
    };
    let dialect_text = dialect.slice(text).to_ascii_lowercase();
    if dialect_text != "postgresql" && dialect_text != "postgres" {
        return Err(error(format!("not a PostgreSQL URL: the scheme is `{}`", dialect.slice(text)), scheme));
    }
    let rest = sep + 3;
    // The user information ends at the last `@`: a password may hold unencoded `@`, `/`, `?`
    // or `:`, which poolfix then reports and encodes.
    let at = rfind(text, &marks, rest, span.end, |b| b == b'@');
    let (user, password, authority) = match at {
        None => (None, None, rest),
        Some(at) => {
            let colon = find(text, &marks, rest, at, |b| b == b':');
            let user = Span::new(rest, colon.unwrap_or(at));
            let password = colon.map(|c| Span::new(c + 1, at));
            (Some(user), password, at + 1)
        }
    };
    // The host list ends at the first `/` or `?` outside brackets and placeholders.
    let mut depth = 0i32;
    let mut list_end = span.end;
    for i in authority..span.end {
        if masked(&marks, i) {
            continue;
        }
        match text.as_bytes()[i] {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'/' | b'?' if depth <= 0 => {
                list_end = i;
                break;
            }
            _ => {}
        }
    }
    let host_list = Span::new(authority, list_end);
    let hosts = parse_hosts(text, &marks, host_list)?;
    let mut cursor = list_end;
    let mut database = None;
    if text.as_bytes().get(cursor) == Some(&b'/') && cursor < span.end {
        let db_end = find(text, &marks, cursor + 1, span.end, |b| b == b'?').unwrap_or(span.end);
        database = Some(Span::new(cursor + 1, db_end));
        cursor = db_end;
    }
    let mut query_mark = None;
    let mut params = Vec::new();
    if cursor < span.end && text.as_bytes()[cursor] == b'?' {
        query_mark = Some(cursor);
        let mut seg_start = cursor + 1;
        while seg_start <= span.end {
            // A later `?` is taken as the `&` it was meant to be; PF118 reports it.
            let seg_end = find(text, &marks, seg_start, span.end, |b| b == b'&' || b == b'?').unwrap_or(span.end);
            if seg_end > seg_start {
                let eq = find(text, &marks, seg_start, seg_end, |b| b == b'=');
                let key = Span::new(seg_start, eq.unwrap_or(seg_end));
                let value = eq.map(|e| Span::new(e + 1, seg_end));
                params.push(Param { key, value, span: Span::new(seg_start, seg_end) });
            }
            seg_start = seg_end + 1;
        }
    }
    Ok(ConnString {
        form: Form::Uri,
        span,
        scheme: Some(scheme),
        dialect: Some(dialect),
        driver,
        user,
        password,
        hosts,
        host_list,
        database,
        query_mark,
        params,
        placeholders: marks.into_iter().filter(|m| span.contains(*m)).collect(),
    })
}

fn parse_hosts(text: &str, marks: &[Span], list: Span) -> Result<Vec<HostPort>, ParseError> {
    let mut hosts = Vec::new();
    if list.is_empty() {
        return Ok(hosts);
    }
    let mut start = list.start;
    loop {
        // Split on `,` outside brackets and placeholders.
        let mut depth = 0i32;
        let mut end = list.end;
        for i in start..list.end {
            if masked(marks, i) {
                continue;
            }
            match text.as_bytes()[i] {
                b'[' => depth += 1,
                b']' => depth -= 1,
                b',' if depth <= 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let item = Span::new(start, end);
        hosts.push(parse_host_port(text, marks, item)?);
        if end >= list.end {
            break;
        }
        start = end + 1;
    }
    Ok(hosts)
}

fn parse_host_port(text: &str, marks: &[Span], item: Span) -> Result<HostPort, ParseError> {
    let s = item.slice(text);
    let (host, port_colon) = if s.starts_with('[') {
        let close =
            s.find(']').ok_or_else(|| error("an IPv6 address opened with `[` is never closed with `]`", item))?;
        let host = Span::new(item.start, item.start + close + 1);
        match &s[close + 1..] {
            "" => (host, None),
            rest if rest.starts_with(':') => (host, Some(host.end)),
            _ => {
                return Err(error("expected `:port` after an IPv6 address in brackets", Span::new(host.end, item.end)))
            }
        }
    } else {
        let colon = rfind(text, marks, item.start, item.end, |b| b == b':');
        (Span::new(item.start, colon.unwrap_or(item.end)), colon)
    };
    let port = port_colon.map(|c| Span::new(c + 1, item.end));
    if let Some(p) = port {
        let ptext = p.slice(text);
        let is_placeholder = placeholder::touches(marks, p);
        if !is_placeholder
            && (ptext.is_empty()
                || !ptext.bytes().all(|b| b.is_ascii_digit())
                || ptext.parse::<u32>().map_or(true, |n| n > 65535))
        {
            return Err(error(format!("`{ptext}` is not a port number"), p));
        }
    }
    Ok(HostPort { host, port })
}

/// libpq's keyword/value form: `key = value` pairs separated by blanks; a value may be
/// single-quoted with `\'` and `\\` escapes.
fn parse_key_value(text: &str, span: Span, marks: Vec<Span>) -> Result<ConnString, ParseError> {
    let bytes = text.as_bytes();
    let mut params = Vec::new();
    let mut i = span.start;
    while i < span.end {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < span.end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let key = Span::new(key_start, i);
        if key.is_empty() {
            return Err(error("expected a keyword such as host= or dbname=", Span::new(i, (i + 1).min(span.end))));
        }
        while i < span.end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= span.end || bytes[i] != b'=' {
            return Err(error(format!("expected `=` after `{}`", key.slice(text)), key));
        }
        i += 1;
        while i < span.end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value_start = i;
        if i < span.end && bytes[i] == b'\'' {
            i += 1;
            loop {
                if i >= span.end {
                    return Err(error("a quoted value is never closed with `'`", Span::new(value_start, span.end)));
                }
                match bytes[i] {
                    b'\\' => i += 2,
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    _ => i += 1,
                }
            }
        } else {
            while i < span.end && !bytes[i].is_ascii_whitespace() {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
        }
        let i_end = i.min(span.end);
        params.push(Param { key, value: Some(Span::new(value_start, i_end)), span: Span::new(key_start, i_end) });
        i = i_end;
    }
    let value_of = |name: &str| {
        params.iter().find(|p| p.key.slice(text) == name).and_then(|p| p.value).map(|v| unquote_span(text, v))
    };
    let hosts = match value_of("host") {
        Some(h) => {
            let mut hosts = parse_hosts(text, &marks, h)?;
            if let (Some(port), Some(first)) = (value_of("port"), hosts.first_mut()) {
                first.port = first.port.or(Some(port));
            }
            hosts
        }
        None => Vec::new(),
    };
    Ok(ConnString {
        form: Form::KeyValue,
        span,
        scheme: None,
        dialect: None,
        driver: None,
        user: value_of("user"),
        password: value_of("password"),
        host_list: value_of("host").unwrap_or(Span::empty_at(span.end)),
        hosts,
        database: value_of("dbname"),
        query_mark: None,
        params,
        placeholders: marks.into_iter().filter(|m| span.contains(*m)).collect(),
    })
}

/// The inside of a single-quoted value.
fn unquote_span(text: &str, value: Span) -> Span {
    let v = value.slice(text);
    if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        Span::new(value.start + 1, value.end - 1)
    } else {
        value
    }
}

#[cfg(test)]
mod tests;
