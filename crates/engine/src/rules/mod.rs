//! The rule catalog: every check poolfix makes, with its documentation.
//!
//! Each rule lives in its own file with its [`RuleDoc`]; the guide's rule reference is
//! rendered from [`CATALOG`] at build time, so the documentation cannot drift from the code.

pub use crate::diagnostic::{Applicability, Finding, Fix, RuleDoc, RuleText, Scope, Severity};

use crate::conn::ConnString;
use crate::knowledge::drivers::Driver;
use crate::knowledge::endpoints::{EndpointKind, PoolMode};
use crate::knowledge::services::ServiceKind;
use crate::model::{BudgetGroup, ComposeOptions, Service};
use crate::span::Span;
use crate::url_doctor::UrlOptions;

pub mod pf100_unparsable_connection_string;
mod pf101_pool_setting_in_url;
mod pf102_option_refused_by_driver;
mod pf103_postgres_scheme;
mod pf104_wrong_driver_for_service;
mod pf105_missing_connect_timeout;
mod pf106_missing_ssl;
mod pf107_pooler_user_without_ref;
mod pf108_direct_host_from_docker;
mod pf109_dedicated_pooler_port;
mod pf110_prepared_statements_in_transaction_mode;
mod pf111_unencoded_password_character;
mod pf112_literal_password;
mod pf113_prefect_listener_url_options;
mod pf114_implicit_driver;
mod pf115_startup_options_through_pooler;
mod pf116_pooler_mode_switch;
mod pf117_host_assumed_from_user;
mod pf118_second_question_mark;
mod pf119_startup_parameter_refused_by_pgbouncer;
mod pf120_value_refused_by_driver;
mod pf121_duplicate_parameter;
mod pf122_client_limit;
mod pf123_async_engine_url;
pub mod pf200_invalid_yaml;
pub mod pf201_pool_exceeded;
pub mod pf202_over_budget_after_fix;
pub mod pf203_mlflow_workers;
pub mod pf204_zero_pool_setting_ignored;
pub mod pf205_nullpool_with_pool_sizes;
pub mod pf206_unlimited_pool;
pub mod pf207_default_pool_settings;
pub mod pf208_pool_in_code;
pub mod pf209_env_file_not_read;
pub mod pf210_url_not_resolved;
pub mod pf211_mlflow_job_execution;
pub mod pf212_urls_beyond_the_first;
pub mod pf213_service_in_profile;
pub mod pf214_shared_environment;
pub mod pf215_shared_text_needs_two_fixes;
pub mod pf216_no_reserve_for_transaction_mode;
pub mod pf217_fewer_processes;
pub mod pf218_mlflow_image_without_driver;
pub mod pf219_server_side_cursors_in_transaction_mode;
pub mod pf220_pool_fixed_by_release;
pub mod pf221_store_not_postgres;

pub use pf100_unparsable_connection_string::finding as unparsable;
pub use pf100_unparsable_connection_string::DOC as PF100;

/// Every rule, in code order.
pub static CATALOG: &[(&RuleDoc, &RuleText)] = &[
    (&pf100_unparsable_connection_string::DOC, &pf100_unparsable_connection_string::TEXT),
    (&pf101_pool_setting_in_url::DOC, &pf101_pool_setting_in_url::TEXT),
    (&pf102_option_refused_by_driver::DOC, &pf102_option_refused_by_driver::TEXT),
    (&pf103_postgres_scheme::DOC, &pf103_postgres_scheme::TEXT),
    (&pf104_wrong_driver_for_service::DOC, &pf104_wrong_driver_for_service::TEXT),
    (&pf105_missing_connect_timeout::DOC, &pf105_missing_connect_timeout::TEXT),
    (&pf106_missing_ssl::DOC, &pf106_missing_ssl::TEXT),
    (&pf107_pooler_user_without_ref::DOC, &pf107_pooler_user_without_ref::TEXT),
    (&pf108_direct_host_from_docker::DOC, &pf108_direct_host_from_docker::TEXT),
    (&pf109_dedicated_pooler_port::DOC, &pf109_dedicated_pooler_port::TEXT),
    (&pf110_prepared_statements_in_transaction_mode::DOC, &pf110_prepared_statements_in_transaction_mode::TEXT),
    (&pf111_unencoded_password_character::DOC, &pf111_unencoded_password_character::TEXT),
    (&pf112_literal_password::DOC, &pf112_literal_password::TEXT),
    (&pf113_prefect_listener_url_options::DOC, &pf113_prefect_listener_url_options::TEXT),
    (&pf114_implicit_driver::DOC, &pf114_implicit_driver::TEXT),
    (&pf115_startup_options_through_pooler::DOC, &pf115_startup_options_through_pooler::TEXT),
    (&pf116_pooler_mode_switch::DOC, &pf116_pooler_mode_switch::TEXT),
    (&pf117_host_assumed_from_user::DOC, &pf117_host_assumed_from_user::TEXT),
    (&pf118_second_question_mark::DOC, &pf118_second_question_mark::TEXT),
    (&pf119_startup_parameter_refused_by_pgbouncer::DOC, &pf119_startup_parameter_refused_by_pgbouncer::TEXT),
    (&pf120_value_refused_by_driver::DOC, &pf120_value_refused_by_driver::TEXT),
    (&pf121_duplicate_parameter::DOC, &pf121_duplicate_parameter::TEXT),
    (&pf122_client_limit::DOC, &pf122_client_limit::TEXT),
    (&pf123_async_engine_url::DOC, &pf123_async_engine_url::TEXT),
    (&pf200_invalid_yaml::DOC, &pf200_invalid_yaml::TEXT),
    (&pf201_pool_exceeded::DOC, &pf201_pool_exceeded::TEXT),
    (&pf202_over_budget_after_fix::DOC, &pf202_over_budget_after_fix::TEXT),
    (&pf203_mlflow_workers::DOC, &pf203_mlflow_workers::TEXT),
    (&pf204_zero_pool_setting_ignored::DOC, &pf204_zero_pool_setting_ignored::TEXT),
    (&pf205_nullpool_with_pool_sizes::DOC, &pf205_nullpool_with_pool_sizes::TEXT),
    (&pf206_unlimited_pool::DOC, &pf206_unlimited_pool::TEXT),
    (&pf207_default_pool_settings::DOC, &pf207_default_pool_settings::TEXT),
    (&pf208_pool_in_code::DOC, &pf208_pool_in_code::TEXT),
    (&pf209_env_file_not_read::DOC, &pf209_env_file_not_read::TEXT),
    (&pf210_url_not_resolved::DOC, &pf210_url_not_resolved::TEXT),
    (&pf211_mlflow_job_execution::DOC, &pf211_mlflow_job_execution::TEXT),
    (&pf212_urls_beyond_the_first::DOC, &pf212_urls_beyond_the_first::TEXT),
    (&pf213_service_in_profile::DOC, &pf213_service_in_profile::TEXT),
    (&pf214_shared_environment::DOC, &pf214_shared_environment::TEXT),
    (&pf215_shared_text_needs_two_fixes::DOC, &pf215_shared_text_needs_two_fixes::TEXT),
    (&pf216_no_reserve_for_transaction_mode::DOC, &pf216_no_reserve_for_transaction_mode::TEXT),
    (&pf217_fewer_processes::DOC, &pf217_fewer_processes::TEXT),
    (&pf218_mlflow_image_without_driver::DOC, &pf218_mlflow_image_without_driver::TEXT),
    (&pf219_server_side_cursors_in_transaction_mode::DOC, &pf219_server_side_cursors_in_transaction_mode::TEXT),
    (&pf220_pool_fixed_by_release::DOC, &pf220_pool_fixed_by_release::TEXT),
    (&pf221_store_not_postgres::DOC, &pf221_store_not_postgres::TEXT),
];

/// The connection-string rules, in the order their fixes take priority.
type UrlRule = fn(&UrlCtx, &mut Vec<Finding>);
const URL_RULES: &[UrlRule] = &[
    pf103_postgres_scheme::check,
    pf104_wrong_driver_for_service::check,
    pf111_unencoded_password_character::check,
    pf118_second_question_mark::check,
    pf121_duplicate_parameter::check,
    pf101_pool_setting_in_url::check,
    pf102_option_refused_by_driver::check,
    pf120_value_refused_by_driver::check,
    pf113_prefect_listener_url_options::check,
    pf115_startup_options_through_pooler::check,
    pf116_pooler_mode_switch::check,
    pf117_host_assumed_from_user::check,
    pf105_missing_connect_timeout::check,
    pf106_missing_ssl::check,
    pf107_pooler_user_without_ref::check,
    pf108_direct_host_from_docker::check,
    pf109_dedicated_pooler_port::check,
    pf110_prepared_statements_in_transaction_mode::check,
    pf219_server_side_cursors_in_transaction_mode::check,
    pf123_async_engine_url::check,
    pf119_startup_parameter_refused_by_pgbouncer::check,
    pf114_implicit_driver::check,
    pf112_literal_password::check,
    pf122_client_limit::check,
];

/// The compose-service rules, in the order their findings are listed.
type ServiceRule = fn(&ServiceCtx, &mut Vec<Finding>);
const SERVICE_RULES: &[ServiceRule] = &[
    pf210_url_not_resolved::check,
    pf203_mlflow_workers::check,
    pf204_zero_pool_setting_ignored::check,
    pf205_nullpool_with_pool_sizes::check,
    pf206_unlimited_pool::check,
    pf207_default_pool_settings::check,
    pf211_mlflow_job_execution::check,
    pf208_pool_in_code::check,
    pf220_pool_fixed_by_release::check,
    pf212_urls_beyond_the_first::check,
    pf213_service_in_profile::check,
    pf209_env_file_not_read::check,
    pf217_fewer_processes::check,
    pf218_mlflow_image_without_driver::check,
];

/// The budget rules, for each pool.
type BudgetRule = fn(&BudgetCtx, &mut Vec<Finding>);
const BUDGET_RULES: &[BudgetRule] =
    &[pf201_pool_exceeded::check, pf202_over_budget_after_fix::check, pf216_no_reserve_for_transaction_mode::check];

/// What a compose-service rule sees about one service.
pub struct ServiceCtx<'a> {
    pub text: &'a str,
    pub service: &'a Service,
    pub options: &'a ComposeOptions,
    /// A `.env` was given, so `env_file` contents count.
    pub env_given: bool,
}

/// What a budget rule sees about one pool.
pub struct BudgetCtx<'a> {
    pub group: &'a BudgetGroup,
    /// The service that holds the most before the fix, and after it: where findings point.
    pub largest_before: Span,
    pub largest_after: Span,
    /// What to do when the chosen plan leaves the pool over (the planner's word).
    pub advice: &'a str,
}

impl BudgetCtx<'_> {
    pub fn mode(&self) -> &'static str {
        self.group.mode.map_or("?", |m| m.as_str())
    }
}

/// Runs every compose-service rule.
pub fn check_service(ctx: &ServiceCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    // A service whose URL names another store holds no connection to the pooler: none of the
    // pool rules apply, only the note that says so.
    let rules: &[ServiceRule] = match ctx.service.store {
        Some(_) => &[pf221_store_not_postgres::check],
        None => SERVICE_RULES,
    };
    for rule in rules {
        rule(ctx, &mut out);
    }
    out
}

/// Runs every budget rule on one pool.
pub fn check_budget(ctx: &BudgetCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in BUDGET_RULES {
        rule(ctx, &mut out);
    }
    out
}

/// Runs every connection-string rule.
pub fn check_url(ctx: &UrlCtx) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in URL_RULES {
        rule(ctx, &mut out);
    }
    out
}

/// Looks a rule up by its code.
pub fn rule(code: &str) -> Option<&'static RuleDoc> {
    CATALOG.iter().map(|(r, _)| *r).find(|r| r.code.eq_ignore_ascii_case(code))
}

/// What a connection-string rule knows about the URL it checks.
pub struct UrlCtx<'a> {
    pub text: &'a str,
    pub conn: &'a ConnString,
    pub options: &'a UrlOptions,
    pub service: ServiceKind,
    /// The driver named in the scheme (`None` when the scheme names none or an unknown one).
    pub written_driver: Option<Driver>,
    /// The driver the URL will use once poolfix's fixes are applied; rules judge keys by it.
    pub driver: Driver,
    pub endpoint: EndpointKind,
    pub project_ref: Option<String>,
    /// The pooler mode once a requested switch is applied.
    pub mode: PoolMode,
    /// The host is an unresolved variable; the endpoint was inferred from the user and port.
    pub host_assumed: bool,
}

impl UrlCtx<'_> {
    pub fn slice(&self, span: Span) -> &str {
        span.slice(self.text)
    }

    /// The program also hands this URL to a driver that refuses libpq's keys, and this release
    /// reads no separate URL for it (Airflow 3.0): adding `connect_timeout` or `sslmode` would
    /// break that engine (PF123).
    pub fn keys_reach_async_engine(&self) -> bool {
        let version = self.options.version.unwrap_or(self.service.versions.0);
        self.service.async_engine.as_ref().is_some_and(|e| version < e.since)
    }

    /// Whether the service's known environment sets `name` (to anything).
    pub fn env_has(&self, name: &str) -> bool {
        self.options.env.iter().any(|(k, _)| k == name)
    }
}
