//! Any input, however broken, gives findings or a clear error — never a panic — and fixing
//! converges: applying the fixes and checking again gives no further edits.

use poolfix_engine::knowledge::services::ServiceKind;
use poolfix_engine::url_doctor::{analyze_url, ModeChoice, UrlOptions};
use proptest::prelude::*;

fn options(service: usize, mode: usize) -> UrlOptions {
    let mut o = UrlOptions::new(ServiceKind::ALL[service % 5]);
    o.mode = [
        ModeChoice::Keep,
        ModeChoice::Session,
        ModeChoice::Transaction,
    ][mode % 3];
    o.in_file = service.is_multiple_of(2);
    o
}

fn converges(text: &str, opts: &UrlOptions) -> Result<(), TestCaseError> {
    let first = analyze_url(text, opts);
    let mut again = opts.clone();
    again.env = first.env.clone();
    let second = analyze_url(&first.corrected, &again);
    prop_assert!(
        second.edits.is_empty(),
        "not converged: {text:?} -> {:?} -> {:?}",
        first.corrected,
        second.corrected
    );
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
    let user = prop::sample::select(vec![
        "",
        "postgres",
        "postgres.abcdefghijklmnopqrst",
        "${DB_USER}",
        "u%40x",
    ]);
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
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
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
    let report = analyze_url(&big, &UrlOptions::new(ServiceKind::Libpq));
    assert!(report.conn.is_some());
    let dollars = "$X".repeat(500_000);
    assert_eq!(
        analyze_url(&dollars, &UrlOptions::new(ServiceKind::SqlAlchemy)).findings[0]
            .rule
            .code,
        "PF100"
    );
    let binary = String::from_utf8_lossy(&(0..=255u8).cycle().take(1 << 20).collect::<Vec<u8>>())
        .into_owned();
    assert_eq!(
        analyze_url(&binary, &UrlOptions::new(ServiceKind::Mlflow)).findings[0]
            .rule
            .code,
        "PF100"
    );
    let brackets = format!("postgresql://{}", "[".repeat(100_000));
    assert_eq!(
        analyze_url(&brackets, &UrlOptions::new(ServiceKind::Mlflow)).findings[0]
            .rule
            .code,
        "PF100"
    );
}
