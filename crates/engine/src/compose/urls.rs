//! Stage 2: each URL a service reads, through the URL doctor. Findings move to the URL's place
//! in the file; the fixes of a URL written in the file become edits there, and those of a URL
//! that comes from a variable become a note with the corrected URL to set where it is defined.

use std::collections::BTreeMap;

use super::{EditGroup, ServiceUrl};
use crate::fix::{self, Edit, UrlAction};
use crate::model::{ComposeOptions, Service, UrlSite};
use crate::rules::{Applicability, Finding};
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
        out.findings.extend(report.findings.iter().map(|f| placed(f.clone(), site, &report)));
        if let (Some(span), Some(conn)) = (site.span, report.conn.as_ref()) {
            let actions: Vec<&UrlAction> =
                report.findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.actions.iter()).collect();
            let edits = fix::url_edits(&site.url, conn, &actions)
                .into_iter()
                .map(|e| Edit { span: e.span.shift(span.start), replacement: e.replacement })
                .collect();
            out.edits.push(EditGroup { region: span, edits });
        }
        out.urls.push(ServiceUrl { source: site.source.clone(), url: site.url.clone(), span: site.span, report });
    }
    out
}

/// A URL finding, moved to where the URL is in the file.
fn placed(mut f: Finding, site: &UrlSite, report: &UrlReport) -> Finding {
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
            if let Some(fx) = f.fix.as_mut().filter(|fx| !fx.actions.is_empty() && fx.is_applied()) {
                let corrected = report.corrected_url.clone().unwrap_or_default();
                fx.applicability = Applicability::Manual;
                fx.actions.clear();
                fx.note = Some(format!(
                    "The URL comes from a variable; set it to the corrected URL where it is defined: {}",
                    mask_password(&corrected)
                ));
            }
        }
    }
    f
}
