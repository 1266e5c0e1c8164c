"""Prefect releases people run, each from its own venv (verify/requirements-prefect*.txt), with
the settings poolfix writes for the version the image tag shows.

- Session mode, every release: the server starts, a write succeeds, and the connections it holds
  at idle and under a burst stay within poolfix's maximum (so the pool settings are read).
- Transaction mode, where poolfix says there is no cure (3.1.15, 3.2.6: the statement-cache
  settings arrive in 3.2.7): given the settings anyway, the server fails on prepared statements
  after a restart on the same pool, so "upgrade or stay on the session pooler" is the truth.
- Transaction mode with poolfix's cure: clean across a restart on 3.2.7 with asyncpg 0.32; on
  3.4.20 with asyncpg 0.30 (what that tag's images resolved) it fails on asyncpg's named
  statements (`prepared statement "__asyncpg_stmt_…__" does not exist` / `already exists`), as
  poolfix's note says, and is clean once `asyncpg>=0.31` is
  installed as the note says (asyncpg 0.32 put ahead on the path, as a `pip install` in the image
  would).

- Prefect 2.12.1 with the same old names: poolfix's settings for it are read (within its 3).
- Prefect 2.7.6, as a popular compose file of its day runs it (`prefect orion start`, the URL in
  `PREFECT_ORION_DATABASE_CONNECTION_URL`; tests/compose/prefect-2.7-orion.yml): the server reads
  that URL, and it reads no pool setting (they arrive in 2.12): given 2.12's `PREFECT_SQLALCHEMY_*`
  at 1 + 0 it still holds more than 1 + 0 + 2 under a burst, and no more than poolfix's 15 + 2.

A restart is the test: a single fresh process hides the bug (each process names its statements
from 1, and PgBouncer keeps the server connections, with their statements, between clients).
"""
import json
import os
import subprocess
import tempfile
import threading


from common import check, concurrently, explained, local, measure, poolfix
from servers import Servers
from services import BURST, Prefect, Service, flow_run_burst, http, other_client

ROOT = os.path.join(os.path.dirname(__file__), "..")
# version -> venv, as the Makefile builds them
VENVS = {"2.7.6": ".venv-prefect27", "2.12.1": ".venv-prefect212", "3.1.15": ".venv-prefect31", "3.2.6": ".venv-prefect326", "3.2.7": ".venv-prefect327", "3.4.20": ".venv-prefect34"}
# asyncpg 0.32 installed beside 3.4.20's own 0.30 (`pip install --target`): the image with the pin.
ASYNCPG_PIN = os.path.join(ROOT, ".venv-prefect34", "asyncpg-0.32")
COMPOSE = """services:
  prefect-server:
    image: prefecthq/prefect:{version}-python3.11
    command: prefect server start --host 0.0.0.0
    environment:
      PREFECT_SERVER_DATABASE_CONNECTION_URL: postgresql+asyncpg://postgres.abcdefghijklmnopqrst:${{DB_PASSWORD}}@aws-0-eu-west-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10
"""
CACHE_SETTINGS = ("PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_STATEMENT_CACHE_SIZE",
                  "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_PREPARED_STATEMENT_CACHE_SIZE")


def binary(version):
    return os.path.join(ROOT, VENVS[version], "bin", "prefect")


def report_for(version, mode):
    """poolfix's answer for a compose file whose image tag is `version` (the ticket's URL)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", prefix=f"poolfix-prefect-{version}-", delete=False) as f:
        f.write(COMPOSE.format(version=version))
    try:
        report = poolfix("check", f.name, "--mode", mode)
    finally:
        os.unlink(f.name)
    return report, next(s for s in report["services"] if s["name"] == "prefect-server")


def session_case(version, table):
    report, svc = report_for(version, "keep")
    assert svc["mode_after"] == "session", svc["mode_after"]
    predicted = svc["max_connections_after"]
    with Servers(pool_size=10) as servers:
        url, port = local(svc["corrected_url"], servers, database="prefect")
        server = Prefect(url, dict(svc["env"]), binary=binary(version))
        try:
            server.wait_healthy()
            flow_id = create_flow(server, "session")
            idle = servers.clients(port)

            def one(i):
                s, _ = http(server.url("/api/flow_runs/"), {"flow_id": flow_id, "name": f"burst-{i}"})
                assert s in (200, 201)

            peak = measure(servers, port, lambda: concurrently(BURST, one))
            table.append((f"prefect {version} server session (image tag {version})", predicted, idle, peak))
            assert idle <= predicted and peak <= predicted, f"held {idle} idle / {peak} under the burst, poolfix predicted {predicted}"
        finally:
            server.stop()


class Orion(Service):
    """`prefect orion start` (Prefect before 2.10), its URL in the variable of that time."""

    name = "prefect-orion"
    health = ("/api/health", "true")

    def __init__(self, url, env, binary):
        # It starts `uvicorn` by name: the venv's bin comes first on PATH, as in the image.
        path = os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", "")
        env = dict(PATH=path, PREFECT_HOME=tempfile.mkdtemp(prefix="poolfix-prefect-home-"), PREFECT_ORION_ANALYTICS_ENABLED="false",
                   PREFECT_ORION_UI_ENABLED="false", PREFECT_ORION_DATABASE_CONNECTION_URL=url, **env)
        super().__init__(lambda port: [binary, "orion", "start", "--host", "127.0.0.1", "--port", str(port)], env)


def orion_case(table, version="2.7.6", fixture="prefect-2.7-orion.yml"):
    """2.7.6: no pool setting (PF220), so 2.12's settings given anyway are ignored; 2.12.1: the old
    URL name still read, and poolfix's settings for it honoured."""
    report = poolfix("check", os.path.join(ROOT, "tests", "compose", fixture))
    svc = next(s for s in report["services"] if s["name"] == "orion")
    fixed_pool = version == "2.7.6"
    assert svc["mode_after"] == "session" and bool(svc["env"]) != fixed_pool, (svc["mode_after"], svc["env"])
    assert any(f["rule"] == "PF220" and f["service"] == "orion" for f in report["findings"]) == fixed_pool
    predicted = svc["max_connections_after"]
    settings = {"PREFECT_SQLALCHEMY_POOL_SIZE": "1", "PREFECT_SQLALCHEMY_MAX_OVERFLOW": "0"} if fixed_pool else svc["env"]
    # 2.8.6 and later send `jit` (PF119): a pooler that lets it through, as Supavisor does.
    with Servers(pool_size=20, ignore_jit=not fixed_pool) as servers:
        url, port = local(svc["corrected_url"], servers, database="prefect")
        server = Orion(url, settings, binary(version))
        try:
            server.wait_healthy()
            flow_id = create_flow(server, "orion")
            idle = servers.clients(port)
            peak = flow_run_burst(server, flow_id, servers, port)
            table.append((f"prefect {version} `orion start` session ({fixture})", predicted, idle, peak))
            assert idle <= predicted and peak <= predicted, f"held {idle} idle / {peak} under the burst, poolfix predicted {predicted}"
            if fixed_pool:
                assert peak > 1 + 0 + 2, f"held at most {peak}: 2.12's pool settings were read after all"
        finally:
            server.stop()


def create_flow(server, name):
    status, body = http(server.url("/api/flows/"), {"name": f"poolfix-{name}"})
    assert status in (200, 201), f"create flow: {status} {body}"
    return json.loads(body)["id"]


def two_runs(version, svc, extra_env=None):
    """Starts the server twice on one transaction pool (a restart), with requests that read
    and write each time, while other clients use the pool. Returns (failed requests, the logs
    of both runs)."""
    failed, logs = 0, ""
    with Servers(pool_size=3) as servers:
        url, port = local(svc["corrected_url"], servers, database="prefect")
        assert port == servers.transaction_port, "not on the transaction pooler"
        stop = threading.Event()
        others = [threading.Thread(target=other_client, args=(port, stop)) for _ in range(3)]
        for t in others:
            t.start()
        try:
            failed, logs = restarts(version, svc, url, extra_env)
        finally:
            stop.set()
            for t in others:
                t.join()
    return failed, logs


def restarts(version, svc, url, extra_env):
    """The server started, used, stopped and started again on the same pool."""
    failed, logs = 0, ""
    for run in range(2):
        server = Prefect(url, dict(svc["env"], **(extra_env or {})), binary=binary(version))
        try:
            try:
                server.wait_healthy()
                flow_id = create_flow(server, f"tx-{run}")
            except (OSError, AssertionError):
                failed += 1
                continue

            def one(i):
                for path, body in (("/api/flow_runs/", {"flow_id": flow_id, "name": f"run-{run}-{i}"}),
                                   ("/api/flow_runs/filter", {"limit": 5}), ("/api/flows/count", {})):
                    s, _ = http(server.url(path), body)
                    assert s in (200, 201), f"{path}: {s}"

            for i in range(BURST):
                try:
                    one(i)
                except (OSError, AssertionError):
                    failed += 1
        finally:
            logs += server.tail(30000)
            server.stop()
    return failed, logs


def no_cure_case(version):
    """3.1.15 / 3.2.6: poolfix writes no statement-cache settings and says to upgrade or stay on
    the session pooler; given 3.2.7's settings anyway, the server still fails."""
    report, svc = report_for(version, "transaction")
    assert svc["transaction_mode"]["verdict"] == "not compatible", svc["transaction_mode"]
    assert not any(k in svc["env"] for k in CACHE_SETTINGS), f"poolfix wrote {svc['env']}"
    pf110 = [f["message"] for f in report["findings"] if f["rule"] == "PF110"]
    assert pf110 and any("3.2.7" in m for m in pf110), f"PF110 does not name 3.2.7: {pf110}"
    failed, logs = two_runs(version, svc, {k: "0" for k in CACHE_SETTINGS})
    assert failed and "prepared statement" in logs, f"{version} with the settings worked ({failed} failed): they are read after all"
    explained(logs, f"Prefect {version}'s log in transaction mode")
    print(f"        {version} ignores the settings: {failed} requests failed across the restart", flush=True)


def cure_case(version, expect_fail, pin=False):
    report, svc = report_for(version, "transaction")
    assert svc["transaction_mode"]["verdict"] == "compatible with settings", svc["transaction_mode"]
    assert all(svc["env"].get(k) == "0" for k in CACHE_SETTINGS), f"poolfix wrote {svc['env']}"
    notes = json.dumps(report)
    assert "asyncpg>=0.31" in notes, "poolfix does not say asyncpg 0.31 is needed"
    extra = {"PYTHONPATH": ASYNCPG_PIN} if pin else {}
    failed, logs = two_runs(version, svc, extra)
    if expect_fail:
        errors = sorted({line.strip()[:160] for line in logs.splitlines() if "Error" in line and "Warning" not in line})
        named = [e for e in errors if "__asyncpg_stmt_" in e]
        assert failed and named, f"asyncpg 0.30 survived the restart ({failed} failed): {errors[:8]}"
        explained(logs, "Prefect 3.4.20's log with asyncpg 0.30")
        print(f"        asyncpg 0.30: {failed} requests failed, as poolfix's note says: {named[0]}", flush=True)
    else:
        assert failed == 0, f"{failed} requests failed: {logs[-1500:]}"


def asyncpg_version(version, pin=False):
    env = dict(os.environ, PYTHONPATH=ASYNCPG_PIN) if pin else None
    python = os.path.join(ROOT, VENVS[version], "bin", "python")
    return subprocess.run([python, "-c", "import asyncpg; print(asyncpg.__version__)"], capture_output=True, text=True,
                          env=env).stdout.strip()


def run(table):
    """`table` is the calling script's table of predicted and measured connections (run as a
    script, services.py is `__main__`, not the module imported here)."""
    print(f"Prefect 2.7.6 (asyncpg {asyncpg_version('2.7.6')})", flush=True)
    check("prefect 2.7.6 `orion start`: its URL read, 2.12's pool settings ignored, within poolfix's count",
          lambda: orion_case(table))
    print(f"Prefect 2.12.1 (asyncpg {asyncpg_version('2.12.1')})", flush=True)
    check("prefect 2.12.1 `orion start`: its old URL name read, poolfix's pool settings honoured",
          lambda: orion_case(table, "2.12.1", "prefect-2.12-orion-url.yml"))
    for version in [v for v in VENVS if not v.startswith("2.")]:
        print(f"Prefect {version} (asyncpg {asyncpg_version(version)})", flush=True)
        check(f"prefect {version} with poolfix's settings for its tag, session mode", lambda: session_case(version, table))
    for version in ("3.1.15", "3.2.6"):
        check(f"prefect {version} in transaction mode: no cure, as poolfix says (the 3.2.7 settings are ignored)",
              lambda: no_cure_case(version))
    check("prefect 3.2.7 + asyncpg 0.32 with poolfix's transaction settings: clean across a restart",
          lambda: cure_case("3.2.7", expect_fail=False))
    check("prefect 3.4.20 + asyncpg 0.30 with poolfix's transaction settings: fails after a restart, as poolfix warns",
          lambda: cure_case("3.4.20", expect_fail=True))
    print(f"Prefect 3.4.20 with the pin (asyncpg {asyncpg_version('3.4.20', pin=True)})", flush=True)
    check("prefect 3.4.20 + asyncpg>=0.31 as poolfix says: clean across a restart",
          lambda: cure_case("3.4.20", expect_fail=False, pin=True))
