//! The values of `--for`, `--compute` and `--mode`, read from the engine's tables: a service,
//! compute size or mode added there is accepted here with no change.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use poolfix_engine::knowledge::compute::{compute as compute_named, Compute, COMPUTE_SIZES};
use poolfix_engine::knowledge::services::{self, ServiceKind};
use poolfix_engine::ModeChoice;

/// `--for`: the service table's entries that the URL doctor serves.
pub fn service() -> impl TypedValueParser<Value = ServiceKind> {
    let values = services::for_urls().map(|k| PossibleValue::new(k.id).help(k.label));
    PossibleValuesParser::new(values.collect::<Vec<_>>())
        .map(|id| services::from_cli(&id).expect("a value the parser offered"))
}

/// `--compute`: the compute-size table.
pub fn compute() -> impl TypedValueParser<Value = &'static Compute> {
    let values = COMPUTE_SIZES.iter().map(|c| PossibleValue::new(c.name).help(c.label));
    PossibleValuesParser::new(values.collect::<Vec<_>>())
        .map(|name| compute_named(&name).expect("a value the parser offered"))
}

/// `--mode`: where the URLs should end up.
pub fn mode() -> impl TypedValueParser<Value = ModeChoice> {
    PossibleValuesParser::new(ModeChoice::ALL.map(|m| m.as_str()))
        .map(|name| ModeChoice::from_cli(&name).expect("a value the parser offered"))
}
