//! The real-browser test harness: serves a built `dist/` on 127.0.0.1 (random port) like a
//! static host with a single-page fallback, and drives headless Chromium through
//! chromedriver with fantoccini. Every process started here is stopped by its pid on drop,
//! also when a test fails.
#![allow(dead_code)]

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The release build to test, set by `make browser`; a clear failure when it is missing.
pub fn dist(var: &str) -> PathBuf {
    let dir = std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run the browser tests with `make test`"));
    let dir = PathBuf::from(dir);
    assert!(dir.join("index.html").is_file(), "{} has no index.html: run `make build` first", dir.display());
    dir
}

/// A static file server for `dist`, mounted at `prefix` (e.g. `/` or `/poolfix/`).
pub struct StaticServer {
    pub addr: SocketAddr,
    pub prefix: String,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The site's `_headers` file as (path pattern, [(name, value)]): a path, exact or ending in
/// `*`, then indented `Name: value` lines (Netlify's format; scripts/csp.py writes it).
fn read_headers(dist: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let text = std::fs::read_to_string(dist.join("_headers")).unwrap_or_default();
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
        if line.starts_with([' ', '\t']) {
            let (name, value) = line.trim().split_once(':').expect("Name: value in _headers");
            rules.last_mut().expect("a path before headers").1.push((name.trim().into(), value.trim().into()));
        } else {
            rules.push((line.trim().to_string(), Vec::new()));
        }
    }
    rules
}

/// The headers `_headers` gives a request for `path`.
fn headers_for(rules: &[(String, Vec<(String, String)>)], path: &str) -> Vec<tiny_http::Header> {
    rules
        .iter()
        .filter(|(pattern, _)| pattern == path || pattern.strip_suffix('*').is_some_and(|p| path.starts_with(p)))
        .flat_map(|(_, values)| values.iter())
        .map(|(name, value)| tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a header"))
        .collect()
}

impl StaticServer {
    pub fn start(dist: PathBuf, prefix: &str) -> StaticServer {
        Self::start_with_wasm_delay(dist, prefix, std::time::Duration::ZERO)
    }

    /// The same, answering requests for the wasm only after `delay`: a slow network, so a
    /// test can use the page before the app has started.
    pub fn start_with_wasm_delay(dist: PathBuf, prefix: &str, delay: std::time::Duration) -> StaticServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1"));
        let addr = server.server_addr().to_ip().expect("an IP address");
        let prefix = prefix.to_string();
        let (srv, pre) = (server.clone(), prefix.clone());
        let rules = Arc::new(read_headers(&dist));
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                // One thread per request, so a held-back wasm does not hold back the rest.
                let (dist, pre, rules) = (dist.clone(), pre.clone(), rules.clone());
                std::thread::spawn(move || {
                    let url = request.url().split(['?', '#']).next().unwrap_or("/").to_string();
                    let response = match url
                        .strip_prefix(&pre)
                        .or_else(|| (url.clone() + "/").strip_prefix(&pre).map(|_| ""))
                    {
                        None => tiny_http::Response::from_string("not under the site's prefix")
                            .with_status_code(404)
                            .boxed(),
                        Some(rel) => {
                            let candidate = dist.join(rel);
                            let safe = !rel.split('/').any(|seg| seg == "..");
                            // Like a static host (GitHub Pages, Netlify): a folder is served by its
                            // index.html, `/folder` redirects to `/folder/`, and anything else is
                            // the site's 404.html with status 404.
                            if safe && !rel.is_empty() && !rel.ends_with('/') && candidate.join("index.html").is_file()
                            {
                                let location = tiny_http::Header::from_bytes("Location", format!("{url}/")).unwrap();
                                tiny_http::Response::empty(301).with_header(location).boxed()
                            } else {
                                if rel.ends_with(".wasm") {
                                    std::thread::sleep(delay);
                                }
                                let served = safe && candidate.is_file() && !rel.ends_with("_headers");
                                let (file, status) = if served {
                                    (candidate, 200)
                                } else if safe && candidate.join("index.html").is_file() {
                                    (candidate.join("index.html"), 200)
                                } else {
                                    (dist.join("404.html"), 404)
                                };
                                let mut body = Vec::new();
                                std::fs::File::open(&file)
                                    .and_then(|mut f| f.read_to_end(&mut body))
                                    .expect("read dist file");
                                let header =
                                    tiny_http::Header::from_bytes("Content-Type", content_type(&file)).unwrap();
                                let mut response =
                                    tiny_http::Response::from_data(body).with_header(header).with_status_code(status);
                                for h in headers_for(&rules, &url) {
                                    response.add_header(h);
                                }
                                response.boxed()
                            }
                        }
                    };
                    let _ = request.respond(response);
                });
            }
        });
        StaticServer { addr, prefix, server, thread: Some(thread) }
    }

    /// The absolute URL of `path` (relative to the site's prefix).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}{}", self.addr, self.prefix, path.trim_start_matches('/'))
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// chromedriver on a free loopback port, killed by its pid on drop.
pub struct Chromedriver {
    child: Child,
    pub port: u16,
}

impl Chromedriver {
    pub fn start() -> Chromedriver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group, so that the Chromium it starts can be stopped with it even
        // when a test fails before closing its session.
        let child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()))
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (make test installs it)");
        let driver = Chromedriver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !driver.ready() {
            assert!(Instant::now() < deadline, "chromedriver did not become ready on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    /// chromedriver's `/status` says `ready` (a listening socket alone is not enough).
    fn ready(&self) -> bool {
        use std::io::Write as _;
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let request = format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port);
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        // Read until the answer says ready; chromedriver may keep the connection open.
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&answer).replace(' ', "").contains("\"ready\":true") {
                return true;
            }
        }
        false
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver (its pid is the group id) and the browser it started.
        // Called directly: the `kill` command parses a negative pid argument as an option.
        if let Ok(pgid) = i32::try_from(self.child.id()) {
            if pgid > 1 {
                // SAFETY: kill(2) with a negative pid signals exactly that process group.
                unsafe {
                    libc::kill(-pgid, libc::SIGKILL);
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session with its own chromedriver and a fresh profile.
pub struct Browser {
    pub client: Client,
    profile: PathBuf,
    _driver: Chromedriver,
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with_page_load("normal").await
    }

    /// A browser whose navigation commands return according to `strategy` (WebDriver's
    /// pageLoadStrategy): "none" returns at once, to act on a page that is still loading.
    pub async fn start_with_page_load(strategy: &str) -> Browser {
        let driver = Chromedriver::start();
        let profile = std::env::temp_dir().join(format!("poolfix-chromium-{}-{}", std::process::id(), driver.port));
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": strategy,
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let caps = caps.as_object().unwrap().clone();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("connect to chromedriver");
        Browser { client, profile, _driver: driver }
    }

    /// Loads `url` and waits until the app has rendered into `<main>`.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
        self.wait_for("main h1").await;
    }

    /// Waits until the checker app has started on `check/` (the page's HTML already holds a
    /// text box; only the app draws the results).
    pub async fn wait_for_checker(&self) -> fantoccini::elements::Element {
        self.wait_for("#checker-app .results").await
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("`{css}` did not appear: {e}"))
    }

    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs axe-core on the current page and returns its violations, as readable lines.
    pub async fn axe_violations(&self) -> Vec<String> {
        let axe =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js"))
                .expect("node_modules/axe-core: run make setup");
        self.client.execute(&format!("{axe}\nreturn true;"), vec![]).await.expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' @ ' +
                        v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        result.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The guide's page slugs, in order, read from `content/` (plus the generated rule reference).
pub fn guide_slugs() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .collect();
    names.sort();
    let mut slugs: Vec<String> = names.iter().map(|n| n.split_once('-').unwrap().1.to_string()).collect();
    slugs.push("rules".into());
    slugs
}
