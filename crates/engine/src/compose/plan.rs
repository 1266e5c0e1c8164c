//! The rollout checklist and the rollback steps, made from the actual file: the services by
//! name in a safe order, the exact commands, health checks on the ports found, the errors to
//! watch for, the SQL that counts connections, the soak, and the way back.

use std::fmt::Write as _;

use super::ServiceReport;
use crate::knowledge::services::PoolModel;
use crate::model::{Budget, ComposeOptions};

/// One step: what to do, the commands, and how to know it worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub commands: Vec<String>,
    /// Commands that verify the step.
    pub checks: Vec<String>,
    /// What to expect, in words.
    pub expect: Vec<String>,
    /// A block to add to the compose file (a `healthcheck:`), shown as YAML.
    pub yaml: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub before: Vec<Step>,
    pub rollout: Vec<Step>,
    pub watch: Vec<String>,
    pub sql: String,
    pub soak: String,
    pub rollback: Vec<Step>,
}

/// Every Supavisor and PgBouncer error text that means the pool is full or a setting was
/// refused (docs/sources.md#errors).
pub const WATCH_FOR: &[&str] = &[
    "max clients reached in session mode",
    "MaxClientsInSessionMode",
    "EMAXCONNSESSION",
    "Max client connections reached",
    "no more connections allowed (max_client_conn)",
    "query_wait_timeout",
    "invalid connection option",
    "unexpected keyword argument",
    "Tenant or user not found",
    "prepared statement",
    "QueuePool limit of size",
    "server closed the connection unexpectedly",
];

/// Counts the watch list's lines in the last 24 hours of every service's logs (fixed strings:
/// the texts hold parentheses).
pub fn log_scan() -> String {
    let patterns: String = WATCH_FOR.iter().map(|w| format!(" -e '{w}'")).collect();
    format!("docker compose logs --since 24h 2>&1 | grep -F -c{patterns}")
}

pub const COUNT_SQL: &str = "select application_name, usename, state, count(*)\nfrom pg_stat_activity\nwhere datname = current_database()\ngroup by 1, 2, 3\norder by 4 desc;";

/// Counts the container's connections to a pooler or database port, from inside it: sockets in
/// state ESTABLISHED (`01`) whose remote port is 5432 or 6543, in hex as /proc/net/tcp writes
/// them. Through a pooler `pg_stat_activity` shows the pooler's server connections, not the
/// clients (verify/services.py checks this command against PgBouncer's SHOW CLIENTS). It counts
/// the container's whole network namespace (all containers of a pod; the host with host networking).
pub fn client_count_cmd(service: &str) -> String {
    use crate::knowledge::endpoints::{SESSION_PORT, TRANSACTION_PORT};
    format!(
        r#"docker compose exec {service} awk 'FNR>1 && $4=="01" {{split($3,r,":"); if (r[2]=="{SESSION_PORT:04X}" || r[2]=="{TRANSACTION_PORT:04X}") n++}} END{{print n+0}}' /proc/net/tcp /proc/net/tcp6"#
    )
}

/// `docker compose` with the service's profiles: a service in a profile is not started without it.
fn compose_cmd(r: &ServiceReport) -> String {
    let profiles: String = r.service.profiles.iter().map(|p| format!(" --profile {p}")).collect();
    format!("docker compose{profiles}")
}

/// A compose `healthcheck:` that runs the same database-touching request inside the container,
/// with the image's Python (MLflow's and Prefect's images have no curl); `urlopen` fails on an
/// error status (verify/services.py runs it with the database up and stopped).
pub fn compose_healthcheck(r: &ServiceReport) -> Option<String> {
    let h = r.service.kind.health.as_ref()?;
    let url = format!("http://localhost:{}{}", h.port, h.path);
    let request = match h.post {
        true => format!("u.Request('{url}', data=b'{{}}', headers={{'Content-Type': 'application/json'}})"),
        false => format!("'{url}'"),
    };
    Some(format!(
        "healthcheck:\n  test: [\"CMD\", \"python\", \"-c\", \"import urllib.request as u; u.urlopen({request}, timeout=5)\"]\n  interval: 30s\n  timeout: 10s\n  retries: 3\n  start_period: 60s\n"
    ))
}

fn health(r: &ServiceReport) -> Option<String> {
    let h = r.service.kind.health.as_ref()?;
    let port = r.service.host_port(h.port).unwrap_or(h.port);
    let post = if h.post { "-X POST -H 'Content-Type: application/json' -d '{}' " } else { "" };
    Some(format!("curl -fsS {post}http://localhost:{port}{}   # answers {}", h.path, h.answer))
}

/// What to do before changing anything: note the limits, save the rollback, watch.
fn before_steps(options: &ComposeOptions) -> Vec<Step> {
    // What the dashboard shows now, before the plan raises anything.
    let (pool, compute) =
        options.levers.dashboard.map_or((options.pool_size(), options.compute), |d| (d.pool_size, d.compute));
    let mut before = Vec::new();
    before.push(Step {
        title: format!("Note the current pool size (Dashboard → Database Settings; poolfix assumed {pool}) and the compute size ({})", compute.label),
        ..Step::default()
    });
    before.push(Step {
        title: "Save the current compose file and .env: they are the rollback".into(),
        commands: vec![
            format!("cp {0} {0}.before-poolfix", options.file_name),
            "[ ! -f .env ] || cp .env .env.before-poolfix".into(),
        ],
        ..Step::default()
    });
    before.push(Step {
        title: "Open a psql session through the direct connection or the session pooler to watch connections".into(),
        commands: vec![COUNT_SQL.replace('\n', " ")],
        ..Step::default()
    });
    before
}

/// The way back, in the reverse order of the rollout.
fn rollback_steps(changed: &[&ServiceReport], options: &ComposeOptions) -> Vec<Step> {
    let pool = options.pool_size();
    let mut rollback = Vec::new();
    let mut reverse = changed.to_vec();
    reverse.reverse();
    rollback.push(Step {
        title: "Roll back a service when, after its step, any of these holds for more than a few minutes".into(),
        expect: vec![
            "its health check fails (it touches the database)".into(),
            "an error from the watch list keeps appearing in its logs".into(),
            "its container holds more connections than its step says".into(),
        ],
        ..Step::default()
    });
    rollback.push(Step {
        title: "Restore the saved files (the reverse of the diff)".into(),
        commands: vec![
            format!("cp {0}.before-poolfix {0}", options.file_name),
            "[ ! -f .env.before-poolfix ] || cp .env.before-poolfix .env".into(),
        ],
        ..Step::default()
    });
    for r in reverse {
        let mut checks = Vec::new();
        checks.extend(health(r));
        rollback.push(Step {
            title: format!("Recreate {} with its old settings", r.service.name),
            commands: vec![format!("{} up -d --no-deps {}", compose_cmd(r), r.service.name)],
            checks,
            ..Step::default()
        });
    }
    if let Some(from) = options.levers.dashboard {
        let mut title = format!("Set the pool size back to {} (Dashboard → Database Settings)", from.pool_size);
        if from.compute != options.compute {
            let _ = write!(
                title,
                " and the compute size back to {} (Dashboard → Project Settings → Compute and Disk)",
                from.compute.label
            );
        }
        rollback.push(Step { title, ..Step::default() });
        return rollback;
    }
    rollback.push(Step {
        title: format!(
            "The old pool sizes did not fit: keep pool size {pool}, and raise a service's pool (for example an overflow of 2) only after raising the Supabase pool size (on {} up to about {}, 80 % of its {} direct connections; 40 % with heavy Data API use)",
            options.compute.label,
            options.compute.advised_pool_max(),
            options.compute.direct_max
        ),
        ..Step::default()
    });
    rollback
}

/// The dashboard change of the chosen plan, made before any service changes: more room first.
fn dashboard_step(options: &ComposeOptions) -> Option<Step> {
    let from = options.levers.dashboard?;
    let pool = options.pool_size();
    let mut commands = Vec::new();
    if from.compute != options.compute {
        commands.push(format!(
            "Dashboard → Project Settings → Compute and Disk: {} → {} (the database restarts: a short downtime)",
            from.compute.label, options.compute.label
        ));
    }
    commands.push(format!("Dashboard → Database Settings → Connection pooling: pool size {} → {pool}", from.pool_size));
    Some(Step {
        title: format!("Raise the pool size to {pool} before changing any service"),
        commands,
        checks: vec!["show max_connections;   # the pool size must stay well below it".into()],
        expect: vec![format!("the dashboard shows pool size {pool}")],
        yaml: None,
    })
}

pub fn plan(reports: &[ServiceReport], budget: &Budget, options: &ComposeOptions) -> Plan {
    let changed: Vec<&ServiceReport> = {
        let mut v: Vec<&ServiceReport> = reports.iter().filter(|r| r.is_counted() && r.changes()).collect();
        // The biggest holder first: it frees the most room. Prefect servers before their workers.
        // Unbounded (None) first, then by size, largest first.
        crate::order::sort_stable_by(&mut v, |r| ((u32::MAX - r.max_before.unwrap_or(u32::MAX)) as usize, 0));
        v
    };
    let mut plan = Plan { before: before_steps(options), ..Plan::default() };
    plan.rollout.extend(dashboard_step(options));
    for r in &changed {
        let name = &r.service.name;
        let mut checks =
            vec![format!("docker compose logs -f {name}   # no error from the list below for a few minutes")];
        checks.extend(health(r));
        let mut expect = Vec::new();
        if matches!(r.service.kind.pool, PoolModel::Code) {
            expect.push(format!(
                "deploy {name}'s code with create_engine(…, pool_size=1, max_overflow=1) first; poolfix cannot change code"
            ));
        }
        if let (Some(b), Some(a)) = (r.max_before, r.max_after) {
            let per_container = a / r.replicas_after.max(1);
            checks.push(format!("{}   # at most {per_container}", client_count_cmd(name)));
            expect.push(format!(
                "{name} holds at most {a} connections in all (it could reach {b} before); each container at most {per_container}"
            ));
        }
        let yaml = compose_healthcheck(r).filter(|_| !r.service.has_healthcheck);
        if yaml.is_some() {
            expect.push(format!("with the healthcheck below in {name}'s service, `docker compose ps` shows it healthy only while it reaches the database"));
        }
        plan.rollout.push(Step {
            title: format!("Apply the change to {name}"),
            commands: vec![format!("{} up -d --no-deps --build {name}", compose_cmd(r))],
            checks,
            expect,
            yaml,
        });
    }
    for (r, server) in reports.iter().filter_map(|r| Some((r, r.service.kind.client_of?))) {
        plan.rollout.push(Step {
            title: format!("Restart {} after {server} is healthy (it holds no database pool)", r.service.name),
            commands: vec![format!("{} up -d --no-deps {}", compose_cmd(r), r.service.name)],
            checks: vec![format!("docker compose logs -f {}   # the worker polls the API again", r.service.name)],
            ..Step::default()
        });
    }
    plan.watch = WATCH_FOR.iter().map(|s| s.to_string()).collect();
    plan.sql = COUNT_SQL.to_string();
    let target = budget
        .primary()
        .and_then(|g| g.after)
        .map_or(String::new(), |a| format!(" (poolfix expects at most {a} at peak)"));
    plan.soak = format!("Leave the new settings under normal traffic for at least 24 hours, including the busiest hour and batch jobs, and run the count again at peak{target}. Then scan the day's logs for the errors above (expect 0): {}", log_scan());
    plan.rollback = rollback_steps(&changed, options);
    plan
}

impl Plan {
    /// The plan as markdown, for a ticket.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# Rollout plan (poolfix)\n\n## Before you start\n\n");
        let steps = |md: &mut String, steps: &[Step]| {
            for s in steps {
                let _ = writeln!(md, "- [ ] {}", s.title);
                for c in &s.commands {
                    let _ = writeln!(md, "  - `{c}`");
                }
                for c in &s.checks {
                    let _ = writeln!(md, "  - check: `{c}`");
                }
                for e in &s.expect {
                    let _ = writeln!(md, "  - expect: {e}");
                }
                if let Some(y) = &s.yaml {
                    let _ = writeln!(
                        md,
                        "\n  ```yaml\n{}  ```\n",
                        y.lines().map(|l| format!("  {l}\n")).collect::<String>()
                    );
                }
            }
        };
        steps(&mut md, &self.before);
        md.push_str("\n## Roll out, one service at a time\n\n");
        steps(&mut md, &self.rollout);
        md.push_str("\n## Watch the logs for\n\n");
        for w in &self.watch {
            let _ = writeln!(md, "- `{w}`");
        }
        let _ = write!(
            md,
            "\n## Count connections per application\n\n```sql\n{}\n```\n\n## Soak\n\n{}\n\n## Rollback\n\n",
            self.sql, self.soak
        );
        steps(&mut md, &self.rollback);
        md
    }
}
