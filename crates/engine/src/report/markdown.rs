//! The report as markdown, for a ticket or a pull-request comment. Passwords are masked.

use std::fmt::Write as _;

use crate::compose::ComposeReport;
use crate::diagnostic::Finding;
use crate::model::count_label as show;
use crate::redact::redact_urls;
use crate::span::LineIndex;
use crate::url_doctor::{mask_password, UrlReport};

fn finding(md: &mut String, f: &Finding, line: usize) {
    let _ = writeln!(md, "- **{}** `{}` line {line}: {}", f.severity().as_str(), f.rule.code, f.message);
}

/// A compose file's report: findings, the budget, the diff and the rollout plan.
pub fn compose(r: &ComposeReport) -> String {
    let mut md = String::from("# poolfix report\n\n## Findings\n\n");
    for f in &r.findings {
        finding(&mut md, &f.finding, f.line);
    }
    md.push_str("\n## Budget\n\n| endpoint | mode | limit | before | after |\n|---|---|---|---|---|\n");
    for g in &r.budget.groups {
        let mode = g.mode.map_or("?", |m| m.as_str());
        let _ = writeln!(md, "| {} | {mode} | {} | {} | {} |", g.host, show(g.limit), show(g.before), show(g.after));
    }
    if !r.diff.is_empty() {
        let _ = write!(md, "\n## Diff\n\n```diff\n{}```\n", redact_urls(&r.diff).0);
    }
    md.push('\n');
    md.push_str(
        &r.plan.to_markdown().replacen("# Rollout plan (poolfix)", "## Rollout plan", 1).replace("\n## ", "\n### "),
    );
    md
}

/// The report on a list of connection strings, each given with where it starts in `text`.
pub fn urls(text: &str, reports: &[(usize, &UrlReport)]) -> String {
    let lines = LineIndex::new(text);
    let mut md = String::from("# poolfix report\n\n## Findings\n\n");
    for (offset, r) in reports {
        for f in &r.findings {
            finding(&mut md, f, lines.line_col(offset + f.span.start).0);
        }
    }
    md.push_str("\n## Corrected URLs\n\n");
    for (_, r) in reports {
        if let Some(c) = &r.corrected_url {
            let _ = writeln!(md, "```\n{}\n```", mask_password(c));
        }
        for (k, v) in &r.env {
            let _ = writeln!(md, "- `{k}={}`", mask_password(v));
        }
    }
    md
}
