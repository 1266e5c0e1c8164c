//! Share links: the page's state in the URL fragment (`#share=…`), which browsers never send
//! to a server. Every password is replaced by a placeholder before the link is made.

use leptos::prelude::*;
use poolfix_engine::compose::planner;
use poolfix_engine::knowledge::compute::COMPUTE_SIZES;
use poolfix_engine::knowledge::services;
use poolfix_engine::redact::{redact_env, redact_urls};
use poolfix_engine::url_doctor::ModeChoice;

use super::{button_of, handler, Checker, Settings, MLFLOW_VERSIONS, PREFECT_VERSIONS};
use crate::clipboard::copy;

const PREFIX: &str = "#share=";

/// The link's fragment for a state (already redacted).
pub fn encode(input: &str, env: &str, s: Settings) -> String {
    let head = format!(
        "v3\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        COMPUTE_SIZES[s.compute].name,
        s.pool_size.map(|p| p.to_string()).unwrap_or_default(),
        s.mode.as_str(),
        s.url_service.cli_name(),
        MLFLOW_VERSIONS[s.mlflow_version].1,
        PREFECT_VERSIONS[s.prefect_version].1,
        s.plan.unwrap_or(""),
    );
    let body = format!("{head}{input}\u{0}{env}");
    format!("{PREFIX}{}", String::from(js_sys::encode_uri_component(&body)))
}

/// The state in a fragment made by [`encode`] (v3), or by an earlier version (v2: no plan
/// choice; v1: no versions either).
pub fn decode(hash: &str) -> Option<(String, String, Settings)> {
    let raw = hash.strip_prefix(PREFIX)?;
    let body: String = js_sys::decode_uri_component(raw).ok()?.into();
    let (version, rest) = body.split_once('\n')?;
    let lines = match version {
        "v1" => 4,
        "v2" => 6,
        "v3" => 7,
        _ => return None,
    };
    let mut parts = rest.splitn(lines + 1, '\n');
    let compute_name = parts.next()?;
    let compute = COMPUTE_SIZES.iter().position(|c| c.name == compute_name)?;
    let pool_size = parts.next()?.parse().ok();
    let mode = ModeChoice::from_cli(parts.next()?)?;
    let url_service = services::from_cli(parts.next()?)?;
    let (mut mlflow_version, mut prefect_version) = (0, 0);
    if lines >= 6 {
        let (mlflow, prefect) = (parts.next()?, parts.next()?);
        mlflow_version = MLFLOW_VERSIONS.iter().position(|v| v.1 == mlflow)?;
        prefect_version = PREFECT_VERSIONS.iter().position(|v| v.1 == prefect)?;
    }
    // An id this build does not know falls back to the first option that fits.
    let plan = if lines == 7 {
        let id = parts.next()?;
        planner::IDS.into_iter().find(|known| *known == id)
    } else {
        None
    };
    let (input, env) = parts.next()?.split_once('\u{0}')?;
    let settings = Settings { compute, pool_size, mode, url_service, mlflow_version, prefect_version, plan };
    Some((input.to_string(), env.to_string(), settings))
}

/// Whether the page was opened from a share link (its state is the user's, if redacted).
pub fn opened_from_share_link() -> bool {
    window().location().hash().is_ok_and(|h| h.starts_with(PREFIX))
}

/// The state from the page's own URL, when it was opened from a share link.
pub fn restore() -> Option<(String, String, Settings)> {
    decode(&window().location().hash().ok()?)
}

/// The link once made, and a warning when passwords were replaced (escaped HTML).
fn link_html(url: &str, redacted: usize) -> String {
    let mut out = format!(
        r#"<label for="share-url">Share link (copied)</label><input id="share-url" type="text" readonly value="{}">"#,
        html_escape::encode_double_quoted_attribute(url)
    );
    if redacted > 0 {
        let s = if redacted == 1 { "" } else { "s" };
        out.push_str(&format!(
            r#"<p class="warn" role="alert">Your input held {redacted} password{s} or secret{s}: the link has placeholders instead.</p>"#
        ));
    }
    out
}

/// Makes the link, copies it and shows it (when the click was on the button).
fn make(c: Checker, ev: leptos::ev::MouseEvent) {
    if button_of(&ev).is_none() {
        return;
    }
    let (input, n1) = redact_urls(&c.input.get_untracked());
    let (env, n2) = redact_env(&c.env.get_untracked());
    let loc = window().location();
    let here = format!("{}{}", loc.origin().unwrap_or_default(), loc.pathname().unwrap_or_default());
    let url = format!("{here}{}", encode(&input, &env, c.settings.get_untracked()));
    copy(&url);
    if let Some(out) = document().get_element_by_id("share-out") {
        out.set_inner_html(&link_html(&url, n1 + n2));
    }
}

/// The share button; the link appears below it. HTML, like the rest of the page, with one
/// click handler.
#[component]
pub fn ShareLink() -> impl IntoView {
    let c = Checker::from_context();
    view! {
        <div class="share" on:click=handler(c, make) inner_html=r#"<button type="button">Copy a share link</button><p class="hint">The link carries your input in its # part, which browsers never send to a server. Passwords are replaced by ${DB_PASSWORD} first.</p><div id="share-out"></div>"#></div>
    }
}
