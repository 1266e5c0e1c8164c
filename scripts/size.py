#!/usr/bin/env python3
"""What a first visit to each page of the built site downloads: the page, and every file it
loads (stylesheet, scripts, the wasm it preloads), in raw, gzip -9 and brotli -q11 bytes.

The budget (100 KB brotli) applies to every page. The home page and the guide must stay within
it; the checker, while it is over, must stay under the regression ceiling so it cannot grow
unnoticed. Exit status 1 when a limit is broken.
"""
import gzip
import os
import re
import subprocess
import sys

dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
BUDGET = int(os.environ.get("SIZE_BUDGET", 102400))
# 170 KiB: the settings tab and the checklists became escaped HTML strings (167,332 B), which
# paid for the log doctor (pasted errors explained: 172,930 B, +5,598 B). The next feature the
# page shows should bring its own saving.
# 171 KiB: Django as a stack (issue 14 asks for the engine's growth per stack): 173,666 B before,
# 174,983 B with it (+1,317 B: its service and driver entries, PF219, the per-thread count, and
# its error text for pasted logs); no saving of that size was found in this round (opt-level "s"
# instead of "z": 196,926 B).
# 172.5 KiB: node-postgres as a driver (the URL doctor's `--for node-postgres`, its ignored keys,
# its verify-full `sslmode`, its certificate error for pasted logs, the Prisma 7 note): 176,046 B
# (+1,063 B).
# 176 KiB: Airflow 3 as a stack: 176,321 B before, 179,723 B with it (+3,402 B: five service
# entries with their transaction verdicts and health check, PF123 and the async URL it writes,
# the per-process extra of 3.1/3.2's async engine, an inherited environment's own merging block,
# and the fix that never raises a pool).
# 177 KiB: a Prisma 7 app recognised in compose files (its entry, its detection by URL keys, a
# fixed per-process pool): 180,217 B (+494 B).
# 178 KiB: connections spread over variables (PGHOST, DB_HOST, POSTGRES_HOST, DATABASE_HOST,
# `…_POSTGRESQL__HOST`) assembled into one for the budget: 181,771 B (+1,554 B).
# 180 KiB: postgres.js as a driver (its URL options, startup-parameter refusal, misread `max`,
# `prepare=false&max_pipeline=0` written by PF110) and Node services recognised in compose files
# with their processes (pm2 `-i`, WEB_CONCURRENCY): 181,938 B before, 183,908 B (+1,970 B).
# 183 KiB: Prisma as two URL-doctor entries (`--for prisma`: Prisma 7's pg adapter, Prisma's own
# keys kept in a Prisma app's URL; `--for prisma-6`: Prisma 6's engine, its URL keys, pool and
# `pgbouncer=true` written by PF110): 183,908 B before, 186,541 B (+2,633 B).
# 184.5 KiB: Airflow 2 as a stack (issue 14's "2.10 where it differs"): five entries (webserver,
# scheduler with its parsing processes and LocalExecutor tasks, Celery worker, migration, the
# rest), extras counted from a variable, and a moved URL written as a service's own value instead
# of PF215's manual fix: 187,177 B before, 188,492 B after (+1,315 B); Airflow's pool turned off
# (PF206): 188,770 B (+278 B).
# 186 KiB: the Celery result backend as a URL of its own (issue 14's last Airflow gap): a
# prefix the service strips (`db+`), a second URL read beside the first and moved with it, an
# extra held only while that URL is a database's, the driver an image installs named by PF114,
# a 3.x scheduler entry, and the page's corrected URL shown with its prefix: 188,770 B before,
# 189,977 B after (+1,207 B); PF110 giving an Airflow URL psycopg2 for psycopg 3: 190,201 B (+224 B).
# 188 KiB: Prefect before 2.12 as its own entry (its `PREFECT_ORION_…` URL, SQLAlchemy's default
# pool counted where no setting exists, PF220 saying to upgrade): 190,213 B before, 190,593 B
# (+380 B); three error texts people reported (a role's connection limit, Prisma's pool timeout,
# P1001) and case-blind matching for pasted logs: 191,151 B (+558 B); `orion` names placing an
# unversioned Prefect, a command run through `sh -c` read word by word, and the page's
# "2.0 – 2.11" Prefect choice: 191,524 B (+373 B); Prefect 2.12 as its own entry: 191,719 B
# (+195 B). Measured this round: the YAML parser
# (saphyr-parser) is 15,188 B of the wasm's 180,222 B brotli.
# 175 KiB (lowered): the outputs, the settings form, the example picker and the share link as
# HTML strings with one handler each (184,797 B); PF221, env_file contents and shell variables
# (185,459 B); poolfix's own YAML reader instead of saphyr-parser: 176,467 B.
# 160 KiB (lowered, issue 13's target): send_wrapper without thread bookkeeping (173,913 B),
# wasm-opt --low-memory-unused (172,883 B), the JS glue minified by terser (171,468 B), one
# closure type for every handler and every reactive text, the text boxes, the share box and the
# sections' own elements as HTML, context read without `expect_context`'s Debug formatting,
# relative guide links, and the home page's and the guide's rules out of main.css: 163,231 B.
CEILING = int(os.environ.get("SIZE_CEILING", 163840))

if not os.path.isfile(os.path.join(dist, "index.html")):
    sys.exit(f"size: {dist}/index.html not found; run make build")
base = re.search(r'<base href="([^"]*)"', open(os.path.join(dist, "index.html")).read()).group(1)
sizes = {}


def size(path):
    if path not in sizes:
        data = open(path, "rb").read()
        br = subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True).stdout
        sizes[path] = (len(data), len(gzip.compress(data, 9)), len(br))
    return sizes[path]


def first_visit(page):
    """The page and the site files it references (href/src under the base)."""
    html = open(os.path.join(dist, page), encoding="utf-8").read()
    files = [page]
    for ref in re.findall(r'(?:href|src|module_or_path:) ?=? ?["\']([^"\'#]+)["\']', html):
        if ref.startswith(base) and not ref.endswith("/"):
            f = ref[len(base):]
            if os.path.isfile(os.path.join(dist, f)) and f not in files:
                files.append(f)
    return files


pages = sorted(os.path.relpath(os.path.join(d, f), dist) for d, _, fs in os.walk(dist) for f in fs if f.endswith(".html"))
print(f"{'file':<46} {'raw':>9} {'gzip':>9} {'brotli':>9}")
for f in sorted({f for p in pages for f in first_visit(p)}):
    raw, gz, br = size(os.path.join(dist, f))
    print(f"{f:<46} {raw:>9} {gz:>9} {br:>9}")
print(f"\nfirst visit, per page (page + everything it loads):\n{'page':<46} {'raw':>9} {'gzip':>9} {'brotli':>9}")
failed = False
worst_static = ("", 0)
for page in pages:
    if page == "404.html":
        continue
    total = [sum(size(os.path.join(dist, f))[i] for f in first_visit(page)) for i in range(3)]
    print(f"{'/' + page.removesuffix('index.html'):<46} {total[0]:>9} {total[1]:>9} {total[2]:>9}")
    if page == "check/index.html":
        checker = total[2]
    elif total[2] > worst_static[1]:
        worst_static = (page, total[2])
print()
if worst_static[1] > BUDGET:
    print(f"size: /{worst_static[0]} is {worst_static[1]} bytes brotli, over the budget of {BUDGET}", file=sys.stderr)
    failed = True
else:
    print(f"size: home and guide pages at most {worst_static[1]} bytes brotli, within the budget of {BUDGET}")
if checker > CEILING:
    print(f"size: /check/ is {checker} bytes brotli, above the regression ceiling of {CEILING}", file=sys.stderr)
    failed = True
elif checker > BUDGET:
    print(f"size: /check/ {checker} bytes brotli: OVER the budget of {BUDGET} by {checker - BUDGET} (ceiling {CEILING})")
else:
    print(f"size: /check/ {checker} bytes brotli, within the budget of {BUDGET}")
sys.exit(1 if failed else 0)
