//! PF100: the text is not a connection string poolfix can read.

use super::{Applicability, RuleDoc, RuleText, Scope, Severity};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF100",
    scope: Scope::Url,
    name: "unparsable-connection-string",
    severity: Severity::Error,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The text is not a PostgreSQL connection string, or it is malformed.",
    fix_title: "Correct the text at the marked position",
    what: "Reports input that is neither a `postgresql://` URI nor libpq `key=value` pairs, or that breaks their syntax: an unknown scheme, a port that is not a number, an IPv6 address or `${` placeholder that is never closed, a quoted value without its closing quote.",
    why: "A driver given such a string fails before it connects, usually with a message that does not say where the problem is.",
    example: "```text\npostgresql://postgres:secret@db.example.com:54x2/postgres\n```",
    instead: "```text\npostgresql://postgres:secret@db.example.com:5432/postgres\n```",
    fix_safety: "No automatic fix: poolfix cannot guess what was meant. The message names the position.",
    references: &[("libpq connection strings", "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING")],
};

use super::Finding;
use crate::span::Span;

/// The finding for text the connection-string parser refused.
pub fn finding(message: String, span: Span) -> Finding {
    Finding::new(&DOC, message, span)
}
