//! GitHub Actions annotations: one workflow command per finding
//! (`::error file=…,line=…,col=…,title=…::message`), so that `poolfix check --format github` in
//! a workflow marks each finding on its line of the compose file in the pull request.
//!
//! Escaping as @actions/core does (packages/core/src/command.ts): `%`, CR and LF in the
//! message; `:` and `,` too in the properties.

use poolfix_engine::rules::Finding;

/// The annotation for one finding; `file` is `None` when the input came from standard input or
/// the command line, and the annotation then belongs to the run, not to a file.
pub fn annotation(finding: &Finding, file: Option<&str>, line: usize, column: usize) -> String {
    let level = match finding.severity().as_str() {
        "error" => "error",
        "warning" => "warning",
        _ => "notice",
    };
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", property(file)));
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
    }
    properties.push(format!("title={}", property(&format!("poolfix {}", finding.rule.code))));
    let mut message = finding.message.clone();
    if let Some(fix) = &finding.fix {
        message.push_str(&format!("\nFix ({}): {}", fix.applicability.as_str(), fix.title));
    }
    message.push_str(&format!("\nSee {}", finding.rule.guide_path()));
    format!("::{level} {}::{}", properties.join(","), data(&message))
}

fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_actions_core_does() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
