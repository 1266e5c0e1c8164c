//! poolfix's web face: the guide and the checker, rendered by Leptos in the browser.
//! All analysis is done by `poolfix_engine`; nothing here talks to a server.

mod app;
mod base;
mod checker;
mod clipboard;
mod guide;
mod route;
mod theme;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
