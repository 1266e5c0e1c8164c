//! The report as text: what `poolfix` prints, and (in full) what the reviewed snapshots hold.

use std::fmt::Write as _;

use super::{counts, excerpt};
use crate::compose::{ComposeReport, Planned};
use crate::diagnostic::{Finding, Severity};
use crate::model::count_label as show;
use crate::span::line_col;
use crate::url_doctor::{mask_password, UrlReport};

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours (a terminal).
    pub colour: bool,
    /// Everything: the explain details, transaction verdicts, the diff and the plan (snapshots).
    pub full: bool,
}

impl Style {
    pub const FULL: Style = Style { colour: false, full: true };
}

fn paint(style: Style, severity: Severity, s: &str) -> String {
    let code = match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    };
    if style.colour {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// One finding: its headline, the source line with a caret, and its fix. A note the previous
/// finding already printed (the corrected URL of a variable) is not printed again.
fn finding(
    out: &mut String,
    text: &str,
    f: &Finding,
    service: Option<&str>,
    last_note: &mut Option<String>,
    style: Style,
) {
    let (line, column) = line_col(text, f.span.start);
    let svc = service.map(|s| format!(" {s}:")).unwrap_or_default();
    let sev = paint(style, f.severity(), f.severity().as_str());
    let _ = writeln!(out, "{sev}[{}] {line}:{column}{svc} {}", f.rule.code, f.message);
    out.push_str(&excerpt(text, f.span, line));
    if let Some(fx) = &f.fix {
        let _ = writeln!(out, "    fix ({}): {}", fx.applicability.as_str(), fx.title);
        for (k, v) in &fx.env {
            let _ = writeln!(out, "      {k}={}", mask_password(v));
        }
        if let Some(n) = fx.note.as_ref().filter(|n| last_note.as_ref() != Some(*n)) {
            let _ = writeln!(out, "      {n}");
        }
        last_note.clone_from(&fx.note);
    }
    let _ = writeln!(out, "    see {}", f.rule.guide_path());
}

/// The URL doctor's report on `text`.
pub fn url(text: &str, r: &UrlReport, style: Style) -> String {
    let mut out = String::new();
    let driver = r.driver.map_or("?", |d| d.name);
    let _ = writeln!(out, "{} · {} · {}", r.service.label, driver, r.endpoint.label());
    if style.full {
        let _ = writeln!(
            out,
            "for {} · mode {} -> {} · project {}",
            r.service.id,
            r.mode_before.as_str(),
            r.mode_after.as_str(),
            r.project_ref.as_deref().unwrap_or("-")
        );
    }
    let mut last_note = None;
    for f in &r.findings {
        finding(&mut out, text, f, None, &mut last_note, style);
    }
    if let Some(url) = &r.corrected_url {
        let _ = writeln!(out, "\ncorrected URL (password masked):\n  {}", mask_password(url));
    }
    if !r.env.is_empty() {
        let _ = writeln!(out, "\nenvironment:");
        for (k, v) in &r.env {
            let _ = writeln!(out, "  {k}={}", mask_password(v));
        }
    }
    if let Some(s) = &r.snippet {
        let _ = writeln!(out, "\nin your code:\n{}", s.lines().map(|l| format!("  {l}\n")).collect::<String>());
    }
    let _ = writeln!(out, "\n{}", counts(r.findings.iter()));
    out
}

/// The compose doctor's report on `text`.
pub fn compose(text: &str, r: &ComposeReport, style: Style) -> String {
    let mut out = String::new();
    let mut last_note = None;
    for f in &r.findings {
        finding(&mut out, text, &f.finding, f.service.as_deref(), &mut last_note, style);
    }
    if r.invalid {
        return out;
    }
    services(&mut out, r, style);
    let _ = writeln!(out, "\nbudget:");
    for g in &r.budget.groups {
        let reserve = g.reserve.map(|r| format!("; the pool leaves it {r} server connections")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {}: {} → {} of {} ({}, headroom {}{reserve})",
            g.host,
            g.mode.map_or("?", |m| m.as_str()),
            show(g.before),
            show(g.after),
            g.limit.map_or("?".into(), |l| l.to_string()),
            g.limit_label,
            g.headroom()
        );
    }
    options(&mut out, &r.planned);
    if !r.env_lines.is_empty() {
        let _ = writeln!(out, "\nsettings added (.env form):\n{}", r.env_lines);
    }
    let findings = r.findings.iter().map(|f| &f.finding);
    let _ = writeln!(out, "\n{}; `poolfix fix --diff` shows the change", counts(findings));
    if style.full {
        let _ = write!(out, "\ndiff:\n{}\nplan:\n{}", r.diff, r.plan.to_markdown());
    }
    out
}

/// The plan options, the chosen one marked, each with its pools after and its cost.
fn options(out: &mut String, planned: &Planned) {
    if planned.options.len() < 2 && planned.fits() {
        return;
    }
    let _ = writeln!(out, "\nplan options (* = what the fix does; `--plan ID` picks another):");
    for (i, o) in planned.options.iter().enumerate() {
        let mark = if i == planned.chosen { '*' } else { ' ' };
        let alt = if o.alternative { ", offered only" } else { "" };
        let _ = writeln!(out, "{mark} {}: {}{alt}", o.id, o.title);
        for p in &o.pools {
            let reserve = p.reserve.map(|r| format!(", {r} server connections left for it")).unwrap_or_default();
            let room = p.room.map_or("?".into(), |r| r.to_string());
            let _ = writeln!(out, "    {}: {} → {} of {room}{reserve}", p.pool, show(p.before), show(p.after));
        }
        let _ = writeln!(out, "    {}; costs: {}", if o.fits { "fits" } else { "does not fit" }, o.cost);
    }
    if let Some(needs) = &planned.needs {
        let _ = writeln!(out, "  nothing fits: {needs}");
    }
    if let Some(id) = &planned.unknown_choice {
        let _ = writeln!(out, "  `--plan {id}` is not an option for this file: {}", planned.ids());
    }
}

fn services(out: &mut String, r: &ComposeReport, style: Style) {
    let _ = writeln!(out, "\nservices:");
    for s in &r.services {
        let v = s.service.version_note().map(|v| format!(" {v}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} ({}{v}): {} → {}",
            s.service.name,
            s.service.kind.kind,
            show(s.max_before),
            show(s.max_after)
        );
        if !s.is_counted() {
            // Why a service that reads a URL setting is not counted: the store it names.
            if s.service.store.is_some() {
                let _ = writeln!(out, "    {}", s.formula_before);
            }
            continue;
        }
        let _ = writeln!(out, "    before: {}\n    after:  {}", s.formula_before, s.formula_after);
        if style.full {
            let _ = writeln!(out, "    mode:   {} → {}", s.mode_before.as_str(), s.mode_after.as_str());
        }
        if let Some(u) = &s.corrected_url {
            let _ = writeln!(out, "    url:    {}", mask_password(u));
        }
        // A connection spread over variables: which ones poolfix read, and that it edits none.
        if let Some(site) = s.service.urls.first().filter(|site| site.assembled) {
            let _ = writeln!(out, "    from:   {} (set its parts there by hand)", site.source);
        }
        if let (true, Some((v, why))) = (style.full, &s.verdict) {
            let _ = writeln!(out, "    transaction mode: {} ({why})", v.as_str());
        }
    }
}
