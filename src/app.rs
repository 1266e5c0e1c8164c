//! The page frame: header, navigation, the routed page and the footer.

use leptos::prelude::*;

use crate::base::href;
use crate::checker::CheckerPage;
use crate::guide::{GuideIndex, GuidePage};
use crate::route::{provide_location, Route};
use crate::theme::ThemeToggle;

#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    let route = Memo::new(move |_| Route::parse(&location.path.get()));
    let section = move || match route.get() {
        Route::GuideIndex | Route::GuidePage(_) => "guide",
        Route::Checker => "check",
        _ => "",
    };
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a href=href("") class="brand">"poolfix"</a>
            <nav aria-label="Site">
                <a href=href("guide") aria-current=move || (section() == "guide").then_some("page")>"Guide"</a>
                <a href=href("check") aria-current=move || (section() == "check").then_some("page")>"Checker"</a>
            </nav>
            <ThemeToggle/>
        </header>
        <main id="main" tabindex="-1">
            {move || match route.get() {
                Route::Home => Home().into_any(),
                Route::GuideIndex => GuideIndex().into_any(),
                Route::GuidePage(slug) => view! { <GuidePage slug/> }.into_any(),
                Route::Checker => CheckerPage().into_any(),
                Route::NotFound => NotFound().into_any(),
            }}
        </main>
        <footer class="site-footer">
            <p>"poolfix runs entirely in your browser: nothing you paste leaves this page."</p>
        </footer>
    }
}

/// The landing page: what poolfix is and where to start.
#[component]
fn Home() -> impl IntoView {
    crate::guide::set_title("poolfix — stop Supabase connection-pool outages");
    view! {
        <section class="hero">
            <h1>"Stop " <code>"MaxClientsInSessionMode"</code> " before it stops you"</h1>
            <p class="lede">
                "Every service that talks to your Supabase Postgres keeps its own connection pool. "
                "In session mode the pooler lets in only " <em>"pool size"</em> " clients — 15 on small plans — "
                "and the sum of all those pools quietly goes past it. poolfix adds it up and tells you, "
                "per tool and per driver, exactly what to change."
            </p>
            <div class="cta">
                <a href=href("check") class="button primary">"Check a compose file"</a>
                <a href=href("guide/start") class="button">"Read the 20-minute guide"</a>
            </div>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    crate::guide::set_title("Not found — poolfix");
    view! {
        <section class="not-found">
            <h1>"Page not found"</h1>
            <p><a href=href("guide")>"Go to the guide"</a></p>
        </section>
    }
}
