use super::*;

fn parts(text: &str) -> ConnString {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[test]
fn a_full_uri_keeps_every_span() {
    let t = "postgresql+psycopg2://postgres.abc:s3cret@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require&connect_timeout=10";
    let c = parts(t);
    assert_eq!(c.form, Form::Uri);
    assert_eq!(c.scheme.unwrap().slice(t), "postgresql+psycopg2");
    assert_eq!(c.dialect.unwrap().slice(t), "postgresql");
    assert_eq!(c.driver.unwrap().slice(t), "psycopg2");
    assert_eq!(c.user.unwrap().slice(t), "postgres.abc");
    assert_eq!(c.password.unwrap().slice(t), "s3cret");
    assert_eq!(c.hosts.len(), 1);
    assert_eq!(c.hosts[0].host.slice(t), "aws-0-eu-central-1.pooler.supabase.com");
    assert_eq!(c.hosts[0].port.unwrap().slice(t), "5432");
    assert_eq!(c.database.unwrap().slice(t), "postgres");
    let keys: Vec<_> = c.params.iter().map(|p| (p.key.slice(t), p.value.unwrap().slice(t))).collect();
    assert_eq!(keys, [("sslmode", "require"), ("connect_timeout", "10")]);
}

#[test]
fn passwords_with_reserved_characters_end_at_the_last_at_sign() {
    let t = "postgresql://u:p@ss/w?rd:x@db.example.com/app";
    let c = parts(t);
    assert_eq!(c.password.unwrap().slice(t), "p@ss/w?rd:x");
    assert_eq!(c.hosts[0].host.slice(t), "db.example.com");
    assert_eq!(c.database.unwrap().slice(t), "app");
}

#[test]
fn ipv6_multiple_hosts_and_empty_parts() {
    let t = "postgres://[2001:db8::1]:5433,h2,h3:6543/?";
    let c = parts(t);
    let hosts: Vec<_> = c.hosts.iter().map(|h| (h.host.slice(t), h.port.map(|p| p.slice(t)))).collect();
    assert_eq!(hosts, [("[2001:db8::1]", Some("5433")), ("h2", None), ("h3", Some("6543"))]);
    assert_eq!(c.database.unwrap().slice(t), "");
    assert!(c.params.is_empty());
    let bare = parts("postgresql://");
    assert!(bare.hosts.is_empty() && bare.user.is_none() && bare.database.is_none());
}

#[test]
fn placeholders_are_opaque() {
    let t = "postgresql://${DB_USER:-postgres}:${DB_PASS}@${DB_HOST:-a:b/c}:${DB_PORT:-5432}/${DB_NAME}?x=${Y}&z=1";
    let c = parts(t);
    assert_eq!(c.user.unwrap().slice(t), "${DB_USER:-postgres}");
    assert_eq!(c.password.unwrap().slice(t), "${DB_PASS}");
    assert_eq!(c.hosts[0].host.slice(t), "${DB_HOST:-a:b/c}");
    assert_eq!(c.hosts[0].port.unwrap().slice(t), "${DB_PORT:-5432}");
    assert_eq!(c.database.unwrap().slice(t), "${DB_NAME}");
    assert_eq!(c.params.len(), 2);
    assert!(c.has_placeholder(c.password.unwrap()));
}

#[test]
fn key_value_strings() {
    let t = "host=db.example.com port=5432 user=app password='it\\'s ok' dbname=main";
    let c = parts(t);
    assert_eq!(c.form, Form::KeyValue);
    assert_eq!(c.hosts[0].host.slice(t), "db.example.com");
    assert_eq!(c.hosts[0].port.unwrap().slice(t), "5432");
    assert_eq!(c.user.unwrap().slice(t), "app");
    assert_eq!(c.password.unwrap().slice(t), "it\\'s ok");
    assert_eq!(c.database.unwrap().slice(t), "main");
}

#[test]
fn quotes_and_blanks_around_are_excluded() {
    let t = "  \"postgresql://h/db\"\n";
    let c = parts(t);
    assert_eq!(c.span.slice(t), "postgresql://h/db");
}

#[test]
fn clear_errors_with_positions() {
    for (t, needle, at) in [
        ("", "empty input", 0),
        ("mysql://u@h/db", "not a PostgreSQL URL", 0),
        ("postgresql://h:abc/db", "not a port number", 15),
        ("postgresql://[::1/db", "never closed", 13),
        ("postgresql://${X/db", "never closed", 13),
        ("host=h port", "expected `=`", 7),
        ("hello world", "not a connection string", 0),
        ("password='abc", "never closed", 9),
    ] {
        let e = parse(t).expect_err(t);
        assert!(e.message.contains(needle), "{t}: {}", e.message);
        assert_eq!(e.span.start, at, "{t}: {e:?}");
    }
}
