#!/usr/bin/env python3
"""Prisma 7 through the pooler (`make verify`): Prisma 7.10 with its node-postgres adapter
(`@prisma/adapter-pg`, pinned in verify/prisma/package-lock.json) hands the URL to node-postgres,
so Prisma's own URL keys of 6 and earlier are ignored:

- with `?pgbouncer=true&connection_limit=1` on the session pooler, a burst of 20 queries still
  opens node-postgres's default pool of 10 (what poolfix's node-postgres findings say: PF102);
- on the transaction pooler it works without `pgbouncer=true` (raw queries and inserts);
- poolfix's `--for node-postgres` corrected URL of such a URL connects the same way.

`prisma generate` needs no schema engine, but Prisma's CLI downloads one from binaries.prisma.sh
first, which this machine cannot reach: PRISMA_SCHEMA_ENGINE_BINARY=/bin/true stands in for it.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, measure, poolfix, summary  # noqa: E402
from servers import PASSWORD, POOLER_USER, Servers  # noqa: E402

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prisma")
PRISMA_URL = "?sslmode=no-verify&pgbouncer=true&connection_limit=1"


def generate():
    env = dict(os.environ, PRISMA_SCHEMA_ENGINE_BINARY="/bin/true")
    p = subprocess.run([os.path.join(APP, "node_modules", ".bin", "prisma"), "generate"],
                       cwd=APP, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"prisma generate: {p.stdout[-1000:]}{p.stderr[-1000:]}"


def run(url, burst):
    p = subprocess.run([os.path.join(APP, "node_modules", ".bin", "tsx"), "run.ts", url, str(burst)],
                       cwd=APP, capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, f"tsx run.ts: {p.stderr[-1500:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def url(port, query):
    return f"postgresql://{POOLER_USER}:{PASSWORD}@127.0.0.1:{port}/postgres{query}"


def held(servers, port, query):
    result = {}
    peak = measure(servers, port, lambda: result.update(run(url(port, query), 20)))
    assert result["error"] is None and result["ok"] == 40, f"{query}: {result}"
    return peak


def session_case(servers):
    peak = held(servers, servers.session_port, PRISMA_URL)
    assert peak == 10, f"connection_limit=1 should be ignored (node-postgres's 10): {peak} held"
    supabase = f"postgresql://{POOLER_USER}:{PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres{PRISMA_URL}"
    report = poolfix("url", supabase, "--for", "node-postgres")
    flagged = {f["message"].split("`")[1] for f in report["findings"] if f["rule"] == "PF102"}
    assert flagged == {"pgbouncer", "connection_limit"}, flagged
    query = "?" + report["corrected_url"].split("?", 1)[1]
    assert held(servers, servers.session_port, query) <= 10


def transaction_case(servers):
    assert 1 <= held(servers, servers.transaction_port, "?sslmode=no-verify") <= 10


def main():
    generate()
    with Servers(pool_size=10) as servers:
        check("Prisma 7 (adapter-pg): connection_limit=1 and pgbouncer=true are ignored, the pool opens 10, as PF102 says",
              lambda: session_case(servers))
        check("Prisma 7 (adapter-pg): works through the transaction pooler without pgbouncer=true",
              lambda: transaction_case(servers))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
