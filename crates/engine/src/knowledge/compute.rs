//! Connection limits per Supabase compute size (docs/sources.md#limits). Direct maximum and pooler max
//! clients: supabase docs `guides/platform/compute-and-disk`; default pool size: Supabase
//! Studio `ConnectionPooling.constants.ts`.

/// One compute size's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compute {
    /// The CLI's `--compute` value.
    pub name: &'static str,
    pub label: &'static str,
    pub direct_max: u32,
    pub pooler_max_clients: u32,
    pub default_pool_size: u32,
}

const fn size(
    name: &'static str,
    label: &'static str,
    direct_max: u32,
    pooler_max_clients: u32,
    default_pool_size: u32,
) -> Compute {
    Compute { name, label, direct_max, pooler_max_clients, default_pool_size }
}

pub static COMPUTE_SIZES: [Compute; 11] = [
    size("nano", "Nano (free)", 60, 200, 15),
    size("micro", "Micro", 60, 200, 15),
    size("small", "Small", 90, 400, 15),
    size("medium", "Medium", 120, 600, 15),
    size("large", "Large", 160, 800, 20),
    size("xl", "XL", 240, 1_000, 20),
    size("2xl", "2XL", 380, 1_500, 25),
    size("4xl", "4XL", 480, 3_000, 32),
    size("8xl", "8XL", 490, 6_000, 64),
    size("12xl", "12XL", 500, 9_000, 96),
    size("16xl", "16XL", 500, 12_000, 128),
];

impl Compute {
    /// The largest pool size Supabase advises: 80 % of the direct connections (40 % with heavy
    /// Data API use, which also needs them).
    pub fn advised_pool_max(&self) -> u32 {
        self.direct_max * 4 / 5
    }
}

/// A limit across the compute sizes, in runs of equal values: "15 on Nano (free) to Medium, 20 on
/// Large to XL, …".
pub fn across_sizes(limit: fn(&Compute) -> u32) -> String {
    let mut runs: Vec<(u32, &str, &str)> = Vec::new();
    for c in &COMPUTE_SIZES {
        match runs.last_mut() {
            Some((v, _, last)) if *v == limit(c) => *last = c.label,
            _ => runs.push((limit(c), c.label, c.label)),
        }
    }
    let run = |(v, first, last): &(u32, &str, &str)| match first == last {
        true => format!("{v} on {first}"),
        false => format!("{v} on {first} to {last}"),
    };
    runs.iter().map(run).collect::<Vec<_>>().join(", ")
}

pub fn compute(name: &str) -> Option<&'static Compute> {
    COMPUTE_SIZES.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}
