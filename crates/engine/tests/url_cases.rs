//! The URL doctor on the fixture table in `tests/urls/cases.txt`: every case's report is a
//! reviewed snapshot, every case converges, no message repeats a password, and the table
//! covers every rule, driver and endpoint kind.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use poolfix_engine::knowledge::services;
use poolfix_engine::rules::{Applicability, CATALOG};
use poolfix_engine::span::line_col;
use poolfix_engine::url_doctor::{analyze_url, ModeChoice, UrlOptions, UrlReport};

struct Case {
    name: String,
    options: UrlOptions,
    url: String,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/urls")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("cases.txt")).unwrap();
    let mut cases = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, '|').map(|f| f.strip_prefix(' ').unwrap_or(f)).collect();
        assert_eq!(fields.len(), 4, "bad fixture line: {line}");
        let service = services::from_cli(fields[1].trim()).unwrap_or_else(|| panic!("service in {line}"));
        let mut options = UrlOptions::new(service);
        // The mode field may add `,file`: the URL sits in a file (compose, .env).
        let mut flags = fields[2].trim().split(',');
        options.mode = ModeChoice::from_cli(flags.next().unwrap_or("")).unwrap_or_else(|| panic!("mode in {line}"));
        options.in_file = flags.any(|f| f == "file");
        cases.push(Case { name: fields[0].trim().to_string(), options, url: fields[3].to_string() });
    }
    cases
}

fn render(text: &str, r: &UrlReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "input: {text}");
    let _ = writeln!(
        out,
        "service: {} · driver: {} · endpoint: {} · mode: {} -> {} · ref: {}",
        r.service.cli_name(),
        r.driver.map_or("-", |d| d.name),
        r.endpoint.as_str(),
        r.mode_before.as_str(),
        r.mode_after.as_str(),
        r.project_ref.as_deref().unwrap_or("-"),
    );
    let _ = writeln!(out, "findings:");
    for f in &r.findings {
        let (l1, c1) = line_col(text, f.span.start);
        let (l2, c2) = line_col(text, f.span.end);
        let _ = writeln!(out, "  {} {} {l1}:{c1}-{l2}:{c2} {}", f.severity().as_str(), f.rule.code, f.message);
        if let Some(fx) = &f.fix {
            let _ = writeln!(out, "    fix ({}): {}", fx.applicability.as_str(), fx.title);
            for (k, v) in &fx.env {
                let _ = writeln!(out, "      env {k}={v}");
            }
            if let Some(n) = &fx.note {
                let _ = writeln!(out, "      note: {n}");
            }
        }
    }
    let _ = writeln!(out, "corrected: {}", r.corrected_url.as_deref().unwrap_or("-"));
    let _ = writeln!(out, "env:");
    for (k, v) in &r.env {
        let _ = writeln!(out, "  {k}={v}");
    }
    if let Some(s) = &r.snippet {
        let _ = writeln!(out, "snippet:\n{s}");
    }
    out
}

#[test]
fn every_case_matches_its_reviewed_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 80, "the table needs at least 80 cases, has {}", cases.len());
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(names.insert(case.name.clone()), "duplicate case name {}", case.name);
        let report = analyze_url(&case.url, &case.options);
        insta::with_settings!({ snapshot_path => fixtures().join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(case.name.clone(), render(&case.url, &report));
        });
    }
}

#[test]
fn fixing_converges() {
    for case in cases() {
        let first = analyze_url(&case.url, &case.options);
        let mut options = case.options.clone();
        options.env = first.env.clone();
        // A requested mode switch is done once the port has changed.
        let second = analyze_url(&first.corrected, &options);
        assert!(second.edits.is_empty(), "{}: fixing the fixed URL edits it again: {:?}", case.name, second.edits);
        let before: BTreeSet<_> = first.findings.iter().map(|f| f.rule.code).collect();
        for f in &second.findings {
            assert!(
                before.contains(f.rule.code),
                "{}: a new finding after fixing: {} {}",
                case.name,
                f.rule.code,
                f.message
            );
            let fixable =
                f.fix.as_ref().is_some_and(|fx| fx.applicability != Applicability::Manual && !fx.actions.is_empty());
            assert!(!fixable, "{}: {} still has an automatic fix after fixing", case.name, f.rule.code);
        }
    }
}

#[test]
fn passwords_are_never_repeated_and_kept_byte_identical() {
    for case in cases() {
        let report = analyze_url(&case.url, &case.options);
        let Some(conn) = &report.conn else { continue };
        let Some(pw) = conn.password.filter(|p| p.len() >= 3 && !conn.has_placeholder(*p)) else {
            continue;
        };
        let password = pw.slice(&case.url);
        for f in &report.findings {
            assert!(!f.message.contains(password), "{}: message repeats the password", case.name);
            if let Some(note) = f.fix.as_ref().and_then(|fx| fx.note.as_ref()) {
                assert!(!note.contains(password), "{}: fix note repeats the password", case.name);
            }
        }
        for part in &report.explain {
            assert!(!part.text.contains(password), "{}: explain view shows the password", case.name);
        }
        let encoded = report.findings.iter().any(|f| f.rule.code == "PF111");
        if !encoded {
            assert!(report.corrected.contains(password), "{}: the password changed without PF111", case.name);
        }
    }
}

#[test]
fn the_table_covers_every_rule_driver_and_endpoint() {
    let mut rules = BTreeSet::new();
    let mut drivers = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    for case in cases() {
        let r = analyze_url(&case.url, &case.options);
        rules.extend(r.findings.iter().map(|f| f.rule.code));
        drivers.extend(r.driver.map(|d| d.name));
        endpoints.insert(r.endpoint.as_str());
    }
    let all: BTreeSet<_> = CATALOG.iter().map(|(r, _)| r.code).filter(|c| c.starts_with("PF1")).collect();
    let missing: Vec<_> = all.difference(&rules).collect();
    assert!(missing.is_empty(), "rules without a fixture case: {missing:?}");
    assert_eq!(drivers.len(), 5, "drivers covered: {drivers:?}");
    assert_eq!(endpoints.len(), 7, "endpoint kinds covered: {endpoints:?}");
}
