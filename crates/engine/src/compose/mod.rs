//! The compose doctor: read a docker-compose file with positions, find every database pool,
//! add up the connection budget, and produce the fixes, the plan and the rollback.
//!
//! The stages run one way: [`read`] the services → check each one's URLs ([`urls`]) and the
//! service rules → the settings after the fix and the edits that make them ([`settings`]) →
//! [`budget`] → [`plan`]. Each stage reads what the previous ones produced.

pub mod budget;
pub mod diff;

pub mod edits;
pub mod plan;
pub mod planner;
pub mod read;
pub mod settings;
pub mod urls;

use std::collections::BTreeMap;

use crate::fix::{self, Edit};
use crate::knowledge::drivers::{self, Driver};
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::knowledge::Verdict;
use crate::rules::{self, Finding, ServiceCtx, Severity};
use crate::span::{LineIndex, Span};
use crate::url_doctor::UrlReport;
use crate::yaml::{self, Yaml};

pub use crate::model::{Budget, BudgetGroup, ComposeOptions, Levers, Service};
pub use plan::Plan;
pub use planner::{PlanOption, Planned};

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
    /// Text before the URL that the service strips (Celery's `db+`).
    pub prefix: &'static str,
}

impl ServiceUrl {
    /// The variable the URL is read from, if it is one.
    pub fn var(&self) -> Option<&str> {
        self.source.strip_prefix("environment ")
    }

    /// The corrected URL as the variable holds it: with its prefix.
    pub fn corrected_value(&self) -> Option<String> {
        self.report.corrected_url.as_ref().map(|u| format!("{}{u}", self.prefix))
    }

    /// The driver the URL uses once corrected: the one a fix names (PF114), else as written.
    pub fn driver_after(&self) -> Option<Driver> {
        let fixed = self.report.corrected_url.as_deref()?;
        let named = crate::conn::parse(fixed).ok()?.driver.and_then(|d| drivers::from_name(d.slice(fixed)));
        Some(self.report.service.driver_for(named))
    }
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
    /// Processes and replicas once the plan is applied.
    pub processes_after: u32,
    pub replicas_after: u32,
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
        let Some(table) = self.service.kind.settings() else {
            return Vec::new();
        };
        table
            .names()
            .into_iter()
            .filter_map(|name| {
                let value = self.env_value(name, true)?;
                Some((name.to_string(), value))
            })
            .collect()
    }

    /// A setting's value before or after the fix (trimmed), from the fix or else the file.
    pub fn env_value(&self, name: &str, after: bool) -> Option<String> {
        if after {
            if let Some((_, v)) = self.env_after.iter().find(|(k, _)| k == name) {
                return Some(v.clone());
            }
        }
        self.service.env(name).map(|e| e.value.trim().to_string())
    }

    /// Whether the service keeps a database pool at all.
    pub fn has_pool(&self) -> bool {
        self.service.kind.has_pool()
    }

    /// Whether the fix changes anything for it: its settings, its URL, or what it can hold.
    pub fn changes(&self) -> bool {
        let url_fixed = self.urls.iter().any(|u| u.report.corrected_url.as_deref() != Some(u.url.trim()));
        !self.env_after.is_empty() || url_fixed || self.max_before != self.max_after
    }

    /// Whether the fix can move it to another port: every URL is written in the file and its
    /// port is written out (a port from a variable is shared with whatever else reads it).
    pub fn port_editable(&self) -> bool {
        self.urls.iter().all(|u| {
            let conn = u.report.conn.as_ref();
            let port = conn.and_then(|c| Some((c, c.hosts.first()?.port?)));
            u.span.is_some() && conn.is_some() && port.is_none_or(|(c, p)| !c.has_placeholder(p))
        })
    }

    /// Whether it keeps a pool and has a checked URL to open it on: what the budget counts.
    pub fn is_counted(&self) -> bool {
        self.has_pool() && !self.urls.is_empty()
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
    /// The ways to make the pools fit, and the one this report implements.
    pub planned: Planned,
}

impl ComposeReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.finding.severity() == Severity::Error)
    }

    /// A report that says only that the file does not parse.
    fn invalid(text: &str, e: &yaml::YamlError) -> ComposeReport {
        let span = Span::new(e.offset, (e.offset + 1).min(text.len()).max(e.offset));
        let finding = rules::pf200_invalid_yaml::finding(&e.message, e.line, e.column, span);
        ComposeReport {
            findings: vec![ComposeFinding { service: None, finding, line: e.line, column: e.column }],
            invalid: true,
            services: Vec::new(),
            budget: Budget::default(),
            edits: Vec::new(),
            fixed: text.to_string(),
            diff: String::new(),
            env_lines: String::new(),
            plan: Plan::default(),
            planned: Planned::default(),
        }
    }
}

fn locate(lines: &LineIndex, service: Option<&str>, finding: Finding) -> ComposeFinding {
    let (line, column) = lines.line_col(finding.span.start);
    ComposeFinding { service: service.map(str::to_string), finding, line, column }
}

/// Analyses a compose file: the services as written, then the plan that makes the pools fit,
/// then the file again with the chosen plan's levers, so that every finding, edit and number
/// shown is the chosen plan's.
pub fn analyze_compose(text: &str, options: &ComposeOptions) -> ComposeReport {
    let y = match yaml::parse(text) {
        Ok(y) => y,
        Err(e) => return ComposeReport::invalid(text, &e),
    };
    let options = ComposeOptions { levers: Levers::default(), ..options.clone() };
    let first = analyze_services(text, &y, &options);
    let planned = planner::plan(&first.services, &options);
    let chosen = planned.chosen().map(|o| ComposeOptions {
        compute: o.compute,
        pool_size: if o.levers.dashboard.is_some() { Some(o.pool_size) } else { options.pool_size },
        levers: o.levers.clone(),
        ..options.clone()
    });
    let (analysed, options) = match chosen {
        Some(o) if o.levers != options.levers => (analyze_services(text, &y, &o), o),
        _ => (first, options),
    };
    finish(text, analysed, planned, &options)
}

/// Stages 1–3 of every service, with the levers in `options`.
struct Analysed {
    findings: Vec<ComposeFinding>,
    edits: Vec<Edit>,
    services: Vec<ServiceReport>,
}

fn analyze_services(text: &str, y: &Yaml, options: &ComposeOptions) -> Analysed {
    let vars = crate::dotenv::parse_env(&options.env_text);
    let lines = LineIndex::new(text);
    let mut findings = Vec::new();
    let mut edits: Vec<(String, EditGroup)> = Vec::new();
    let mut reports = Vec::new();
    for service in read_services(text, y, &vars, options) {
        let (report, service_findings, service_edits) = analyze_service(text, y, service, options, &vars);
        findings.extend(service_findings.into_iter().map(|f| locate(&lines, Some(&report.service.name), f)));
        edits.extend(service_edits.into_iter().map(|e| (report.service.name.clone(), e)));
        reports.push(report);
    }
    let (edits, conflicts) = shared_edits_once(edits);
    findings.extend(conflicts.into_iter().map(|(name, f)| locate(&lines, Some(&name), f)));
    Analysed { findings, edits, services: reports }
}

/// Stages 4 and 6: the budget of the chosen plan, its findings, and the rollout.
fn finish(text: &str, a: Analysed, planned: Planned, options: &ComposeOptions) -> ComposeReport {
    let Analysed { mut findings, edits, services } = a;
    let lines = LineIndex::new(text);
    let holders: Vec<budget::Holder> = services.iter().filter_map(ServiceReport::holder).collect();
    let budget = budget::budget(&holders, options);
    let advice = budget_advice(&planned);
    findings.extend(budget::findings(&budget, &services, &advice).into_iter().map(|f| locate(&lines, None, f)));
    // Rule codes are `PF` and a number: ordering by the number is ordering by the code.
    crate::order::sort_stable_by(&mut findings, |f| {
        (f.finding.span.start, f.finding.rule.code[2..].parse().unwrap_or(usize::MAX))
    });
    let plan = plan::plan(&services, &budget, options);
    ComposeReport {
        findings,
        invalid: false,
        fixed: fix::apply(text, &edits),
        diff: diff::unified(&options.file_name, text, &edits),
        env_lines: settings::env_lines(&services),
        edits,
        services,
        budget,
        plan,
        planned,
    }
}

/// What PF202 says to do when the chosen plan leaves a pool over: another option that fits,
/// or what the dashboard would need.
fn budget_advice(planned: &Planned) -> String {
    let option = |o: &PlanOption| format!("the plan option `{}` fits ({}; `--plan {}`)", o.id, o.title, o.id);
    if let Some(o) = planned.options.iter().find(|o| o.fits && !o.alternative) {
        return option(o);
    }
    let needs = planned.needs.clone().unwrap_or_else(|| "no pool size or mode change fits".into());
    match planned.options.iter().find(|o| o.fits) {
        Some(o) => format!("{needs}; {}, at a cost in throughput", option(o)),
        None => needs,
    }
}

/// Edits that stand or fall together: all of one URL's, or a single one, and the text they change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditGroup {
    pub region: Span,
    pub edits: Vec<Edit>,
}

impl EditGroup {
    fn one(edit: Edit) -> EditGroup {
        EditGroup { region: edit.span, edits: vec![edit] }
    }

    fn overlaps(&self, other: &EditGroup) -> bool {
        let (a, b) = (self.region, other.region);
        (a.start < b.end && b.start < a.end) || (a.is_empty() && b.is_empty() && a.start == b.start)
    }
}

/// Text several services share (an anchor) is edited once: the same edits from several
/// services are made once, and edits that differ from those already made to the same text are
/// not made at all (PF215 says which service still needs its own value). A URL's edits go
/// together, so a shared URL never gets half of one service's fix and half of another's.
fn shared_edits_once(groups: Vec<(String, EditGroup)>) -> (Vec<Edit>, Vec<(String, Finding)>) {
    let mut kept: Vec<(String, EditGroup)> = Vec::new();
    let mut conflicts: Vec<(String, Finding)> = Vec::new();
    for (service, group) in groups {
        // A service's own edits never clash with each other (a URL and the settings after it).
        match kept.iter().find(|(s, k)| *s != service && k.overlaps(&group)) {
            None => kept.push((service, group)),
            Some((_, k)) if *k == group => {}
            Some((first, _)) => {
                let finding = rules::pf215_shared_text_needs_two_fixes::finding(&service, first, group.region);
                conflicts.push((service, finding));
            }
        }
    }
    (kept.into_iter().flat_map(|(_, g)| g.edits).collect(), conflicts)
}

/// Stage 1: the services of every document, in order (compose merges documents; later wins).
fn read_services(text: &str, y: &Yaml, vars: &BTreeMap<String, String>, options: &ComposeOptions) -> Vec<Service> {
    let mut found: Vec<Service> = Vec::new();
    for &doc in y.documents.iter().filter(|d| y.is_map(**d)) {
        let Some(svcs) = y.get(doc, "services") else { continue };
        for (k, v) in y.pairs(svcs) {
            let Some(name) = y.str(k).filter(|_| y.is_map(v)) else { continue };
            let s = read::read_service(text, y, (name, k, y.resolve(v)), vars, options);
            match found.iter_mut().find(|f| f.name == name) {
                Some(slot) => *slot = s,
                None => found.push(s),
            }
        }
    }
    found
}

/// Stages 2 and 3 for one service: its URLs and rules, then the settings and edits of the fix.
fn analyze_service(
    text: &str,
    y: &Yaml,
    service: Service,
    options: &ComposeOptions,
    vars: &BTreeMap<String, String>,
) -> (ServiceReport, Vec<Finding>, Vec<EditGroup>) {
    let ctx = ServiceCtx { text, service: &service, options, env_given: !options.env_text.trim().is_empty() };
    let checked = urls::check(&service, options, vars);
    let mut findings = checked.findings;
    let mut edits = checked.edits;
    findings.extend(rules::check_service(&ctx));
    let env_after = settings::after(&service, &checked.urls, &findings);
    let file_edits = findings.iter().filter_map(Finding::applied_fix).flat_map(|fx| fx.file_edits.iter().cloned());
    edits.extend(file_edits.map(EditGroup::one));
    // A URL the service moves to another port, inherited from a block others share: the
    // service gets the corrected URL as its own value, so the others keep theirs.
    let mut block = env_after.clone();
    let mut own = Vec::new();
    if findings.iter().any(|f| f.rule.code == "PF116" && f.applied_fix().is_some()) {
        let service_span = y.node(service.node).span;
        for u in &checked.urls {
            let var = u.var();
            let shared = u.span.is_some_and(|s| s.start < service_span.start || s.end > service_span.end);
            if let (Some(var), true, Some(fixed)) = (var, shared, u.corrected_value()) {
                edits.retain(|g| Some(g.region) != u.span);
                block.push((var.to_string(), fixed));
                own.push(var.to_string());
            }
        }
    }
    let (env_edits, note) = edits::env_edits(text, y, &service, &block, &own);
    edits.extend(env_edits.into_iter().map(EditGroup::one));
    findings.extend(note);
    let report = budget::summarise(service, checked.urls, env_after, &options.levers);
    (report, findings, edits)
}
