//! The guide's numbers, from the engine: `{{name}}` in `content/` is replaced at build time by
//! what poolfix computes for the seed (`examples/seed-compose.yml`, the start page's example) or
//! reads from its tables, so the guide says what the checker and the CLI say. A name the engine
//! does not produce fails the build.

use std::collections::BTreeMap;

use poolfix_engine::compose::analyze_compose;
use poolfix_engine::knowledge::compute::COMPUTE_SIZES;
use poolfix_engine::model::ComposeOptions;

const SEED: &str = include_str!("../../../examples/seed-compose.yml");

/// Every name the guide may use, with its value.
pub fn numbers() -> BTreeMap<String, String> {
    let mut n = BTreeMap::new();
    let report = analyze_compose(SEED, &ComposeOptions::default());
    let count = |v: Option<u32>| v.map_or("unbounded".to_string(), |v| v.to_string());
    for s in &report.services {
        n.insert(format!("seed.{}.before", s.service.name), count(s.max_before));
        if let Some(check) = poolfix_engine::compose::plan::compose_healthcheck(s) {
            let indented: String = check.lines().map(|l| format!("    {l}\n")).collect();
            n.insert(format!("plan.healthcheck.{}", s.service.name), indented.trim_end().to_string());
        }
    }
    if let Some(group) = report.budget.groups.first() {
        n.insert("seed.before".into(), count(group.before));
        n.insert("seed.limit".into(), count(group.limit));
        n.insert("seed.room".into(), (group.limit.unwrap_or(0) - group.headroom()).to_string());
    }
    for option in &report.planned.options {
        let id = option.id;
        n.insert(format!("plan.{id}.pool-size"), option.pool_size.to_string());
        for (i, pool) in option.pools.iter().enumerate() {
            let side = if i == 0 { "session" } else { "transaction" };
            n.insert(format!("plan.{id}.{side}.after"), count(pool.after));
            if let Some(reserve) = pool.reserve {
                n.insert(format!("plan.{id}.reserve"), reserve.to_string());
            }
        }
        // Each service under this option (the report of the plan picked).
        let picked = ComposeOptions { plan: Some(id.to_string()), ..ComposeOptions::default() };
        for s in &analyze_compose(SEED, &picked).services {
            n.insert(format!("plan.{id}.{}", s.service.name), count(s.max_after));
        }
    }
    let thousands = |v: u32| match v {
        1_000.. => format!("{},{:03}", v / 1_000, v % 1_000),
        _ => v.to_string(),
    };
    let mut table =
        "| compute | direct max connections | pooler max clients | default pool size |\n|---|---|---|---|\n"
            .to_string();
    for c in &COMPUTE_SIZES {
        let (label, direct, clients) = (c.label, c.direct_max, thousands(c.pooler_max_clients));
        table += &format!("| {label} | {direct} | {clients} | {} |\n", c.default_pool_size);
    }
    n.insert("compute.table".into(), table.trim_end().to_string());
    n.insert("plan.log-scan".into(), poolfix_engine::compose::plan::log_scan());
    for c in &COMPUTE_SIZES {
        let name = c.name;
        n.insert(format!("compute.{name}.direct"), c.direct_max.to_string());
        n.insert(format!("compute.{name}.clients"), c.pooler_max_clients.to_string());
        n.insert(format!("compute.{name}.pool"), c.default_pool_size.to_string());
        n.insert(format!("compute.{name}.advised"), c.advised_pool_max().to_string());
    }
    n
}

/// `text` with every `{{name}}` replaced; an unknown or unclosed name is an error.
pub fn substitute(page: &str, text: &str, numbers: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("{page}: `{{{{` without `}}}}`"))?;
        let name = &after[..end];
        let value = numbers.get(name).ok_or_else(|| format!("{page}: the engine has no number `{name}`"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_and_unknown_ones_fail() {
        let n = numbers();
        assert_eq!(substitute("p", "at most {{compute.micro.direct}}", &n).unwrap(), "at most 60");
        assert!(substitute("p", "{{seed.nothing}}", &n).unwrap_err().contains("seed.nothing"));
        assert!(substitute("p", "{{seed.before", &n).is_err());
        // The seed's numbers as poolfix reports them today (a change here is a change in the guide).
        assert_eq!(n["seed.mlflow.before"], "124");
        assert_eq!(n["plan.workers.session.after"], "25");
        assert_eq!(n["plan.transaction.reserve"], "6");
    }
}
