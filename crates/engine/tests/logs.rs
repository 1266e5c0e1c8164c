//! The log doctor against the real texts: every error line the verification suites provoked
//! from the real drivers, poolers and servers (`tests/logs/recorded.log`, copied from
//! `target/verify-errors.log` after `make verify-drivers` and `make verify`) is known, and a
//! real server's startup log gives the right cause and fix.

use poolfix_engine::log_doctor::explain_log;
use poolfix_engine::{analyze_compose, ComposeOptions};

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../tests/logs/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_recorded_line_is_known() {
    let recorded = read("recorded.log");
    let report = explain_log(&recorded, None);
    let unknown: Vec<_> = report.lines.iter().filter(|l| l.known.is_none()).map(|l| &l.text).collect();
    assert!(unknown.is_empty(), "recorded error lines poolfix does not know: {unknown:#?}");
    assert!(report.known() >= 15, "the recording is too short to mean anything: {}", report.known());
}

#[test]
fn a_real_prefect_startup_log_names_the_cause_and_the_fix() {
    let log = read("prefect-3.9.1-ticket-url.log");
    let seed =
        std::fs::read_to_string(format!("{}/../../examples/seed-compose.yml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let compose = analyze_compose(&seed, &ComposeOptions::default());
    let report = explain_log(&log, Some(&compose));
    let first = report.lines.iter().find_map(|l| l.known.as_ref()).expect("a known error");
    assert_eq!(first.error.id, "unexpected-keyword");
    assert_eq!(first.value.as_deref(), Some("pool_size"));
    assert!(first.fix.starts_with("Remove `pool_size` from the URL"), "{}", first.fix);
    // The seed's asyncpg service is the one such an error comes from.
    let suspects: Vec<_> = first.suspects.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(suspects, ["prefect-server"]);
    assert_eq!(report.unknown(), 0, "{:#?}", report.lines);
}

#[test]
fn plain_text_has_no_error_lines() {
    let report = explain_log("INFO: Application startup complete.\nUvicorn running on http://127.0.0.1:4200\n", None);
    assert!(report.lines.is_empty());
}

#[test]
fn publicly_reported_lines_are_explained_by_their_entry() {
    let cases = read("public-reports.txt");
    let mut wrong = Vec::new();
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut parts = line.splitn(3, " | ");
        let (id, source, text) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let report = explain_log(text, None);
        let got = report.lines.first().and_then(|l| l.known.as_ref()).map(|k| k.error.id);
        if got != Some(id) {
            wrong.push(format!("{source}: expected {id}, got {got:?} for {text}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
