//! The guide's search index, written at build time as `search-index.json` and fetched by
//! `site.js` the first time someone uses the search box: one entry per page and per section
//! (the rule reference's sections are the rules), and one per error text the log doctor
//! knows (`poolfix_engine::knowledge::errors`), pointing at the section that explains it.

use poolfix_engine::knowledge::errors::{Pattern, ERRORS};
use serde_json::{json, Value};

use crate::Guide;

/// What an entry is: a page's opening, a section, or an error text.
const PAGE: &str = "page";
const SECTION: &str = "section";
const ERROR: &str = "error";

/// The index: `[[page title, heading, url (relative to the site's base), text, kind], …]`.
pub fn index(guide: &Guide) -> Value {
    let mut entries = Vec::new();
    for page in &guide.pages {
        let url = format!("guide/{}/", page.slug);
        let (intro, sections) = split_sections(&page.html);
        entries.push(json!([page.title, page.title, url, intro, PAGE]));
        for (id, heading, text) in sections {
            entries.push(json!([page.title, heading, format!("{url}#{id}"), text, SECTION]));
        }
    }
    for error in ERRORS {
        let (page, anchor) = error.guide.split_once('#').unwrap_or((error.guide, ""));
        let url = if anchor.is_empty() { format!("guide/{page}/") } else { format!("guide/{page}/#{anchor}") };
        for pattern in error.patterns {
            let text = match pattern {
                Pattern::Text(t) => *t,
                Pattern::Value { before, .. } => before.trim_end_matches(['"', '\'', ' ']),
            };
            let about = format!("{}: {}. {}", error.source, error.meaning, error.fix);
            entries.push(json!(["Error text", text, url, about, ERROR]));
        }
    }
    Value::Array(entries)
}

/// A page's text before its first section, and each `<h2 id>`/`<h3 id>` section as
/// (id, heading, text), all as plain text.
fn split_sections(html: &str) -> (String, Vec<(String, String, String)>) {
    let mut starts: Vec<usize> =
        html.match_indices("<h2 id=\"").chain(html.match_indices("<h3 id=\"")).map(|(i, _)| i).collect();
    starts.sort_unstable();
    let intro = plain(&html[..starts.first().copied().unwrap_or(html.len())]);
    let mut sections = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(html.len());
        let chunk = &html[start..end];
        let id_start = "<h2 id=\"".len();
        let id = &chunk[id_start..id_start + chunk[id_start..].find('"').unwrap_or(0)];
        let close = chunk.find("</h").unwrap_or(chunk.len());
        let heading_html = &chunk[..close];
        // The "#" link after each heading is not part of its text.
        let heading_html = heading_html.find("<a class=\"anchor\"").map_or(heading_html, |i| &heading_html[..i]);
        sections.push((id.to_string(), plain(heading_html), plain(&chunk[close..])));
    }
    (intro, sections)
}

/// Text without tags, entities decoded, whitespace collapsed.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule has its section and every error text the log doctor knows has its entry,
    /// each pointing at a section that exists (the browser test then searches for each).
    #[test]
    fn the_index_holds_every_rule_and_every_error_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
        let guide = crate::load(&dir).unwrap();
        let index = index(&guide);
        let entries = index.as_array().unwrap();
        let urls: Vec<&str> = entries.iter().map(|e| e[2].as_str().unwrap()).collect();
        for (rule, _) in poolfix_engine::rules::CATALOG {
            let url = format!("guide/rules/#{}", rule.code.to_ascii_lowercase());
            let entry =
                entries.iter().find(|e| e[2] == url.as_str()).unwrap_or_else(|| panic!("{} not indexed", rule.code));
            assert!(entry[1].as_str().unwrap().starts_with(rule.code), "{entry}");
        }
        let errors = entries.iter().filter(|e| e[4] == ERROR).count();
        assert_eq!(errors, ERRORS.iter().map(|e| e.patterns.len()).sum::<usize>());
        for e in entries.iter().filter(|e| e[4] == ERROR) {
            let url = e[2].as_str().unwrap();
            let (page, anchor) = url.trim_start_matches("guide/").split_once('/').unwrap();
            let page = guide.pages.iter().find(|p| p.slug == page).unwrap_or_else(|| panic!("{url}: no page"));
            let anchor = anchor.trim_start_matches('#');
            assert!(anchor.is_empty() || page.ids.contains(anchor), "{url}: no such section");
            assert!(urls.contains(&url), "{url}: the section is not indexed");
        }
    }

    #[test]
    fn sections_split_at_headings_with_ids() {
        let html = "<p>Intro &amp; more</p><h2 id=\"a\">First <code>x</code><a class=\"anchor\" href=\"#a\">#</a></h2>\
                    <p>one</p><h3 id=\"b\">Second</h3><p>two &lt;3</p>";
        let (intro, sections) = split_sections(html);
        assert_eq!(intro, "Intro & more");
        assert_eq!(
            sections,
            vec![("a".into(), "First x".into(), "one".into()), ("b".into(), "Second".into(), "two <3".into())]
        );
    }
}
