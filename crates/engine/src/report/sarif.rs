//! The compose report as SARIF 2.1.0 (`poolfix check --format sarif`), the format GitHub code
//! scanning and editors read: every rule of the catalog with its documentation and guide link,
//! and one result per finding on its line and column of the compose file.
//!
//! Specification: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>; the schema
//! the tests validate against is `tests/sarif/sarif-schema-2.1.0.json` (its source is named
//! there). GitHub's subset: <https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>.

use serde_json::{json, Value};

use crate::compose::ComposeReport;
use crate::diagnostic::{RuleDoc, RuleText, Severity};
use crate::rules::CATALOG;

/// One analysed file: its path as given on the command line (`None` for standard input) and
/// its report.
pub struct Analysed<'a> {
    pub path: Option<&'a str>,
    pub report: &'a ComposeReport,
}

/// The SARIF log of one run over `files`. `site` is where the guide is published (its rule
/// pages become each rule's `helpUri`); without it, rules carry their documentation only.
pub fn log(files: &[Analysed<'_>], version: &str, site: Option<&str>) -> Value {
    let index = |code: &str| CATALOG.iter().position(|(r, _)| r.code == code);
    let results: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            file.report.findings.iter().map(move |f| {
                let mut message = f.finding.message.clone();
                if let Some(fix) = &f.finding.fix {
                    message.push_str(&format!("\nFix ({}): {}", fix.applicability.as_str(), fix.title));
                }
                let mut result = json!({
                    "ruleId": f.finding.rule.code,
                    "level": level(f.finding.severity()),
                    "message": { "text": message },
                });
                if let Some(i) = index(f.finding.rule.code) {
                    result["ruleIndex"] = json!(i);
                }
                if let Some(path) = file.path {
                    result["locations"] = json!([{
                        "physicalLocation": {
                            "artifactLocation": artifact(path),
                            "region": { "startLine": f.line, "startColumn": f.column },
                        },
                    }]);
                }
                if let Some(service) = &f.service {
                    result["properties"] = json!({ "service": service });
                }
                result
            })
        })
        .collect();
    let mut driver = json!({
        "name": "poolfix",
        "version": version,
        "semanticVersion": version,
        "rules": CATALOG.iter().map(|(r, t)| rule(r, t, site)).collect::<Vec<_>>(),
    });
    if let Some(site) = site {
        driver["informationUri"] = json!(site);
    }
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(r: &RuleDoc, t: &RuleText, site: Option<&str>) -> Value {
    let mut help = format!(
        "{}\n\n**What it does**\n\n{}\n\n**Why it matters**\n\n{}\n\n**Use instead**\n\n{}\n",
        t.summary, t.what, t.why, t.instead
    );
    for (title, url) in t.references {
        help.push_str(&format!("\n- [{title}]({url})"));
    }
    let mut v = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": t.summary },
        "fullDescription": { "text": t.what },
        "help": { "text": format!("{}\n\nFix: {}", t.summary, t.fix_title), "markdown": help },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": ["postgres", "connection-pool"], "scope": format!("{:?}", r.scope).to_lowercase() },
    });
    if let Some(site) = site {
        v["helpUri"] = json!(format!("{}/{}", site.trim_end_matches('/'), r.guide_path()));
    }
    v
}

/// Where a file is: relative to the repository's root (`%SRCROOT%`, as code scanning expects),
/// or a `file://` URI for an absolute path.
fn artifact(path: &str) -> Value {
    match path.strip_prefix('/') {
        Some(absolute) => json!({ "uri": format!("file:///{}", uri(absolute)) }),
        None => json!({ "uri": uri(path), "uriBaseId": "%SRCROOT%" }),
    }
}

/// A relative path as a URI reference: separators kept, everything a URI would read otherwise
/// percent-encoded.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("./deploy/docker compose.yml"), "deploy/docker%20compose.yml");
        assert_eq!(uri("a#b?c%.yml"), "a%23b%3Fc%25.yml");
        assert_eq!(uri("dir\\f.yml"), "dir/f.yml");
        assert_eq!(artifact("/srv/app/compose.yml")["uri"], "file:///srv/app/compose.yml");
    }
}
