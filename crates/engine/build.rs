//! Generates one test per fixture (`tests/compose/*.yml`, each line of `tests/urls/cases.txt`),
//! so a fixture runs on its own by name: `cargo test -p poolfix-engine --test compose_cases seed`.
//! A new fixture needs no other change.

use std::fmt::Write as _;
use std::path::Path;

fn test_name(name: &str) -> String {
    let mut n: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert(0, '_');
    }
    n
}

fn main() {
    // At run time, not compile time: a build script binary may be shared between checkouts.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../../tests");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let compose = root.join("compose");
    let urls = root.join("urls/cases.txt");
    println!("cargo:rerun-if-changed={}", compose.display());
    println!("cargo:rerun-if-changed={}", urls.display());

    let mut names: Vec<String> = std::fs::read_dir(&compose)
        .map(|d| {
            d.filter_map(|e| e.ok()?.path().file_name()?.to_str()?.strip_suffix(".yml").map(str::to_string)).collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut src = String::new();
    for n in &names {
        let _ = writeln!(src, "#[test]\nfn {}() {{\n    check_fixture({n:?});\n}}", test_name(n));
    }
    std::fs::write(Path::new(&out).join("compose_fixtures.rs"), src).expect("write compose_fixtures.rs");

    let cases = std::fs::read_to_string(&urls).unwrap_or_default();
    let mut src = String::new();
    for line in cases.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let name = line.split('|').next().unwrap_or("").trim();
        let _ = writeln!(src, "#[test]\nfn {}() {{\n    check_case({name:?});\n}}", test_name(name));
    }
    std::fs::write(Path::new(&out).join("url_fixtures.rs"), src).expect("write url_fixtures.rs");
}
