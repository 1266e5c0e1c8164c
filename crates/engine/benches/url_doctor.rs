//! Parse + rules + fix for one URL, the URL doctor's whole pipeline.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use poolfix_engine::knowledge::services::{MLFLOW, PREFECT3};
use poolfix_engine::url_doctor::{analyze_url, UrlOptions};

fn bench(c: &mut Criterion) {
    let naive = "postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10";
    let clean = "postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require&connect_timeout=10";
    let mlflow = UrlOptions::new(&MLFLOW);
    let prefect = UrlOptions::new(&PREFECT3);
    c.bench_function("url_doctor/ticket_url_mlflow", |b| b.iter(|| analyze_url(black_box(naive), &mlflow)));
    c.bench_function("url_doctor/clean_url_mlflow", |b| b.iter(|| analyze_url(black_box(clean), &mlflow)));
    c.bench_function("url_doctor/ticket_url_prefect", |b| b.iter(|| analyze_url(black_box(naive), &prefect)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
