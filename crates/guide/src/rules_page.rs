//! The rule reference page, generated from the engine's catalog.

use std::fmt::Write as _;

use poolfix_engine::rules::CATALOG;

/// Markdown for `/guide/rules`: one section per rule, anchored by its lowercase code.
pub fn markdown() -> String {
    let mut md = String::from(
        "# Rule reference\n\nEvery finding the checker reports has a stable code. This page is generated from the \
         rules' own source, so it always describes what the checker does.\n\n",
    );
    if CATALOG.is_empty() {
        md.push_str("## No rules yet\n\nThe checker's rules are listed here as they land.\n");
    }
    for (rule, text) in CATALOG.iter().copied() {
        let _ = write!(
            md,
            "## {code} {name} {{#{id}}}\n\n*{severity}* · fix: {fix} ({applicability})\n\n{summary}\n\n\
             ### What it does {{#{id}-what}}\n\n{what}\n\n### Why it matters {{#{id}-why}}\n\n{why}\n\n\
             ### Example {{#{id}-example}}\n\n{example}\n\n### Use instead {{#{id}-instead}}\n\n{instead}\n\n\
             ### Fix safety {{#{id}-fix-safety}}\n\n{safety}\n\n",
            code = rule.code,
            name = rule.name,
            id = rule.code.to_ascii_lowercase(),
            severity = rule.severity.as_str(),
            fix = text.fix_title,
            applicability = rule.applicability.as_str(),
            summary = text.summary,
            what = text.what,
            why = text.why,
            example = text.example,
            instead = text.instead,
            safety = text.fix_safety,
        );
        if !text.references.is_empty() {
            let _ = writeln!(md, "### References {{#{}-references}}\n", rule.code.to_ascii_lowercase());
            for (title, url) in text.references {
                let _ = writeln!(md, "- [{title}]({url})");
            }
            md.push('\n');
        }
    }
    md
}
