#!/usr/bin/env bash
# Prints raw, gzip -9 and brotli -q11 bytes of every file in dist/ and the total a first
# visit downloads (every file index.html loads; 404.html is only a copy for static hosts).
# Compares the total with the budget, and fails above the regression ceiling so the size
# cannot grow unnoticed while it is over budget.
set -euo pipefail
dist=${1:-dist}
budget=${SIZE_BUDGET:-102400}
ceiling=${SIZE_CEILING:-225280}
[ -f "$dist/index.html" ] || { echo "size: $dist/index.html not found; run make build" >&2; exit 1; }
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
total_raw=0 total_gz=0 total_br=0
while IFS= read -r f; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-44s %10d %10d %10d\n' "${f#"$dist"/}" "$raw" "$gz" "$br"
  if [ "$(basename "$f")" != 404.html ]; then
    total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  fi
done < <(find "$dist" -type f | sort)
printf '%-44s %10d %10d %10d\n' "first visit (all but 404.html)" "$total_raw" "$total_gz" "$total_br"
if [ "$total_br" -gt "$ceiling" ]; then
  echo "size: first visit is $total_br bytes brotli, above the regression ceiling of $ceiling" >&2
  exit 1
elif [ "$total_br" -gt "$budget" ]; then
  echo "size: first visit $total_br bytes brotli: OVER the budget of $budget by $((total_br - budget)) (ceiling $ceiling)"
else
  echo "size: first visit $total_br bytes brotli, within the budget of $budget"
fi
