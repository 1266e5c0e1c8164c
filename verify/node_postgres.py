#!/usr/bin/env python3
"""node-postgres against poolfix's advice (`make verify-drivers`): pg 8.23.1 from npm
(verify/node/package-lock.json) through the local PgBouncer, whose certificate no CA that Node
trusts has signed — as Supabase's pooler's is not.

- `sslmode=require` (and `prefer`, `ssl=true`) fails on the certificate, as PF120 says, and
  `poolfix explain` knows the error; poolfix's `sslmode=no-verify` (`ssl=no-verify`) connects;
- keys node-postgres does not read (`connection_limit`, `pool_size`, `connect_timeout`,
  `pgbouncer`) are ignored, as PF102 says: the URL connects and the pool still opens its default
  of 10 under a burst of 20;
- every `--for node-postgres` (and `--for prisma`: Prisma 7's adapter hands the URL to
  node-postgres) case of tests/urls/cases.txt whose corrected URL reaches the shared pooler
  connects with it and holds no more than the pool's 10 under a burst of 20.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, explained, measure, poolfix, summary, url_cases  # noqa: E402
from servers import PASSWORD, POOLER_USER, Servers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "aws-0-eu-central-1.pooler.supabase.com"


def run(url, burst=1):
    p = subprocess.run(["node", os.path.join(HERE, "node", "run.mjs"), url, str(burst)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"node failed: {p.stderr[-1500:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def local(url, servers):
    """The URL pointed at the local pooler for its port (6543: transaction), user and password set."""
    port = servers.transaction_port if ":6543/" in url else servers.session_port
    rest = url.split("@", 1)[1].split("/", 1)[1]
    return f"postgresql://{POOLER_USER}:{PASSWORD}@127.0.0.1:{port}/{rest}", port


def supabase(query):
    return f"postgresql://{POOLER_USER}:{PASSWORD}@{HOST}:5432/postgres{query}"


def ssl_case(servers):
    for query in ["?sslmode=require", "?sslmode=prefer", "?ssl=true"]:
        report = poolfix("url", supabase(query), "--for", "node-postgres")
        rules = [f["rule"] for f in report["findings"] if f["severity"] == "error"]
        assert rules == ["PF120"], f"{query}: {rules}"
        url, _ = local(supabase(query), servers)
        result = run(url)
        assert result["error"] and "certificate" in result["error"], f"{query} connected: {result}"
        explained(result["error"], f"node-postgres with {query}", expect="self-signed-certificate")
        fixed, _ = local(report["corrected_url"], servers)
        assert "=no-verify" in fixed, fixed
        assert run(fixed) == {"error": None, "ok": 1, "max": 10}, f"poolfix's {fixed}"


def ignored_case(servers):
    query = "?sslmode=no-verify&connection_limit=1&pool_size=1&connect_timeout=10&pgbouncer=true"
    report = poolfix("url", supabase(query), "--for", "node-postgres")
    flagged = sorted(f["message"].split("`")[1] for f in report["findings"] if f["rule"] in ("PF101", "PF102"))
    assert flagged == ["connect_timeout", "connection_limit", "pgbouncer", "pool_size"], flagged
    url, port = local(supabase(query), servers)
    result = {}
    peak = measure(servers, port, lambda: result.update(run(url, 20)))
    assert result == {"error": None, "ok": 20, "max": 10}, result
    assert peak == 10, f"connection_limit=1 and pool_size=1 are ignored: the pool opened {peak}, not 10"


def fixture_case(url, service, mode, servers):
    report = poolfix("url", url, "--for", service, "--mode", mode)
    fixed, port = local(report["corrected_url"], servers)
    result = {}
    peak = measure(servers, port, lambda: result.update(run(fixed, 20)))
    assert result["error"] is None and result["ok"] == 20, f"{fixed}: {result}"
    assert 1 <= peak <= 10, f"{peak} clients, node-postgres's pool allows 10"


def main():
    with Servers(pool_size=10) as servers:
        check("node-postgres: sslmode=require fails on the certificate (PF120); poolfix's sslmode=no-verify connects",
              lambda: ssl_case(servers))
        check("node-postgres: connection_limit, pool_size, connect_timeout, pgbouncer are ignored (PF102): 10 held",
              lambda: ignored_case(servers))
        # A Prisma 7 app's URL goes to node-postgres through @prisma/adapter-pg.
        for name, service, url, mode in url_cases("node-postgres", "prisma"):
            check(f"fixture {name}: poolfix's corrected URL works with node-postgres (--for {service})",
                  lambda: fixture_case(url, service, mode, servers))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
