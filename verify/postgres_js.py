#!/usr/bin/env python3
"""postgres.js against poolfix's advice (`make verify-drivers`): postgres 3.4.9 from npm
(verify/node/package-lock.json) through the local PgBouncer 1.18, which like Supavisor keeps no
prepared statements in transaction mode.

- with postgres.js's defaults, a burst of 300 queries through the transaction pooler (2 server
  connections) fails with `prepared statement "…" does not exist` or leaves queries unanswered,
  as PF110 says, and `poolfix explain` knows the error; poolfix's corrected URL
  (`prepare=false&max_pipeline=0`) answers all 300, with parameters and without (pipelined),
  on a pooler of its own: after the defaults' run, the same PgBouncer handed the next client a
  server connection with the defaults' replies still on it (2 of 8 runs: postgres.js's
  `TypeError: Cannot read properties of undefined (reading 'length')` at `DataRow`, no query
  answered), which says how the defaults harm other services on the pooler, not the cure;
- keys postgres.js does not know (Prisma's `pgbouncer`, `connection_limit`) reach the pooler as
  startup parameters and are refused, as PF102 says; the corrected URL connects;
- `max` in the URL is misread (PF102): `?max=5` holds one connection under a burst;
- `sslmode=no-verify` and `ssl=true` verify the pooler's self-signed certificate and fail
  (PF120); poolfix's `sslmode=require` connects;
- every `--for postgres-js` case of tests/urls/cases.txt whose corrected URL reaches the pooler
  connects with it and holds no more than postgres.js's 10 under a burst of 20.
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


def run(url, burst=1, plain=False, timeout=10):
    args = ["node", os.path.join(HERE, "node", "postgresjs.mjs"), url, str(burst), str(timeout)]
    p = subprocess.run(args + (["plain"] if plain else []), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"node failed: {p.stderr[-1500:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def local(url, servers):
    """The URL pointed at the local pooler for its port (6543: transaction), user and password set."""
    port = servers.transaction_port if ":6543/" in url else servers.session_port
    rest = url.split("@", 1)[1].split("/", 1)[1]
    return f"postgres://{POOLER_USER}:{PASSWORD}@127.0.0.1:{port}/{rest}", port


def supabase(port, query):
    return f"postgres://{POOLER_USER}:{PASSWORD}@{HOST}:{port}/postgres{query}"


def errors(report):
    return sorted({f["rule"] for f in report["findings"] if f["severity"] == "error"})


def defaults_case(servers):
    report = poolfix("url", supabase(6543, "?sslmode=require"), "--for", "postgres-js")
    assert errors(report) == ["PF110"], errors(report)
    url, _ = local(supabase(6543, "?sslmode=require"), servers)
    result = run(url, 300)
    assert result["error"] and result["ok"] < 300, f"the defaults answered every query: {result}"
    if "prepared statement" in result["error"]:
        explained(result["error"], "postgres.js's defaults through a transaction pooler", expect="prepared-statement-missing")


def cure_case(servers):
    report = poolfix("url", supabase(6543, "?sslmode=require"), "--for", "postgres-js")
    fixed, port = local(report["corrected_url"], servers)
    assert "prepare=false" in fixed and "max_pipeline=0" in fixed, fixed
    for plain in (False, True):
        result = {}
        # 300 queries of 50 ms on 2 server connections take 7.5 s: 30 s tells slow from hung.
        peak = measure(servers, port, lambda: result.update(run(fixed, 300, plain, timeout=30)))
        assert result == {"error": None, "ok": 300, "max": 10, "prepare": False}, f"{fixed}: {result}"
        assert 1 <= peak <= 10, f"{peak} clients, postgres.js's pool allows 10"


def prisma_keys_case(servers):
    query = "?sslmode=require&pgbouncer=true&connection_limit=1"
    report = poolfix("url", supabase(5432, query), "--for", "postgres-js")
    flagged = sorted(f["message"].split("`")[1] for f in report["findings"] if f["rule"] == "PF102")
    assert flagged == ["connection_limit", "pgbouncer"], flagged
    url, _ = local(supabase(5432, query), servers)
    result = run(url)
    assert result["error"] and "unsupported startup parameter" in result["error"], result
    explained(result["error"], "postgres.js with Prisma's keys", expect="unsupported-startup-parameter")
    fixed, _ = local(report["corrected_url"], servers)
    assert run(fixed)["ok"] == 1, f"poolfix's {fixed}"


def max_case(servers):
    query = "?sslmode=require&max=5"
    report = poolfix("url", supabase(5432, query), "--for", "postgres-js")
    assert [f["rule"] for f in report["findings"] if "`max`" in f["message"]] == ["PF102"], report["findings"]
    url, port = local(supabase(5432, query), servers)
    result = {}
    peak = measure(servers, port, lambda: result.update(run(url, 20)))
    assert result["ok"] == 20 and peak == 1, f"?max=5 held {peak} ({result})"


def ssl_case(servers):
    for query in ["?sslmode=no-verify", "?ssl=true"]:
        report = poolfix("url", supabase(5432, query), "--for", "postgres-js")
        assert errors(report) == ["PF120"], f"{query}: {errors(report)}"
        url, _ = local(supabase(5432, query), servers)
        result = run(url)
        assert result["error"] and "certificate" in result["error"], f"{query} connected: {result}"
        explained(result["error"], f"postgres.js with {query}", expect="self-signed-certificate")
        fixed, _ = local(report["corrected_url"], servers)
        assert fixed.endswith(("?sslmode=require", "?ssl=require")) and run(fixed)["ok"] == 1, f"poolfix's {fixed}"


def fixture_case(url, mode, servers):
    report = poolfix("url", url, "--for", "postgres-js", "--mode", mode)
    fixed, port = local(report["corrected_url"], servers)
    result = {}
    peak = measure(servers, port, lambda: result.update(run(fixed, 20)))
    assert result["error"] is None and result["ok"] == 20, f"{fixed}: {result}"
    assert 1 <= peak <= 10, f"{peak} clients, postgres.js's pool allows 10"


def main():
    # Two server connections: a burst of 300 makes postgres.js's clients share them, as a
    # Supavisor pool shares its few among many clients.
    with Servers(pool_size=2) as servers:
        check("postgres.js: defaults through the transaction pooler fail (PF110)", lambda: defaults_case(servers))
    # A pooler of its own: the defaults' run can leave its replies on a server connection.
    with Servers(pool_size=2) as servers:
        check("postgres.js: prepare=false&max_pipeline=0 answers 300 of 300 through the transaction pooler (PF110)",
              lambda: cure_case(servers))
    with Servers(pool_size=10) as servers:
        check("postgres.js: Prisma's keys are refused as startup parameters (PF102); the corrected URL connects",
              lambda: prisma_keys_case(servers))
        check("postgres.js: max=5 in the URL holds one connection (PF102, misread)", lambda: max_case(servers))
        check("postgres.js: sslmode=no-verify and ssl=true verify and fail (PF120); sslmode=require connects",
              lambda: ssl_case(servers))
        for name, _, url, mode in url_cases("postgres-js"):
            check(f"fixture {name}: poolfix's corrected URL works with postgres.js",
                  lambda: fixture_case(url, mode, servers))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
