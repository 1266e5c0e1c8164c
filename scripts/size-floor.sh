#!/usr/bin/env bash
# The smallest the checker's wasm could be with this stack: two throw-away Leptos apps built
# with the release profile, this repo's patched Leptos (vendor/), the pinned wasm-bindgen, the
# checker's wasm-opt flags and terser, measured like `make size` (brotli -q11, wasm + JS loader):
#   1. Leptos alone: a text box and a <pre> showing the text upper-cased;
#   2. the same box with the engine behind it: every output the checker shows (findings,
#      fixed file, diff, .env lines, plan, corrected URLs, explain notes, the markdown report,
#      a pasted log explained) joined into one <pre>.
# The second is the floor for any checker on this engine and Leptos: no settings, no chart, no
# tabs, no markup beyond two elements. Builds in a temporary folder (this repo's Cargo.lock,
# the shared target dir, offline), so it changes nothing here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$repo/target"
opt="$repo/node_modules/.bin/wasm-opt"
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

app() { # name, whether the engine is a dependency, main.rs
  mkdir -p "$work/$1/src"
  cat > "$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.1.0"
edition = "2021"

[dependencies]
leptos = { version = "0.8", features = ["csr"] }
wasm-bindgen = "0.2"
# What the patched Leptos needs of web-sys (vendor/README.md).
web-sys = { version = "0.3", features = ["FormData", "UrlSearchParams", "Url"] }
$([ "$2" = yes ] && echo "poolfix-engine = { path = \"$repo/crates/engine\" }")

[profile.release]
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"

[workspace]

[patch.crates-io]
leptos = { path = "$repo/vendor/leptos" }
send_wrapper = { path = "$repo/vendor/send_wrapper" }
EOF
  cp "$repo/Cargo.lock" "$work/$1/"
  cat > "$work/$1/src/main.rs"
  (cd "$work/$1" && cargo build --quiet --offline --release --target wasm32-unknown-unknown)
  wasm-bindgen --target web --out-dir "$work/$1/out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$1.wasm"
  # shellcheck disable=SC2086
  "$opt" -Oz --converge --low-memory-unused $features --strip-debug --strip-producers "$work/$1/out/${1}_bg.wasm" -o "$work/$1/out/opt.wasm"
  "$repo/node_modules/.bin/terser" "$work/$1/out/$1.js" --module --compress --mangle --output "$work/$1/out/$1.js"
  local wasm js
  wasm=$(brotli -q 11 -c "$work/$1/out/opt.wasm" | wc -c)
  js=$(brotli -q 11 -c "$work/$1/out/$1.js" | wc -c)
  printf '%-34s wasm %7d  js %5d  total %7d bytes brotli\n' "$3" "$wasm" "$js" $((wasm + js))
}

app floor_leptos no "Leptos, a text box" <<'EOF'
use leptos::prelude::*;
fn main() {
    mount_to_body(|| {
        let (text, set_text) = signal(String::new());
        let out = Memo::new(move |_| text.get().to_uppercase());
        view! {
            <textarea on:input=move |e| set_text.set(event_target_value(&e))></textarea>
            <pre>{move || out.get()}</pre>
        }
    })
}
EOF

app floor_engine yes "Leptos, a text box and the engine" <<'EOF'
use leptos::prelude::*;
use poolfix_engine::compose::{analyze_compose, ComposeOptions};
use poolfix_engine::knowledge::services::SQLALCHEMY;
use poolfix_engine::url_doctor::{analyze_url, UrlOptions};
fn main() {
    mount_to_body(|| {
        let (text, set_text) = signal(String::new());
        let out = Memo::new(move |_| {
            let t = text.get();
            let mut s = String::new();
            if t.trim_start().starts_with("postgres") {
                for line in t.lines() {
                    let r = analyze_url(line, &UrlOptions::new(&SQLALCHEMY));
                    for f in &r.findings { s.push_str(&f.message); }
                    s.push_str(r.corrected_url.as_deref().unwrap_or(""));
                    for p in &r.explain { s.push_str(&p.note); }
                    s.push_str(&poolfix_engine::report::markdown::urls(line, &[(0, &r)]));
                }
            } else if !t.contains("services:") {
                s.push_str(&poolfix_engine::report::log::markdown(&poolfix_engine::log_doctor::explain_log(&t, None)));
            } else {
                let r = analyze_compose(&t, &ComposeOptions::default());
                for f in &r.findings { s.push_str(&f.finding.message); }
                s.push_str(&r.fixed);
                s.push_str(&r.diff);
                s.push_str(&r.env_lines);
                s.push_str(&r.plan.to_markdown());
                s.push_str(&poolfix_engine::report::markdown::compose(&r));
            }
            s
        });
        view! {
            <textarea on:input=move |e| set_text.set(event_target_value(&e))></textarea>
            <pre>{move || out.get()}</pre>
        }
    })
}
EOF
