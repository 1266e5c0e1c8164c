//! The checker page: paste a compose file or connection URLs, get the analysis — live, and
//! entirely in the browser. One source of truth (the pasted text and the settings); every
//! view is derived from the analysis memo.

mod budget;
mod examples;
mod findings;
mod outputs;
mod plan_options;
mod share;
mod text_boxes;

use std::sync::Arc;

use leptos::prelude::*;
use poolfix_engine::compose::{analyze_compose, ComposeOptions, ComposeReport};
use poolfix_engine::knowledge::compute::COMPUTE_SIZES;
use poolfix_engine::knowledge::services::{self, ServiceKind, SQLALCHEMY};
use poolfix_engine::knowledge::LATEST;
use poolfix_engine::url_doctor::{analyze_url, ModeChoice, UrlOptions, UrlReport};
use std::fmt::Write as _;

use wasm_bindgen::JsCast;

pub use examples::SEED_COMPOSE;
pub use share::opened_from_share_link;

/// One connection string of a pasted list, where it starts in the text.
#[derive(Clone)]
pub struct UrlLine {
    pub offset: usize,
    pub text: String,
    pub report: UrlReport,
}

/// What the pasted text was taken to be, and what poolfix found.
#[derive(Clone)]
pub enum Analysis {
    Empty,
    Compose(Arc<ComposeReport>),
    Urls(Arc<Vec<UrlLine>>),
    /// A pasted log or error text: its error lines, explained.
    Log(Arc<poolfix_engine::log_doctor::LogReport>),
}

/// The user's settings besides the text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub compute: usize,
    pub pool_size: Option<u32>,
    pub mode: ModeChoice,
    pub url_service: ServiceKind,
    /// Index into [`MLFLOW_VERSIONS`]: the version to assume where an image tag does not say.
    pub mlflow_version: usize,
    /// Index into [`PREFECT_VERSIONS`].
    pub prefect_version: usize,
    /// The plan option the user picked (`None`: the first that fits).
    pub plan: Option<&'static str>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            compute: 1,
            pool_size: None,
            mode: ModeChoice::Auto,
            url_service: &SQLALCHEMY,
            mlflow_version: 0,
            prefect_version: 0,
            plan: None,
        }
    }
}

/// A version a user can assume where the file does not say: (label, share-link name,
/// version; `None` is the newest).
pub type AssumedVersion = (&'static str, &'static str, Option<(u32, u32, u32)>);

/// Only the major lines change poolfix's advice (docs/sources.md#mlflow, #prefect).
pub const MLFLOW_VERSIONS: &[AssumedVersion] = &[("newest (3.x)", "3", None), ("2.x", "2", Some((2, LATEST, LATEST)))];
pub const PREFECT_VERSIONS: &[AssumedVersion] = &[
    ("newest (3.1 or later)", "3", None),
    ("3.0", "3.0", Some((3, 0, LATEST))),
    ("2.x from 2.12", "2", Some((2, LATEST, LATEST))),
    // No pool setting before 2.12 (PF220).
    ("2.0 – 2.11", "2.11", Some((2, 11, LATEST))),
];

/// A compose file has a `services:` key; otherwise every non-blank, non-comment line that
/// holds `://` or `key=value` is a connection string.
pub fn looks_like_urls(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    !lines.is_empty()
        && !text.lines().any(|l| l.trim_start().starts_with("services:"))
        && lines.iter().all(|l| l.contains("://") || (l.contains('=') && !l.contains(": ")))
}

pub fn analyze(text: &str, env: &str, s: Settings) -> Analysis {
    if text.trim().is_empty() {
        return Analysis::Empty;
    }
    if looks_like_urls(text) {
        // `${VAR}` in the URLs resolve from the .env box, as in a compose file.
        let vars = poolfix_engine::dotenv::parse_env(env);
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            if !body.trim().is_empty() && !body.trim_start().starts_with('#') {
                let mut o = UrlOptions::new(s.url_service);
                o.mode = s.mode;
                o.vars = vars.clone();
                o.compute = Some(&COMPUTE_SIZES[s.compute.min(COMPUTE_SIZES.len() - 1)]);
                lines.push(UrlLine { offset, text: body.to_string(), report: analyze_url(body, &o) });
            }
            offset += line.len();
        }
        return Analysis::Urls(Arc::new(lines));
    }
    // Not a compose file, and error lines: a log (its unknown errors are said to be unknown).
    if !text.lines().any(|l| l.trim_start().starts_with("services:")) {
        let log = poolfix_engine::log_doctor::explain_log(text, None);
        if !log.lines.is_empty() {
            return Analysis::Log(Arc::new(log));
        }
    }
    let options = ComposeOptions {
        compute: &COMPUTE_SIZES[s.compute.min(COMPUTE_SIZES.len() - 1)],
        pool_size: s.pool_size,
        mode: s.mode,
        env_text: env.to_string(),
        file_name: "docker-compose.yml".into(),
        mlflow_version: MLFLOW_VERSIONS.get(s.mlflow_version).and_then(|v| v.2),
        prefect_version: PREFECT_VERSIONS.get(s.prefect_version).and_then(|v| v.2),
        plan: s.plan.map(str::to_string),
        ..ComposeOptions::default()
    };
    Analysis::Compose(Arc::new(analyze_compose(text, &options)))
}

/// The page's shared state, provided to every part of it.
#[derive(Clone, Copy)]
pub struct Checker {
    pub input: RwSignal<String>,
    pub env: RwSignal<String>,
    pub settings: RwSignal<Settings>,
    pub analysis: Memo<Analysis>,
    /// The analysis waiting for typing to pause (large inputs only, see text_boxes.rs).
    pending: StoredValue<Option<TimeoutHandle>, LocalStorage>,
}

impl Checker {
    /// The state [`CheckerPage`] provides to its parts.
    pub fn from_context() -> Checker {
        // Not `expect_context`: its panic message formats a type name with `{:?}`, which links
        // the standard library's string escaping into the wasm for a message never shown.
        use_context().expect("the checker page provides its state")
    }
}

/// The button an event happened in, if any (the sections written as HTML have one handler
/// for all their buttons).
pub fn button_of(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest("button").ok().flatten()
}

/// Every reactive text of the page (a section's HTML, a text box's value, the status line) is
/// this closure over a plain function, for the same reason as [`handler`].
pub fn derived<S: Copy + Send + Sync + 'static>(
    state: S,
    f: fn(S) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || f(state)
}

/// Every `on:` handler of the page is this closure over a plain function: Leptos then compiles
/// its event code once per kind of event and state, not once per handler.
pub fn handler<S: Copy + 'static, E: 'static>(state: S, f: fn(S, E)) -> impl Fn(E) + 'static {
    move |ev| f(state, ev)
}

/// Selects bytes `start..end` of the input in the textarea and scrolls to them.
pub fn highlight(start: usize, end: usize) {
    let Some(ta) =
        document().get_element_by_id("input").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let text = ta.value();
    let utf16 = |b: usize| text.get(..b.min(text.len())).map_or(0, |s| s.encode_utf16().count()) as u32;
    let _ = ta.focus();
    let _ = ta.set_selection_range(utf16(start), utf16(end.max(start)));
    let line = text.get(..start.min(text.len())).map_or(0, |s| s.matches('\n').count());
    let lines = text.matches('\n').count().max(1);
    let per_line = ta.scroll_height() as f64 / (lines + 1) as f64;
    ta.set_scroll_top(((line as f64 - 3.0) * per_line).max(0.0) as i32);
}

/// Inputs at least this long (about 3,000 lines) are analysed when typing pauses.
const LARGE_INPUT: usize = 100_000;
const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

/// The interactive part of `check/`: the page's heading and explanation are static HTML.
/// `typed` is what the user typed into the page's text box before the app started.
#[component]
pub fn CheckerPage(typed: Option<String>) -> impl IntoView {
    let restored = share::restore();
    let (text, env, settings) = restored
        .unwrap_or_else(|| (typed.unwrap_or_else(|| SEED_COMPOSE.to_string()), String::new(), Settings::default()));
    let input = RwSignal::new(text);
    let env = RwSignal::new(env);
    let settings = RwSignal::new(settings);
    let analysis = Memo::new_with_compare(
        move |_| input.with(|t| env.with(|e| analyze(t, e, settings.get()))),
        // A fresh analysis is always a change; comparing reports would cost as much as making them.
        |_, _| true,
    );
    let checker = Checker { input, env, settings, analysis, pending: StoredValue::new_local(None) };
    provide_context(checker);
    // A share link opened in the same tab changes only the fragment: restore from it too. (A
    // plain listener for the page's lifetime: the app is never unmounted.)
    let restore = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        if let Some((t, e, s)) = share::restore() {
            checker.replace(t, e);
            settings.set(s);
            show_settings(&s);
        }
    });
    let _ = window().add_event_listener_with_callback("hashchange", restore.as_ref().unchecked_ref());
    restore.forget();
    view! {
            <div class="checker-grid">
                <div class="inputs">
                    <examples::ExamplePicker/>
                    <text_boxes::TextBox/>
                    <p class="status" role="status" aria-live="polite" inner_html=derived(checker, status)></p>
                    <text_boxes::EnvBox/>
                    <SettingsForm/>
                    <share::ShareLink/>
                </div>
                <div class="results">
                    <plan_options::PlanOptions/>
                    <budget::BudgetView/>
                    <findings::Findings/>
                    <outputs::Outputs/>
                </div>
            </div>
    }
}

/// The status line: what the text was read as (as HTML, like the sections: poolfix's own words
/// and counts, nothing of the user's).
fn status(c: Checker) -> String {
    match c.analysis.get() {
        Analysis::Empty => "Nothing to check yet".to_string(),
        Analysis::Compose(r) if r.invalid => "Read as a compose file (it does not parse)".to_string(),
        Analysis::Compose(r) => format!("Read as a compose file: {} services", r.services.len()),
        Analysis::Urls(u) => format!("Read as {} connection string{}", u.len(), if u.len() == 1 { "" } else { "s" }),
        Analysis::Log(r) => format!("Read as a log: {}", poolfix_engine::report::log::summary(&r)),
    }
}

/// `selected` on the option that is.
fn selected(yes: bool) -> &'static str {
    if yes {
        " selected"
    } else {
        ""
    }
}

/// A select of assumed versions (tests and labels find it by its id).
fn version_select(out: &mut String, id: &str, tool: &str, versions: &[AssumedVersion], chosen: usize) {
    let _ = write!(out, r#"<label>{tool} version, where the image tag does not say <select id="{id}" name="{id}">"#);
    for (i, (label, _, _)) in versions.iter().enumerate() {
        let _ = write!(out, "<option{}>{label}</option>", selected(i == chosen));
    }
    out.push_str("</select></label>");
}

/// The settings form as HTML (less wasm than views, see budget.rs), with `s` chosen.
fn settings_html(s: &Settings) -> String {
    let mut out = String::from(r#"<legend>Your Supabase project</legend><label>Compute size <select name="compute">"#);
    for (i, cs) in COMPUTE_SIZES.iter().enumerate() {
        let _ = write!(out, r#"<option value="{}"{}>{}</option>"#, cs.name, selected(s.compute == i), cs.label);
    }
    let pool = s.pool_size.map(|p| p.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        r#"</select></label><label>Pool size <input name="pool" type="number" min="1" max="1000" inputmode="numeric" placeholder="{}" value="{pool}"></label><label>Pooler mode <select name="mode">"#,
        COMPUTE_SIZES[s.compute].default_pool_size
    );
    let modes = [
        (ModeChoice::Auto, "as the plan needs"),
        (ModeChoice::Keep, "keep as is"),
        (ModeChoice::Session, "session (port 5432)"),
        (ModeChoice::Transaction, "transaction (port 6543)"),
    ];
    for (m, label) in modes {
        let _ = write!(out, r#"<option value="{}"{}>{label}</option>"#, m.as_str(), selected(s.mode == m));
    }
    out.push_str("</select></label>");
    version_select(&mut out, "mlflow-version", "MLflow", MLFLOW_VERSIONS, s.mlflow_version);
    version_select(&mut out, "prefect-version", "Prefect", PREFECT_VERSIONS, s.prefect_version);
    out.push_str(r#"<label>URLs are for <select name="for">"#);
    for k in services::for_urls() {
        let _ = write!(out, r#"<option value="{}"{}>{}</option>"#, k.cli_name(), selected(s.url_service == k), k.label);
    }
    out.push_str("</select></label>");
    out
}

/// The settings once the control named `name` says `value` (at `index`, for a select).
fn with_control(mut v: Settings, name: &str, value: &str, index: usize) -> Settings {
    match name {
        "compute" => v.compute = index.min(COMPUTE_SIZES.len() - 1),
        "pool" => v.pool_size = value.trim().parse::<u32>().ok().filter(|p| *p > 0),
        "mode" => v.mode = ModeChoice::from_cli(value).unwrap_or_default(),
        "mlflow-version" => v.mlflow_version = index.min(MLFLOW_VERSIONS.len() - 1),
        "prefect-version" => v.prefect_version = index.min(PREFECT_VERSIONS.len() - 1),
        "for" => v.url_service = services::from_cli(value).unwrap_or(&SQLALCHEMY),
        _ => {}
    }
    v
}

/// Shows `v` in the form's controls (after a share link restores it in the same tab), and the
/// compute size's pool size as the pool field's placeholder. Setting a control to the value
/// it has moves nothing, so the control in use keeps its focus.
fn show_settings(v: &Settings) {
    let Ok(Some(form)) = document().query_selector("fieldset.settings") else { return };
    let control = |name: &str| form.query_selector(&format!("[name={name}]")).ok().flatten();
    let select = |name: &str, i: usize| {
        if let Some(s) = control(name).and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            s.set_selected_index(i as i32);
        }
    };
    select("compute", v.compute);
    select("mlflow-version", v.mlflow_version);
    select("prefect-version", v.prefect_version);
    if let Some(s) = control("mode").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        s.set_value(v.mode.as_str());
    }
    if let Some(s) = control("for").and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        s.set_value(v.url_service.cli_name());
    }
    if let Some(p) = control("pool").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        p.set_placeholder(&COMPUTE_SIZES[v.compute].default_pool_size.to_string());
        if p.value().trim().parse::<u32>().ok().filter(|n| *n > 0) != v.pool_size {
            p.set_value(&v.pool_size.map(|n| n.to_string()).unwrap_or_default());
        }
    }
}

/// A control of the settings form changed: the settings it gives.
fn setting_changed(c: Checker, ev: leptos::ev::Event) {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let name = el.get_attribute("name").unwrap_or_default();
    let index = el.dyn_ref::<web_sys::HtmlSelectElement>().map_or(0, |s| s.selected_index().max(0) as usize);
    let (old, value) = (c.settings.get_untracked(), event_target_value(&ev));
    let new = with_control(old, &name, &value, index);
    if new != old {
        c.settings.set(new);
        show_settings(&new);
    }
}

/// Compute size, pool size, target mode, assumed versions, and what the URLs are for: one
/// handler on the fieldset reads the control that changed.
#[component]
fn SettingsForm() -> impl IntoView {
    let c = Checker::from_context();
    let changed = handler(c, setting_changed);
    view! { <fieldset class="settings" on:change=changed on:input=handler(c, setting_changed) inner_html=settings_html(&c.settings.get_untracked())></fieldset> }
}
