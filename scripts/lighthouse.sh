#!/usr/bin/env bash
# Lighthouse 12.8.2 (mobile defaults) on the built site, served as static hosts serve it
# (scripts/serve.py: gzip, folder index pages) on 127.0.0.1. Prints the four category scores
# and the paint timings for the home page, a guide page and the checker.
# Lighthouse is not in package-lock.json (it breaks `npm ci` on Node 20): set LIGHTHOUSE to its
# cli/index.js, or npx fetches lighthouse@12.8.2.
set -euo pipefail
dist=${1:-dist}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 scripts/serve.py "$dist" "$port" &
server=$!
trap 'kill "$server"' EXIT
sleep 1
out=$(mktemp -d)
for page in "" guide/start/ check/; do
  report="$out/$(echo "${page:-home}" | tr / _).json"
  args=("http://127.0.0.1:$port/$page" --quiet --output=json --output-path="$report"
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage")
  if [ -n "${LIGHTHOUSE:-}" ]; then
    CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} node "$LIGHTHOUSE" "${args[@]}"
  else
    CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium} npx --yes lighthouse@12.8.2 "${args[@]}"
  fi
  python3 - "$report" "/$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
scores = " / ".join(f"{k} {round(v['score'] * 100)}" for k, v in r["categories"].items())
a = r["audits"]
timings = ", ".join(f"{n} {a[k]['displayValue']}" for n, k in [("FCP", "first-contentful-paint"),
    ("LCP", "largest-contentful-paint"), ("TBT", "total-blocking-time"), ("CLS", "cumulative-layout-shift")])
print(f"{sys.argv[2]:<16} {scores}  ({timings})")
PY
done
rm -rf "$out"
