//! Parse + analyse + fix for generated compose files of 10, 100 and 1,000 services
//! (~20 lines each, like a real service with a URL, a command and pool settings).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use poolfix_engine::compose::{analyze_compose, ComposeOptions};

pub fn generate(services: usize) -> String {
    let mut y =
        String::from("x-common: &common\n  restart: unless-stopped\n  logging:\n    driver: json-file\n\nservices:\n");
    for i in 0..services {
        let body = match i % 4 {
            0 => format!(
                "    image: ghcr.io/mlflow/mlflow:v3.17.2\n    command: >\n      mlflow server --host 0.0.0.0 --port 5000\n      --backend-store-uri postgresql://postgres.abcdefghijklmnopqrst:${{DB_PASSWORD}}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0\n    ports:\n      - \"{}:5000\"\n",
                5000 + i
            ),
            1 => "    image: prefecthq/prefect:3.4.20-python3.11\n    command: prefect server start --host 0.0.0.0\n    environment:\n      PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require\n      PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW: \"-1\"\n".to_string(),
            2 => "    build: ./api\n    command: gunicorn app:app --workers 4 --bind 0.0.0.0:8000\n    environment:\n      DATABASE_URL: postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n      LOG_LEVEL: info\n    deploy:\n      replicas: 2\n".to_string(),
            _ => "    image: prefecthq/prefect:3.4.20-python3.11\n    command: prefect worker start --pool default\n    environment:\n      PREFECT_API_URL: http://prefect:4200/api\n".to_string(),
        };
        y.push_str(&format!("  svc{i}:\n    <<: *common\n    # service {i}\n{body}    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n      retries: 3\n    labels:\n      team: data\n      tier: \"{}\"\n", i % 3));
    }
    y
}

fn bench(c: &mut Criterion) {
    let options = ComposeOptions::default();
    let mut group = c.benchmark_group("compose_doctor");
    for n in [10, 100, 1000] {
        let text = generate(n);
        group.bench_with_input(
            BenchmarkId::new("services", format!("{n} ({} lines)", text.lines().count())),
            &text,
            |b, t| b.iter(|| analyze_compose(black_box(t), &options)),
        );
    }
    group.finish();
    let seed = include_str!("../../../examples/seed-compose.yml");
    c.bench_function("compose_doctor/seed", |b| b.iter(|| analyze_compose(black_box(seed), &options)));
}

criterion_group!(benches, bench);

fn parse_only(c: &mut Criterion) {
    let text = generate(100);
    c.bench_function("compose_doctor/yaml_parse_only_100", |b| {
        b.iter(|| poolfix_engine::yaml::parse(black_box(&text)))
    });
    c.bench_function("compose_doctor/saphyr_events_only_100", |b| {
        b.iter(|| saphyr_parser::Parser::new_from_str(black_box(&text)).count())
    });
    // A whole file as one flow mapping on one line: columns are counted on, not from the
    // line's start for every node (960 KB, 160,000 nodes: 67 ms natively when written).
    let mut line = String::from("services: {");
    for i in 0..20_000 {
        line.push_str(&format!("s{i}: {{image: x, environment: {{A: 'ü{i}'}}}}, "));
    }
    line.push_str("}\n");
    c.bench_function("compose_doctor/yaml_parse_one_long_line", |b| {
        b.iter(|| poolfix_engine::yaml::parse(black_box(&line)))
    });
}

criterion_group!(parse, parse_only);
criterion_main!(benches, parse);
