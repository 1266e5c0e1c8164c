//! The `poolfix` binary: exit codes, the JSON contract, and no password in text output.

use std::process::{Command, Output};

fn poolfix(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_poolfix")).args(args).env("NO_COLOR", "1").output().expect("run poolfix")
}

const TICKET: &str = "postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10";

#[test]
fn errors_exit_1_and_json_has_the_documented_fields() {
    let out = poolfix(&["url", TICKET, "--for", "mlflow", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["PF104", "PF122", "PF101", "PF101", "PF106"]);
    let first = &v["findings"][2];
    for field in ["rule", "severity", "message", "span", "line", "column", "guide", "fix"] {
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
fn the_client_limit_note_states_the_compute_sizes_numbers() {
    let note = |args: &[&str]| {
        let out = poolfix(&[&["url", TICKET, "--format", "json"], args].concat());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "PF122").cloned();
        found.expect("a PF122 note")["message"].as_str().unwrap().to_string()
    };
    assert!(note(&[]).contains("15 on Nano (free) to Medium, 20 on Large to XL"), "{}", note(&[]));
    assert!(note(&["--compute", "large"]).contains("(20 by default on Large;"), "{}", note(&["--compute", "large"]));
    let tx = TICKET.replace(":5432/", ":6543/");
    let out = poolfix(&["url", &tx, "--compute", "small", "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("400 clients on Small"));
}

#[test]
fn a_clean_url_exits_0() {
    let ok = "postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?ssl=require";
    let out = poolfix(&["url", ok, "--for", "prefect"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE=1"));
    assert!(text.contains("0 errors"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(poolfix(&["url", TICKET, "--for", "rails"]).status.code(), Some(2));
    assert_eq!(poolfix(&["url", TICKET, "--format", "sarif"]).status.code(), Some(2), "SARIF is for files");
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
    assert!(text.contains("sslmode=require") && text.contains("connect_timeout=10"), "{text}");
}

#[test]
fn unparsable_input_names_the_position() {
    let out = poolfix(&["url", "postgresql://app@localhost:54x2/app", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "PF100");
    assert_eq!(v["findings"][0]["column"], 28);
    assert!(v["findings"][0]["message"].as_str().unwrap().contains("not a port number"));
}

fn seed() -> String {
    format!("{}/../../examples/seed-compose.yml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_reports_the_seed_budget_and_exits_1() {
    let out = poolfix(&["check", &seed(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["budget"]["limit"], 15);
    assert_eq!(v["budget"]["mode"], "session");
    assert_eq!(v["budget"]["before"], 261);
    // The plan moves the API to the transaction port: the session side holds 9.
    assert_eq!(v["budget"]["after"], 9);
    assert_eq!(v["fits"], true);
    let chosen: Vec<&str> = v["plan_options"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["chosen"] == true)
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(chosen, ["transaction"]);
    let mlflow = v["services"].as_array().unwrap().iter().find(|s| s["name"] == "mlflow").unwrap();
    assert_eq!(mlflow["kind"], "mlflow");
    assert_eq!(mlflow["version"], "3.17.2");
    assert_eq!(mlflow["processes"], 4);
    assert_eq!(mlflow["max_connections_before"], 124);
    assert_eq!(mlflow["max_connections_after"], 6);
    assert_eq!(mlflow["env"]["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"], "1");
    assert!(mlflow["corrected_url"].as_str().unwrap().starts_with("postgresql+psycopg2://"));
    let f = &v["findings"][0];
    for field in ["rule", "severity", "message", "service", "line", "column"] {
        assert!(f.get(field).is_some(), "finding lacks {field}");
    }
    assert!(v["fixed"].as_str().unwrap().contains("MLFLOW_WORKERS: \"1\""));
    assert!(v["diff"].as_str().unwrap().starts_with("--- a/"));
}

#[test]
fn compute_size_and_pool_size_set_the_limit() {
    let out = poolfix(&["check", &seed(), "--compute", "large", "--pool-size", "40", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["budget"]["limit"], 40);
    assert_eq!(v["services"][0]["max_connections_after"], 6);
}

/// Where the image tag does not say, `--prefect-version` / `--mlflow-version` choose the
/// settings' names; the JSON says the version was assumed. A bad version is a usage error.
#[test]
fn assumed_versions_choose_the_settings() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compose/versions-unknown.yml");
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["check", file, "--format", "json"];
        all.extend(args);
        serde_json::from_slice(&poolfix(&all).stdout).unwrap()
    };
    let newest = json(&[]);
    let prefect = &newest["services"][1];
    assert!(prefect["version"].is_null() && prefect["version_assumed"] == false);
    assert!(prefect["settings"].as_object().unwrap().contains_key("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE"));
    let old = json(&["--prefect-version", "2", "--mlflow-version", "2.17"]);
    let (mlflow, prefect) = (&old["services"][0], &old["services"][1]);
    assert_eq!((prefect["version"].as_str(), prefect["version_assumed"].as_bool()), (Some("2.x"), Some(true)));
    assert!(prefect["settings"].as_object().unwrap().contains_key("PREFECT_SQLALCHEMY_POOL_SIZE"));
    assert_eq!(mlflow["version"], "2.17.x");
    assert!(!mlflow["settings"].as_object().unwrap().contains_key("MLFLOW_SERVER_ENABLE_JOB_EXECUTION"));
    let bad = poolfix(&["check", file, "--prefect-version", "two"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`two` is not a version"));
}

#[test]
fn fix_diff_plan_and_write() {
    let diff = poolfix(&["fix", &seed(), "--diff"]);
    assert_eq!(diff.status.code(), Some(0));
    let diff = String::from_utf8(diff.stdout).unwrap();
    assert!(diff.contains("+      MLFLOW_WORKERS: \"1\""), "{diff}");
    assert!(diff.contains("-      PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://"), "{diff}");

    let plan = String::from_utf8(poolfix(&["plan", &seed()]).stdout).unwrap();
    assert!(plan.contains("docker compose up -d --no-deps --build mlflow"));
    assert!(plan.contains("http://localhost:4200/api/flows/count"));
    assert!(plan.contains("EMAXCONNSESSION"));

    let dir = std::env::temp_dir().join(format!("poolfix-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("docker-compose.yml");
    std::fs::copy(seed(), &file).unwrap();
    assert_eq!(poolfix(&["fix", file.to_str().unwrap(), "--write"]).status.code(), Some(0));
    let again = poolfix(&["fix", file.to_str().unwrap(), "--diff"]);
    assert_eq!(String::from_utf8(again.stdout).unwrap(), "", "fixing the fixed file changes nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_yaml_and_missing_files() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_poolfix"))
        .args(["check", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"services:\n  api:\n    environment: [A=1\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("PF200") && text.contains("invalid YAML at line"), "{text}");
    assert_eq!(poolfix(&["check", "/nonexistent/compose.yml"]).status.code(), Some(2));
    assert_eq!(poolfix(&["check", &seed(), "--compute", "huge"]).status.code(), Some(2));
}

#[test]
fn urls_from_env_name_the_corrected_url_once_each_and_never_the_password() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compose/");
    let (file, env) = (format!("{dir}urls-from-env.yml"), format!("{dir}urls-from-env.env"));
    let out = poolfix(&["check", &file, "--env-file", &env]);
    let text = String::from_utf8(out.stdout).unwrap();
    // Two URLs from .env, each with several findings: the corrected URL is said once per URL.
    assert_eq!(text.matches("set it to the corrected URL where it is defined").count(), 2, "{text}");
    assert!(!text.contains("s3cret-pw"), "the password from .env is printed: {text}");
    // The passwords live in .env, where they belong: no literal-password warning.
    assert!(!text.contains("PF112"), "{text}");
}

#[test]
fn a_reader_that_stops_early_is_no_panic() {
    // A fixed file far larger than a pipe's buffer, read by nobody: `poolfix fix big.yml | head`.
    let dir = std::env::temp_dir().join(format!("poolfix-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.yml");
    let mut yml = String::from("services:\n");
    for i in 0..3000 {
        yml.push_str(&format!(
            "  api{i}:\n    image: api\n    environment:\n      DATABASE_URL: postgresql://postgres.abcdefghijklmnopqrst:${{DB_PASSWORD}}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1\n"
        ));
    }
    std::fs::write(&file, yml).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_poolfix"))
        .args(["fix", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

#[test]
fn github_format_annotates_each_finding_on_its_line() {
    let out = poolfix(&["check", &seed(), "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "errors exit 1 as in the other formats");
    let text = String::from_utf8(out.stdout).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&poolfix(&["check", &seed(), "--format", "json"]).stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len(), "one annotation per finding: {text}");
    for (line, f) in lines.iter().zip(findings) {
        let level = match f["severity"].as_str().unwrap() {
            "info" => "notice",
            other => other,
        };
        let head = format!(
            "::{level} file={},line={},col={},title=poolfix {}::",
            seed().replace(':', "%3A").replace(',', "%2C"),
            f["line"],
            f["column"],
            f["rule"].as_str().unwrap()
        );
        assert!(line.starts_with(&head), "{line}\nexpected {head}");
    }
}

#[test]
fn url_env_file_resolves_where_the_url_points_and_keeps_the_placeholders() {
    let url = "postgresql+psycopg2://${DB_USER}:${DB_PASSWORD}@${SUPABASE_HOST}:${SUPABASE_PORT:-6543}/postgres";
    let dir = std::env::temp_dir().join(format!("poolfix-cli-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env = dir.join(".env");
    std::fs::write(
        &env,
        "SUPABASE_HOST=aws-0-eu-central-1.pooler.supabase.com\nDB_USER=postgres.abcdefghijklmnopqrst\n",
    )
    .unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&poolfix(&[&["url", url, "--format", "json"], args].concat()).stdout).unwrap()
    };
    let without = json(&[]);
    assert_eq!(without["endpoint"], "unknown");
    let with = json(&["--env-file", env.to_str().unwrap()]);
    assert_eq!(with["endpoint"], "supabase-shared-transaction");
    assert_eq!(with["project_ref"], "abcdefghijklmnopqrst");
    let corrected = with["corrected_url"].as_str().unwrap();
    assert!(
        corrected.starts_with(
            "postgresql+psycopg2://${DB_USER}:${DB_PASSWORD}@${SUPABASE_HOST}:${SUPABASE_PORT:-6543}/postgres?"
        ),
        "{corrected}"
    );
    let out = poolfix(&["url", url, "--env-file", dir.join("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn markdown_format_for_a_pull_request_comment_masks_passwords() {
    let file = format!("{}/../../tests/compose/literal-password.yml", env!("CARGO_MANIFEST_DIR"));
    let out = poolfix(&["check", &file, "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1), "errors still exit 1");
    let md = String::from_utf8(out.stdout).unwrap();
    for section in ["# poolfix report", "## Findings", "## Budget", "## Diff", "## Rollout plan"] {
        assert!(md.contains(section), "no `{section}` in:\n{md}");
    }
    assert!(md.contains("`PF112`"), "{md}");
    assert!(!md.contains("p@ss/word"), "the password is repeated:\n{md}");
    let url = poolfix(&["url", TICKET, "--for", "mlflow", "--format", "markdown"]);
    let md = String::from_utf8(url.stdout).unwrap();
    assert!(md.contains("## Corrected URLs") && md.contains("postgresql+psycopg2://"), "{md}");
}

#[test]
fn plan_picks_an_option_and_refuses_an_unknown_one() {
    // Another option: the pool size raised in the dashboard, every service kept in its mode.
    let out = poolfix(&["check", &seed(), "--plan", "pool-size", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["budget"]["groups"][0]["limit"], 31);
    assert_eq!(v["budget"]["after"], 25);
    let pooled = v["services"].as_array().unwrap().iter().filter(|s| !s["corrected_url"].is_null());
    assert!(pooled.map(|s| &s["mode_after"]).all(|m| m == "session"));
    let plan = poolfix(&["plan", &seed(), "--plan", "pool-size"]);
    assert_eq!(plan.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&plan.stdout).contains("pool size 15 → 31"));
    // An id the file does not have is a usage error that lists those it has.
    let out = poolfix(&["fix", &seed(), "--plan", "compute"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pools, workers, transaction, pool-size, fewer-processes"), "{err}");
}

#[test]
fn nothing_fits_says_what_would_and_exits_1() {
    let file = format!("{}/../../tests/compose/nothing-fits.yml", env!("CARGO_MANIFEST_DIR"));
    for cmd in ["check", "fix", "plan"] {
        let out = poolfix(&[cmd, &file, "--mode", "keep"]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
    }
    let out = poolfix(&["check", &file, "--mode", "keep", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["fits"], false);
    assert!(v["nothing_fits"].as_str().unwrap().contains("pool size of at least 799"), "{}", v["nothing_fits"]);
}

#[test]
fn explain_reads_a_real_startup_log() {
    let log = format!("{}/../../tests/logs/prefect-3.9.1-ticket-url.log", env!("CARGO_MANIFEST_DIR"));
    let out = poolfix(&["explain", &log, "--compose", &seed(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["lines"][0];
    assert_eq!(first["line"], 138);
    assert_eq!(first["known"]["error"], "unexpected-keyword");
    assert_eq!(first["known"]["value"], "pool_size");
    assert_eq!(first["known"]["guide"], "guide/troubleshooting/#unexpected-keyword");
    assert_eq!(first["known"]["suspects"][0]["service"], "prefect-server");
    assert_eq!(v["unknown"], 0);
    assert_eq!(poolfix(&["explain", "/no/such/log"]).status.code(), Some(2));
}

#[test]
fn explain_masks_passwords_and_says_what_it_does_not_know() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_poolfix"))
        .args(["explain", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let log = "ERROR connecting to postgresql://postgres.abcdefghijklmnopqrst:Sup3rS3cret@h:5432/db: Tenant or user not found\nFluxError: the capacitor is empty\n";
    child.stdin.take().unwrap().write_all(log.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("Sup3rS3cret"), "{text}");
    assert!(text.contains("see guide/troubleshooting/#tenant-not-found"), "{text}");
    assert!(text.contains("unknown: poolfix does not know this error text"), "{text}");
    assert!(text.contains("1 known errors, 1 unknown"), "{text}");
}

/// `check --format sarif` over two files: one run, each result on its file's line and column,
/// with the rule it names at its `ruleIndex`; several files in JSON are an array.
#[test]
fn sarif_and_several_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/compose/");
    let (seed, django) = (format!("{dir}seed.yml"), format!("{dir}django.yml"));
    let out = poolfix(&["check", &seed, &django, "--format", "sarif", "--site-url", "https://example.org/p/"]);
    assert_eq!(out.status.code(), Some(1), "findings exit 1");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let uri = |r: &serde_json::Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string()
    };
    assert!(
        results.iter().any(|r| uri(r).ends_with("seed.yml")) && results.iter().any(|r| uri(r).ends_with("django.yml"))
    );
    for r in results {
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], r["ruleId"]);
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert!(rules.iter().all(|r| r["helpUri"].as_str().unwrap().starts_with("https://example.org/p/guide/rules/#pf")));
    let json = poolfix(&["check", &seed, &django, "--format", "json"]);
    let reports: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(reports.as_array().map(Vec::len), Some(2), "one report per file");
    let findings: usize = reports.as_array().unwrap().iter().map(|r| r["findings"].as_array().unwrap().len()).sum();
    assert_eq!(findings, results.len(), "SARIF results = JSON findings");
}
