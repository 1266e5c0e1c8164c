#!/usr/bin/env python3
"""Driver-level verification: poolfix's advice against real PostgreSQL, PgBouncer and drivers.

For URLs poolfix flags as broken, the real driver must fail with the error text poolfix quotes.
For poolfix's corrected URLs and settings, an engine built as the service builds it must connect
through the matching pooler mode, run concurrent queries without errors or wrong results, and
hold no more server connections than poolfix's maximum: through the matching PgBouncer mode for
Supabase's shared pooler, on PostgreSQL itself for a direct or self-hosted host. Prints
`N passed, N failed`.
"""
import asyncio
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import explained, check, concurrently, local, measure, poolfix, summary  # noqa: E402
from servers import PASSWORD, POOL_SIZE, POOLER_USER, Servers  # noqa: E402

import sqlalchemy  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

REF = "abcdefghijklmnopqrst"
HOST = "aws-0-eu-central-1.pooler.supabase.com"
CONCURRENCY = 20


def poolfix_url(url, service, mode="keep"):
    return poolfix("url", url, "--for", service, "--mode", mode)


def connect_error(url, async_driver):
    """The error text a real connection attempt with `url` gives (None when it connects)."""
    try:
        if async_driver:
            async def go():
                engine = create_async_engine(url, poolclass=NullPool)
                try:
                    async with engine.connect() as c:
                        await c.execute(text("select 1"))
                finally:
                    await engine.dispose()
            asyncio.run(go())
        else:
            engine = sqlalchemy.create_engine(url, poolclass=NullPool)
            with engine.connect() as c:
                c.execute(text("select 1"))
            engine.dispose()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"
    return None


# --- URLs poolfix says are broken: the driver must fail as poolfix says --------------------
BROKEN = [
    # (url, service, rule that must fire)
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10", "sqlalchemy", "PF101"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:5432/postgres?pool_size=1&max_overflow=0", "sqlalchemy", "PF101"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?pool_size=1&max_overflow=0", "sqlalchemy", "PF101"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require", "prefect", "PF102"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=10", "sqlalchemy", "PF102"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?application_name=api", "sqlalchemy", "PF102"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?timeout=10", "sqlalchemy", "PF102"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?timeout=10", "sqlalchemy", "PF102"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=10&command_timeout=10", "sqlalchemy", "PF102"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=10&ssl=require", "sqlalchemy", "PF102"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=10&timeout=5", "sqlalchemy", "PF102"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=requre&connect_timeout=10", "sqlalchemy", "PF120"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require&connect_timeout=10s", "sqlalchemy", "PF120"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require&connect_timeout=ten", "sqlalchemy", "PF120"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=requre&connect_timeout=10", "sqlalchemy", "PF120"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require&connect_timeout=10&sslmode=disable", "sqlalchemy", "PF121"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=5&sslmode=require&connect_timeout=10", "sqlalchemy", "PF121"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres?connect_timeout=10&connect_timeout=ten", "sqlalchemy", "PF121"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:6543/postgres?pgbouncer=true&connection_limit=1", "sqlalchemy", "PF102"),
]


def broken_case(url, service, rule, servers):
    report = poolfix_url(url, service)
    findings = [f for f in report["findings"] if f["rule"] == rule]
    assert findings, f"poolfix did not report {rule}"
    real = connect_error(local(url, servers)[0], "+asyncpg" in url)
    assert real is not None, "the driver accepted a URL poolfix says it refuses"
    explained(real, f"the driver's error for {rule}")
    # One of poolfix's findings must quote what the driver really said: the driver stops at the
    # first key it refuses, poolfix reports each.
    def quoted_error(message):
        return message.rsplit(": ", 1)[-1] if ": " in message else message
    quotes = [quoted_error(f["message"]) for f in findings]
    exact = [q for q in quotes if q in real]
    described = [f for f in findings if "arrives as a string" in f["message"]]
    assert exact or described, f"driver said {real!r}; poolfix quoted {quotes!r}"


# --- poolfix's corrected URLs: connect, no errors, no wrong results, within the budget ----
GOOD = [
    # (naive URL, service, mode)
    (f"postgresql://postgres.{REF}:x@{HOST}:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10", "mlflow", "keep"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require&connect_timeout=10", "prefect", "keep"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:5432/postgres?sslmode=require", "prefect", "transaction"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres", "sqlalchemy", "keep"),
    (f"postgresql+psycopg2://postgres.{REF}:x@{HOST}:5432/postgres", "sqlalchemy", "transaction"),
    (f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:6543/postgres?ssl=require", "sqlalchemy", "keep"),
    (f"postgresql+psycopg://postgres.{REF}:x@{HOST}:6543/postgres?sslmode=require", "sqlalchemy", "keep"),
    (f"postgres://postgres.{REF}:x@{HOST}:5432/postgres", "sqlalchemy", "keep"),
]


def engine_args(report, service):
    """create_engine() arguments as the service derives them from poolfix's settings."""
    env = report["env"]
    transaction = report["mode_after"] == "transaction"
    if service == "mlflow":
        return {"pool_size": int(env["MLFLOW_SQLALCHEMYSTORE_POOL_SIZE"]), "max_overflow": int(env["MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW"])}, {}
    if service == "prefect2":
        args = {"pool_size": int(env["PREFECT_SQLALCHEMY_POOL_SIZE"]), "max_overflow": int(env["PREFECT_SQLALCHEMY_MAX_OVERFLOW"])}
        return args, {"timeout": float(env["PREFECT_API_DATABASE_CONNECTION_TIMEOUT"])}
    if service == "prefect":
        args = {"pool_size": int(env["PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE"]),
                "max_overflow": int(env["PREFECT_SERVER_DATABASE_SQLALCHEMY_MAX_OVERFLOW"])}
        connect = {"timeout": float(env["PREFECT_SERVER_DATABASE_CONNECTION_TIMEOUT"])}
        if "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE" in env:
            connect["statement_cache_size"] = int(env["PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE"])
            connect["prepared_statement_cache_size"] = int(env["PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_PREPARED_STATEMENT_CACHE_SIZE"])
        return args, connect
    # A SQLAlchemy service follows poolfix's create_engine() snippet.
    snippet = report["snippet"] or ""
    if transaction or "NullPool" in snippet:
        connect = {}
        if "statement_cache_size" in snippet:
            connect["statement_cache_size"] = 0
        if "prepare_threshold" in snippet:
            connect["prepare_threshold"] = None
        return {"poolclass": NullPool}, connect
    return {"pool_size": 1, "max_overflow": 1, "pool_pre_ping": True}, {}


def predicted(args):
    if args.get("poolclass") is NullPool:
        return CONCURRENCY  # NullPool: one per concurrent query; the pooler caps the server side
    return args["pool_size"] + args["max_overflow"]


def run_load(url, args, connect, servers, port, user=POOLER_USER):
    """20 concurrent distinct queries, 6 each (drivers that prepare after repeated use do so);
    each must return its own number. Returns the most connections the engine held for `user`
    at the pooler or database on `port`."""
    # Clients of an earlier case may still be closing: wait for them (up to 5 s); any left (a
    # failed control run) are the baseline, left out of the count by identity.
    deadline = time.time() + 5
    baseline = servers.client_ids(port, user)
    while baseline and time.time() < deadline:
        time.sleep(0.05)
        baseline = servers.client_ids(port, user)

    def load():
        if "+asyncpg" in url:
            async def go():
                engine = create_async_engine(url, connect_args=connect, **args)
                try:
                    async def one(n):
                        async with engine.connect() as c:
                            for _ in range(6):
                                got = (await c.execute(text("select cast(:n as int) + 0"), {"n": n})).scalar()
                                assert got == n, f"wrong result: {got} for {n}"
                            await asyncio.sleep(0.05)
                    await asyncio.gather(*(one(n) for n in range(CONCURRENCY)))
                finally:
                    await engine.dispose()
            asyncio.run(go())
        else:
            engine = sqlalchemy.create_engine(url, connect_args=connect, **args)

            def one(n):
                with engine.connect() as c:
                    for _ in range(6):
                        got = c.execute(text("select cast(:n as int) + 0"), {"n": n}).scalar()
                        assert got == n, f"wrong result: {got} for {n}"
                    time.sleep(0.05)
            try:
                concurrently(CONCURRENCY, one)
            finally:
                engine.dispose()

    return measure(servers, port, load, baseline, user)


def good_case(naive, service, mode, servers):
    report = poolfix_url(naive, service, mode)
    corrected = report["corrected_url"]
    assert corrected, "no corrected URL"
    url, port = local(corrected, servers)
    args, connect = engine_args(report, service)
    peak = run_load(url, args, connect, servers, port)
    assert peak >= 1, "the load never reached the pooler"
    assert peak <= predicted(args), f"the engine held {peak} connections, poolfix predicted at most {predicted(args)}"
    if report["mode_after"] == "session":
        assert peak <= POOL_SIZE, f"{peak} clients through a session pool of {POOL_SIZE}"


def control_case(servers):
    """The harness can fail: asyncpg's defaults through the transaction pooler must break
    (prepared statements), as docs/sources.md#prepared-statements says. If this passes, the pooler is not a
    faithful stand-in and the other results mean nothing."""
    url, _ = local(f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:6543/postgres?ssl=require", servers)
    try:
        run_load(url, {"pool_size": 5, "max_overflow": 0}, {}, servers, servers.transaction_port)
    except Exception as e:  # noqa: BLE001
        assert "prepared statement" in str(e) or "wrong result" in str(e), f"failed, but not on prepared statements: {e}"
        return
    raise AssertionError("asyncpg's defaults worked through the transaction pooler: the stand-in does not behave like Supavisor")


ASYNCPG_030 = os.environ.get("ASYNCPG030_PYTHON", ".venv-asyncpg030/bin/python")


def asyncpg_version_case(servers):
    """poolfix's asyncpg cure says it needs asyncpg 0.31 or later. Two processes on the transaction
    pooler with the statement cache off: asyncpg 0.30 must fail on prepared statements, 0.32 must
    not (docs/sources.md#prepared-statements)."""
    naive = f"postgresql+asyncpg://postgres.{REF}:x@{HOST}:6543/postgres?ssl=require"
    advice = " ".join(f["message"] for f in poolfix_url(naive, "sqlalchemy")["findings"] if f["rule"] == "PF110")
    assert "asyncpg 0.31 or later" in advice, f"poolfix's advice does not name the release: {advice}"
    url, _ = local(naive, servers)
    script = os.path.join(os.path.dirname(__file__), "asyncpg_load.py")
    runs = {}
    for python in (ASYNCPG_030, sys.executable):
        out = subprocess.run([python, script, url], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"{python} {script}: {out.stderr[-800:]}"
        r = json.loads(out.stdout.strip().splitlines()[-1])
        runs[r["asyncpg"]] = r
    old = runs.get("0.30.0")
    new = next((r for v, r in runs.items() if v != "0.30.0"), None)
    assert old and new, f"expected asyncpg 0.30.0 and a newer one: {runs}"
    assert old["failed"] > 0 and any("prepared statement" in e for e in old["errors"]), f"asyncpg 0.30 did not fail: {old}"
    assert new["failed"] == 0, f"asyncpg {new['asyncpg']} failed with the cure: {new}"
    print(f"        asyncpg 0.30.0: {old['failed']} of {old['total']} failed ({old['errors'][0]}); "
          f"asyncpg {new['asyncpg']}: 0 of {new['total']}")


SHARED = ("supabase-shared-session", "supabase-shared-transaction")
# A direct or self-hosted host is played by PostgreSQL itself, Supabase's dedicated pooler
# (PgBouncer, transaction mode, port 6543) by the transaction PgBouncer.
OWN_HOST = ("supabase-direct", "other-postgres", "supabase-dedicated-pooler")
PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def fixture_cases():
    """Every case of tests/urls/cases.txt whose corrected URL can be run here: through the
    shared pooler, or on its own host (direct or self-hosted PostgreSQL, dedicated pooler);
    with the reason the others are left out."""
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "urls", "cases.txt")
    shared, own_host, skipped = [], [], {}
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        name, service, mode, url = [f.strip() if i < 3 else f.strip(" \n") for i, f in enumerate(line.split("|", 3))]
        mode = mode.split(",")[0]
        if service == "libpq":
            skipped.setdefault("libpq tools (no SQLAlchemy engine)", []).append(name)
            continue
        if service == "django":
            skipped.setdefault("Django (no SQLAlchemy engine): make verify runs Django itself (verify/django_stack.py)", []).append(name)
            continue
        if service in ("node", "node-postgres", "postgres-js", "prisma"):
            skipped.setdefault("Node (no SQLAlchemy engine): verify/node_postgres.py and verify/postgres_js.py run them", []).append(name)
            continue
        if service == "prisma-6":
            skipped.setdefault("Prisma 6's engine: it downloads from binaries.prisma.sh, which this machine cannot reach", []).append(name)
            continue
        report = poolfix_url(url.strip('"'), service, mode)
        codes = {f["rule"] for f in report["findings"]}
        corrected = report["corrected_url"] or ""
        host = corrected.split("@")[-1].split("/")[0]
        reason = None
        if "PF100" in codes:
            reason = "not a connection string"
        elif report["endpoint"] not in SHARED + OWN_HOST or report["mode_after"] not in ("session", "transaction", "direct"):
            reason = "host or port not known once fixed (placeholders, other pooler port)"
        elif PLACEHOLDER.search(host):
            reason = "host or port not known once fixed (placeholders, other pooler port)"
        elif "PF107" in codes:
            reason = "needs the project ref in the user (manual)"
        elif service == "mlflow-client":
            reason = "MLflow's client in a job, one call at a time: make verify runs the real client"
        elif service == "prefect2" and report["mode_after"] == "transaction":
            reason = "Prefect 2 in transaction mode: poolfix says it is not compatible"
        elif "sslrootcert" in url or "verify-full" in url:
            reason = "verifies the server with Supabase's CA certificate, which the local pooler cannot present"
        elif "+pg8000" in corrected or "+mydriver" in corrected:
            reason = "driver not installed in the verification venv"
        elif report["endpoint"] in OWN_HOST and make_url(PLACEHOLDER.sub("pw", corrected)).password in (None, ""):
            reason = "empty password (PostgreSQL has no login with one)"
        if reason:
            skipped.setdefault(reason, []).append(name)
        elif report["endpoint"] in SHARED:
            shared.append((name, url.strip('"'), service, mode))
        else:
            own_host.append((name, url.strip('"'), service, mode))
    return shared, own_host, skipped


def own_host(corrected, endpoint, servers):
    """Where a corrected URL for a direct, self-hosted or dedicated-pooler host runs here:
    PostgreSQL itself (TLS on, a login role with exactly the password the URL decodes to), or
    the transaction PgBouncer for the dedicated pooler. Placeholders stand for a password the
    user keeps elsewhere: any word will do. Returns (url, port, user)."""
    url = make_url(PLACEHOLDER.sub("pw", corrected))
    if endpoint == "supabase-dedicated-pooler":
        port = servers.transaction_port
        url = url.set(host="127.0.0.1", port=port, password=PASSWORD)
    else:
        port = servers.pg_port
        servers.login_role(url.username, url.password)
        url = url.set(host="127.0.0.1", port=port, database="postgres")
    return url.render_as_string(hide_password=False), port, url.username


def own_host_case(naive, service, mode, servers):
    """poolfix's corrected URL for a direct, self-hosted or dedicated-pooler host, run with
    its own user and password."""
    report = poolfix_url(naive, service, mode)
    if any(f["rule"] == "PF111" for f in report["findings"]):
        # poolfix encoded a password that was typed raw: it must decode to what was typed.
        typed = PLACEHOLDER.sub("pw", naive.split("://", 1)[1].rsplit("@", 1)[0].split(":", 1)[1])
        decoded = make_url(PLACEHOLDER.sub("pw", report["corrected_url"])).password
        assert decoded == typed, f"the encoded password decodes to {decoded!r}, the user typed {typed!r}"
    url, port, user = own_host(report["corrected_url"], report["endpoint"], servers)
    args, connect = engine_args(report, service)
    peak = run_load(url, args, connect, servers, port, user)
    assert peak >= 1, "the load never reached the database"
    assert peak <= predicted(args), f"the engine held {peak} connections, poolfix predicted at most {predicted(args)}"


def compose_cases():
    """Every URL of every service of every compose fixture that, once fixed, reaches
    Supabase's shared pooler or a host of its own: (fixture, service, corrected URL, endpoint,
    kind, mode after, settings, snippet)."""
    folder = os.path.join(os.path.dirname(__file__), "..", "tests", "compose")
    cases = []
    for name in sorted(f for f in os.listdir(folder) if f.endswith(".yml")):
        path = os.path.join(folder, name)
        args = ["check", path]
        if os.path.exists(path[:-4] + ".env"):
            args += ["--env-file", path[:-4] + ".env"]
        if os.path.exists(path[:-4] + ".opts"):
            flags = {"mode": "--mode", "compute": "--compute", "pool": "--pool-size", "mlflow": "--mlflow-version",
                     "prefect": "--prefect-version", "plan": "--plan"}
            for pair in open(path[:-4] + ".opts").read().split():
                key, value = pair.split("=", 1)
                args += [flags[key], value]
        report = poolfix(*args)
        for svc, u in ((svc, u) for svc in report["services"] for u in svc["urls"]):
            url = u["corrected_url"] or ""
            if u["endpoint"] not in SHARED + OWN_HOST or PLACEHOLDER.search(url.split("@")[-1]):
                continue
            if svc["kind"] == "prefect-server" and u["mode_after"] == "transaction" and svc["transaction_mode"]["verdict"] == "not compatible":
                continue
            if svc["kind"] == "prefect-server" and not svc["settings"]:
                continue  # before 2.12: 5 + 10 it cannot lower, beyond this pooler's pool; make verify runs 2.7.6
            if svc["kind"] == "mlflow-client":
                continue  # one call at a time in a job: make verify runs the real MLflow client
            if svc["kind"] == "django":
                continue  # no SQLAlchemy engine: make verify runs Django itself (verify/django_stack.py)
            if svc["kind"] in ("prisma", "node", "node-postgres", "postgres-js"):
                continue  # Node, not Python: verify/node_postgres.py, verify/postgres_js.py, verify/prisma7.py

            # Left out: what poolfix says still needs a manual step (PF110's cure for your own
            # code is the create_engine() snippet, which the engine here applies).
            manual = [f for f in report["findings"] if f["service"] == svc["name"] and f["severity"] == "error"
                      and (f["fix"] or {}).get("applicability", "manual") == "manual" and f["rule"] != "PF110"]
            if manual:
                continue
            label = svc["name"] if len(svc["urls"]) == 1 else f"{svc['name']} ({u['source']})"
            cases.append((name, label, url, u["endpoint"], svc["kind"], u["mode_after"], svc["settings"], svc["snippet"]))
    return cases


def compose_case(url, endpoint, kind, mode, settings, snippet, servers):
    """One service's corrected URL and settings, as the service builds its engine."""
    service = {"mlflow": "mlflow", "prefect-server": "prefect" if any(k.startswith("PREFECT_SERVER_") for k in settings) else "prefect2"}.get(kind, "sqlalchemy")
    report = {"env": settings, "mode_after": mode, "snippet": snippet}
    if endpoint in SHARED:
        (local_url, port), user = local(url, servers), POOLER_USER
    else:
        local_url, port, user = own_host(url, endpoint, servers)
    args, connect = engine_args(report, service)
    peak = run_load(local_url, args, connect, servers, port, user)
    assert 1 <= peak <= predicted(args), f"the engine held {peak} connections, poolfix's settings allow {predicted(args)}"


def split_vars_case(servers):
    """A connection kept in libpq's PG* variables, moved to the transaction pooler: the fix sets
    PGPORT and adds PGSSLMODE, and libpq, given only those variables, connects through the
    transaction pooler with SSL."""
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "compose", "split-vars-transaction.yml")
    report = poolfix("check", path, "--mode", "transaction")
    svc = next(s for s in report["services"] if s["name"] == "reports")
    settings = svc["env"]
    assert settings == {"PGPORT": "6543", "PGSSLMODE": "require"}, settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGHOST="127.0.0.1", PGPORT=str(servers.transaction_port), PGUSER=POOLER_USER, PGPASSWORD=PASSWORD,
               PGDATABASE="postgres", PGCONNECT_TIMEOUT="10", PGSSLMODE=settings["PGSSLMODE"])
    # An empty connection string: libpq takes every part from the variables.
    probe = "import psycopg2; c = psycopg2.connect(''); print(c.info.port, c.info.ssl_in_use)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.split() == [str(servers.transaction_port), "True"], out.stdout


def label(url):
    scheme, rest = url.split("://", 1)
    query = rest.split("?", 1)[1] if "?" in rest else "(no query)"
    port = rest.split(":")[2].split("/")[0] if rest.count(":") >= 2 else "?"
    return f"{scheme} :{port} ?{query}"


def main():
    with Servers() as servers:
        check("control: asyncpg defaults fail through the transaction pooler", lambda: control_case(servers))
        check("asyncpg's cure needs 0.31, as poolfix says: 0.30 fails with two processes, 0.32 does not",
              lambda: asyncpg_version_case(servers))
        for url, service, rule in BROKEN:
            check(f"refused as poolfix says ({rule}, --for {service}): {label(url)}", lambda: broken_case(url, service, rule, servers))
        for naive, service, mode in GOOD:
            check(f"poolfix's fix works (--for {service} --mode {mode}): {label(naive)}", lambda: good_case(naive, service, mode, servers))
        shared, own_host, skipped = fixture_cases()
        for name, url, service, mode in shared:
            check(f"fixture {name}: poolfix's fix works (--for {service} --mode {mode})", lambda: good_case(url, service, mode, servers))
        for name, url, service, mode in own_host:
            check(f"fixture {name}: poolfix's fix works on its own host (--for {service})",
                  lambda: own_host_case(url, service, mode, servers))
        for fixture, service, url, endpoint, kind, mode, settings, snippet in compose_cases():
            check(f"compose {fixture}: {service} with poolfix's fix ({mode} mode)",
                  lambda: compose_case(url, endpoint, kind, mode, settings, snippet, servers))
        check("compose split-vars-transaction: libpq reads the PGPORT and PGSSLMODE poolfix sets",
              lambda: split_vars_case(servers))
        for reason, names in skipped.items():
            print(f"skipped {len(names)} fixtures: {reason}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
