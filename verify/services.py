#!/usr/bin/env python3
"""Service-level verification: a real `mlflow server` started with poolfix's output for the seed
scenario, through PgBouncer standing in for Supavisor, in session and in transaction mode.

Checks that the server starts, `/health` answers, a write succeeds (create an experiment), and
the connections it holds at idle and under a burst of 20 concurrent requests stay within the
maximum poolfix printed. The ticket's naive URL must fail the way poolfix says. Prints a table
of predicted vs measured connections and `N passed, N failed`.

The same for a real `prefect server start`: Prefect 3 with the seed, and Prefect 2 with the
Prefect 2 compose fixture in session mode (the mode poolfix says 2.x needs), through a pooler
that lets Prefect 2's `jit` startup parameter through; through one that refuses it, Prefect 2
must fail with the error the guide quotes.

And a real `celery beat` (the service table's `celery-beat` entry): an app whose code creates a
SQLAlchemy engine with the defaults and uses it on import, scheduling a task every half second;
the beat must hold no more connections than poolfix predicts for it (one), and at least the one
its import opened (so the count can see it).
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import check, concurrently, local, measure, poolfix, summary  # noqa: E402
from servers import PASSWORD, POOLER_USER, Servers, free_port  # noqa: E402

import psycopg2  # noqa: E402

MLFLOW = os.environ.get("MLFLOW_BIN", ".venv-mlflow/bin/mlflow")
PREFECT = os.environ.get("PREFECT_BIN", ".venv-prefect/bin/prefect")
PREFECT2 = os.environ.get("PREFECT2_BIN", ".venv-prefect2/bin/prefect")
CELERY = os.environ.get("CELERY_BIN", ".venv-celery/bin/celery")
BEAT_FIXTURE = os.path.join(os.path.dirname(__file__), "..", "tests", "compose", "celery-beat.yml")
BEAT_APP = """
import os
from celery import Celery
from sqlalchemy import create_engine, text

# The app's engine with SQLAlchemy's defaults (5 + 10), used on import as create_all() would.
engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as c:
    c.execute(text("select 1"))

app = Celery("beatapp", broker="memory://")
app.conf.beat_schedule = {"tick": {"task": "beatapp.tick", "schedule": 0.5}}


@app.task
def tick():
    with engine.connect() as c:
        c.execute(text("select 1"))
"""
SEED = os.path.join(os.path.dirname(__file__), "..", "examples", "seed-compose.yml")
PREFECT2_FIXTURE = os.path.join(os.path.dirname(__file__), "..", "tests", "compose", "prefect-2x.yml")
NAIVE = "postgresql+asyncpg://postgres.abcdefghijklmnopqrst:x@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10"
BURST = 20
table = []


def poolfix_check(mode, path=SEED):
    return poolfix("check", path, "--mode", mode)


def http(url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read().decode()


class Service:
    """A server process on loopback, in its own session, stopped by its process group."""

    name = "service"
    health = ("/health", "OK")

    def __init__(self, args, env):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix=f"poolfix-{self.name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [*args(self.port)], env=dict(os.environ, **env), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_healthy(self, seconds=120):
        path, answer = self.health
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                status, body = http(self.url(path))
                if status == 200 and body.strip() == answer:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{path} did not answer {answer} within {seconds} s: {self.tail()}")

    def tail(self, chars=1500):
        with open(self.log.name, errors="replace") as f:
            return f.read()[-chars:]

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        os.unlink(self.log.name)


class Mlflow(Service):
    """`mlflow server`. No --workers: the seed has none, so the worker count comes from
    poolfix's MLFLOW_WORKERS."""

    name = "mlflow"

    def __init__(self, uri, env):
        artifacts = tempfile.mkdtemp(prefix="poolfix-artifacts-")
        super().__init__(lambda port: [MLFLOW, "server", "--host", "127.0.0.1", "--port", str(port),
                                       "--backend-store-uri", uri, "--default-artifact-root", artifacts], env)


class Prefect(Service):
    """`prefect server start` (3.x, or 2.x with `major=2`) with its own PREFECT_HOME."""

    name = "prefect"
    health = ("/api/health", "true")

    def __init__(self, url, env, major=3):
        url_name = "PREFECT_SERVER_DATABASE_CONNECTION_URL" if major == 3 else "PREFECT_API_DATABASE_CONNECTION_URL"
        env = dict(
            PREFECT_HOME=tempfile.mkdtemp(prefix="poolfix-prefect-home-"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_UI_ENABLED="false",
            **{url_name: url},
            **env,
        )
        binary = PREFECT if major == 3 else PREFECT2
        super().__init__(lambda port: [binary, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env)


def prefect_case(servers, mode, major=3):
    fixture, name = (SEED, "prefect-server") if major == 3 else (PREFECT2_FIXTURE, "orion")
    report = poolfix_check(mode, fixture)
    svc = next(s for s in report["services"] if s["name"] == name)
    predicted = svc["max_connections_after"]
    url, port = local(svc["corrected_url"], servers, database="prefect")
    server = Prefect(url, dict(svc["env"].items()), major)
    try:
        server.wait_healthy()
        status, body = http(server.url("/api/flows/"), {"name": f"poolfix-{mode}"})
        assert status in (200, 201), f"create flow: {status} {body}"
        flow_id = json.loads(body)["id"]
        status, body = http(server.url("/api/flow_runs/"), {"flow_id": flow_id, "name": f"poolfix-{mode}-run"})
        assert status in (200, 201), f"create flow run: {status} {body}"
        time.sleep(2)
        idle = servers.clients(port)

        def one(i):
            s, _ = http(server.url("/api/flow_runs/"), {"flow_id": flow_id, "name": f"burst-{i}"})
            assert s in (200, 201)
            s, _ = http(server.url("/api/flow_runs/filter"), {"limit": 5})
            assert s == 200

        peak = measure(servers, port, lambda: concurrently(BURST, one))
        label = "seed" if major == 3 else os.path.basename(fixture)
        table.append((f"prefect {major}.x server {svc['mode_after']} ({label}, --mode {mode})", predicted, idle, peak))
        assert idle <= predicted and peak <= predicted, f"held {idle} idle / {peak} under the burst, poolfix predicted at most {predicted}"
    finally:
        server.stop()


def prefect_naive_case(servers, major=3):
    """The ticket's URL: the server must stop with the error poolfix quotes (Prefect 3 exits
    non-zero; Prefect 2 exits 0 after `Application startup failed`, docs/sources.md#prefect)."""
    quoted = poolfix("url", NAIVE, "--for", "prefect" if major == 3 else "prefect2")
    quotes = [f["message"].rsplit(": ", 1)[-1] for f in quoted["findings"] if f["rule"] in ("PF101", "PF102")]
    assert quotes, "poolfix quoted no error for the ticket's URL"
    url, _ = local(NAIVE, servers, database="prefect")
    server = Prefect(url, {}, major)
    try:
        try:
            server.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"Prefect kept running with the naive URL: {server.tail()}") from None
        log = server.tail()
        if major == 3:
            assert server.proc.returncode != 0, f"exit status {server.proc.returncode}"
        else:
            assert "Application startup failed" in log, f"no `Application startup failed` in the log: {log}"
        assert any(q in log for q in quotes), f"expected one of {quotes!r} in the log: {log}"
    finally:
        server.stop()


def prefect2_jit_refused_case(servers):
    """Prefect 2 with poolfix's session-mode settings through a pooler that refuses unknown
    startup parameters: it must not become healthy, failing on `jit` as the guide says."""
    report = poolfix_check("session", PREFECT2_FIXTURE)
    svc = next(s for s in report["services"] if s["name"] == "orion")
    url, _ = local(svc["corrected_url"], servers, database="prefect")
    server = Prefect(url, dict(svc["env"].items()), major=2)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and server.proc.poll() is None and "unsupported startup parameter" not in server.tail():
            time.sleep(0.5)
        log = server.tail()
        assert "unsupported startup parameter: jit" in log, f"expected `unsupported startup parameter: jit` in the log: {log}"
        guide = open(os.path.join(os.path.dirname(__file__), "..", "content", "06-prefect.md")).read()
        assert "unsupported startup parameter: jit" in guide, "the guide no longer quotes the error"
    finally:
        server.stop()


def prefect2_transaction_case(servers):
    """poolfix calls Prefect 2 "not compatible" with transaction mode (PF110). Alone on the
    pool it can get its own server connection back each time; with other clients on the same
    pool (a shared pooler), its prepared statements must break as poolfix says."""
    report = poolfix_check("keep", PREFECT2_FIXTURE)
    svc = next(s for s in report["services"] if s["name"] == "orion")
    assert svc["mode_after"] == "transaction" and svc["transaction_mode"]["verdict"] == "not compatible", svc
    assert any(f["rule"] == "PF110" and f["service"] == "orion" for f in report["findings"]), "poolfix did not report PF110"
    url, port = local(svc["corrected_url"], servers, database="prefect")
    server = Prefect(url, dict(svc["env"].items()), major=2)
    stop = threading.Event()

    def other_client():
        while not stop.is_set():
            try:
                conn = psycopg2.connect(host="127.0.0.1", port=port, user=POOLER_USER, password=PASSWORD, dbname="prefect")
                conn.autocommit = True
                with conn.cursor() as cur:
                    for _ in range(20):
                        cur.execute("select pg_sleep(0.01)")
                conn.close()
            except psycopg2.Error:
                pass

    others = [threading.Thread(target=other_client) for _ in range(4)]
    try:
        server.wait_healthy()
        status, body = http(server.url("/api/flows/"), {"name": "poolfix-transaction"})
        flow_id = json.loads(body)["id"]
        for t in others:
            t.start()
        failed = []

        def one(i):
            for path, body in (("/api/flow_runs/", {"flow_id": flow_id, "name": f"burst-{i}"}),
                               ("/api/flow_runs/filter", {"limit": 5})):
                try:
                    http(server.url(path), body)
                except OSError as e:
                    failed.append(e)

        for _ in range(3):
            concurrently(BURST, one)
        log = server.tail(20000)
        assert failed, "every request worked: Prefect 2 looks compatible with transaction mode after all"
        assert "prepared statement" in log and "does not exist" in log, f"failed, but not on prepared statements: {log[-1500:]}"
        print(f"        {len(failed)} of {6 * BURST} requests failed; the log shows prepared statements", flush=True)
    finally:
        stop.set()
        for t in others:
            if t.is_alive():
                t.join()
        server.stop()


class CeleryBeat(Service):
    """`celery -A beatapp beat` in a directory of its own; up once it has sent a task."""

    name = "celery-beat"

    def __init__(self, url):
        workdir = tempfile.mkdtemp(prefix="poolfix-beat-")
        with open(os.path.join(workdir, "beatapp.py"), "w") as f:
            f.write(BEAT_APP)
        env = dict(DATABASE_URL=url, PYTHONPATH=workdir)
        schedule = os.path.join(workdir, "schedule")
        super().__init__(lambda _port: [CELERY, "--workdir", workdir, "-A", "beatapp", "beat", "--loglevel", "info",
                                        "--schedule", schedule], env)

    def wait_sending(self, times=3, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"celery beat exited with {self.proc.returncode}: {self.tail()}")
            if self.tail(100_000).count("Sending due task tick") >= times:
                return
            time.sleep(0.3)
        raise AssertionError(f"celery beat sent no task within {seconds} s: {self.tail()}")


def celery_beat_case(servers):
    report = poolfix_check("keep", BEAT_FIXTURE)
    svc = next(s for s in report["services"] if s["name"] == "beat")
    assert svc["kind"] == "celery-beat", f"poolfix took the beat for {svc['kind']}"
    predicted = svc["max_connections_after"]
    url, port = local(svc["corrected_url"], servers)
    beat = CeleryBeat(url)
    try:
        peak = measure(servers, port, lambda: (beat.wait_sending(), time.sleep(2)))
        idle = servers.clients(port)
        table.append(("celery beat (celery-beat.yml)", predicted, idle, peak))
        assert 1 <= peak <= predicted, f"held {peak} while sending tasks, poolfix predicted at most {predicted}"
    finally:
        beat.stop()


def mlflow_case(servers, mode):
    report = poolfix_check(mode)
    svc = next(s for s in report["services"] if s["name"] == "mlflow")
    predicted = svc["max_connections_after"]
    uri, port = local(svc["corrected_url"], servers)
    env = dict(svc["env"].items())
    assert env.get("MLFLOW_WORKERS") == "1", f"poolfix should set MLFLOW_WORKERS=1 for the seed: {env}"
    server = Mlflow(uri, env)
    try:
        server.wait_healthy()
        status, body = http(server.url("/api/2.0/mlflow/experiments/create"), {"name": f"poolfix-{mode}-{time.time()}"})
        assert status == 200 and "experiment_id" in body, f"create experiment: {status} {body}"
        time.sleep(1)
        idle = servers.clients(port)

        def one(i):
            s, _ = http(server.url("/api/2.0/mlflow/experiments/search"), {"max_results": 10})
            assert s == 200
            s, _ = http(server.url("/api/2.0/mlflow/experiments/create"), {"name": f"poolfix-burst-{mode}-{i}-{time.time()}"})
            assert s == 200

        peak = measure(servers, port, lambda: concurrently(BURST, one))
        table.append((f"mlflow {report['services'][0]['mode_after']} (seed, --mode {mode})", predicted, idle, peak))
        assert idle <= predicted and peak <= predicted, f"held {idle} idle / {peak} under the burst, poolfix predicted at most {predicted}"
    finally:
        server.stop()


def mlflow_naive_case(servers):
    """The ticket's URL: the server must not start, with the error poolfix quotes."""
    naive = "postgresql://postgres.abcdefghijklmnopqrst:x@aws-0-eu-central-1.pooler.supabase.com:5432/postgres?pool_size=1&max_overflow=0&connect_timeout=10"
    quoted = poolfix("url", naive, "--for", "mlflow")
    # The driver stops at the first pool key it meets; poolfix quotes the error for each.
    quotes = [f["message"].rsplit(": ", 1)[-1] for f in quoted["findings"] if f["rule"] == "PF101"]
    keys = [q.split('"')[1] for q in quotes]
    # With psycopg2 named (as poolfix's other fix says), the pool keys are what stops it.
    uri, _ = local(naive.replace("postgresql://", "postgresql+psycopg2://"), servers)
    server = Mlflow(uri, {"MLFLOW_WORKERS": "1"})
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not any(k in server.tail() for k in keys):
            time.sleep(0.5)
        log = server.tail()
        assert any(q in log for q in quotes), f"expected one of {quotes!r} in the log: {log}"
        try:
            http(server.url("/health"))
            raise AssertionError("/health answered although the URL is broken")
        except OSError:
            pass
    finally:
        server.stop()


def main():
    version = subprocess.run([MLFLOW, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"MLflow: {version}", flush=True)
    # A session pool larger than poolfix's prediction, so the measurement shows what MLflow
    # holds rather than what the pool lets it have.
    with Servers(pool_size=10) as servers:
        check("mlflow, the ticket's URL fails as poolfix says", lambda: mlflow_naive_case(servers))
        check("mlflow with poolfix's settings, session mode", lambda: mlflow_case(servers, "keep"))
        check("mlflow with poolfix's settings, transaction mode", lambda: mlflow_case(servers, "transaction"))
        print("Prefect: " + subprocess.run([PREFECT, "--version"], capture_output=True, text=True).stdout.strip(), flush=True)
        check("prefect server, the ticket's URL fails as poolfix says", lambda: prefect_naive_case(servers))
        check("prefect server with poolfix's settings, session mode", lambda: prefect_case(servers, "keep"))
        check("prefect server with poolfix's settings, transaction mode", lambda: prefect_case(servers, "transaction"))
        print("Prefect 2: " + subprocess.run([PREFECT2, "--version"], capture_output=True, text=True).stdout.strip(), flush=True)
        check("prefect 2 server, the ticket's URL fails as poolfix says", lambda: prefect_naive_case(servers, major=2))
        check("prefect 2 server through a pooler that refuses `jit` fails as the guide says", lambda: prefect2_jit_refused_case(servers))
    with Servers(pool_size=10, ignore_jit=True) as servers:
        check("prefect 2 server with poolfix's settings, session mode (pooler ignores `jit`)",
              lambda: prefect_case(servers, "session", major=2))
    with Servers(pool_size=3, ignore_jit=True) as servers:
        check("prefect 2 server in transaction mode with other clients on the pool fails as poolfix says",
              lambda: prefect2_transaction_case(servers))
    with Servers(pool_size=10) as servers:
        print("Celery: " + subprocess.run([CELERY, "--version"], capture_output=True, text=True).stdout.strip(), flush=True)
        check("celery beat holds what poolfix predicts", lambda: celery_beat_case(servers))
    print("\n| scenario | predicted max | idle | burst of 20 |\n|---|---|---|---|")
    for name, predicted, idle, peak in table:
        print(f"| {name} | {predicted} | {idle} | {peak} |")
    print()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
