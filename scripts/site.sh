#!/usr/bin/env bash
# trunk post_build hook: writes the static pages around trunk's build of the checker, then
# gives every page its Content-Security-Policy. One hook, so the two steps run in order.
set -euo pipefail
dir=${TRUNK_STAGING_DIR:-${1:-dist}}
cargo run --quiet --locked -p poolfix-guide --bin poolfix-site -- "$dir"
python3 scripts/csp.py "$dir"
