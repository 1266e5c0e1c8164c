//! The rule catalog: every check poolfix makes, with its documentation.
//!
//! Each rule lives in its own file with its [`RuleDoc`]; the guide's rule reference is
//! rendered from [`CATALOG`] at build time, so the documentation cannot drift from the code.

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How far a rule's fix can be trusted without a human looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Applied automatically: the meaning is preserved.
    Safe,
    /// Applied, but a person should read the change.
    Review,
    /// Described, not applied: poolfix lacks something only the user knows.
    Manual,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Review => "review",
            Applicability::Manual => "manual",
        }
    }
}

/// A rule's documentation, rendered into the guide.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// Stable code, e.g. `PF101`.
    pub code: &'static str,
    /// Kebab-case name that describes the problem.
    pub name: &'static str,
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    pub fix_title: &'static str,
    pub applicability: Applicability,
    /// Markdown sections.
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub instead: &'static str,
    pub fix_safety: &'static str,
    /// (title, url) pairs.
    pub references: &'static [(&'static str, &'static str)],
}

/// Every rule, in code order.
pub static CATALOG: &[RuleDoc] = &[];
