//! Real-browser tests: the release build in `dist/` (and `dist-sub/`, built for `/poolfix/`),
//! served on 127.0.0.1 and driven in headless Chromium. Run by `make test`.

mod harness;

use fantoccini::Locator;
use harness::{dist, guide_slugs, Browser, StaticServer};

/// Every page — home, guide index, each guide page, the checker — renders its content and
/// has zero axe-core violations, in the light and in the dark theme.
#[tokio::test(flavor = "multi_thread")]
async fn every_page_renders_and_passes_axe_in_both_themes() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    let mut paths = vec![String::new(), "guide/".into(), "check/".into()];
    paths.extend(guide_slugs().into_iter().map(|s| format!("guide/{s}/")));
    let mut failures = Vec::new();
    for theme in ["light", "dark"] {
        browser.open(&server.url("")).await;
        browser.eval(&format!("localStorage.setItem('poolfix-theme', '{theme}'); return true;")).await;
        for path in &paths {
            browser.open(&server.url(path)).await;
            let applied = browser.eval("return document.documentElement.getAttribute('data-theme');").await;
            assert_eq!(applied, theme, "theme not applied on /{path}");
            let h1 = browser.wait_for("main h1").await.text().await.unwrap();
            assert!(!h1.is_empty() && h1 != "Page not found", "/{path} rendered `{h1}`");
            if path == "check/" {
                // The app, not only the static shell, is what axe must see.
                browser.wait_for_checker().await;
            }
            for v in browser.axe_violations().await {
                failures.push(format!("[{theme}] /{path}: {v}"));
            }
        }
    }
    browser.close().await;
    assert!(failures.is_empty(), "axe-core violations:\n{}", failures.join("\n"));
}

/// Each guide page has its title, a table of contents whose links point at existing
/// headings, and a copy button on each code block that copies that block.
#[tokio::test(flavor = "multi_thread")]
async fn guide_pages_have_toc_anchors_and_copy_buttons() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    let mut code_blocks = 0;
    for slug in guide_slugs() {
        browser.open(&server.url(&format!("guide/{slug}/"))).await;
        let missing = browser
            .eval(
                "const links = [...document.querySelectorAll('.toc a')];
                 if (links.length === 0) return ['no table of contents'];
                 return links.map(a => new URL(a.href).hash.slice(1))
                     .filter(id => !document.getElementById(decodeURIComponent(id)));",
            )
            .await;
        assert_eq!(missing, serde_json::json!([]), "/guide/{slug}: TOC entries without a heading");
        let title = browser.eval("return document.title;").await;
        assert!(title.as_str().unwrap().ends_with("poolfix guide"), "/guide/{slug} title: {title}");
        let buttons = browser.client.find_all(Locator::Css(".code-block .copy")).await.unwrap();
        code_blocks += buttons.len();
        if let Some(button) = buttons.first() {
            // Record what the page hands the clipboard (headless Chromium has no clipboard).
            browser
                .eval("window.__copied = []; navigator.clipboard.writeText = t => { window.__copied.push(t); return Promise.resolve(); }; return true;")
                .await;
            button.click().await.unwrap();
            // The label changes when the clipboard has accepted the text (a promise).
            let label = browser
                .eval("return new Promise(r => setTimeout(() => r(document.querySelector('.code-block .copy').textContent), 300));")
                .await;
            assert_eq!(label, "Copied", "/guide/{slug}: copy button did not react");
            let copied = browser.eval("return window.__copied[0];").await;
            let block = browser.eval("return document.querySelector('.code-block pre').textContent;").await;
            assert_eq!(copied, block, "/guide/{slug}: the clipboard does not hold the block");
        }
    }
    assert!(code_blocks >= 10, "expected the guide's code blocks, found {code_blocks}");
    browser.close().await;
}

/// Every internal link in every guide page leads to a page that exists and, where the
/// link names an anchor, to an element with that id. A broken link fails here.
#[tokio::test(flavor = "multi_thread")]
async fn every_internal_link_in_the_guide_resolves() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    let mut targets = std::collections::BTreeSet::new();
    for slug in guide_slugs() {
        browser.open(&server.url(&format!("guide/{slug}/"))).await;
        let hrefs = browser
            .eval(&format!(
                "return [...document.querySelectorAll('.prose a')].map(a => a.href)
                    .filter(h => h.startsWith('http://{}/'));",
                server.addr
            ))
            .await;
        for h in hrefs.as_array().unwrap() {
            targets.insert(h.as_str().unwrap().to_string());
        }
    }
    assert!(targets.len() >= 30, "expected many internal links, found {}", targets.len());
    let mut broken = Vec::new();
    for target in &targets {
        browser.open(target).await;
        let found = browser
            .eval(
                "const h1 = document.querySelector('main h1').textContent;
                 if (h1 === 'Page not found') return 'missing page';
                 const id = decodeURIComponent(location.hash.slice(1));
                 if (id && !document.getElementById(id)) return 'missing anchor #' + id;
                 return 'ok';",
            )
            .await;
        if found != "ok" {
            broken.push(format!("{target}: {found}"));
        }
    }
    browser.close().await;
    assert!(broken.is_empty(), "broken internal links:\n{}", broken.join("\n"));
}

/// A deep link with an anchor loads and scrolls to the heading, also in the old form without
/// the trailing slash (the host redirects); guide pages are plain HTML that load no wasm; the
/// header leads to the checker, which starts; an unknown address gets the not-found page.
#[tokio::test(flavor = "multi_thread")]
async fn deep_links_load_and_guide_pages_load_no_wasm() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    for link in ["guide/mlflow/#workers", "guide/mlflow#workers"] {
        browser.open(&server.url(link)).await;
        browser.wait_for("#workers").await;
        let top = browser
            .eval(
                "return new Promise(r => setTimeout(
                    () => r(document.getElementById('workers').getBoundingClientRect().top), 300));",
            )
            .await;
        let top = top.as_f64().unwrap();
        assert!((-5.0..100.0).contains(&top), "{link}: #workers is not scrolled into view (top = {top})");
        assert_eq!(browser.client.current_url().await.unwrap().path(), "/guide/mlflow/");
    }
    let loaded = browser
        .eval("return performance.getEntriesByType('resource').map(e => e.name).filter(n => /\\.(wasm|js)$/.test(n));")
        .await;
    let loaded: Vec<&str> = loaded.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(
        loaded.iter().all(|n| n.contains("/site-") || n.contains("/search-")),
        "a guide page loaded more than site.js and search.js: {loaded:?}"
    );
    let csp =
        browser.eval("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;").await;
    let csp = csp.as_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'") && !csp.contains("wasm-unsafe-eval"),
        "guide page CSP: {csp}"
    );
    browser.client.find(Locator::Css(".site-header a[href$='/check/']")).await.unwrap().click().await.unwrap();
    browser.wait_for_checker().await;
    assert_eq!(browser.client.current_url().await.unwrap().path(), "/check/");
    assert_eq!(
        browser.eval("return document.querySelectorAll('.loading').length;").await,
        0,
        "the loading line stayed"
    );
    browser.open(&server.url("guide/no-such-page/")).await;
    assert_eq!(browser.wait_for("main h1").await.text().await.unwrap(), "Page not found");
    browser.close().await;
}

/// The theme toggle switches the theme, names the other theme, and is remembered on the next
/// page, the checker's included.
#[tokio::test(flavor = "multi_thread")]
async fn theme_toggle_switches_and_is_remembered() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    browser.open(&server.url("")).await;
    browser.eval("localStorage.setItem('poolfix-theme', 'light'); return true;").await;
    browser.open(&server.url("guide/")).await;
    let toggle = browser.wait_for(".theme-toggle").await;
    assert_eq!(toggle.attr("aria-label").await.unwrap().as_deref(), Some("Switch to dark theme"));
    toggle.click().await.unwrap();
    assert_eq!(browser.eval("return document.documentElement.getAttribute('data-theme');").await, "dark");
    assert_eq!(toggle.attr("aria-label").await.unwrap().as_deref(), Some("Switch to light theme"));
    browser.open(&server.url("check/")).await;
    browser.wait_for_checker().await;
    assert_eq!(browser.eval("return document.documentElement.getAttribute('data-theme');").await, "dark");
    browser.close().await;
}

/// The whole site works when hosted under a sub-path: assets, deep links, guide links and
/// the checker all stay under `/poolfix/`.
#[tokio::test(flavor = "multi_thread")]
async fn the_site_works_under_a_sub_path() {
    let server = StaticServer::start(dist("POOLFIX_DIST_SUB"), "/poolfix/");
    let browser = Browser::start().await;
    browser.open(&server.url("guide/mlflow/#workers")).await;
    browser.wait_for("#workers").await;
    let outside = browser
        .eval(
            "return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))
                .filter(h => h.startsWith('/') && !h.startsWith('/poolfix/'));",
        )
        .await;
    assert_eq!(outside, serde_json::json!([]), "links that leave the sub-path");
    browser.client.find(Locator::Css(".prose a[href*='/guide/url-pool-keys']")).await.unwrap().click().await.unwrap();
    browser.wait_for("#driver-keys").await;
    let path = browser.client.current_url().await.unwrap().path().to_string();
    assert_eq!(path, "/poolfix/guide/url-pool-keys/");
    browser.open(&server.url("check/")).await;
    browser.wait_for_checker().await;
    let text = browser.wait_for("textarea#input").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(text.contains("mlflow server"), "the checker's example is not preloaded");
    // A finding's link to the guide stays under the sub-path too.
    browser.wait_for(".finding .code").await;
    let link = browser.eval("return new URL(document.querySelector('.finding .code').href).pathname;").await;
    assert!(link.as_str().is_some_and(|p| p.starts_with("/poolfix/guide/")), "a finding links outside: {link}");
    browser.close().await;
}

/// The checker opens with the seed scenario preloaded: MLflow, a Prefect server, an API and
/// a Prefect worker on a Supabase session pooler.
#[tokio::test(flavor = "multi_thread")]
async fn the_checker_opens_with_the_seed_example() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    browser.open(&server.url("check")).await;
    browser.wait_for_checker().await;
    let text = browser.wait_for("textarea#input").await.prop("value").await.unwrap().unwrap_or_default();
    for needle in
        ["mlflow server", "prefect server start", "prefect worker start", "DATABASE_URL", "pooler.supabase.com:5432"]
    {
        assert!(text.contains(needle), "seed example lacks `{needle}`");
    }
    browser.close().await;
}

/// Readable at 360 px wide: no page-wide horizontal scrolling on the guide or the checker
/// (code blocks and tables scroll inside their own boxes).
#[tokio::test(flavor = "multi_thread")]
async fn readable_at_360_px() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    browser.client.set_window_size(360, 800).await.unwrap();
    let mut wide = Vec::new();
    for path in ["", "guide/", "guide/start/", "guide/endpoints/", "guide/rules/", "check/"] {
        browser.open(&server.url(path)).await;
        if path == "check/" {
            browser.wait_for_checker().await;
        }
        let widths =
            browser.eval("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];").await;
        let (scroll, client) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
        if scroll > client {
            let culprits = browser
                .eval(
                    "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + e.className);",
                )
                .await;
            wide.push(format!("/{path}: {scroll} > {client} px: {culprits}"));
        }
    }
    browser.close().await;
    assert!(wide.is_empty(), "pages wider than the screen:\n{}", wide.join("\n"));
}

/// Hosts that read `_headers` (Netlify, Cloudflare Pages; `make serve` and this test's server)
/// send each page's Content-Security-Policy as a header: the policy of its meta tag plus
/// `frame-ancestors 'none'`, which a meta tag cannot carry; the pages still work under it,
/// the checker included, at the root and under a sub-path.
#[tokio::test(flavor = "multi_thread")]
async fn the_headers_file_sends_each_page_its_own_policy() {
    let browser = Browser::start().await;
    for (dist_var, prefix) in [("POOLFIX_DIST", "/"), ("POOLFIX_DIST_SUB", "/poolfix/")] {
        let server = StaticServer::start(dist(dist_var), prefix);
        for page in ["", "guide/start/", "guide/rules/", "check/"] {
            browser.open(&server.url(page)).await;
            if page == "check/" {
                browser.wait_for_checker().await;
            }
            let got = browser
                .eval(
                    "return fetch(location.href).then(r => [
                        r.headers.get('content-security-policy'),
                        r.headers.get('x-content-type-options'),
                        document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content]);",
                )
                .await;
            let [header, nosniff, meta] = [0, 1, 2].map(|i| got[i].as_str().unwrap_or_default().to_string());
            assert_eq!(header, format!("{meta}; frame-ancestors 'none'"), "{prefix}{page}");
            assert_eq!(nosniff, "nosniff", "{prefix}{page}");
            assert_eq!(meta.contains("wasm-unsafe-eval"), page == "check/", "{prefix}{page}: {meta}");
        }
    }
    browser.close().await;
}

/// The search over the whole index: each rule code and each error text the log doctor knows
/// finds its section among the first three results; nothing is fetched before the box is used.
#[tokio::test(flavor = "multi_thread")]
async fn search_finds_every_rule_code_and_error_text() {
    let server = StaticServer::start(dist("POOLFIX_DIST"), "/");
    let browser = Browser::start().await;
    browser.open(&server.url("guide/start/")).await;
    browser.wait_for("#search-input").await;
    let fetched = "return performance.getEntriesByType('resource').some(e => e.name.includes('search-index'));";
    assert_eq!(browser.eval(fetched).await, false, "the index was fetched before the search was used");
    let misses = browser
        .eval(
            "return fetch('/search-index.json').then(r => r.json()).then(async index => {
                const wanted = index.filter(e => e[4] === 'error' || /^guide\\/rules\\/#pf\\d+$/.test(e[2]));
                const misses = [];
                for (const e of wanted) {
                    const query = e[4] === 'error' ? e[1] : e[1].split(' ')[0];
                    const found = (await window.poolfixSearch(query)).slice(0, 3);
                    if (!found.includes(e[2])) misses.push(query + ' -> ' + found.join(', ') + ' (wanted ' + e[2] + ')');
                }
                return [wanted.length, misses];
            });",
        )
        .await;
    let searched = misses[0].as_u64().unwrap();
    assert!(searched > 60, "only {searched} rule codes and error texts in the index");
    assert_eq!(misses[1], serde_json::json!([]), "not found among the first three results");
    browser.close().await;
}

/// From the keyboard, under a sub-path: `/` focuses the box, a pasted error line lists its
/// section first, the arrow keys reach it, Enter lands on it; axe-clean with results open.
#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_error_is_searched_from_the_keyboard() {
    let server = StaticServer::start(dist("POOLFIX_DIST_SUB"), "/poolfix/");
    let browser = Browser::start().await;
    browser.open(&server.url("guide/mlflow/")).await;
    browser.wait_for("#search-input").await;
    browser.client.find(Locator::Css("main h1")).await.unwrap().click().await.unwrap();
    browser.client.active_element().await.unwrap().send_keys("/").await.unwrap();
    let focused = browser.eval("return document.activeElement.id;").await;
    assert_eq!(focused, "search-input", "`/` did not focus the search box");
    let line =
        "asyncpg.exceptions.DuplicatePreparedStatementError: prepared statement \"__asyncpg_stmt_6d__\" already exists";
    browser.client.active_element().await.unwrap().send_keys(line).await.unwrap();
    browser.wait_for(".search-results li a").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe with the results open:\n{}", violations.join("\n"));
    browser.client.active_element().await.unwrap().send_keys("\u{E015}").await.unwrap(); // ArrowDown
    let first = browser.eval("return document.activeElement.getAttribute('href');").await;
    let first = first.as_str().unwrap_or_default().to_string();
    assert!(first.contains("/poolfix/guide/"), "the arrow key did not reach a result: {first}");
    browser.client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap(); // Enter
    let url =
        browser.eval("return new Promise(r => setTimeout(() => r(location.pathname + location.hash), 300));").await;
    assert_eq!(url, "/poolfix/guide/troubleshooting/#prepared-statement", "landed elsewhere (first result {first})");
    browser.close().await;
}
