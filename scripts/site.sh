#!/usr/bin/env bash
# trunk post_build hook: minifies the checker's JS glue, writes the static pages around trunk's
# build of the checker, then gives every page its Content-Security-Policy. One hook, so the
# steps run in order.
set -euo pipefail
dir=${TRUNK_STAGING_DIR:-${1:-dist}}
python3 scripts/minify_js.py "$dir"
cargo run --quiet --locked -p poolfix-guide --bin poolfix-site -- "$dir"
python3 scripts/csp.py "$dir"
