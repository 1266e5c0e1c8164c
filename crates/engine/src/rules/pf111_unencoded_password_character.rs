//! PF111: reserved characters in the password that are not percent-encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};
use crate::conn::Form;
use crate::fix::UrlAction;
use crate::placeholder::{containing, masked};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF111",
    scope: Scope::Url,
    name: "unencoded-password-character",
    severity: Severity::Error,
    applicability: Applicability::Safe,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The password holds `@`, `:`, `/`, `?`, `#`, `[`, `]`, a space or a stray `%` that must be percent-encoded in a URL.",
    fix_title: "Percent-encode the password",
    what: "Finds characters in a URL's password that URL parsers treat as delimiters or escapes.",
    why: "Drivers split the URL at these characters: SQLAlchemy ends the password at the first `@` and takes the rest as the host; libpq ends the host part at `/`. The connection then fails with a confusing host or authentication error, and `%` followed by two hex digits silently becomes another character.",
    example: "```text\npostgresql+psycopg2://postgres.<ref>:p@ss/word@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```text\npostgresql+psycopg2://postgres.<ref>:p%40ss%2Fword@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    fix_safety: "Safe: every driver percent-decodes the password, so the encoded form is the same password. Placeholders are left as they are.",
    references: &[("RFC 3986 §3.2.1 user information", "https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1")],
};

/// Characters that end or escape a URL's password part.
const RESERVED: &AsciiSet =
    &CONTROLS.add(b'@').add(b':').add(b'/').add(b'?').add(b'#').add(b'[').add(b']').add(b' ').add(b'%');

fn is_escape(bytes: &[u8], i: usize) -> bool {
    bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
}

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if ctx.conn.form != Form::Uri {
        return;
    }
    let Some(pw) = ctx.conn.password else { return };
    let bytes = ctx.text.as_bytes();
    let needs = |i: usize| {
        let b = bytes[i];
        !masked(&ctx.conn.placeholders, i)
            && (if b == b'%' { !is_escape(bytes, i) } else { b.is_ascii_control() || b"@:/?#[] ".contains(&b) })
    };
    if !(pw.start..pw.end).any(needs) {
        return;
    }
    // Encode outside placeholders only, keeping valid %XX escapes as they are.
    let mut encoded = String::new();
    let mut i = pw.start;
    while i < pw.end {
        if let Some(m) = containing(&ctx.conn.placeholders, i) {
            encoded.push_str(m.slice(ctx.text));
            i = m.end;
            continue;
        }
        let ch = ctx.text[i..].chars().next().unwrap_or('\0');
        let len = ch.len_utf8();
        if needs(i) {
            encoded.extend(utf8_percent_encode(&ctx.text[i..i + len], RESERVED));
        } else {
            encoded.push_str(&ctx.text[i..i + len]);
        }
        i += len;
    }
    out.push(
        Finding::new(
            &DOC,
            "the password contains characters that must be percent-encoded in a URL (such as @ / : ? # or %)",
            pw,
        )
        .with_fix(
            Fix::new("Percent-encode the password", Applicability::Safe)
                .action(UrlAction::Replace { span: pw, with: encoded }),
        ),
    );
}
