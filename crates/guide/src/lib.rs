//! Renders the markdown guide in `content/` to static HTML pages at build time.
//!
//! trunk's post-build hook runs the `poolfix-site` binary, which calls [`load`] and
//! [`site::write_site`]: the home page, the guide and the checker's page shell are plain HTML
//! files, so pulldown-cmark never ships and only the checker loads the wasm. The same
//! functions back the link checker test: a broken internal link or a missing anchor fails
//! the build and the tests.
//!
//! Conventions for `content/*.md`:
//! - files are named `NN-slug.md`; `NN` orders the table of contents, `slug` is the URL
//!   (`/guide/slug/`); the first `# ` heading is the page title;
//! - internal links are written `other-slug.md#anchor` (they also work on a code host), and
//!   are rewritten to `%BASE%guide/other-slug/#anchor`; the site generator fills `%BASE%`
//!   with the public URL so the guide works under any sub-path;
//! - a heading may pin its anchor with `{#id}`; otherwise the id is derived from its text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub mod numbers;
mod rules_page;
pub mod search;
pub mod site;

/// The placeholder for the site's base path (always ends with `/`).
pub const BASE: &str = "%BASE%";

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// One rendered page of the guide.
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub title: String,
    /// The first paragraph as plain text, for the index and the page description.
    pub summary: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Every anchor id on the page.
    pub ids: BTreeSet<String>,
    /// Internal links found on the page: (target slug, optional anchor).
    pub links: Vec<LinkTarget>,
}

/// The whole guide, in reading order.
#[derive(Debug, Clone)]
pub struct Guide {
    pub pages: Vec<Page>,
}

/// Reads every `NN-slug.md` in `dir`, puts the engine's numbers in (`{{name}}`, see
/// [`numbers`]), adds the rule reference generated from the engine, renders them all, and checks
/// the internal links.
pub fn load(dir: &Path) -> Result<Guide, String> {
    let mut files: BTreeMap<String, (String, String)> = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".md") else {
            continue;
        };
        let Some((order, slug)) = stem.split_once('-') else {
            return Err(format!("{name}: expected NN-slug.md"));
        };
        if order.is_empty() || !order.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{name}: expected NN-slug.md"));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{name}: {e}"))?;
        files.insert(stem.to_string(), (slug.to_string(), text));
    }
    let numbers = numbers::numbers();
    let mut sources = Vec::new();
    for (stem, (slug, text)) in files {
        sources.push((slug, numbers::substitute(&stem, &text, &numbers)?));
    }
    sources.push(("rules".to_string(), rules_page::markdown()));
    let pages = sources.iter().map(|(slug, md)| render_page(slug, md)).collect::<Result<Vec<_>, _>>()?;
    let guide = Guide { pages };
    let broken = broken_links(&guide);
    if broken.is_empty() {
        Ok(guide)
    } else {
        Err(format!("broken internal links in the guide:\n  {}", broken.join("\n  ")))
    }
}

/// Lists every internal link whose page or anchor does not exist.
pub fn broken_links(guide: &Guide) -> Vec<String> {
    let ids: BTreeMap<&str, &BTreeSet<String>> = guide.pages.iter().map(|p| (p.slug.as_str(), &p.ids)).collect();
    let mut broken = Vec::new();
    for page in &guide.pages {
        for (slug, anchor) in &page.links {
            match (ids.get(slug.as_str()), anchor) {
                (None, _) => broken.push(format!("{}: link to missing page `{slug}`", page.slug)),
                (Some(found), Some(a)) if !found.contains(a) => {
                    broken.push(format!("{}: link to missing anchor `{slug}#{a}`", page.slug))
                }
                _ => {}
            }
        }
    }
    broken
}

/// Turns heading text into a stable anchor id: lowercase ASCII letters, digits and dashes.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '/') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// An internal link's target page slug and optional anchor.
type LinkTarget = (String, Option<String>);

/// Rewrites an internal markdown link target; returns the new href and the link's target.
fn rewrite_link(slug: &str, dest: &str) -> Option<(String, Option<LinkTarget>)> {
    if dest.contains("://") || dest.starts_with("mailto:") {
        return None;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        let href = format!("{BASE}guide/{slug}/#{anchor}");
        return Some((href, Some((slug.to_string(), Some(anchor.to_string())))));
    }
    if let Some(rest) = dest.strip_prefix("/check") {
        if rest.is_empty() || rest.starts_with('#') {
            return Some((format!("{BASE}check/{rest}"), None));
        }
    }
    let (file, anchor) = match dest.split_once('#') {
        Some((f, a)) => (f, Some(a.to_string())),
        None => (dest, None),
    };
    let stem = file.strip_suffix(".md")?;
    let target = stem.split_once('-').filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit())).map_or(stem, |(_, s)| s);
    let href = match &anchor {
        Some(a) => format!("{BASE}guide/{target}/#{a}"),
        None => format!("{BASE}guide/{target}/"),
    };
    Some((href, Some((target.to_string(), anchor))))
}

/// Renders one markdown page.
pub fn render_page(slug: &str, markdown: &str) -> Result<Page, String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST;
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();

    let mut out: Vec<Event> = Vec::with_capacity(events.len() + 16);
    let mut toc = Vec::new();
    let mut ids = BTreeSet::new();
    let mut links = Vec::new();
    let mut title = None;
    let mut summary = None;
    // Each table is a scrollable region; its label must be unique on the page.
    let mut section = String::new();
    let mut tables_in_section = 0;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let level = *level;
                let explicit = id.clone();
                let mut text = String::new();
                let mut inner = Vec::new();
                i += 1;
                while !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[i] {
                        text.push_str(t);
                    }
                    inner.push(events[i].clone());
                    i += 1;
                }
                let mut id = explicit.map(|s| s.to_string()).unwrap_or_else(|| slugify(&text));
                if id.is_empty() {
                    id = "section".into();
                }
                let mut unique = id.clone();
                let mut n = 1;
                while !ids.insert(unique.clone()) {
                    unique = format!("{id}-{n}");
                    n += 1;
                }
                let n = heading_number(level);
                let is_title = n == 1 && title.is_none();
                if is_title {
                    title = Some(text.clone());
                }
                section = text.clone();
                tables_in_section = 0;
                if n == 2 || n == 3 {
                    toc.push(TocEntry { level: n, id: unique.clone(), text: text.clone() });
                }
                let mut inner_html = String::new();
                html::push_html(&mut inner_html, inner.into_iter());
                let anchor = if n > 1 {
                    format!(
                        "<a class=\"anchor\" href=\"{BASE}guide/{slug}/#{unique}\" aria-label=\"Link to this section: {}\">#</a>",
                        escape_html(&text)
                    )
                } else {
                    String::new()
                };
                // The page title is rendered by the site, above the table of contents.
                if !is_title {
                    out.push(Event::Html(CowStr::from(format!("<h{n} id=\"{unique}\">{inner_html}{anchor}</h{n}>\n"))));
                }
            }
            Event::Start(Tag::Paragraph) if summary.is_none() && title.is_some() => {
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Paragraph)) {
                    match &events[j] {
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        Event::SoftBreak | Event::HardBreak => text.push(' '),
                        _ => {}
                    }
                    j += 1;
                }
                summary = Some(text);
                out.push(events[i].clone());
            }
            Event::Start(Tag::Link { link_type, dest_url, title: link_title, id }) => {
                let mut dest = dest_url.clone();
                if let Some((href, target)) = rewrite_link(slug, dest_url) {
                    dest = CowStr::from(href);
                    links.extend(target);
                }
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: link_title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) if !l.is_empty() => l.split_whitespace().next().unwrap_or(""),
                    _ => "",
                };
                let mut code = String::new();
                i += 1;
                while !matches!(events[i], Event::End(TagEnd::CodeBlock)) {
                    if let Event::Text(t) = &events[i] {
                        code.push_str(t);
                    }
                    i += 1;
                }
                let class =
                    if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape_html(lang)) };
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"code-block\"><button type=\"button\" class=\"copy\">Copy</button><pre tabindex=\"0\"><code{class}>{}</code></pre></div>\n",
                    escape_html(&code)
                ))));
            }
            Event::Start(Tag::Table(_)) => {
                tables_in_section += 1;
                let label = match tables_in_section {
                    1 => format!("Table: {section}"),
                    n => format!("Table {n}: {section}"),
                };
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">",
                    escape_html(&label)
                ))));
                out.push(events[i].clone());
            }
            Event::End(TagEnd::Table) => {
                out.push(events[i].clone());
                out.push(Event::Html(CowStr::from("</div>")));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // The guide is our own text, but raw HTML would bypass the link checker.
                return Err(format!("{slug}: raw HTML is not allowed in the guide: {raw}"));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    let title = title.ok_or_else(|| format!("{slug}: the page needs a `# Title` heading"))?;
    let mut body = String::new();
    html::push_html(&mut body, out.into_iter());
    Ok(Page { slug: slug.to_string(), title, summary: summary.unwrap_or_default(), html: body, toc, ids, links })
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_stable_ids_and_toc() {
        let page = render_page(
            "x",
            "# Title\n\nIntro text.\n\n## Why it fails\n\n### Workers {#workers}\n\n## Why it fails\n",
        )
        .unwrap();
        assert_eq!(page.title, "Title");
        assert_eq!(page.summary, "Intro text.");
        let ids: Vec<_> = page.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["why-it-fails", "workers", "why-it-fails-1"]);
        assert!(page.html.contains("<h3 id=\"workers\">Workers<a class=\"anchor\""));
    }

    #[test]
    fn code_blocks_get_copy_buttons_and_are_escaped() {
        let page = render_page("x", "# T\n\n```yaml\na: <b>\n```\n").unwrap();
        assert!(page.html.contains("<button type=\"button\" class=\"copy\">Copy</button>"));
        assert!(page.html.contains("class=\"language-yaml\">a: &lt;b&gt;\n</code>"));
    }

    #[test]
    fn internal_links_are_rewritten_and_checked() {
        let a = render_page(
            "a",
            "# A\n\nSee [b](02-b.md#there) and [here](#top) and [x](https://example.com).\n\n## Top\n",
        )
        .unwrap();
        assert!(a.html.contains("href=\"%BASE%guide/b/#there\""));
        assert!(a.html.contains("href=\"%BASE%guide/a/#top\""));
        assert!(a.html.contains("href=\"https://example.com\""));
        let b = render_page("b", "# B\n\n## Elsewhere\n").unwrap();
        let guide = Guide { pages: vec![a, b] };
        assert_eq!(broken_links(&guide), ["a: link to missing anchor `b#there`"]);
    }

    #[test]
    fn tables_render_inside_a_scroll_region() {
        let page = render_page("x", "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").unwrap();
        assert!(page.html.contains("<div class=\"table-wrap\" tabindex=\"0\""));
        assert!(page.html.contains("<td>1</td>"));
    }

    #[test]
    fn raw_html_is_refused() {
        assert!(render_page("x", "# T\n\n<script>x</script>\n").is_err());
    }

    /// The real guide: every page renders and every internal link and anchor resolves.
    #[test]
    fn the_guide_in_content_has_no_broken_links() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
        let guide = load(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(guide.pages.len() >= 12, "expected the full guide, found {} pages", guide.pages.len());
        for page in &guide.pages {
            assert!(!page.toc.is_empty() || page.slug == "index", "{} has no sections", page.slug);
        }
    }
}
