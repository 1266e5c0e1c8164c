//! Any input, however broken, gives findings or a clear error — never a panic — and fixing
//! converges: applying the fixes and checking again gives no further edits.

use poolfix_engine::knowledge::services::{self, LIBPQ_TOOL, MLFLOW, SQLALCHEMY};
use poolfix_engine::url_doctor::{analyze_url, ModeChoice, UrlOptions};
use proptest::prelude::*;

fn options(service: usize, mode: usize) -> UrlOptions {
    let mut o = UrlOptions::new(services::for_urls().nth(service % 5).unwrap());
    o.mode = [ModeChoice::Keep, ModeChoice::Session, ModeChoice::Transaction][mode % 3];
    o.in_file = service.is_multiple_of(2);
    o
}

fn converges(text: &str, opts: &UrlOptions) -> Result<(), TestCaseError> {
    let first = analyze_url(text, opts);
    let mut again = opts.clone();
    again.env = first.env.clone();
    let second = analyze_url(&first.corrected, &again);
    prop_assert!(second.edits.is_empty(), "not converged: {text:?} -> {:?} -> {:?}", first.corrected, second.corrected);
    Ok(())
}

/// Pieces real URLs are made of, so generated strings reach deep into the rules.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "postgresql",
        "postgres",
        "postgresql+psycopg2",
        "postgresql+asyncpg",
        "postgresql+psycopg",
        "postgresql+pg8000",
        "mysql",
        "",
    ]);
    let user = prop::sample::select(vec!["", "postgres", "postgres.abcdefghijklmnopqrst", "${DB_USER}", "u%40x"]);
    let password = "[a-zA-Z0-9@:/?#%\\[\\] $]{0,12}";
    let host = prop::sample::select(vec![
        "aws-0-eu-central-1.pooler.supabase.com",
        "db.abcdefghijklmnopqrst.supabase.co",
        "localhost",
        "[::1]",
        "${DB_HOST}",
        "",
        "h1,h2",
    ]);
    let port = prop::sample::select(vec!["", ":5432", ":6543", ":6432", ":${PORT}", ":x"]);
    let key = prop::sample::select(vec![
        "pool_size",
        "max_overflow",
        "sslmode",
        "ssl",
        "connect_timeout",
        "timeout",
        "command_timeout",
        "application_name",
        "options",
        "statement_cache_size",
        "prepared_statement_cache_size",
        "prepare_threshold",
        "foo",
        "",
    ]);
    let params = prop::collection::vec((key, "[a-z0-9=&%-]{0,6}"), 0..5);
    (scheme, user, password, host, port, params).prop_map(|(s, u, p, h, port, params)| {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        format!("{s}://{u}:{p}@{h}{port}/postgres{q}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_converges(text in any::<String>(), s in 0usize..5, m in 0usize..3) {
        converges(&text, &options(s, m))?;
    }

    #[test]
    fn url_shaped_text_converges(text in url_like(), s in 0usize..5, m in 0usize..3) {
        converges(&text, &options(s, m))?;
    }

    #[test]
    fn key_value_shaped_text_converges(text in "(host|port|user|password|dbname|pool_size|connect_timeout|sslmode|options) ?= ?('[^']{0,8}'|[a-z0-9.$\\{\\}]{0,10})( [a-z_]{1,10}=[a-z0-9]{0,5}){0,4}", s in 0usize..5) {
        converges(&text, &options(s, 0))?;
    }
}

#[test]
fn large_and_binary_inputs_end_quickly_with_an_answer() {
    let big = format!("postgresql://u:p@h/db?{}", "a=1&".repeat(250_000));
    let report = analyze_url(&big, &UrlOptions::new(&LIBPQ_TOOL));
    assert!(report.conn.is_some());
    let dollars = "$X".repeat(500_000);
    assert_eq!(analyze_url(&dollars, &UrlOptions::new(&SQLALCHEMY)).findings[0].rule.code, "PF100");
    let binary = String::from_utf8_lossy(&(0..=255u8).cycle().take(1 << 20).collect::<Vec<u8>>()).into_owned();
    assert_eq!(analyze_url(&binary, &UrlOptions::new(&MLFLOW)).findings[0].rule.code, "PF100");
    let brackets = format!("postgresql://{}", "[".repeat(100_000));
    assert_eq!(analyze_url(&brackets, &UrlOptions::new(&MLFLOW)).findings[0].rule.code, "PF100");
}

mod compose {
    use poolfix_engine::compose::{analyze_compose, ComposeOptions};
    use poolfix_engine::url_doctor::ModeChoice;
    use proptest::prelude::*;

    fn converges(text: &str, mode: usize) -> Result<(), TestCaseError> {
        let options = ComposeOptions {
            mode: [ModeChoice::Keep, ModeChoice::Session, ModeChoice::Transaction][mode % 3],
            ..ComposeOptions::default()
        };
        let first = analyze_compose(text, &options);
        if first.invalid {
            prop_assert!(first.findings.len() == 1 && first.findings[0].line >= 1);
            return Ok(());
        }
        let second = analyze_compose(&first.fixed, &options);
        prop_assert!(!second.invalid, "the fixed file does not parse:\n{}\n---\n{}", text, first.fixed);
        prop_assert!(second.edits.is_empty(), "not converged:\n{}\n---\n{}", text, second.diff);
        Ok(())
    }

    /// Compose-shaped YAML built from the pieces the doctor looks at.
    fn compose_like() -> impl Strategy<Value = String> {
        let image = prop::sample::select(vec![
            "ghcr.io/mlflow/mlflow:v3.17.2",
            "prefecthq/prefect:3.4.20-python3.11",
            "prefecthq/prefect:2-latest",
            "postgres:16",
            "app",
            "",
        ]);
        let command = prop::sample::select(vec![
            "mlflow server --workers 4",
            "prefect server start",
            "prefect worker start --pool p",
            "gunicorn app:app -w 3",
            "celery -A app worker -c 2",
            "",
        ]);
        let url = prop::sample::select(vec![
            "postgresql://postgres.abcdefghijklmnopqrst:${P}@aws-0-eu-west-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0",
            "postgresql+asyncpg://postgres:${P}@db.abcdefghijklmnopqrst.supabase.co:6543/postgres?sslmode=require",
            "postgres://u:p@ss@localhost/db",
            "${DATABASE_URL}",
            "",
        ]);
        let var = prop::sample::select(vec![
            "DATABASE_URL",
            "MLFLOW_BACKEND_STORE_URI",
            "PREFECT_API_DATABASE_CONNECTION_URL",
            "PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW",
            "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW",
        ]);
        let style = 0usize..4;
        let service = (image, command, var, url, style);
        prop::collection::vec(service, 0..4).prop_map(|services| {
            let mut y = String::from("services:\n");
            for (i, (image, command, var, url, style)) in services.into_iter().enumerate() {
                y.push_str(&format!("  s{i}:\n    image: \"{image}\"\n    command: {command}\n"));
                match style {
                    0 => y.push_str(&format!("    environment:\n      {var}: \"{url}\"\n")),
                    1 => y.push_str(&format!("    environment:\n      - {var}={url}\n")),
                    2 => y.push_str(&format!("    environment: {{{var}: \"{url}\"}}\n")),
                    _ => y.push_str("    deploy:\n      replicas: 2\n"),
                }
            }
            y
        })
    }

    /// Several services that read one URL through an anchor (`environment: *db`, as Airflow's
    /// official compose file does), of the kinds poolfix knows.
    fn shared_anchor() -> impl Strategy<Value = String> {
        let url = prop::sample::select(vec![
            "postgresql://postgres.abcdefghijklmnopqrst:${P}@aws-0-eu-west-1.pooler.supabase.com:5432/postgres",
            "postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${P}@aws-0-eu-west-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0",
            "postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${P}@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?timeout=10",
            "postgresql+psycopg://postgres:${P}@db.abcdefghijklmnopqrst.supabase.co:5432/postgres?sslmode=require",
        ]);
        let var = prop::sample::select(vec![
            "DATABASE_URL",
            "MLFLOW_BACKEND_STORE_URI",
            "PREFECT_API_DATABASE_CONNECTION_URL",
        ]);
        let command = prop::sample::select(vec![
            "mlflow server --workers 1",
            "prefect server start",
            "gunicorn app:app -w 2",
            "celery -A app beat",
            "python job.py",
        ]);
        (url, var, prop::collection::vec(command, 2..5)).prop_map(|(url, var, commands)| {
            let mut y = format!("x-db: &db\n  {var}: \"{url}\"\nservices:\n");
            for (i, command) in commands.into_iter().enumerate() {
                y.push_str(&format!("  s{i}:\n    image: app\n    command: {command}\n    environment: *db\n"));
            }
            y
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

        /// Text that several services share is edited once: the fixed URL is still one URL
        /// (one `?`), the fixed file parses, and fixing it again changes nothing.
        #[test]
        fn shared_anchors_are_edited_once(text in shared_anchor(), mode in 0usize..3) {
            converges(&text, mode)?;
            let options = ComposeOptions { mode: [ModeChoice::Keep, ModeChoice::Session, ModeChoice::Transaction][mode], ..ComposeOptions::default() };
            let fixed = analyze_compose(&text, &options).fixed;
            let url_line = fixed.lines().nth(1).unwrap_or_default();
            prop_assert!(url_line.matches('?').count() <= 1, "two queries in one URL:\n{}", fixed);
            prop_assert!(!url_line.contains("??") && !url_line.contains("&&"), "{}", fixed);
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>(), mode in 0usize..3) {
            converges(&text, mode)?;
        }

        #[test]
        fn compose_shaped_files_converge(text in compose_like(), mode in 0usize..3) {
            converges(&text, mode)?;
        }
    }
}
