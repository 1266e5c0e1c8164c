//! The engine must stay pure: no UI framework, no browser bindings. This checks the real
//! dependency tree that cargo resolves, so adding such a dependency fails the tests.

use std::process::Command;

#[test]
fn the_engine_depends_on_no_web_crate() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "-p", "poolfix-engine", "-e", "normal", "--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(tree.starts_with("poolfix-engine "), "unexpected cargo tree output:\n{tree}");
    for forbidden in ["leptos", "web-sys", "wasm-bindgen", "js-sys", "tachys", "reactive_graph"] {
        let hit = tree.lines().find(|l| l.split_whitespace().next() == Some(forbidden));
        assert!(hit.is_none(), "the engine depends on `{forbidden}`:\n{tree}");
    }
}
