//! The compose doctor: read a docker-compose file with positions, find every database pool,
//! add up the connection budget, and produce the fixes, the plan and the rollback.

pub mod budget;
pub mod diff;
pub mod dotenv;
pub mod edits;
pub mod plan;
pub mod services;
pub mod yaml;

use std::collections::BTreeMap;

use crate::fix::{self, Edit, UrlAction};
use crate::knowledge::compute::{Compute, COMPUTE_SIZES};
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::rules::{self, Applicability, Finding};
use crate::span::{LineIndex, Span};
use crate::url_doctor::{analyze_url, ModeChoice, UrlOptions, UrlReport};

pub use budget::{Budget, BudgetGroup, Verdict};
pub use plan::Plan;
use services::{Role, Service};

/// Settings the user gives besides the file.
#[derive(Debug, Clone)]
pub struct ComposeOptions {
    pub compute: &'static Compute,
    /// The project's pool size when changed in the dashboard (default: the compute size's).
    pub pool_size: Option<u32>,
    pub mode: ModeChoice,
    /// A pasted `.env` (or `--env-file`), for interpolation.
    pub env_text: String,
    /// The file name used in the diff.
    pub file_name: String,
    /// The MLflow version to assume when an image tag does not say (default: the newest).
    pub mlflow_version: Option<(u32, u32, u32)>,
    /// The Prefect version to assume when an image tag does not say (default: the newest).
    pub prefect_version: Option<(u32, u32, u32)>,
}

impl Default for ComposeOptions {
    fn default() -> Self {
        ComposeOptions {
            compute: &COMPUTE_SIZES[1],
            pool_size: None,
            mode: ModeChoice::Keep,
            env_text: String::new(),
            file_name: "docker-compose.yml".into(),
            mlflow_version: None,
            prefect_version: None,
        }
    }
}

impl ComposeOptions {
    pub fn pool_size(&self) -> u32 {
        self.pool_size.unwrap_or(self.compute.default_pool_size)
    }
}

/// A finding in the compose file, with the service it concerns.
#[derive(Debug, Clone)]
pub struct ComposeFinding {
    pub service: Option<String>,
    pub finding: Finding,
    pub line: usize,
    pub column: usize,
}

/// One connection URL of a service, checked by the URL doctor.
#[derive(Debug, Clone)]
pub struct ServiceUrl {
    pub source: String,
    /// The URL as analysed (its spans point into this text).
    pub url: String,
    pub report: UrlReport,
    /// Where the URL's text is in the file, when it can be edited there.
    pub span: Option<Span>,
}

/// What poolfix concluded about one service.
#[derive(Debug, Clone)]
pub struct ServiceReport {
    pub service: Service,
    pub urls: Vec<ServiceUrl>,
    pub endpoint: EndpointKind,
    pub host: Option<String>,
    pub mode_before: PoolMode,
    pub mode_after: PoolMode,
    /// Most connections it can hold; `None` = unbounded.
    pub max_before: Option<u32>,
    pub max_after: Option<u32>,
    pub formula_before: String,
    pub formula_after: String,
    /// Settings outside the URL after the fix (name → value).
    pub env_after: Vec<(String, String)>,
    pub corrected_url: Option<String>,
    pub verdict: Option<(Verdict, String)>,
    pub snippet: Option<String>,
}

impl ServiceReport {
    /// The service's pool settings once the fix is applied: every variable its settings table
    /// names, from the fix or else from the file. Only these names, so no secret is repeated.
    pub fn settings_after(&self) -> Vec<(String, String)> {
        let Some(table) = self
            .service
            .url_kind()
            .settings()
            .filter(|_| matches!(self.service.role, Role::Mlflow | Role::PrefectServer))
        else {
            return Vec::new();
        };
        table
            .names()
            .into_iter()
            .filter_map(|name| {
                let value = self
                    .env_after
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| self.service.env(name).map(|e| e.value.clone()))?;
                Some((name.to_string(), value))
            })
            .collect()
    }

    /// Whether the service keeps a database pool at all.
    pub fn has_pool(&self) -> bool {
        matches!(self.service.role, Role::Mlflow | Role::PrefectServer | Role::App)
    }
}

/// Everything the compose doctor says about a file.
#[derive(Debug, Clone)]
pub struct ComposeReport {
    pub findings: Vec<ComposeFinding>,
    /// Set when the file is not valid YAML: nothing else is analysed.
    pub invalid: bool,
    pub services: Vec<ServiceReport>,
    pub budget: Budget,
    pub edits: Vec<Edit>,
    pub fixed: String,
    pub diff: String,
    /// The settings added to the file, as `.env` lines (`service: NAME=value` groups).
    pub env_lines: String,
    pub plan: Plan,
}

impl ComposeReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.finding.severity() == rules::Severity::Error)
    }
}

/// What a compose rule sees about one service.
pub struct ServiceCtx<'a> {
    pub text: &'a str,
    pub service: &'a Service,
    pub options: &'a ComposeOptions,
    pub env_given: bool,
}

fn locate(lines: &LineIndex, service: Option<&str>, finding: Finding) -> ComposeFinding {
    let (line, column) = lines.line_col(finding.span.start);
    ComposeFinding { service: service.map(str::to_string), finding, line, column }
}

/// Analyses a compose file.
pub fn analyze_compose(text: &str, options: &ComposeOptions) -> ComposeReport {
    let vars = dotenv::parse_env(&options.env_text);
    let parsed = yaml::parse(text);
    let y = match parsed {
        Ok(y) => y,
        Err(e) => {
            let span = Span::new(e.offset, (e.offset + 1).min(text.len()).max(e.offset));
            let message = format!("invalid YAML at line {}, column {}: {}", e.line, e.column, e.message);
            let finding = ComposeFinding {
                service: None,
                finding: Finding::new(&rules::pf200_invalid_yaml::DOC, message, span),
                line: e.line,
                column: e.column,
            };
            return ComposeReport {
                findings: vec![finding],
                invalid: true,
                services: Vec::new(),
                budget: Budget::default(),
                edits: Vec::new(),
                fixed: text.to_string(),
                diff: String::new(),
                env_lines: String::new(),
                plan: Plan::default(),
            };
        }
    };
    // Services from every document (compose merges them in order; later wins).
    let mut found: BTreeMap<String, Service> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for &doc in &y.documents {
        if !y.is_map(doc) {
            continue;
        }
        let Some(svcs) = y.get(doc, "services") else {
            continue;
        };
        for (k, v) in y.pairs(svcs) {
            let Some(name) = y.str(k) else { continue };
            if !y.is_map(v) {
                continue;
            }
            let mut s = services::read_service(text, &y, name, k, y.resolve(v), &vars);
            if s.version.is_none() {
                s.version = match s.role {
                    Role::Mlflow => options.mlflow_version,
                    Role::PrefectServer | Role::PrefectWorker => options.prefect_version,
                    _ => None,
                };
                s.version_assumed = s.version.is_some();
            }
            if !found.contains_key(name) {
                order.push(name.to_string());
            }
            found.insert(name.to_string(), s);
        }
    }
    let lines = LineIndex::new(text);
    let mut findings: Vec<ComposeFinding> = Vec::new();
    let mut reports: Vec<ServiceReport> = Vec::new();
    let mut all_edits: Vec<Edit> = Vec::new();
    let env_given = !options.env_text.trim().is_empty();
    for name in &order {
        let service = found.remove(name).expect("service read");
        let ctx = ServiceCtx { text, service: &service, options, env_given };
        let mut service_findings: Vec<Finding> = Vec::new();
        // The URLs, through the URL doctor.
        let mut urls = Vec::new();
        let known_env: Vec<(String, String)> = service.env.iter().map(|e| (e.name.clone(), e.value.clone())).collect();
        for site in &service.urls {
            let in_placeholder_only = !site.url.contains("://");
            if in_placeholder_only {
                service_findings.push(Finding::new(
                    &rules::pf210_url_not_resolved::DOC,
                    format!(
                        "{} is `{}`, which the given .env does not resolve: the URL was not checked",
                        site.source, site.url
                    ),
                    site.anchor,
                ));
                continue;
            }
            let mut o = UrlOptions::new(service.url_kind());
            o.mode = options.mode;
            // A URL that comes whole from a variable lives in .env, where a password belongs.
            o.in_file = site.span.is_some();
            o.env = known_env.clone();
            let report = analyze_url(&site.url, &o);
            for f in &report.findings {
                let mut f = f.clone();
                match site.span {
                    Some(s) => {
                        f.span = f.span.shift(s.start);
                        if let Some(fx) = f.fix.as_mut() {
                            shift_actions(&mut fx.actions, s.start);
                        }
                    }
                    None => {
                        f.span = site.anchor;
                        if let Some(fx) = f.fix.as_mut() {
                            if !fx.actions.is_empty() && fx.applicability != Applicability::Manual {
                                let corrected = report.corrected_url.clone().unwrap_or_default();
                                fx.applicability = Applicability::Manual;
                                fx.actions.clear();
                                fx.note = Some(format!(
                                    "The URL comes from a variable; set it to the corrected URL where it is defined: {}",
                                    crate::url_doctor::mask_password(&corrected)
                                ));
                            }
                        }
                    }
                }
                service_findings.push(f);
            }
            if let Some(s) = site.span {
                let conn = report.conn.as_ref();
                if let Some(c) = conn {
                    let actions: Vec<&UrlAction> = report
                        .findings
                        .iter()
                        .filter_map(|f| f.fix.as_ref())
                        .filter(|fx| fx.applicability != Applicability::Manual)
                        .flat_map(|fx| fx.actions.iter())
                        .collect();
                    for e in fix::url_edits(&site.url, c, &actions) {
                        all_edits.push(Edit { span: e.span.shift(s.start), replacement: e.replacement });
                    }
                }
            }
            urls.push(ServiceUrl { source: site.source.clone(), url: site.url.clone(), span: site.span, report });
        }
        // The service-level rules.
        rules::pf203_mlflow_workers::check(&ctx, &mut service_findings);
        rules::pf204_zero_pool_setting_ignored::check(&ctx, &mut service_findings);
        rules::pf205_nullpool_with_pool_sizes::check(&ctx, &mut service_findings);
        rules::pf206_unlimited_pool::check(&ctx, &mut service_findings);
        rules::pf207_default_pool_settings::check(&ctx, &mut service_findings);
        rules::pf211_mlflow_job_execution::check(&ctx, &mut service_findings);
        rules::pf208_pool_in_code::check(&ctx, &mut service_findings);
        rules::pf212_urls_beyond_the_first::check(&ctx, &mut service_findings);
        rules::pf213_service_in_profile::check(&ctx, &mut service_findings);
        rules::pf209_env_file_not_read::check(&ctx, &mut service_findings);

        // Settings after the fix: the URL doctor's and the service rules' env, in order.
        let mut env_after: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: &str| match env_after.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => env_after.push((k.to_string(), v.to_string())),
        };
        for u in &urls {
            for (k, v) in &u.report.env {
                set(k, v);
            }
        }
        for f in &service_findings {
            if let Some(fx) = f.fix.as_ref().filter(|fx| fx.applicability != Applicability::Manual) {
                for (k, v) in &fx.env {
                    set(k, v);
                }
                if f.rule.code.starts_with("PF2") {
                    all_edits.extend(fx.actions.iter().filter_map(|a| match a {
                        UrlAction::Replace { span, with } => Some(Edit { span: *span, replacement: with.clone() }),
                        UrlAction::Insert { at, text } => {
                            Some(Edit { span: Span::empty_at(*at), replacement: text.clone() })
                        }
                        _ => None,
                    }));
                }
            }
        }
        // Keep only real changes: values the file does not already have.
        env_after.retain(|(k, v)| service.env(k).is_none_or(|e| e.value != *v));
        // Workers set on the command line make MLFLOW_WORKERS moot.
        if service.processes.span.is_some() && service.role == Role::Mlflow {
            env_after.retain(|(k, _)| k != "MLFLOW_WORKERS");
        }
        // MLflow 2.x has no job execution to turn off (PF211 is for 3.x).
        if service.role == Role::Mlflow && service.version.is_some_and(|v| v.0 < 3) {
            env_after.retain(|(k, _)| k != "MLFLOW_SERVER_ENABLE_JOB_EXECUTION");
        }
        let (env_edits, env_note) = edits::env_edits(text, &y, &service, &env_after);
        all_edits.extend(env_edits);
        if let Some(note) = env_note {
            service_findings.push(note);
        }
        let first_url = urls.first();
        let endpoint = first_url.map_or(EndpointKind::Unknown, |u| u.report.endpoint);
        let host = first_url.and_then(|u| {
            u.report.conn.as_ref().and_then(|c| c.hosts.first().map(|h| h.host.slice(&u.url).to_ascii_lowercase()))
        });
        let mode_before = first_url.map_or(PoolMode::Unknown, |u| u.report.mode_before);
        let mode_after = first_url.map_or(PoolMode::Unknown, |u| u.report.mode_after);
        let corrected_url = first_url.and_then(|u| u.report.corrected_url.clone());
        let snippet = (service.role == Role::App).then(|| {
            let driver = first_url.and_then(|u| u.report.driver).unwrap_or(crate::knowledge::drivers::Driver::Psycopg2);
            crate::url_doctor::sqlalchemy_snippet(driver, mode_after)
        });
        let mut report = ServiceReport {
            service,
            urls,
            endpoint,
            host,
            mode_before,
            mode_after,
            max_before: None,
            max_after: None,
            formula_before: String::new(),
            formula_after: String::new(),
            env_after,
            corrected_url,
            verdict: None,
            snippet,
        };
        budget::size_service(&mut report);
        report.verdict = budget::transaction_verdict(&report);
        for f in service_findings {
            findings.push(locate(&lines, Some(&report.service.name), f));
        }
        reports.push(report);
    }
    let budget = budget::budget(&reports, options);
    for f in budget::findings(&budget, &reports) {
        findings.push(locate(&lines, None, f));
    }
    // Rule codes are `PF` and a number: ordering by the number is ordering by the code.
    crate::order::sort_stable_by(&mut findings, |f| {
        (f.finding.span.start, f.finding.rule.code[2..].parse().unwrap_or(usize::MAX))
    });
    let fixed = fix::apply(text, &all_edits);
    let diff = diff::unified(&options.file_name, text, &all_edits);
    let env_lines = reports
        .iter()
        .filter(|r| !r.env_after.is_empty())
        .map(|r| {
            let lines: String = r.env_after.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            format!("# {}\n{lines}", r.service.name)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let plan = plan::plan(&reports, &budget, options);
    ComposeReport {
        findings,
        invalid: false,
        services: reports,
        budget,
        edits: all_edits,
        fixed,
        diff,
        env_lines,
        plan,
    }
}

fn shift_actions(actions: &mut [UrlAction], by: usize) {
    for a in actions {
        match a {
            UrlAction::Replace { span, .. } => *span = span.shift(by),
            UrlAction::Insert { at, .. } => *at += by,
            _ => {}
        }
    }
}
