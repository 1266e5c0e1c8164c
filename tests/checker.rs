//! The checker page in headless Chromium, on the release build: pasted input gives the same
//! findings, budget and corrected settings as the CLI's JSON; copy, download and the share
//! link carry the right text and no password; nothing is fetched after load; pasted markup
//! never runs.

mod harness;

use std::path::PathBuf;
use std::process::Command;

use harness::{dist, Browser, StaticServer};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cli(args: &[&str], stdin_text: &str) -> Value {
    use std::io::Write as _;
    let bin = std::env::var("POOLFIX_CLI").expect("POOLFIX_CLI: run the browser tests with `make test`");
    let mut child = Command::new(bin)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the poolfix CLI");
    child.stdin.take().unwrap().write_all(stdin_text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("CLI JSON: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The release build served on loopback and a browser showing its checker page.
async fn checker_page() -> (StaticServer, Browser) {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let b = Browser::start().await;
    b.open(&server.url("check")).await;
    b.wait_for_checker().await;
    (server, b)
}

/// Sets the checker's input (as a paste would) and waits for the page to update.
async fn paste(b: &Browser, text: &str) {
    b.client
        .execute_async(
            "const [text, done] = arguments;
             const ta = document.getElementById('input');
             ta.value = text;
             ta.dispatchEvent(new Event('input', { bubbles: true }));
             setTimeout(() => requestAnimationFrame(() => done(true)), 30);",
            vec![json!(text)],
        )
        .await
        .expect("paste");
}

/// What the page shows: finding codes and positions, the budget totals, corrected URLs.
async fn shown(b: &Browser) -> Value {
    b.eval(
        "const q = s => [...document.querySelectorAll(s)].map(e => e.textContent.trim());
         const totals = [...document.querySelectorAll('.budget .total td')].map(e => e.textContent.trim());
         return {
            findings: [...document.querySelectorAll('.finding')].map(f =>
                f.querySelector('.code').textContent + ' ' + f.querySelector('.where').textContent),
            totals,
            // A URL block (an environment block may hold a URL too: Airflow's async one).
            urls: q('.service pre.out').filter(t => /^[a-z][a-z0-9+.-]*:[/][/]/i.test(t)),
         };",
    )
    .await
}

fn expected_compose(v: &Value) -> Value {
    let findings: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}:{}", f["rule"].as_str().unwrap(), f["line"], f["column"]))
        .collect();
    let show = |x: &Value| if x.is_null() { "unbounded".to_string() } else { x.to_string() };
    let totals: Vec<String> = v["budget"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| [show(&g["before"]), show(&g["after"])])
        .collect();
    // Every URL of every service, in order (a service may read several).
    let urls: Vec<String> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["urls"].as_array().unwrap().iter())
        // As the variable holds it: with the prefix the service strips (Celery's `db+`).
        .filter_map(|u| Some(format!("{}{}", u["prefix"].as_str().unwrap_or(""), u["corrected_url"].as_str()?)))
        .collect();
    json!({ "findings": findings, "totals": totals, "urls": urls })
}

/// Compose fixtures, the other stacks among them: the page shows what `poolfix check --format
/// json` says.
#[tokio::test(flavor = "multi_thread")]
async fn compose_fixtures_match_the_cli() {
    let (_server, b) = checker_page().await;
    let names = [
        "seed",
        "mlflow-workers-flag",
        "mlflow-zero-overflow",
        "mlflow-2x-gunicorn",
        "prefect-2x",
        "prefect-3-overflow-minus-one",
        "api-celery",
        "anchors-and-merge",
        "flow-style",
        "transaction-api",
        "multi-document",
        "literal-password",
        "invalid-yaml",
        "service-with-two-urls",
        // The stacks beside MLflow and Prefect (issue 14): the page counts them as the CLI does.
        "django",
        "airflow-supabase",
        "mixed-stack",
        "split-connection-vars",
        "node-stack",
        // Services on SQLite, MySQL or files (PF221), and a URL the shell expands.
        "mlflow-other-stores",
        "mlflow-shell-variable",
    ];
    for name in names {
        let text = std::fs::read_to_string(root().join(format!("tests/compose/{name}.yml"))).unwrap();
        paste(&b, &text).await;
        let page = shown(&b).await;
        let mut expected = expected_compose(&cli(&["check", "-", "--format", "json"], &text));
        // The page masks literal passwords in what it shows.
        if let Some(urls) = expected["urls"].as_array_mut() {
            for u in urls.iter_mut() {
                *u = json!(u.as_str().unwrap().replace("p%40ss%2Fword", "••••••"));
            }
        }
        assert_eq!(page, expected, "{name}: the page differs from the CLI");
    }
    b.close().await;
}

/// At least 10 URLs: findings and corrected URL as `poolfix url --format json` gives them.
#[tokio::test(flavor = "multi_thread")]
async fn urls_match_the_cli() {
    let (_server, b) = checker_page().await;
    let cases = std::fs::read_to_string(root().join("tests/urls/cases.txt")).unwrap();
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && l.contains(" | sqlalchemy | keep | ")) {
        let url = line.splitn(4, " | ").nth(3).unwrap();
        if !url.contains("://") || url.starts_with('"') {
            continue;
        }
        paste(&b, url).await;
        let v = cli(&["url", url, "--format", "json"], "");
        let page = shown(&b).await;
        let findings: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}:{}", f["rule"].as_str().unwrap(), f["line"], f["column"]))
            .collect();
        assert_eq!(page["findings"], json!(findings), "{url}");
        if let Some(c) = v["corrected_url"].as_str().filter(|c| !c.contains(":p@") && !c.contains("hunter2")) {
            let masked = page["urls"][0].as_str().unwrap_or_default().to_string();
            if !masked.contains('•') {
                assert_eq!(masked, c, "{url}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} URL cases checked");
    b.close().await;
}

/// Copy and download hand the browser exactly the output's text; the share link holds no
/// password and restores the state; no request leaves the page after load.
#[tokio::test(flavor = "multi_thread")]
async fn copy_download_share_and_no_network() {
    let (server, b) = checker_page().await;
    let loaded = b.eval("return performance.getEntriesByType('resource').length;").await.as_u64().unwrap();
    let csp = b.eval("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;").await;
    let csp = csp.as_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"), "{csp}");
    // The policy is enforced: a request to another origin (loopback, another port) is refused
    // before it is made.
    let blocked = b
        .client
        .execute_async(
            "const done = arguments[0];
             fetch('http://127.0.0.1:9/poolfix-csp-probe').then(() => done('sent'), () => done('blocked'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(blocked, "blocked");
    // Record what the page gives the clipboard and the download.
    b.eval(
        "window.__copied = []; window.__downloads = [];
         navigator.clipboard.writeText = t => { window.__copied.push(t); return Promise.resolve(); };
         const create = URL.createObjectURL;
         URL.createObjectURL = blob => { blob.text().then(t => window.__downloads.push(t)); return create(blob); };
         HTMLAnchorElement.prototype.click = function () {};
         return true;",
    )
    .await;
    // Not the example the page opens with, so a restored link cannot pass by chance.
    let shared = format!(
        "# shared from the checker\n{}",
        std::fs::read_to_string(root().join("examples/seed-compose.yml")).unwrap()
    );
    let secret = shared.replace("${DB_PASSWORD}", "Sup3rS3cret");
    paste(&b, &secret).await;
    // Once the page holds the user's text, a second policy forbids every connection, to this
    // site too.
    let policies = b
        .eval("return [...document.querySelectorAll('meta[http-equiv=\"Content-Security-Policy\"]')].map(m => m.content);")
        .await;
    assert_eq!(policies[1], "connect-src 'none'", "{policies}");
    let own_site = "const done = arguments[0];
         fetch(location.origin + '/robots.txt').then(r => done('fetched ' + r.status), () => done('blocked'));";
    let blocked = b.client.execute_async(own_site, vec![]).await.unwrap();
    assert_eq!(blocked, "blocked", "the page can still reach its own site");
    b.eval("document.getElementById('tab-fixed').click(); return true;").await;
    b.eval(
        "document.querySelector('#panel-fixed .actions button:nth-child(1)').click();
         document.querySelector('#panel-fixed .actions button:nth-child(2)').click(); return true;",
    )
    .await;
    let expected = cli(&["check", "-", "--format", "json"], &secret);
    let got = b
        .client
        .execute_async(
            "const done = arguments[0]; setTimeout(() => done([window.__copied, window.__downloads]), 100);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(got[0][0], expected["fixed"], "copy gives the fixed file");
    assert_eq!(got[1][0], expected["fixed"], "download gives the fixed file");

    b.eval("document.querySelector('.share button').click(); return true;").await;
    let link = b.wait_for("#share-url").await.prop("value").await.unwrap().unwrap();
    assert!(link.contains("#share="), "{link}");
    assert!(!link.contains("Sup3rS3cret"), "the share link holds the password");
    let warning = b.wait_for(".share .warn").await.text().await.unwrap();
    assert!(warning.contains("password"), "{warning}");
    let requests = b.eval("return performance.getEntriesByType('resource').map(e => e.name);").await;
    // The refused fetch above leaves no resource entry either.
    assert_eq!(requests.as_array().unwrap().len() as u64, loaded, "requests after load: {requests}");

    // Opening the link in a fresh page restores the (redacted) state.
    b.client.goto("about:blank").await.unwrap();
    b.client.goto(&link).await.unwrap();
    b.wait_for_checker().await;
    let restored = b.wait_for("textarea#input").await.prop("value").await.unwrap().unwrap();
    assert_eq!(restored, shared, "the link restores the input with every password as ${{DB_PASSWORD}}");
    let blocked = b.client.execute_async(own_site, vec![]).await.unwrap();
    assert_eq!(blocked, "blocked", "a page opened with the user's state can reach its own site");
    // The same request from a page without the app goes through: the refusal above is the
    // checker's policy, not a broken probe.
    b.open(&server.url("guide/")).await;
    assert_eq!(b.client.execute_async(own_site, vec![]).await.unwrap(), "fetched 200");
    b.close().await;
}

/// Markup pasted into any field is shown as text and never runs.
#[tokio::test(flavor = "multi_thread")]
async fn pasted_markup_never_runs() {
    let (_server, b) = checker_page().await;
    let payloads = [
        "<script>window.__xss = 1</script>",
        "<img src=x onerror=\"window.__xss = 1\">",
        "services:\n  \"<img src=x onerror=window.__xss=1>\":\n    environment:\n      DATABASE_URL: postgresql://u:<svg/onload=window.__xss=1>@h/db?<b>=1\n",
        "postgresql://u@h/db?x=<img src=x onerror=window.__xss=1>",
    ];
    for p in payloads {
        paste(&b, p).await;
        b.client
            .execute_async(
                "const [text, done] = arguments; const env = document.getElementById('env');
                 env.value = text; env.dispatchEvent(new Event('input', { bubbles: true }));
                 setTimeout(() => done(true), 50);",
                vec![json!(p)],
            )
            .await
            .unwrap();
        for tab in ["settings", "fixed", "diff", "env", "checklist", "rollback"] {
            b.eval(&format!(
                "const t = document.getElementById('tab-{tab}'); if (t && !t.hidden) t.click(); return true;"
            ))
            .await;
        }
        let state = b.eval("return [window.__xss ?? null, document.querySelectorAll('main img, main script, main svg:not(.chart)').length];").await;
        assert_eq!(state, json!([null, 0]), "payload ran or was inserted as markup: {p}");
    }
    b.close().await;
}

/// Sends `keys` to the element that has focus, as a keyboard user would type them.
async fn press(b: &Browser, keys: &str) {
    b.client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

/// Presses Tab until the focused element meets `test` (JS, on `e`); every stop on the way must
/// show a focus ring. Returns a short description of where Tab stopped.
async fn tab_to(b: &Browser, test: &str) -> String {
    for _ in 0..80 {
        press(b, "\u{E004}").await;
        let f = b
            .eval(&format!(
                "const e = document.activeElement;
                 const s = getComputedStyle(e);
                 return [e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.getAttribute('aria-label') || e.textContent.slice(0, 30)),
                         s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, Boolean({test})];"
            ))
            .await;
        let name = f[0].as_str().unwrap().to_string();
        assert_eq!(f[1], true, "{name} has no visible focus ring");
        if f[2] == true {
            return name;
        }
    }
    panic!("Tab never reached an element where {test}");
}

/// The checker from the keyboard alone: Tab reaches every control in order with a visible
/// focus ring, the example list changes the input with the arrow keys, Enter on a finding's
/// position selects that text in the input, the arrow keys move between output tabs, and
/// Enter on "Copy" copies.
#[tokio::test(flavor = "multi_thread")]
async fn the_checker_works_from_the_keyboard_alone() {
    const ENTER: &str = "\u{E007}";
    const RIGHT: &str = "\u{E014}";
    const DOWN: &str = "\u{E015}";
    let (_server, b) = checker_page().await;
    b.eval(
        "window.__copied = []; navigator.clipboard.writeText = t => { window.__copied.push(t); return Promise.resolve(); };
         document.activeElement.blur(); return true;",
    )
    .await;
    tab_to(&b, "e.tagName === 'SELECT' && e.closest('.examples')").await;
    // The first example is the seed the page opens with; the second is the Celery one.
    press(&b, DOWN).await;
    press(&b, DOWN).await;
    let text = b.wait_for("textarea#input").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(text.contains("celery"), "the arrow key did not pick the next example: {text}");

    let label = tab_to(&b, "e.classList.contains('where')").await;
    press(&b, ENTER).await;
    let selection = b
        .eval(
            "const t = document.activeElement;
             return [t.id, t.value.slice(t.selectionStart, t.selectionEnd).length];",
        )
        .await;
    assert_eq!(selection[0], "input", "Enter on {label} did not move to the input");
    assert!(selection[1].as_u64().unwrap() > 0, "Enter on {label} selected nothing");

    tab_to(&b, "e.getAttribute('role') === 'tab'").await;
    let first = b.eval("return document.activeElement.id;").await;
    press(&b, RIGHT).await;
    let moved =
        b.eval("return [document.activeElement.id, document.activeElement.getAttribute('aria-selected')];").await;
    assert_ne!(moved[0], first, "ArrowRight did not move to the next tab");
    assert_eq!(moved[1], "true", "the focused tab is not the selected one");
    tab_to(&b, "(e.getAttribute('aria-label') || '').startsWith('Copy ')").await;
    press(&b, ENTER).await;
    let copied = b.eval("return window.__copied.length;").await;
    assert_eq!(copied, 1, "Enter on Copy copied nothing");
    b.close().await;
}

/// The checker's page draws its input before the wasm arrives; text typed into it then is
/// kept when the app starts, and analysed.
#[tokio::test(flavor = "multi_thread")]
async fn text_typed_before_the_app_starts_is_kept() {
    let server = StaticServer::start_with_wasm_delay(dist("POOLFIX_DIST"), "/", std::time::Duration::from_secs(3));
    let b = Browser::start_with_page_load("none").await;
    b.client.goto(&server.url("check/")).await.unwrap();
    let shell = b.wait_for("textarea#input").await;
    assert_eq!(b.eval("return document.querySelectorAll('.loading').length;").await, 1, "the app started too early");
    let typed = "postgresql://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1";
    shell.clear().await.unwrap();
    shell.send_keys(typed).await.unwrap();
    b.client.wait().for_element(fantoccini::Locator::Css(".findings")).await.unwrap();
    let value = b.wait_for("textarea#input").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(value, typed, "the text typed before the app started was lost");
    let status = b.wait_for("p.status").await.text().await.unwrap();
    assert_eq!(status, "Read as 1 connection string");
    let policy =
        "return [...document.querySelectorAll('meta[http-equiv=\"Content-Security-Policy\"]')].map(m => m.content);";
    assert_eq!(b.eval(policy).await[1], "connect-src 'none'", "no second policy for text typed before the app");
    b.close().await;
}

/// The largest paint of the checker's page does not wait for the wasm: with the wasm held
/// back 3 s, every largest-contentful-paint entry comes before it arrives, and the app then
/// starts without a larger paint.
#[tokio::test(flavor = "multi_thread")]
async fn the_largest_paint_comes_before_the_wasm() {
    let server = StaticServer::start_with_wasm_delay(dist("POOLFIX_DIST"), "/", std::time::Duration::from_secs(3));
    let b = Browser::start().await;
    b.client.set_window_size(412, 900).await.unwrap();
    b.client.goto(&server.url("check/")).await.unwrap();
    b.wait_for("p.status:not(.loading)").await;
    let entries = b
        .eval(
            "return new Promise(r => new PerformanceObserver(l => r(l.getEntries().map(e => e.startTime)))
                .observe({ type: 'largest-contentful-paint', buffered: true }));",
        )
        .await;
    let times: Vec<f64> = entries.as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    assert!(!times.is_empty(), "no largest-contentful-paint entry");
    assert!(times.iter().all(|t| *t < 3000.0), "a largest paint waited for the wasm: {times:?} ms");
    b.close().await;
}

/// Versions the file does not give come from the settings: the page then shows what
/// `poolfix check --mlflow-version 2 --prefect-version 2` says, names the versions as assumed,
/// and a share link keeps the settings.
#[tokio::test(flavor = "multi_thread")]
async fn assumed_versions_match_the_cli_and_survive_a_share_link() {
    let (_server, b) = checker_page().await;
    let text = std::fs::read_to_string(root().join("tests/compose/versions-unknown.yml")).unwrap();
    paste(&b, &text).await;
    b.client
        .execute_async(
            "const done = arguments[0];
             for (const [id, i] of [['mlflow-version', 1], ['prefect-version', 2]]) {
                 const s = document.getElementById(id);
                 s.selectedIndex = i;
                 s.dispatchEvent(new Event('change', { bubbles: true }));
             }
             setTimeout(() => requestAnimationFrame(() => done(true)), 30);",
            vec![],
        )
        .await
        .unwrap();
    let expected = expected_compose(&cli(
        &["check", "-", "--format", "json", "--mlflow-version", "2", "--prefect-version", "2"],
        &text,
    ));
    assert_eq!(shown(&b).await, expected, "the page differs from the CLI with assumed versions");
    let headings = b.eval("return [...document.querySelectorAll('.service h3')].map(h => h.textContent);").await;
    assert_eq!(headings, json!(["tracking — mlflow 2.x (assumed)", "orchestrator — prefect-server 2.x (assumed)"]));
    let settings =
        b.eval("return [...document.querySelectorAll('.service pre.out')].map(p => p.textContent).join(' ');").await;
    assert!(settings.as_str().unwrap().contains("PREFECT_SQLALCHEMY_POOL_SIZE=1"), "{settings}");

    b.eval("document.querySelector('.share button').click(); return true;").await;
    let link = b.wait_for("#share-url").await.prop("value").await.unwrap().unwrap();
    b.client.goto("about:blank").await.unwrap();
    b.client.goto(&link).await.unwrap();
    b.wait_for_checker().await;
    let chosen = b
        .eval("return ['mlflow-version', 'prefect-version'].map(id => document.getElementById(id).selectedIndex);")
        .await;
    assert_eq!(chosen, json!([1, 2]), "the share link lost the version settings");
    assert_eq!(shown(&b).await, expected, "the shared page differs");
    b.close().await;
}

/// A large file is analysed once typing pauses, not on every keystroke, and then in full.
#[tokio::test(flavor = "multi_thread")]
async fn a_large_input_is_analysed_when_typing_pauses() {
    let (_server, b) = checker_page().await;
    let mut large = String::from("services:\n");
    for i in 0..800 {
        large.push_str(&format!(
            "  api{i}:\n    image: api\n    environment:\n      DATABASE_URL: postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${{DB_PASSWORD}}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres\n"
        ));
    }
    assert!(large.len() > 100_000);
    let got = b
        .client
        .execute_async(
            "const [text, done] = arguments;
             const ta = document.getElementById('input');
             const status = () => document.querySelector('.status').textContent;
             const before = status();
             const t0 = performance.now();
             ta.value = text;
             ta.dispatchEvent(new Event('input', { bubbles: true }));
             const handler = performance.now() - t0;
             setTimeout(() => {
               const soon = status();
               const wait = () => status().includes('800 services')
                 ? done({ before, soon, handler, after: status() })
                 : setTimeout(wait, 50);
               wait();
             }, 50);",
            vec![json!(large)],
        )
        .await
        .unwrap();
    assert_eq!(got["soon"], got["before"], "analysed at once: {got}");
    assert_eq!(got["after"], "Read as a compose file: 800 services", "{got}");
    let findings = b.eval("return document.querySelectorAll('.finding').length;").await;
    assert!(findings.as_u64().unwrap() > 800, "{findings}");
    b.close().await;
}

/// A pasted log: the page explains each error line as `poolfix explain` does (a real Prefect
/// startup log from the verification runs), with the fix and the guide's section.
#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_log_is_explained_as_the_cli_does() {
    let (_server, b) = checker_page().await;
    let log = std::fs::read_to_string(root().join("tests/logs/prefect-3.9.1-ticket-url.log")).unwrap();
    paste(&b, &log).await;
    let shown = b
        .eval(
            "return [...document.querySelectorAll('.finding')].map(f => [f.querySelector('.code').textContent,
                f.querySelector('.where').textContent, (f.querySelector('.fix') || {}).textContent || '',
                (u => u.pathname + u.hash)(new URL(f.querySelector('.code').href))]);",
        )
        .await;
    let expected = cli(&["explain", "-", "--format", "json"], &log);
    let want: Vec<Value> = expected["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let k = &l["known"];
            json!([
                k["error"],
                format!("{}:1", l["line"]),
                format!("Fix: {}", k["fix"].as_str().unwrap()),
                format!("/{}", k["guide"].as_str().unwrap())
            ])
        })
        .collect();
    assert_eq!(shown, json!(want), "the page differs from `poolfix explain`");
    assert_eq!(shown[0][0], "unexpected-keyword");
    let status = b.wait_for(".status").await.text().await.unwrap();
    assert_eq!(status, "Read as a log: 2 known errors, 0 unknown");
    // An error poolfix does not know is said to be unknown, not guessed.
    paste(&b, "FluxError: the capacitor is empty\n").await;
    let status = b.wait_for(".status").await.text().await.unwrap();
    assert_eq!(status, "Read as a log: 0 known errors, 1 unknown");
    let code = b.eval("return document.querySelector('.finding .code').textContent;").await;
    assert_eq!(code, "unknown");
    b.close().await;
}

/// The settings form drives the analysis as the CLI's flags do: the compute size (and with it
/// the pool field's placeholder), a pool size typed in, the mode; a share link opened in the
/// same tab puts its settings back into the form.
#[tokio::test(flavor = "multi_thread")]
async fn the_settings_form_matches_the_cli_flags() {
    let (_server, b) = checker_page().await;
    let text = std::fs::read_to_string(root().join("examples/seed-compose.yml")).unwrap();
    paste(&b, &text).await;
    let set = |name: &'static str, value: &'static str| {
        let b = &b;
        async move {
            b.client
                .execute_async(
                    "const [name, value, done] = arguments;
                     const e = document.querySelector(`fieldset.settings [name=${name}]`);
                     e.value = value;
                     e.dispatchEvent(new Event(e.tagName === 'INPUT' ? 'input' : 'change', { bubbles: true }));
                     setTimeout(() => requestAnimationFrame(() => done(true)), 30);",
                    vec![json!(name), json!(value)],
                )
                .await
                .unwrap();
        }
    };
    set("compute", "large").await;
    let placeholder = b.eval("return document.querySelector('fieldset.settings [name=pool]').placeholder;").await;
    assert_eq!(placeholder, "20", "the pool field does not show Large's pool size");
    set("pool", "40").await;
    set("mode", "session").await;
    let flags = ["check", "-", "--format", "json", "--compute", "large", "--pool-size", "40", "--mode", "session"];
    let expected = expected_compose(&cli(&flags, &text));
    assert_eq!(shown(&b).await, expected, "the page differs from the CLI with the same settings");

    b.eval("document.querySelector('.share button').click(); return true;").await;
    let link = b.wait_for("#share-url").await.prop("value").await.unwrap().unwrap();
    set("compute", "micro").await;
    set("pool", "").await;
    let hash = &link[link.find('#').unwrap()..];
    b.client
        .execute_async(
            "const [hash, done] = arguments; location.hash = hash;
             setTimeout(() => requestAnimationFrame(() => done(true)), 50);",
            vec![json!(hash)],
        )
        .await
        .unwrap();
    let form = b
        .eval("return ['compute', 'pool', 'mode'].map(n => document.querySelector(`fieldset.settings [name=${n}]`).value);")
        .await;
    assert_eq!(form, json!(["large", "40", "session"]), "the share link's settings are not in the form");
    assert_eq!(shown(&b).await, expected, "the page differs after the share link");
    b.close().await;
}
