//! Stage 2: each URL a service reads, through the URL doctor. Findings move to the URL's place
//! in the file; the fixes of a URL written in the file become edits there, and those of a URL
//! that comes from a variable become a note with the corrected URL to set where it is defined.

use std::collections::BTreeMap;

use super::{EditGroup, ServiceUrl};
use crate::conn::{self, ConnString};
use crate::diagnostic::Fix;
use crate::fix::{self, Edit, UrlAction};
use crate::knowledge::connection_vars::{self, Part};
use crate::model::{ComposeOptions, EnvEntry, Service, UrlSite};
use crate::rules::{Applicability, Finding};
use crate::span::Span;
use crate::url_doctor::{analyze_url, mask_password, UrlOptions, UrlReport};

/// What the URLs of one service came to.
pub struct CheckedUrls {
    pub urls: Vec<ServiceUrl>,
    pub findings: Vec<Finding>,
    /// The edits of each URL written in the file, with the URL's place: made all or none.
    pub edits: Vec<EditGroup>,
}

/// Checks every URL of `service` that is resolved (PF210 reports the others).
pub fn check(service: &Service, options: &ComposeOptions, vars: &BTreeMap<String, String>) -> CheckedUrls {
    let mut out = CheckedUrls { urls: Vec::new(), findings: Vec::new(), edits: Vec::new() };
    let known_env: Vec<(String, String)> = service.env.iter().map(|e| (e.name.clone(), e.value.clone())).collect();
    for site in service.urls.iter().filter(|u| u.url.contains("://")) {
        let mut o = UrlOptions::new(service.kind);
        o.mode = options.mode_for(&service.name);
        // A URL that comes whole from a variable lives in .env, where a password belongs.
        o.in_file = site.span.is_some();
        o.assembled = site.assembled;
        o.env = known_env.clone();
        o.version = service.version;
        o.vars = vars.clone();
        let report = analyze_url(&site.url, &o);
        out.findings.extend(report.findings.iter().map(|f| placed(f.clone(), site, &report, &service.env)));
        if let (Some(span), Some(conn)) = (site.span, report.conn.as_ref()) {
            let actions: Vec<&UrlAction> =
                report.findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.actions.iter()).collect();
            let edits = fix::url_edits(&site.url, conn, &actions)
                .into_iter()
                .map(|e| Edit { span: e.span.shift(span.start), replacement: e.replacement })
                .collect();
            out.edits.push(EditGroup { region: span, edits });
        }
        let (source, url, span, prefix) = (site.source.clone(), site.url.clone(), site.span, site.prefix);
        out.urls.push(ServiceUrl { source, url, span, report, prefix });
    }
    out
}

/// A URL finding, moved to where the URL is in the file; a fix of a connection assembled from
/// variables (`names`) is pointed at the variables that hold the parts it changes.
fn placed(mut f: Finding, site: &UrlSite, report: &UrlReport, env: &[EnvEntry]) -> Finding {
    let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
    match site.span {
        Some(s) => {
            f.span = f.span.shift(s.start);
            if let Some(fx) = f.fix.as_mut() {
                for a in &mut fx.actions {
                    match a {
                        UrlAction::Replace { span, .. } => *span = span.shift(s.start),
                        UrlAction::Insert { at, .. } => *at += s.start,
                        _ => {}
                    }
                }
            }
        }
        None => {
            f.span = site.anchor;
            let fix = f.fix.as_mut().filter(|fx| !fx.actions.is_empty() && fx.is_applied());
            let settings = fix.as_ref().filter(|_| site.assembled).and_then(|fx| variables(site, report, fx, &names));
            if let (Some(fx), Some(settings)) = (f.fix.as_mut(), settings) {
                // The caret goes where the first variable it changes is set (PGPORT for a move).
                let set_at = settings.first().and_then(|(k, _)| env.iter().find(|e| e.name == *k)?.value_span);
                if let Some(span) = set_at {
                    f.span = span;
                }
                let lines: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                fx.actions.clear();
                fx.note =
                    Some(format!("The connection is assembled from variables: poolfix sets {}", lines.join(", ")));
                fx.env.extend(settings);
            } else if let Some(fx) = f.fix.as_mut().filter(|fx| !fx.actions.is_empty() && fx.is_applied()) {
                let corrected = report.corrected_url.clone().unwrap_or_default();
                fx.applicability = Applicability::Manual;
                fx.actions.clear();
                fx.note = Some(format!(
                    "The URL comes from a variable; set it to the corrected URL where it is defined: {}{}",
                    site.prefix,
                    mask_password(&corrected)
                ));
            }
        }
    }
    f
}

/// The variables (and values) that make a connection assembled from `names` say what `fx`'s
/// URL edits say; `None` when a changed part has no variable the program reads.
fn variables(site: &UrlSite, report: &UrlReport, fx: &Fix, names: &[&str]) -> Option<Vec<(String, String)>> {
    let before = report.conn.as_ref()?;
    let actions: Vec<&UrlAction> = fx.actions.iter().collect();
    let text = fix::apply(&site.url, &fix::url_edits(&site.url, before, &actions));
    let after = conn::parse(&text).ok()?;
    let (old, new) = (&site.url, &text);
    let host = |c: &ConnString, t: &str| {
        c.hosts.first().map(|h| (h.host.slice(t).to_string(), h.port.map(|p| p.slice(t).to_string())))
    };
    let part = |s: Option<Span>, t: &str| s.map(|s| s.slice(t).to_string());
    let mut changed: Vec<(Part, String)> = Vec::new();
    let ((h0, p0), (h1, p1)) = (host(before, old)?, host(&after, new)?);
    if h0 != h1 {
        changed.push((Part::Host, h1));
    }
    if p0 != p1 {
        changed.push((Part::Port, p1?));
    }
    if part(before.user, old) != part(after.user, new) {
        changed.push((Part::User, part(after.user, new)?));
    }
    if part(before.database, old) != part(after.database, new) {
        changed.push((Part::Database, part(after.database, new)?));
    }
    let params = |c: &ConnString, t: &str| -> Vec<(String, String)> {
        c.params.iter().map(|p| (p.key.slice(t).to_string(), part(p.value, t).unwrap_or_default())).collect()
    };
    let (q0, q1) = (params(before, old), params(&after, new));
    if q0.iter().any(|p| !q1.contains(p)) {
        return None; // a key removed: no variable unsets it
    }
    for (k, v) in q1.into_iter().filter(|p| !q0.contains(p)) {
        changed.push((Part::of_key(&k)?, v));
    }
    // Percent-encoded text is the URL's spelling, not the variable's.
    changed.iter().all(|(_, v)| !v.contains('%')).then_some(())?;
    changed.into_iter().map(|(p, v)| Some((connection_vars::var_for(names, p)?, v))).collect()
}
