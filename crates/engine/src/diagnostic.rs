//! What a check reports: a finding (rule, message, span) and its fix, with the rule's
//! documentation. The rules make them; the report renders them.

use crate::fix::{Edit, UrlAction};
use crate::span::Span;

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

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One connection string.
    Url,
    /// The compose file as a whole (it does not parse).
    File,
    /// One compose service.
    Service,
    /// The budget of one pool.
    Budget,
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

/// What a finding carries about its rule: code, scope, name, severity, fix safety. Its prose
/// (summary, fix title, documentation) is in [`RuleText`], which the page's wasm does not carry.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// Stable code, e.g. `PF101`.
    pub code: &'static str,
    /// What the rule looks at.
    pub scope: Scope,
    /// Kebab-case name that describes the problem.
    pub name: &'static str,
    pub severity: Severity,
    pub applicability: Applicability,
}

/// A rule's documentation (markdown sections), rendered into the guide. Kept apart from
/// [`RuleDoc`] so that the page's wasm, which only shows findings, does not carry it.
#[derive(Debug, Clone, Copy)]
pub struct RuleText {
    /// One-line summary.
    pub summary: &'static str,
    /// What the fix does, in a few words.
    pub fix_title: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub instead: &'static str,
    pub fix_safety: &'static str,
    /// (title, url) pairs.
    pub references: &'static [(&'static str, &'static str)],
}

/// Rules are identified by their code.
impl PartialEq for RuleDoc {
    fn eq(&self, other: &RuleDoc) -> bool {
        self.code == other.code
    }
}
impl Eq for RuleDoc {}

impl RuleDoc {
    /// The guide section that documents this rule, relative to the site's base.
    pub fn guide_path(&self) -> String {
        format!("guide/rules/#{}", self.code.to_ascii_lowercase())
    }
}

/// A fix for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Changes to the connection string (applied unless `Manual`).
    pub actions: Vec<UrlAction>,
    /// Changes to the compose file itself (applied unless `Manual`).
    pub file_edits: Vec<Edit>,
    /// Settings that must go outside the URL: environment variable name → value.
    pub env: Vec<(String, String)>,
    /// What the user has to do by hand, for manual fixes or as a companion to the edit.
    pub note: Option<String>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            actions: Vec::new(),
            file_edits: Vec::new(),
            env: Vec::new(),
            note: None,
        }
    }

    pub fn action(mut self, action: UrlAction) -> Fix {
        self.actions.push(action);
        self
    }

    pub fn file_edit(mut self, span: Span, replacement: impl Into<String>) -> Fix {
        self.file_edits.push(Edit { span, replacement: replacement.into() });
        self
    }

    /// Whether the fix is applied (not only described).
    pub fn is_applied(&self) -> bool {
        self.applicability != Applicability::Manual
    }

    pub fn env(mut self, name: &str, value: impl Into<String>) -> Fix {
        self.env.push((name.to_string(), value.into()));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Fix {
        self.note = Some(note.into());
        self
    }
}

/// One problem found, where it is, and how to fix it. Messages never contain a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleDoc,
    pub message: String,
    pub span: Span,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(rule: &'static RuleDoc, message: impl Into<String>, span: Span) -> Finding {
        Finding { rule, message: message.into(), span, fix: None }
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// The fix, when it is applied (not only described).
    pub fn applied_fix(&self) -> Option<&Fix> {
        self.fix.as_ref().filter(|fx| fx.is_applied())
    }
}
