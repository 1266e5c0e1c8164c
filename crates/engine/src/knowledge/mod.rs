//! What poolfix knows, as data: drivers and the URL keys they accept, services and the
//! settings they read, Supabase endpoints, and the limits per compute size. Each table row
//! cites its source (a public URL, or docs/sources.md and the `verify/` case that measured
//! it); the rules read these tables instead of hard-coding facts.

pub mod compute;
pub mod connection_vars;
pub mod drivers;
pub mod endpoints;
pub mod errors;
pub mod images;
pub mod services;
pub mod stores;

/// Whether a service can run through a transaction pooler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Compatible,
    CompatibleWithSettings,
    NotCompatible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compatible => "compatible",
            Verdict::CompatibleWithSettings => "compatible with settings",
            Verdict::NotCompatible => "not compatible",
        }
    }
}

/// A release: (major, minor, patch). An open part (`3-latest`) is [`LATEST`].
pub type Version = (u32, u32, u32);

/// A version part the tag leaves open (`3-latest`): the newest.
pub const LATEST: u32 = u32::MAX;

/// A version as people write it: `3.17.2`, `v3.4`, `2` or `2-latest` (open parts: the newest).
pub fn parse_version(text: &str) -> Option<Version> {
    let tag = text.trim().trim_start_matches('v');
    let digits: String = tag.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut parts = digits.split('.').filter(|p| !p.is_empty()).map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    // `3-latest` or `3.4`: the newest release of that line.
    Some((major, parts.next().flatten().unwrap_or(LATEST), parts.next().flatten().unwrap_or(LATEST)))
}

/// `3.17.2`, or `3.x` for an open tag.
pub fn version_label((a, b, c): Version) -> String {
    match (b, c) {
        (LATEST, _) => format!("{a}.x"),
        (b, LATEST) => format!("{a}.{b}.x"),
        (b, c) => format!("{a}.{b}.{c}"),
    }
}
