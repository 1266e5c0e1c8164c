//! Stage 5, the planner: when each tool's smallest working pool still leaves a pool over its
//! limit less headroom, it tries the other levers, least costly to the user first, and stops at
//! the first combination that fits:
//!
//! 1. `pools` — each tool's smallest working pool (the per-tool fixes alone);
//! 2. `workers` — process counts whose defaults are excessive for the tool (MLflow's 4 workers);
//! 3. `transaction` — services whose transaction-mode verdict is "compatible" (or "compatible
//!    with settings", which the fix then applies) move to the transaction port of the same
//!    shared pooler, the largest holder first, until the session pool fits;
//! 4. `pool-size`, then `compute` — a dashboard change: the smallest pool size that fits within
//!    what Supabase advises for the compute size, else the smallest compute size that does.
//!
//! `fewer-processes` (fewer workers or replicas in your own services) cuts their throughput: it
//! is offered as an alternative, never chosen on its own. Each option is judged on the services'
//! numbers with its levers applied; the chosen one is then analysed in full (compose/mod.rs).

use super::budget::{self, Holder};
use super::ServiceReport;
use crate::knowledge::compute::{Compute, COMPUTE_SIZES};
use crate::knowledge::endpoints::PoolMode;
use crate::knowledge::Verdict;
use crate::model::{count_label, Budget, ComposeOptions, Dashboard, Levers, ModeChoice};

/// Every option id, in the order the planner tries them (the share link and `--plan` take these).
pub const IDS: [&str; 6] = ["pools", "workers", "transaction", "pool-size", "compute", "fewer-processes"];

/// One way to make the pools fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOption {
    /// `pools`, `workers`, `transaction`, `pool-size`, `compute` or `fewer-processes`: what
    /// `--plan` and the page take.
    pub id: &'static str,
    pub title: String,
    /// What it costs the user.
    pub cost: String,
    pub fits: bool,
    /// Each pool after this option: (pool, after, room = limit less headroom).
    pub pools: Vec<PoolFit>,
    /// Offered only: poolfix never picks it on its own.
    pub alternative: bool,
    pub levers: Levers,
    pub pool_size: u32,
    pub compute: &'static Compute,
}

/// One pool under an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolFit {
    pub pool: String,
    pub before: Option<u32>,
    pub after: Option<u32>,
    pub room: Option<u32>,
    /// Transaction mode on the shared pooler: server connections the session side leaves.
    pub reserve: Option<u32>,
}

impl PoolFit {
    /// `host session: 9 of 12`: the pool after the option, against its room.
    pub fn summary(&self) -> String {
        let room = self.room.map_or("?".into(), |r| r.to_string());
        format!("{}: {} of {room}", self.pool, count_label(self.after))
    }
}

/// The options for a file and the one the report implements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planned {
    pub options: Vec<PlanOption>,
    /// Index in `options`.
    pub chosen: usize,
    /// When nothing fits: what would.
    pub needs: Option<String>,
    /// The user asked for a plan id that is not among the options.
    pub unknown_choice: Option<String>,
}

impl Planned {
    pub fn chosen(&self) -> Option<&PlanOption> {
        self.options.get(self.chosen)
    }

    /// Whether the chosen option fits every pool.
    pub fn fits(&self) -> bool {
        self.chosen().is_none_or(|o| o.fits)
    }

    /// The options the file can take, for messages: `pools, workers, transaction`.
    pub fn ids(&self) -> String {
        self.options.iter().map(|o| o.id).collect::<Vec<_>>().join(", ")
    }
}

/// Whether every pool with a known limit holds at most its limit less headroom, and every
/// transaction pool on the shared pooler has server connections left to run on.
pub fn fits(budget: &Budget) -> bool {
    budget.groups.iter().all(|g| {
        let within = match g.limit {
            None => true,
            Some(limit) => g.after.is_some_and(|a| a == 0 || a <= limit - g.headroom()),
        };
        within && g.reserve != Some(0)
    })
}

fn pools(budget: &Budget) -> Vec<PoolFit> {
    budget
        .groups
        .iter()
        .map(|g| PoolFit {
            pool: format!("{} {}", g.host, g.mode.map_or("?", |m| m.as_str())),
            before: g.before,
            after: g.after,
            room: g.limit.map(|l| l - g.headroom()),
            reserve: g.reserve,
        })
        .collect()
}

/// The services with `levers` applied: how much each holds after the fix, and in which mode.
fn with_levers<'a>(reports: &'a [ServiceReport], levers: &Levers) -> Vec<Holder<'a>> {
    reports
        .iter()
        .filter_map(|r| {
            let mut h = r.holder()?;
            let (procs, replicas) = budget::counts_after(&r.service, levers);
            if (procs, replicas) != (r.processes_after, r.replicas_after) {
                h.max_after = budget::max_with(r, procs, replicas);
            }
            if levers.moves(&r.service.name) {
                h.mode_after = PoolMode::Transaction;
            }
            Some(h)
        })
        .collect()
}

struct Evaluated<'a> {
    budget: Budget,
    holders: Vec<Holder<'a>>,
}

fn evaluate<'a>(reports: &'a [ServiceReport], levers: &Levers, options: &ComposeOptions) -> Evaluated<'a> {
    let holders = with_levers(reports, levers);
    Evaluated { budget: budget::budget(&holders, options), holders }
}

fn option(
    id: &'static str,
    title: String,
    cost: String,
    e: &Evaluated,
    levers: &Levers,
    o: &ComposeOptions,
) -> PlanOption {
    PlanOption {
        id,
        title,
        cost,
        fits: fits(&e.budget),
        pools: pools(&e.budget),
        alternative: false,
        levers: levers.clone(),
        pool_size: o.pool_size(),
        compute: o.compute,
    }
}

/// The services that may move to the transaction port, the largest holder first.
fn movable<'a>(holders: &[Holder<'a>]) -> Vec<Holder<'a>> {
    let mut v: Vec<Holder> = holders
        .iter()
        .filter(|h| h.report.endpoint.is_shared_pooler() && h.mode_after == PoolMode::Session)
        .filter(|h| h.report.port_editable())
        .filter(|h| matches!(h.report.verdict, Some((Verdict::Compatible | Verdict::CompatibleWithSettings, _))))
        .copied()
        .collect();
    crate::order::sort_stable_by(&mut v, |h| ((u32::MAX - h.max_after.unwrap_or(u32::MAX)) as usize, 0));
    v
}

/// The smallest pool size whose session side holds `need` with headroom to spare.
fn pool_for(need: u32) -> u32 {
    (1..=need.saturating_mul(2).max(4)).find(|p| need <= p - (p / 5).max(2).min(*p)).unwrap_or(u32::MAX)
}

/// The dashboard lever on top of `levers`: the smallest pool size that fits on this compute
/// size, else the smallest larger compute size. `Err` says what would be needed.
fn dashboard(reports: &[ServiceReport], levers: &Levers, options: &ComposeOptions) -> Result<PlanOption, String> {
    let e = evaluate(reports, levers, options);
    let session = e.budget.groups.iter().filter(|g| g.mode == Some(PoolMode::Session) && g.limit.is_some());
    let mut need = 0;
    for g in session {
        need = need.max(g.after.ok_or_else(|| {
            format!("{} session: a pool is unbounded, so no pool size holds it: give every service a pool size", g.host)
        })?);
    }
    let from = Dashboard { pool_size: options.pool_size(), compute: options.compute };
    let pool = pool_for(need).max(from.pool_size);
    let start = COMPUTE_SIZES.iter().position(|c| c == options.compute).unwrap_or(0);
    for compute in &COMPUTE_SIZES[start..] {
        let size = pool.max(compute.default_pool_size);
        let unchanged = compute == options.compute && size == from.pool_size;
        if unchanged || size > compute.advised_pool_max() {
            continue;
        }
        let mut levers = levers.clone();
        levers.dashboard = Some(from);
        let o = ComposeOptions { compute, pool_size: Some(size), levers: levers.clone(), ..options.clone() };
        let e = Evaluated { budget: budget::budget(&e.holders, &o), holders: Vec::new() };
        if !fits(&e.budget) {
            continue;
        }
        let (id, title, cost) = if compute == options.compute {
            (
                "pool-size",
                format!("Raise the pool size from {} to {size} in the dashboard", from.pool_size),
                format!(
                    "a dashboard change; {} advises at most {} (80 % of its {} connections, 40 % with heavy Data API use), and direct connections have {} fewer",
                    compute.label,
                    compute.advised_pool_max(),
                    compute.direct_max,
                    size - from.pool_size
                ),
            )
        } else {
            (
                "compute",
                format!("Upgrade the compute size from {} to {} and set the pool size to {size}", from.compute.label, compute.label),
                format!(
                    "a larger compute size costs more each month, and the database restarts when it changes (a short downtime); {} advises a pool of at most {}",
                    compute.label,
                    compute.advised_pool_max()
                ),
            )
        };
        return Ok(option(id, title, cost, &e, &levers, &o));
    }
    Err(format!(
        "no dashboard change fits: the session pool needs a pool size of at least {pool}, and the largest compute size advises at most {}",
        COMPUTE_SIZES.last().map_or(0, Compute::advised_pool_max)
    ))
}

/// Your own services with fewer processes, then fewer replicas, the largest holder first,
/// until the pools fit. Only counts written in the file are lowered (the fix edits them there);
/// `None` when that cannot make the pools fit.
fn fewer_processes(reports: &[ServiceReport], base: &Levers, options: &ComposeOptions) -> Option<PlanOption> {
    let Evaluated { mut budget, mut holders } = evaluate(reports, base, options);
    let mut counts: Vec<(u32, u32)> = holders.iter().map(|h| budget::counts_after(&h.report.service, base)).collect();
    let lowerable = |h: &Holder, (p, n): (u32, u32)| {
        let s = &h.report.service;
        !s.kind.processes.runners.is_empty()
            && ((p > 1 && s.processes.span.is_some()) || (n > 1 && s.replicas.span.is_some()))
    };
    // Each step lowers one count by one; a file has at most a few hundred to lower.
    for _ in 0..512 {
        if fits(&budget) {
            break;
        }
        // The largest holder that can still be lowered.
        let i = (0..holders.len())
            .filter(|i| lowerable(&holders[*i], counts[*i]))
            .max_by_key(|i| holders[*i].max_after.unwrap_or(u32::MAX))?;
        let (p, n) = &mut counts[i];
        if *p > 1 && holders[i].report.service.processes.span.is_some() {
            *p -= 1;
        } else {
            *n -= 1;
        }
        holders[i].max_after = budget::max_with(holders[i].report, *p, *n);
        budget = budget::budget(&holders, options);
    }
    let mut levers = base.clone();
    let mut changes = Vec::new();
    for (h, (p, n)) in holders.iter().zip(&counts) {
        let s = &h.report.service;
        // Only what this option lowers, not what the options before it did (MLflow's workers).
        let (p0, n0) = budget::counts_after(s, base);
        if (*p, *n) != (p0, n0) {
            changes.push(format!("{} {p0}×{n0} → {p}×{n} (processes × replicas)", s.name));
            levers.fewer.insert(s.name.clone(), (*p, *n));
        }
    }
    if !fits(&budget) || changes.is_empty() {
        return None;
    }
    let title = format!("Run your own services with fewer processes: {}", changes.join(", "));
    let cost = "fewer requests or tasks at once in your own services: measure their latency under load".to_string();
    let e = Evaluated { budget, holders: Vec::new() };
    let mut o = option("fewer-processes", title, cost, &e, &levers, options);
    o.alternative = true;
    Some(o)
}

/// The services to move to the transaction port: the largest holders first, until each
/// session pool they leave is within its room.
fn moves(e: &Evaluated) -> Vec<String> {
    let mut over: Vec<(String, Option<u32>, u32)> = e
        .budget
        .groups
        .iter()
        .filter(|g| g.mode == Some(PoolMode::Session) && g.endpoint.is_some_and(|p| p.is_shared_pooler()))
        .filter_map(|g| Some((g.host.clone(), g.after, g.limit? - g.headroom())))
        .collect();
    let mut moved = Vec::new();
    for h in movable(&e.holders) {
        let r = h.report;
        let Some(group) = over.iter_mut().find(|(host, _, _)| r.host.as_deref() == Some(host.as_str())) else {
            continue;
        };
        if group.1.is_some_and(|after| after <= group.2) {
            continue;
        }
        // Moving an unbounded service leaves the sum unknown until it is recounted.
        group.1 = match (group.1, h.max_after) {
            (Some(after), Some(m)) => Some(after.saturating_sub(m)),
            _ => None,
        };
        moved.push(r.service.name.clone());
    }
    moved
}

/// Every option for the file's services, and the one to implement.
pub fn plan(reports: &[ServiceReport], options: &ComposeOptions) -> Planned {
    let mut out: Vec<PlanOption> = Vec::new();
    let mut levers = Levers::default();
    let e = evaluate(reports, &levers, options);
    out.push(option(
        "pools",
        "Each tool's smallest working pool".into(),
        "nothing beyond the per-tool settings".into(),
        &e,
        &levers,
        options,
    ));
    let lowerable: Vec<&str> = reports
        .iter()
        .filter(|r| {
            r.is_counted()
                && r.service.kind.processes.lowered_to.is_some_and(|to| to < r.service.processes.value.max(1))
        })
        .map(|r| r.service.name.as_str())
        .collect();
    if !out[0].fits && !lowerable.is_empty() {
        levers.lower_processes = true;
        let e = evaluate(reports, &levers, options);
        let title = format!("… and one worker for {}", lowerable.join(", "));
        let cost = "fewer concurrent requests to the tool's own server, rarely its bottleneck".into();
        out.push(option("workers", title, cost, &e, &levers, options));
    }
    let moved = if options.mode == ModeChoice::Auto && !out.last().is_some_and(|o| o.fits) {
        moves(&evaluate(reports, &levers, options))
    } else {
        Vec::new()
    };
    if !moved.is_empty() {
        let names: Vec<&str> = moved.iter().map(String::as_str).collect();
        let title = format!("… and {} on the transaction port (6543) of the same pooler", names.join(", "));
        levers.to_transaction = moved.into_iter().collect();
        let e = evaluate(reports, &levers, options);
        let cost = "no session state between transactions (LISTEN, session SET, advisory locks); the verdict of each service says why it works".into();
        out.push(option("transaction", title, cost, &e, &levers, options));
    }
    // The dashboard and fewer processes build on the last option that does not fit: on
    // everything when nothing fits, else instead of the lever that made it fit.
    let fitted = out.iter().position(|o| o.fits);
    let mut needs = None;
    if let Some(base) = out[..fitted.unwrap_or(out.len())].last().map(|o| o.levers.clone()) {
        // Ok only when it fits.
        match dashboard(reports, &base, options) {
            Ok(mut o) => {
                o.alternative = fitted.is_some();
                out.push(o);
            }
            Err(why) if fitted.is_none() => needs = Some(why),
            Err(_) => {}
        }
        out.extend(fewer_processes(reports, &base, options));
    }
    let first_fit = out.iter().position(|o| o.fits && !o.alternative);
    let picked = options.plan.as_deref().and_then(|id| out.iter().position(|o| o.id == id));
    // Nothing fits: the most the file can do, and what the dashboard would need.
    let file_only = out.iter().rposition(|o| !o.alternative && o.levers.dashboard.is_none()).unwrap_or(0);
    let chosen = picked.or(first_fit).unwrap_or(file_only);
    let unknown_choice = options.plan.clone().filter(|_| picked.is_none());
    Planned { options: out, chosen, needs, unknown_choice }
}

/// The plan option as one line for people: `transaction: … — fits (session 9 of 12)`.
pub fn summary(o: &PlanOption) -> String {
    let pools: Vec<String> = o.pools.iter().map(PoolFit::summary).collect();
    format!("{}: {} — {} ({})", o.id, o.title, if o.fits { "fits" } else { "does not fit" }, pools.join("; "))
}
