//! The deployment as poolfix sees it: the settings the user gives, each service read from the
//! compose file, and the budget. The compose reader fills it in, the rules and the budget read
//! it, the report renders it; it depends on none of them.

use std::collections::{HashMap, HashSet};

use crate::knowledge::compute::{Compute, COMPUTE_SIZES};
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::knowledge::services::ServiceKind;
use crate::knowledge::{self, Version};
use crate::span::Span;
use crate::yaml::NodeId;

/// Which pooler mode the user wants the URLs to end up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ModeChoice {
    /// Each service keeps its mode unless the plan needs to move it to the transaction port.
    #[default]
    Auto,
    Keep,
    Session,
    Transaction,
}

impl ModeChoice {
    pub const ALL: [ModeChoice; 4] = [ModeChoice::Auto, ModeChoice::Keep, ModeChoice::Session, ModeChoice::Transaction];

    pub fn from_cli(name: &str) -> Option<ModeChoice> {
        ModeChoice::ALL.into_iter().find(|m| m.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModeChoice::Auto => "auto",
            ModeChoice::Keep => "keep",
            ModeChoice::Session => "session",
            ModeChoice::Transaction => "transaction",
        }
    }
}

/// What a plan changes beyond each tool's smallest working pool: the planner sets these, the
/// stages read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Levers {
    /// Process counts whose defaults are excessive for the tool are lowered (MLflow's 4 workers).
    pub lower_processes: bool,
    /// Services moved to the transaction port of the same shared pooler.
    pub to_transaction: HashSet<String>,
    /// Your own services with fewer processes or replicas: service → (processes, replicas).
    pub fewer: HashMap<String, (u32, u32)>,
    /// Set when the plan raises the pool size or the compute size: the values before it did.
    pub dashboard: Option<Dashboard>,
}

impl Levers {
    /// Whether the plan moves `service` to the transaction port.
    pub fn moves(&self, service: &str) -> bool {
        self.to_transaction.contains(service)
    }

    /// The (processes, replicas) the plan gives `service`, if it lowers them.
    pub fn fewer_for(&self, service: &str) -> Option<(u32, u32)> {
        self.fewer.get(service).copied()
    }
}

/// The dashboard settings before the plan changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dashboard {
    pub pool_size: u32,
    pub compute: &'static Compute,
}

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
    pub mlflow_version: Option<Version>,
    /// The Prefect version to assume when an image tag does not say (default: the newest).
    pub prefect_version: Option<Version>,
    /// The plan option the user picked (its id); `None` = the first that fits.
    pub plan: Option<String>,
    /// What the chosen plan changes (set by the planner).
    pub levers: Levers,
}

impl Default for ComposeOptions {
    fn default() -> Self {
        ComposeOptions {
            compute: &COMPUTE_SIZES[1],
            pool_size: None,
            mode: ModeChoice::Auto,
            env_text: String::new(),
            file_name: "docker-compose.yml".into(),
            mlflow_version: None,
            prefect_version: None,
            plan: None,
            levers: Levers::default(),
        }
    }
}

impl ComposeOptions {
    pub fn pool_size(&self) -> u32 {
        self.pool_size.unwrap_or(self.compute.default_pool_size)
    }

    /// The options as the dashboard is now, before the plan's dashboard change.
    pub fn before_dashboard(&self) -> ComposeOptions {
        match self.levers.dashboard {
            Some(d) => ComposeOptions { compute: d.compute, pool_size: Some(d.pool_size), ..self.clone() },
            None => self.clone(),
        }
    }

    /// The mode `service`'s URLs should end up in.
    pub fn mode_for(&self, service: &str) -> ModeChoice {
        if self.levers.moves(service) {
            ModeChoice::Transaction
        } else {
            self.mode
        }
    }

    /// The version the user said to assume for `product` (a service table's `product`).
    pub fn assumed_version(&self, product: &str) -> Option<Version> {
        match product {
            "mlflow" => self.mlflow_version,
            "prefect" => self.prefect_version,
            _ => None,
        }
    }
}

/// One environment variable of a service.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: String,
    /// As written in the file.
    pub raw: String,
    /// After interpolation from the pasted `.env`.
    pub value: String,
    /// The value's node (map form) or the `NAME=value` item (list form).
    pub node: Option<NodeId>,
    /// Where the value's text is in the source, when it can be edited in place.
    pub value_span: Option<Span>,
    /// Given by the service's `env_file` (the pasted `.env`), not written in the compose file.
    pub from_env_file: bool,
}

/// Where a connection URL was found.
#[derive(Debug, Clone)]
pub struct UrlSite {
    /// e.g. `environment DATABASE_URL` or `command --backend-store-uri`.
    pub source: String,
    /// The URL after interpolation (what the service sees).
    pub url: String,
    /// The URL's text in the compose source, when it is written there verbatim.
    pub span: Option<Span>,
    /// Where to point a finding when `span` is unknown.
    pub anchor: Span,
    pub unresolved: Vec<String>,
    /// Assembled from several variables (the host's is `anchor`), not written as a URL.
    pub assembled: bool,
    /// Text before the URL that the service strips (Celery's `db+`); kept out of the analysis.
    pub prefix: &'static str,
}

/// The store a service's URL setting names when it is not PostgreSQL (`sqlite:///mlflow.db`).
#[derive(Debug, Clone)]
pub struct Store {
    /// What it is: `SQLite`, `MySQL`, `local files`.
    pub label: String,
    /// Why: the setting that names it (`command --backend-store-uri`), or that none is set.
    pub why: String,
    /// Where to point a finding about it.
    pub anchor: Span,
}

/// A number read from the file, or the default that applies, and where it came from.
#[derive(Debug, Clone)]
pub struct Count {
    pub value: u32,
    pub source: String,
    /// The number's text in the source, for editing.
    pub span: Option<Span>,
}

/// One compose service, as read from the file.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub node: NodeId,
    /// The service's key (`api:`), for positions.
    pub key_span: Span,
    pub line: usize,
    pub kind: ServiceKind,
    pub image: Option<String>,
    /// Where `image:`'s value is in the source.
    pub image_span: Option<Span>,
    /// The service has `build:`: its image is made here and may add what the base lacks.
    pub builds: bool,
    /// The file gives the service a `healthcheck:` of its own.
    pub has_healthcheck: bool,
    /// The version read from the image tag, or else the one the user said to assume.
    pub version: Option<Version>,
    /// `version` is the user's assumption, not read from the file.
    pub version_assumed: bool,
    pub argv: Vec<String>,
    pub env: Vec<EnvEntry>,
    /// The `environment` node, when written in the service itself.
    pub env_node: Option<NodeId>,
    /// The `environment` key exists but is an alias shared with other services.
    pub env_shared: bool,
    pub env_files: Vec<String>,
    pub urls: Vec<UrlSite>,
    /// Set when its URL setting names another store than PostgreSQL (then `urls` is empty).
    pub store: Option<Store>,
    pub processes: Count,
    pub replicas: Count,
    pub profiles: Vec<String>,
    /// (host port, container port) pairs from `ports`.
    pub ports: Vec<(Option<u16>, u16)>,
}

impl Service {
    pub fn env(&self, name: &str) -> Option<&EnvEntry> {
        self.env.iter().find(|e| e.name == name)
    }

    /// Whether it keeps a database pool and has a URL to open it on.
    pub fn is_pooled(&self) -> bool {
        self.kind.has_pool() && !self.urls.is_empty()
    }

    /// The version as shown to people: `3.17.2`, `2.x`, or `2.x (assumed)` when it is the
    /// user's setting rather than the file's.
    pub fn version_note(&self) -> Option<String> {
        let v = knowledge::version_label(self.version?);
        Some(if self.version_assumed { format!("{v} (assumed)") } else { v })
    }

    /// The host port published for `container_port`, if any.
    pub fn host_port(&self, container_port: u16) -> Option<u16> {
        self.ports.iter().find(|(_, c)| *c == container_port).and_then(|(h, _)| *h)
    }
}

/// One pooler endpoint and mode, and who uses it.
#[derive(Debug, Clone, Default)]
pub struct BudgetGroup {
    pub host: String,
    pub mode: Option<PoolMode>,
    pub endpoint: Option<EndpointKind>,
    /// `None` when no limit is known (a placeholder host).
    pub limit: Option<u32>,
    pub limit_label: String,
    /// The limit as the dashboard is now, when the plan changes it (else the same as `limit`).
    pub limit_before: Option<u32>,
    pub limit_label_before: String,
    /// Sums; `None` = unbounded.
    pub before: Option<u32>,
    pub after: Option<u32>,
    /// (service, before, after) — a service appears where it is before or after the fix.
    pub services: Vec<(String, Option<u32>, Option<u32>)>,
    /// Transaction mode on Supabase's shared pooler: the server connections of the project's pool
    /// that the session port's clients leave for it after the fix (both ports draw on one pool).
    pub reserve: Option<u32>,
}

impl BudgetGroup {
    /// Connections kept free for migrations, psql and deploys: a fifth of the limit, at least 2.
    pub fn headroom(&self) -> u32 {
        self.limit.map_or(0, |l| (l / 5).max(2).min(l))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Budget {
    pub groups: Vec<BudgetGroup>,
}

impl Budget {
    /// The group the headline reports: the session pool if any, else the tightest group.
    pub fn primary(&self) -> Option<&BudgetGroup> {
        self.groups.iter().find(|g| g.mode == Some(PoolMode::Session)).or_else(|| {
            self.groups.iter().filter(|g| g.limit.is_some()).max_by_key(|g| {
                let used = g.before.unwrap_or(u32::MAX).max(g.after.unwrap_or(u32::MAX)) as u64;
                used * 1000 / g.limit.unwrap_or(1).max(1) as u64
            })
        })
    }
}

/// A connection count for people: the number, or "unbounded".
pub fn count_label(v: Option<u32>) -> String {
    v.map_or("unbounded".into(), |v| v.to_string())
}

/// Sets `name` in a list of settings: replaces its value, or appends it.
pub fn set_env(env: &mut Vec<(String, String)>, name: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == name) {
        Some(slot) => slot.1 = value.to_string(),
        None => env.push((name.to_string(), value.to_string())),
    }
}
