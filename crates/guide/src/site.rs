//! The static site: every page but the checker is plain HTML written at build time.
//!
//! A first visit to the home page or the guide downloads HTML, the shared stylesheet,
//! `pages.css` (their own rules and the search box's), `site.js` (the theme toggle and the
//! guide's copy buttons, under 2 KB) and `search.js`; only `check/` loads the wasm, and neither
//! `pages.css` nor `search.js`. trunk builds the checker and its loader into `index.html`; [`Assets::from_trunk`]
//! takes the stylesheet link and the loader from it, and [`write_site`] writes the pages
//! around them (the home page replaces trunk's `index.html`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::{escape_html, Guide, Page, BASE};

/// The theme toggle, the copy buttons of code blocks and the search box.
pub const SITE_JS: &str = include_str!("../assets/site.js");

/// The search box's script, and the style of the home page, the guide and the search box: on
/// every page but the checker, whose first visit carries neither.
pub const SEARCH_JS: &str = include_str!("../assets/search.js");
pub const PAGES_CSS: &str = include_str!("../assets/pages.css");

/// Applies the stored or the system theme before the first paint, so no page flashes in the
/// wrong theme (inline, so it runs before the stylesheet is applied; its hash is in the CSP).
const THEME_SCRIPT: &str = "(function(){var t;try{t=localStorage.getItem('poolfix-theme')}catch(e){}\
document.documentElement.setAttribute('data-theme',t||(matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'))})()";

/// The search box (site.js runs it over `search-index.json`, fetched on first use): results
/// are links, reached from the box with the arrow keys; `/` focuses the box.
const SEARCH_FORM: &str = "<form class=\"search\" role=\"search\" action=\"#\">\
<input id=\"search-input\" type=\"search\" aria-label=\"Search the guide\" placeholder=\"Search (/)\" autocomplete=\"off\" spellcheck=\"false\" \
aria-describedby=\"search-status\" aria-controls=\"search-results\">\
<div id=\"search-results\" class=\"search-results\" hidden><p id=\"search-status\" role=\"status\"></p><ul></ul></div>\
</form>\n  ";

/// What the pages take from trunk's build of `index.html`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    /// The public URL the site is built for, ending with `/`.
    pub base: String,
    /// trunk's `<link rel="stylesheet" …>` (hashed name, integrity).
    pub stylesheet: String,
    /// trunk's wasm loader and preload links: only the checker's page carries them.
    pub app: String,
}

impl Assets {
    /// Reads the base href, the stylesheet link and the loader from trunk's `index.html`.
    pub fn from_trunk(html: &str) -> Result<Assets, String> {
        let base = between(html, "<base href=\"", "\"").ok_or("no <base href> in trunk's index.html")?.to_string();
        let start = html.find("<link rel=\"stylesheet\"").ok_or("no stylesheet link in trunk's index.html")?;
        let end = start + html[start..].find('>').ok_or("unclosed stylesheet link")? + 1;
        let stylesheet = html[start..end].to_string();
        let app_start = html.find("<script type=\"module\">").ok_or("no wasm loader in trunk's index.html")?;
        let app_end = html.find("</head>").ok_or("no </head> in trunk's index.html")?;
        if app_end < app_start {
            return Err("the wasm loader is not in <head>".into());
        }
        let base = if base.ends_with('/') { base } else { format!("{base}/") };
        Ok(Assets { base, stylesheet, app: html[app_start..app_end].trim().to_string() })
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

/// Which part of the site a page belongs to, for the navigation's `aria-current`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Home,
    Guide,
    Check,
    None,
}

struct Frame<'a> {
    title: &'a str,
    description: &'a str,
    section: Section,
    /// The wasm loader, on the checker's page only.
    app: Option<&'a str>,
}

/// A short content hash for `site-<hash>.js`, so a changed script is never served stale.
fn content_hash(text: &str) -> String {
    // FNV-1a: a cache-busting name needs no cryptographic hash.
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{:08x}", hash >> 32)
}

fn site_js_name() -> String {
    format!("site-{}.js", content_hash(SITE_JS))
}

fn pages_css_name() -> String {
    format!("pages-{}.css", content_hash(PAGES_CSS))
}

fn search_js_name() -> String {
    format!("search-{}.js", content_hash(SEARCH_JS))
}

fn page(assets: &Assets, frame: &Frame, main: &str) -> String {
    let base = &assets.base;
    let current = |s: Section| if frame.section == s { " aria-current=\"page\"" } else { "" };
    let mut out = String::with_capacity(main.len() + 2048);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  \
         <meta name=\"description\" content=\"{description}\">\n  \
         <meta name=\"color-scheme\" content=\"light dark\">\n  <base href=\"{base}\">\n  \
         <link rel=\"icon\" href=\"data:,\">\n  <title>{title}</title>\n  <script>{THEME_SCRIPT}</script>\n  \
         {stylesheet}\n  {pages}<script defer src=\"{base}{js}\"></script>\n  {app}\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header class=\"site-header\">\n  <a href=\"{base}\" class=\"brand\"{home}>poolfix</a>\n  \
         <nav aria-label=\"Site\">\n    <a href=\"{base}guide/\"{guide}>Guide</a>\n    \
         <a href=\"{base}check/\"{check}>Checker</a>\n  </nav>\n  \
         {search}<button type=\"button\" class=\"theme-toggle\" aria-label=\"Switch theme\">Theme</button>\n</header>\n\
         <main id=\"main\" tabindex=\"-1\">\n{main}\n</main>\n\
         <footer class=\"site-footer\">\n  <p>poolfix runs entirely in your browser: nothing you paste leaves this page.</p>\n</footer>\n\
         </body>\n</html>\n",
        description = escape_html(frame.description),
        title = escape_html(frame.title),
        stylesheet = assets.stylesheet,
        js = site_js_name(),
        app = frame.app.unwrap_or(""),
        home = current(Section::Home),
        guide = current(Section::Guide),
        check = current(Section::Check),
        // Not on the checker: its first visit stays as small as it is, and once it holds the
        // user's text it may fetch nothing.
        search = if frame.section == Section::Check { "" } else { SEARCH_FORM },
        pages = if frame.section == Section::Check {
            String::new()
        } else {
            format!(
                "<link rel=\"stylesheet\" href=\"{base}{}\">\n  <script defer src=\"{base}{}\"></script>\n  ",
                pages_css_name(),
                search_js_name()
            )
        },
    );
    out.replace(BASE, base)
}

const DESCRIPTION: &str = "poolfix checks docker-compose files and Postgres URLs for Supabase connection-pool \
outages (MaxClientsInSessionMode) and explains the fix, entirely in your browser.";

fn home(assets: &Assets) -> String {
    let main = format!(
        "<section class=\"hero\">\n<h1>Stop <code>MaxClientsInSessionMode</code> before it stops you</h1>\n\
         <p class=\"lede\">Every service that talks to your Supabase Postgres keeps its own connection pool. \
         In session mode the pooler lets in only <em>pool size</em> clients — 15 on small plans — and the sum of \
         all those pools quietly goes past it. poolfix adds it up and tells you, per tool and per driver, exactly \
         what to change.</p>\n<div class=\"cta\">\n<a href=\"{BASE}check/\" class=\"button primary\">Check a compose file</a>\n\
         <a href=\"{BASE}guide/start/\" class=\"button\">Read the 20-minute guide</a>\n</div>\n</section>"
    );
    let frame = Frame {
        title: "poolfix — stop Supabase connection-pool outages",
        description: DESCRIPTION,
        section: Section::Home,
        app: None,
    };
    page(assets, &frame, &main)
}

fn page_list(guide: &Guide, current: Option<&str>) -> String {
    let mut out = String::from("<ol class=\"page-list\">");
    for p in &guide.pages {
        let here = if current == Some(p.slug.as_str()) { " aria-current=\"page\"" } else { "" };
        let _ = write!(out, "<li><a href=\"{BASE}guide/{}/\"{here}>{}</a></li>", p.slug, escape_html(&p.title));
    }
    out.push_str("</ol>");
    out
}

fn guide_index(assets: &Assets, guide: &Guide) -> String {
    let mut main = String::from(
        "<article class=\"guide-index\">\n<h1>The Supabase connection-pooling guide</h1>\n\
         <p class=\"lede\">Read it in order in about twenty minutes, or jump to the page you need.</p>\n<ol class=\"cards\">\n",
    );
    for p in &guide.pages {
        let _ = writeln!(
            main,
            "<li><h2><a href=\"{BASE}guide/{}/\">{}</a></h2><p>{}</p></li>",
            p.slug,
            escape_html(&p.title),
            escape_html(&p.summary)
        );
    }
    main.push_str("</ol>\n</article>");
    let frame = Frame {
        title: "Guide — poolfix",
        description: "The Supabase connection-pooling guide for MLflow, Prefect and SQLAlchemy services: \
                      why MaxClientsInSessionMode happens and what to change.",
        section: Section::Guide,
        app: None,
    };
    page(assets, &frame, &main)
}

fn guide_page(assets: &Assets, guide: &Guide, index: usize) -> String {
    let p: &Page = &guide.pages[index];
    let mut toc = String::new();
    for entry in &p.toc {
        let _ = write!(
            toc,
            "<li class=\"toc-{}\"><a href=\"{BASE}guide/{}/#{}\">{}</a></li>",
            entry.level,
            p.slug,
            entry.id,
            escape_html(&entry.text)
        );
    }
    let next = guide.pages.get(index + 1).map_or(String::new(), |n| {
        format!("<p class=\"next\">Next: <a href=\"{BASE}guide/{}/\">{}</a></p>", n.slug, escape_html(&n.title))
    });
    let main = format!(
        "<div class=\"guide-layout\">\n<nav class=\"guide-nav\" aria-label=\"Guide pages\">{list}</nav>\n\
         <article class=\"guide\">\n<h1>{title}</h1>\n<nav class=\"toc\" aria-label=\"On this page\"><h2>On this page</h2><ul>{toc}</ul></nav>\n\
         <div class=\"prose\">{html}</div>\n{next}\n</article>\n</div>",
        list = page_list(guide, Some(&p.slug)),
        title = escape_html(&p.title),
        html = p.html,
    );
    let title = format!("{} — poolfix guide", p.title);
    let description = if p.summary.is_empty() { DESCRIPTION } else { &p.summary };
    let frame = Frame { title: &title, description, section: Section::Guide, app: None };
    page(assets, &frame, &main)
}

/// The example the checker opens with (the app has the same text, `src/checker/examples.rs`).
const SEED_COMPOSE: &str = include_str!("../../../examples/seed-compose.yml");

/// The checker's page: the heading, the explanation and the input column as the app first
/// draws it (the seed example in the text box) are HTML, so they paint before the wasm
/// arrives; the app then mounts into `#checker-app` in their place, keeping anything typed
/// into the box meanwhile.
fn checker(assets: &Assets) -> String {
    let main = format!(
        "<section class=\"checker\">\n<h1>Check your connection settings</h1>\n\
         <p class=\"lede\">Paste a docker-compose file or connection URLs, one per line. The analysis runs in this \
         page; nothing you paste is sent anywhere.</p>\n<div id=\"checker-app\">\n\
         <div class=\"checker-grid\">\n<div class=\"inputs\">\n\
         <label class=\"examples\">Example <select disabled><option>Choose an example…</option></select></label>\n\
         <label for=\"input\">Compose file or connection URLs</label>\n\
         <textarea id=\"input\" class=\"input\" spellcheck=\"false\" rows=\"22\" autocomplete=\"off\" wrap=\"off\">{seed}</textarea>\n\
         <p class=\"status loading\" role=\"status\">Loading the checker…</p>\n\
         <noscript><p>The checker runs in your browser and needs JavaScript and WebAssembly. \
         The <a href=\"{BASE}guide/\">guide</a> works without them.</p></noscript>\n</div>\n</div>\n</div>\n</section>",
        seed = escape_html(SEED_COMPOSE)
    );
    let frame = Frame {
        title: "Checker — poolfix",
        description: "Paste a docker-compose file or Postgres URLs: poolfix finds the connection-pool settings that \
                      will exhaust Supabase's pooler and writes the fix, in your browser.",
        section: Section::Check,
        app: Some(&assets.app),
    };
    page(assets, &frame, &main)
}

/// Crawlers may read every page.
const ROBOTS_TXT: &str = "User-agent: *\nAllow: /\n";

fn not_found(assets: &Assets, guide: &Guide) -> String {
    let main = format!(
        "<section class=\"not-found\">\n<h1>Page not found</h1>\n<p>There is no page at this address. \
         Try the <a href=\"{BASE}check/\">checker</a> or a page of the guide:</p>\n{}\n</section>",
        page_list(guide, None)
    );
    let frame = Frame { title: "Not found — poolfix", description: DESCRIPTION, section: Section::None, app: None };
    page(assets, &frame, &main)
}

/// Writes every page of the site into `dir` (trunk's staging directory): `index.html`,
/// `guide/index.html`, `guide/<slug>/index.html`, `check/index.html`, `404.html`, the script
/// and `robots.txt`. Returns the files written.
pub fn write_site(guide: &Guide, dir: &Path, assets: &Assets) -> std::io::Result<Vec<PathBuf>> {
    let mut files = vec![
        (PathBuf::from("index.html"), home(assets)),
        (PathBuf::from("guide/index.html"), guide_index(assets, guide)),
        (PathBuf::from("check/index.html"), checker(assets)),
        (PathBuf::from("404.html"), not_found(assets, guide)),
        (PathBuf::from(site_js_name()), SITE_JS.to_string()),
        (PathBuf::from(pages_css_name()), PAGES_CSS.to_string()),
        (PathBuf::from(search_js_name()), SEARCH_JS.to_string()),
        (PathBuf::from("robots.txt"), ROBOTS_TXT.to_string()),
        (PathBuf::from("search-index.json"), crate::search::index(guide).to_string()),
    ];
    for (i, p) in guide.pages.iter().enumerate() {
        files.push((Path::new("guide").join(&p.slug).join("index.html"), guide_page(assets, guide, i)));
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, text) in files {
        let full = dir.join(&path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&full, text)?;
        written.push(full);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = "<!doctype html><html><head><base href=\"/poolfix/\">\
        <link rel=\"stylesheet\" href=\"/poolfix/main-1.css\" integrity=\"x\"/>\n\
        <script type=\"module\">import init from '/poolfix/app.js';</script>\
        <link rel=\"preload\" href=\"/poolfix/app_bg.wasm\"></head><body></body></html>";

    fn guide() -> Guide {
        let a =
            crate::render_page("start", "# Start & end\n\nFirst words.\n\n## One\n\nSee [b](02-b.md#two).\n").unwrap();
        let b = crate::render_page("b", "# B\n\n## Two\n").unwrap();
        Guide { pages: vec![a, b] }
    }

    #[test]
    fn assets_come_from_trunks_index() {
        let assets = Assets::from_trunk(TRUNK).unwrap();
        assert_eq!(assets.base, "/poolfix/");
        assert_eq!(assets.stylesheet, "<link rel=\"stylesheet\" href=\"/poolfix/main-1.css\" integrity=\"x\"/>");
        assert!(assets.app.starts_with("<script type=\"module\">") && assets.app.ends_with("app_bg.wasm\">"));
        assert!(Assets::from_trunk("<html><head></head></html>").is_err());
    }

    #[test]
    fn only_the_checker_loads_the_wasm_and_links_follow_the_base() {
        let dir = std::env::temp_dir().join(format!("poolfix-site-test-{}", std::process::id()));
        let assets = Assets::from_trunk(TRUNK).unwrap();
        let written = write_site(&guide(), &dir, &assets).unwrap();
        assert_eq!(written.len(), 11);
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
        for page in ["index.html", "guide/index.html", "guide/start/index.html", "guide/b/index.html", "404.html"] {
            let html = read(page);
            assert!(!html.contains("app_bg.wasm") && !html.contains("type=\"module\""), "{page} loads the wasm");
            assert!(!html.contains(BASE), "{page} has an unfilled base");
            assert!(html.contains("main-1.css") && html.contains(&site_js_name()), "{page} misses its assets");
            let search = [pages_css_name(), search_js_name()];
            assert!(
                html.contains("id=\"search-input\"") && search.iter().all(|f| html.contains(f)),
                "{page}: no search"
            );
        }
        let checker = read("check/index.html");
        assert!(checker.contains("app_bg.wasm") && checker.contains("id=\"checker-app\""));
        assert!(!checker.contains("search"), "the checker's first visit carries no search");
        let index: serde_json::Value = serde_json::from_str(&read("search-index.json")).unwrap();
        assert!(index.as_array().unwrap().iter().any(|e| e[2] == "guide/b/#two"), "sections are indexed");
        assert!(checker.contains(&escape_html(SEED_COMPOSE)), "the checker's shell shows the seed example");
        let start = read("guide/start/index.html");
        assert!(start.contains("<title>Start &amp; end — poolfix guide</title>"), "title escaped");
        assert!(start.contains("href=\"/poolfix/guide/b/#two\""), "internal link under the base");
        assert!(start.contains("<p class=\"next\">Next: <a href=\"/poolfix/guide/b/\">B</a></p>"));
        assert!(start.contains("href=\"/poolfix/guide/start/\" aria-current=\"page\""));
        assert!(read(&site_js_name()).contains("poolfix-theme"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_script_name_changes_with_its_content() {
        assert_ne!(content_hash("a"), content_hash("b"));
        assert_eq!(content_hash("a").len(), 8);
    }
}
