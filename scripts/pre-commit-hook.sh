#!/usr/bin/env bash
# pre-commit's entry for poolfix (.pre-commit-hooks.yaml): builds the CLI from this checkout
# (once; cargo then finds it up to date) and runs `poolfix check` on the files pre-commit passes.
# pre-commit's `language: rust` would `cargo install` the workspace's root package, which is the
# web page, not the CLI: hence a script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --quiet --locked --manifest-path "$root/Cargo.toml" -p poolfix-cli
exec "${CARGO_TARGET_DIR:-$root/target}/debug/poolfix" check "$@"
