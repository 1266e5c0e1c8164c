//! PF112: a literal password in a file.

use super::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity, UrlCtx};

pub static DOC: RuleDoc = RuleDoc {
    code: "PF112",
    scope: Scope::Url,
    name: "literal-password",
    severity: Severity::Warning,
    applicability: Applicability::Manual,
};

/// The rule's documentation, rendered into the guide (not linked into the page's wasm).
pub static TEXT: RuleText = RuleText {
    summary: "The connection string in this file holds the password itself.",
    fix_title: "Use a variable such as `${DB_PASSWORD}`",
    what: "Finds a non-empty password written out in a URL in a compose file instead of a `${VAR}` placeholder. A URL that comes whole from a variable (`DATABASE_URL: ${DATABASE_URL}`) is kept in `.env`, where the password belongs, and is not flagged.",
    why: "Compose files are committed, shared in tickets and pasted into tools. A password in them leaks with every copy; a variable keeps it in one place you can rotate.",
    example: "```yaml\nDATABASE_URL: postgresql+psycopg2://postgres.<ref>:hunter2@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```",
    instead: "```yaml\nDATABASE_URL: postgresql+psycopg2://postgres.<ref>:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n```\nwith `DB_PASSWORD` in a `.env` file that is not committed.",
    fix_safety: "Manual: poolfix never copies a password into its output, so it does not write the `.env` line for you.",
    references: &[("Compose interpolation", "https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/")],
};

pub fn check(ctx: &UrlCtx, out: &mut Vec<Finding>) {
    if !ctx.options.in_file {
        return;
    }
    let Some(pw) = ctx.conn.password.filter(|p| !p.is_empty() && !ctx.conn.has_placeholder(*p)) else {
        return;
    };
    out.push(
        Finding::new(
            &DOC,
            "the password is written into the file: use a variable such as ${DB_PASSWORD} and keep the value in .env",
            pw,
        )
        .with_fix(Fix::new("Use `${DB_PASSWORD}` here and put the password in .env", Applicability::Manual)),
    );
}
