//! A browser benchmark (not a test): how long the checker takes from a paste to updated
//! results, for generated compose files of about 200 and 2,000 lines, in headless Chromium on
//! the release build, and what a keystroke costs in a file large enough (~10,000 lines) to be
//! analysed when typing pauses. Run with `make bench-browser`; prints medians of repeated runs.

mod harness;

use harness::{dist, Browser, StaticServer};
use serde_json::json;

/// A compose file of `services` services, each about 20 lines (URL, command, pool settings).
fn compose(services: usize) -> String {
    let mut y = String::from("services:\n");
    for i in 0..services {
        let body = match i % 3 {
            0 => "    image: ghcr.io/mlflow/mlflow:v3.17.2\n    command: >\n      mlflow server --host 0.0.0.0\n      --backend-store-uri postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0\n",
            1 => "    image: prefecthq/prefect:3.4.20-python3.11\n    command: prefect server start\n    environment:\n      PREFECT_API_DATABASE_CONNECTION_URL: postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?sslmode=require\n",
            _ => "    build: ./api\n    command: gunicorn app:app --workers 4\n    environment:\n      DATABASE_URL: postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n    deploy:\n      replicas: 2\n",
        };
        y.push_str(&format!("  svc{i}:\n    # service {i}\n{body}    restart: unless-stopped\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n    labels:\n      team: data\n    logging:\n      driver: json-file\n"));
    }
    y
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run with `make bench-browser`"]
async fn paste_to_results() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let b = Browser::start().await;
    b.open(&server.url("check")).await;
    b.wait_for_checker().await;
    // About 200 and 2,000 lines (a service is about 14.7 lines).
    for services in [14, 136] {
        let text = compose(services);
        let lines = text.lines().count();
        let ms = b
            .client
            .execute_async(
                "const [text, services, done] = arguments;
                 const ta = document.getElementById('input');
                 const times = [];
                 (async () => { try {
                   for (let i = 0; i < 15; i++) {
                     // Alternate two inputs so every paste is a real change.
                     ta.value = i % 2 ? text : text + '\\n# ' + i;
                     const t0 = performance.now();
                     ta.dispatchEvent(new Event('input', { bubbles: true }));
                     // Leptos applies the update in microtasks; wait for them, then measure.
                     await Promise.resolve(); await Promise.resolve();
                     await new Promise(r => queueMicrotask(r));
                     times.push(performance.now() - t0);
                     // The measured update must really be on the page.
                     const status = document.querySelector('.status').textContent;
                     if (!status.includes(services + ' services')) { done({ error: 'not rendered: ' + status }); return; }
                     await new Promise(r => setTimeout(r, 20));
                   }
                   const rendered = document.querySelectorAll('.finding').length;
                   times.sort((a, b) => a - b);
                   done({ median: times[7], min: times[0], max: times[14], rendered });
                 } catch (e) { done({ error: String(e) }); } })();",
                vec![json!(text), json!(services)],
            )
            .await
            .unwrap();
        println!("checker: {services} services, {lines} lines: paste to results {ms}");
        assert!(ms.get("error").is_none(), "{ms}");
        assert!(ms["rendered"].as_u64().unwrap() > 0, "the results did not render");
    }
    // A file large enough to be analysed when typing pauses (~10,000 lines): the time a
    // keystroke takes, and the time from the pause to the results.
    let text = compose(680);
    let lines = text.lines().count();
    let ms = b
        .client
        .execute_async(
            "const [text, done] = arguments;
             const ta = document.getElementById('input');
             const keys = [];
             (async () => {
               for (let i = 0; i < 15; i++) {
                 ta.value = text + '\\n# ' + 'x'.repeat(i);
                 const t0 = performance.now();
                 ta.dispatchEvent(new Event('input', { bubbles: true }));
                 await Promise.resolve(); await Promise.resolve();
                 keys.push(performance.now() - t0);
                 await new Promise(r => setTimeout(r, 30));
               }
               const typed = performance.now();
               const wait = () => document.querySelector('.status').textContent.includes('680 services')
                 ? (keys.sort((a, b) => a - b), done({ keystroke_median: keys[7], pause_to_results: performance.now() - typed }))
                 : setTimeout(wait, 5);
               wait();
             })();",
            vec![json!(text)],
        )
        .await
        .unwrap();
    println!("checker: 680 services, {lines} lines, typing: {ms}");
    b.close().await;
}
