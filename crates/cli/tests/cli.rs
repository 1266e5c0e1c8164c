//! The `poolfix` binary: exit codes, the JSON contract, and no password in text output.

use std::process::{Command, Output};

fn poolfix(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poolfix"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run poolfix")
}

const TICKET: &str = "postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10";

#[test]
fn errors_exit_1_and_json_has_the_documented_fields() {
    let out = poolfix(&["url", TICKET, "--for", "mlflow", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["PF104", "PF101", "PF101", "PF106"]);
    let first = &v["findings"][1];
    for field in [
        "rule", "severity", "message", "span", "line", "column", "guide", "fix",
    ] {
        assert!(!first[field].is_null(), "finding lacks `{field}`");
    }
    assert_eq!(first["span"]["start"], 111);
    assert_eq!(
        v["corrected_url"],
        "postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?connect_timeout=10&sslmode=require"
    );
    assert_eq!(v["env"]["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"], "1");
    assert_eq!(v["env"]["MLFLOW_WORKERS"], "1");
}

#[test]
fn a_clean_url_exits_0() {
    let ok = "postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require";
    let out = poolfix(&["url", ok, "--for", "prefect"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=1"));
    assert!(text.contains("0 errors"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(
        poolfix(&["url", TICKET, "--for", "django"]).status.code(),
        Some(2)
    );
    assert_eq!(poolfix(&["url"]).status.code(), Some(2));
    assert_eq!(poolfix(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn text_output_masks_a_literal_password_and_reads_stdin() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_poolfix"))
        .args(["url", "-", "--for", "mlflow"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"postgresql+psycopg2://postgres.abcdefghijklmnopqrst:Sup3rS3cret@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("Sup3rS3cret"), "{text}");
    assert!(text.contains(":••••••@aws-0-eu-central-1"), "{text}");
    assert!(
        text.contains("sslmode=require") && text.contains("connect_timeout=10"),
        "{text}"
    );
}

#[test]
fn unparsable_input_names_the_position() {
    let out = poolfix(&[
        "url",
        "postgresql://app@localhost:54x2/app",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "PF100");
    assert_eq!(v["findings"][0]["column"], 28);
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not a port number"));
}
