//! The guide: pages rendered from `content/` at build time (see `build.rs`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::base::{base, href};
use crate::route::{scroll_to_hash, use_location};

/// One page of the guide, as rendered by `poolfix_guide` at build time.
#[derive(PartialEq, Eq)]
pub struct GuidePage {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// HTML with `%BASE%` where the site's base path goes.
    pub html: &'static str,
    /// (level, anchor id, text) of every `##` and `###` heading.
    pub toc: &'static [(u8, &'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/guide.rs"));

pub fn set_title(title: &str) {
    document().set_title(title);
}

fn find(slug: &str) -> Option<&'static GuidePage> {
    PAGES.iter().find(|p| p.slug == slug)
}

/// The list of guide pages, shown on `/guide` and beside every page.
#[component]
fn PageList(#[prop(optional)] current: Option<&'static str>) -> impl IntoView {
    view! {
        <ol class="page-list">
            {PAGES.iter().map(|p| {
                let here = current == Some(p.slug);
                view! {
                    <li><a href=href(&format!("guide/{}", p.slug))
                        aria-current=here.then_some("page")>{p.title}</a></li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn GuideIndex() -> impl IntoView {
    set_title("Guide — poolfix");
    view! {
        <article class="guide-index">
            <h1>"The Supabase connection-pooling guide"</h1>
            <p class="lede">"Read it in order in about twenty minutes, or jump to the page you need."</p>
            <ol class="cards">
                {PAGES.iter().map(|p| view! {
                    <li>
                        <h2><a href=href(&format!("guide/{}", p.slug))>{p.title}</a></h2>
                        <p>{p.summary}</p>
                    </li>
                }).collect_view()}
            </ol>
        </article>
    }
}

/// Copies the code of the block whose "Copy" button was clicked.
fn on_article_click(ev: leptos::ev::MouseEvent) {
    let Some(button) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return;
    };
    if !button.class_list().contains("copy") {
        return;
    }
    let Some(code) = button.parent_element().and_then(|block| block.query_selector("pre").ok().flatten()) else {
        return;
    };
    let text = code.text_content().unwrap_or_default();
    let _ = window().navigator().clipboard().write_text(&text);
    button.set_text_content(Some("Copied"));
}

/// One guide page with the page list, its table of contents and a link to the next page.
#[component]
pub fn GuidePage(slug: String) -> impl IntoView {
    let location = use_location();
    let page = find(&slug);
    if let Some(p) = page {
        set_title(&format!("{} — poolfix guide", p.title));
    }
    Effect::new(move |_| {
        let hash = location.hash.get();
        request_animation_frame(move || scroll_to_hash(&hash));
    });
    match page {
        None => view! {
            <article class="guide"><h1>"No such guide page"</h1><PageList/></article>
        }
        .into_any(),
        Some(p) => {
            let html = p.html.replace("%BASE%", base());
            let next = PAGES.iter().position(|q| q.slug == p.slug).and_then(|i| PAGES.get(i + 1));
            view! {
                <div class="guide-layout">
                    <nav class="guide-nav" aria-label="Guide pages"><PageList current=p.slug/></nav>
                    <article class="guide">
                        <h1>{p.title}</h1>
                        <nav class="toc" aria-label="On this page">
                            <h2>"On this page"</h2>
                            <ul>
                                {p.toc.iter().map(|(level, id, text)| view! {
                                    <li class=format!("toc-{level}")>
                                        <a href=href(&format!("guide/{}#{id}", p.slug))>{*text}</a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </nav>
                        <div class="prose" on:click=on_article_click inner_html=html></div>
                        {next.map(|n| view! {
                            <p class="next">"Next: " <a href=href(&format!("guide/{}", n.slug))>{n.title}</a></p>
                        })}
                    </article>
                </div>
            }
            .into_any()
        }
    }
}
