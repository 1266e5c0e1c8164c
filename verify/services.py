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

The seed as poolfix plans it (the API moved to the transaction port) on one PgBouncer standing in
for Supavisor's shared pool: session entries and a transaction entry for the same database,
capped together at 15 server connections (`max_user_connections`); MLflow, Prefect 3 and the
API's 8 processes under a burst at once must all answer, with no client refused and each within
poolfix's maximum. The control, the per-tool fixes alone (everything in session mode), must
overflow the same pool.

MLflow's client in a job (a database `MLFLOW_TRACKING_URI`) with poolfix's NullPool: no more
than predicted while it logs, none while idle (the default pool, the control, keeps them).

Prefect 3.1.15, 3.2.6, 3.2.7 and 3.4.20 (with asyncpg 0.30, then pinned to 0.32) with what
poolfix writes for their image tags: verify/prefect_versions.py.

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
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import check, concurrently, explained, local, measure, poolfix, summary  # noqa: E402
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

    def __init__(self, url, env, major=3, binary=None):
        url_name = "PREFECT_SERVER_DATABASE_CONNECTION_URL" if major == 3 else "PREFECT_API_DATABASE_CONNECTION_URL"
        env = dict(
            PREFECT_HOME=tempfile.mkdtemp(prefix="poolfix-prefect-home-"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_UI_ENABLED="false",
            **{url_name: url},
            **env,
        )
        binary = binary or (PREFECT if major == 3 else PREFECT2)
        super().__init__(lambda port: [binary, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env)


def flow_run_burst(server, flow_id, servers, port):
    """BURST clients at once, each creating a flow run and reading runs back: the most
    connections the Prefect server held for it on `port`."""
    def one(i):
        s, _ = http(server.url("/api/flow_runs/"), {"flow_id": flow_id, "name": f"burst-{i}"})
        assert s in (200, 201)
        s, _ = http(server.url("/api/flow_runs/filter"), {"limit": 5})
        assert s == 200

    return measure(servers, port, lambda: concurrently(BURST, one))


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
        peak = flow_run_burst(server, flow_id, servers, port)
        label = "seed" if major == 3 else os.path.basename(fixture)
        table.append((f"prefect {major}.x server {svc['mode_after']} ({label}, --mode {mode})", predicted, idle, peak))
        assert idle <= predicted and peak <= predicted, f"held {idle} idle / {peak} under the burst, poolfix predicted at most {predicted}"
    finally:
        server.stop()


def log_scan(log):
    """The lines of `log` that the plan's 24-hour log scan counts (its grep, run on the log)."""
    plan = subprocess.run([os.environ.get("POOLFIX_CLI", "target/debug/poolfix"), "plan", SEED],
                          capture_output=True, text=True).stdout
    command = next(line for line in plan.splitlines() if "docker compose logs --since 24h" in line)
    grep = command[command.index("| grep") + 2:]
    out = subprocess.run(["bash", "-c", grep], input=log, capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


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
        assert log_scan(log) >= 1, "the plan's log scan does not count the failure"
        explained(log, "the server's startup log", expect="unexpected-keyword" if major == 3 else None)
        assert log_scan("INFO: Application startup complete.\n") == 0, "the plan's log scan counts a clean log"
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
        explained(log, "Prefect 2's log through a pooler that refuses jit", expect="unsupported-startup-parameter")
        guide = open(os.path.join(os.path.dirname(__file__), "..", "content", "06-prefect.md")).read()
        assert "unsupported startup parameter: jit" in guide, "the guide no longer quotes the error"
    finally:
        server.stop()


def other_client(port, stop):
    """Another service on the same pool: short transactions that take server connections in turn,
    so a server's next transaction may land on a server connection it did not prepare on."""
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
    others = [threading.Thread(target=other_client, args=(port, stop)) for _ in range(4)]
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
        explained(log, "Prefect 2's log in transaction mode", expect="prepared-statement-missing")
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


CLIENT_FIXTURE = os.path.join(os.path.dirname(__file__), "..", "tests", "compose", "mlflow-client-jobs.yml")
CLIENT_JOB = """
import sys, time
import mlflow
from mlflow import MlflowClient
mlflow.set_experiment("poolfix-client")
with mlflow.start_run():
    mlflow.log_param("p", 1)
    for i in range(25):
        mlflow.log_metric("m", i, step=i)
MlflowClient().create_registered_model(f"poolfix-{time.time_ns()}")
print("logged", flush=True)
time.sleep(float(sys.argv[1]))
"""


def mlflow_client_case(servers):
    """A notebook whose MLFLOW_TRACKING_URI is the database, with poolfix's settings (NullPool):
    the real MLflow client logs a run and registers a model, holding no more than poolfix
    predicts while it works, and nothing once it is idle. The control, the same job on the
    default pool, keeps its connections open while idle."""
    report = poolfix("check", CLIENT_FIXTURE)
    svc = next(s for s in report["services"] if s["name"] == "notebook")
    assert svc["kind"] == "mlflow-client", svc["kind"]
    predicted = svc["max_connections_after"]
    uri, port = local(svc["corrected_url"], servers)
    python = os.path.join(os.path.dirname(MLFLOW), "python")
    results = {}
    for label, env in (("poolfix", dict(svc["env"])), ("default pool", {})):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(CLIENT_JOB)
        out = tempfile.NamedTemporaryFile(prefix="poolfix-client-", delete=False)
        job = subprocess.Popen([python, f.name, "4"], env=dict(os.environ, MLFLOW_TRACKING_URI=uri, **env),
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            peak, idle = 0, None
            deadline = time.time() + 180
            while job.poll() is None and time.time() < deadline:
                peak = max(peak, servers.clients(port))
                if idle is None and "logged" in open(out.name, errors="replace").read():
                    time.sleep(1)
                    idle = servers.clients(port)
                time.sleep(0.05)
            log = open(out.name, errors="replace").read()
            assert job.wait(timeout=30) == 0, f"the job failed ({label}): {log[-1500:]}"
            results[label] = (peak, idle)
        finally:
            if job.poll() is None:
                os.killpg(job.pid, 9)
                job.wait()
            os.unlink(f.name)
            os.unlink(out.name)
    peak, idle = results["poolfix"]
    table.append(("mlflow client in a notebook (mlflow-client-jobs.yml, NullPool)", predicted, idle, peak))
    assert 1 <= peak <= predicted, f"held {peak} while logging, poolfix predicted at most {predicted}"
    assert idle == 0, f"held {idle} while idle with NullPool"
    control_idle = results["default pool"][1]
    assert control_idle and control_idle >= 1, f"the default pool held {control_idle} while idle: the control shows nothing"
    print(f"        idle: {idle} with NullPool, {control_idle} on the default pool", flush=True)


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
        explained(log, "MLflow's startup log", expect="invalid-connection-option")
        try:
            http(server.url("/health"))
            raise AssertionError("/health answered although the URL is broken")
        except OSError:
            pass
    finally:
        server.stop()


APP = os.path.join(os.path.dirname(__file__), "shared_app.py")


def start_app(url, n, seconds, threads=3):
    """`n` processes of the planned `api` (2 replicas × 4 workers in the seed)."""
    return [subprocess.Popen([sys.executable, APP, url, str(seconds), str(threads)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True) for _ in range(n)]


def finish_apps(procs):
    """Each process's last line (`ok N` or `failed N: …`), after it ends (or is stopped)."""
    out = []
    for p in procs:
        try:
            text, _ = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            text, _ = p.communicate()
        out.append((p.returncode, (text.strip().splitlines() or ["(no output)"])[-1]))
    return out


def shared_pool_case(report, label, expect_fit):
    """The seed with a planned configuration on one pool shared by both modes (pool size 15, as
    on Micro; the transaction side gets the reserve poolfix reports): MLflow and Prefect with
    their settings, the API's 8 processes with theirs, a burst on all three at once. Planned
    (`expect_fit`): everything answers, no client is refused or times out, each service's
    clients stay within poolfix's maximum. The control (everything on the session side, as the
    per-tool fixes alone leave it) must overflow: the API's clients wait for a server connection
    until query_wait_timeout."""
    svcs = {s["name"]: s for s in report["services"]}
    groups = report["budget"]["groups"]
    reserve = next((g["reserve"] for g in groups if g["mode"] == "transaction"), None) or 0
    with Servers(pool_size=15, shared=reserve) as servers:
        port = servers.session_port
        mlflow_url, _ = local(svcs["mlflow"]["corrected_url"], servers)
        prefect_url, _ = local(svcs["prefect-server"]["corrected_url"], servers, database="prefect")
        api = svcs["api"]
        app_db = "postgres_tx" if api["mode_after"] == "transaction" else "postgres"
        app_url, _ = local(api["corrected_url"], servers, database=app_db)
        mlflow, prefect = Mlflow(mlflow_url, dict(svcs["mlflow"]["env"])), Prefect(prefect_url, dict(svcs["prefect-server"]["env"]))
        apps = []
        try:
            mlflow.wait_healthy()
            prefect.wait_healthy()
            status, body = http(prefect.url("/api/flows/"), {"name": f"poolfix-shared-{label}"})
            assert status in (200, 201), f"create flow: {status} {body}"
            flow_id = json.loads(body)["id"]
            peaks = {"postgres": 0, "prefect": 0, "postgres_tx": 0, "servers": 0}
            stop = threading.Event()

            def watch():
                while not stop.is_set():
                    clients = servers.pooler_rows(port, "CLIENTS")
                    for db in ("postgres", "prefect", "postgres_tx"):
                        n = sum(1 for c in clients if c.get("database") == db and c.get("user") == POOLER_USER)
                        peaks[db] = max(peaks[db], n)
                    peaks["servers"] = max(peaks["servers"], len(servers.pooler_rows(port, "SERVERS")))
                    stop.wait(0.05)

            watcher = threading.Thread(target=watch)
            watcher.start()
            errors = []
            try:
                apps = start_app(app_url, api["processes"] * api["replicas"], seconds=10)

                def one(i):
                    s, _ = http(mlflow.url("/api/2.0/mlflow/experiments/create"), {"name": f"poolfix-shared-{label}-{i}-{time.time()}"})
                    assert s == 200
                    s, _ = http(prefect.url("/api/flow_runs/"), {"flow_id": flow_id, "name": f"shared-{i}"})
                    assert s in (200, 201)

                try:
                    concurrently(BURST, one)
                except AssertionError as e:
                    errors.append(f"burst: {e}")
                results = finish_apps(apps)
                errors += [f"api: {line}" for code, line in results if code != 0]
            finally:
                stop.set()
                watcher.join()
            predicted = {"postgres": svcs["mlflow"]["max_connections_after"], "prefect": svcs["prefect-server"]["max_connections_after"]}
            predicted[app_db] = predicted.get(app_db, 0) + api["max_connections_after"]
            dbs = ("postgres", "prefect", "postgres_tx")
            table.append((f"shared pool of 15, {label}: clients of postgres (mlflow{'' if app_db == 'postgres_tx' else ' + api'}) / "
                          "prefect / postgres_tx (api); server connections",
                          " / ".join(str(predicted.get(db, 0)) for db in dbs) + ", 15",
                          "-", " / ".join(str(peaks[db]) for db in dbs) + f", {peaks['servers']}"))
            if not expect_fit:
                with open(os.path.join(servers.dir, "pgbouncer-session.log"), errors="replace") as f:
                    log = f.read()
                assert errors, f"the control case did not overflow the shared pool: {peaks}"
                # The clients that found no server connection were closed at query_wait_timeout.
                assert "query_wait_timeout" in log, f"no query_wait_timeout in PgBouncer's log; errors: {errors[:3]}"
                return
            assert not errors, f"{len(errors)} failures: {errors[:3]}"
            over = {db: (peaks[db], n) for db, n in predicted.items() if peaks[db] > n}
            assert not over, f"clients above poolfix's maximum (seen, predicted): {over}"
            assert peaks["servers"] <= 15, f"{peaks['servers']} server connections on a pool of 15"
        finally:
            for a in apps:
                if a.poll() is None:
                    os.killpg(a.pid, 9)
                    a.wait()
            mlflow.stop()
            prefect.stop()


def plan_lines(report, needle):
    """The rollout plan's lines (markdown) that contain `needle`."""
    return [line for line in report["plan"].splitlines() if needle in line]


def compose_healthchecks(plan, ports):
    """The `healthcheck:` blocks of a plan, each as (port, a function running its test the way
    Docker's CMD form does, on this machine's port)."""
    import re
    import yaml
    found = []
    for block in re.findall(r"```yaml\n(.*?)```", plan, re.S):
        test = yaml.safe_load(block)["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], test
        port = int(re.search(r"localhost:(\d+)", test[3]).group(1))
        code = test[3].replace(f"localhost:{port}", f"127.0.0.1:{ports[port]}")
        found.append((port, lambda code=code: subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode))
    return found


def health_and_count_case():
    """The rollout's checks can see the failure: the health checks poolfix's plan prints answer 200
    while the database is up and an error status once PostgreSQL is stopped (where `/health` and
    `/api/health` still answer 200), and so do the compose healthchecks it offers, and the plan's client count (read from /proc/net/tcp inside the container) equals what
    the pooler's SHOW CLIENTS lists, for this machine's pooler port."""
    import re
    report = poolfix("check", SEED, "--plan", "pool-size")
    svcs = {s["name"]: s for s in report["services"]}
    found = re.findall(r"curl -fsS (-X POST .*?'\{\}' )?http://localhost:(\d+)(\S+)", report["plan"])
    checks = {int(port): (path, {} if post else None) for post, port, path in found}
    assert 5000 in checks and 4200 in checks, f"no health checks for MLflow and Prefect in the plan: {checks}"
    count_cmd = plan_lines(report, "/proc/net/tcp")[0]
    awk = re.search(r"awk '(.*)' /proc/net/tcp /proc/net/tcp6", count_cmd).group(1)
    with Servers(pool_size=10) as servers:
        mlflow_url, port = local(svcs["mlflow"]["corrected_url"], servers)
        prefect_url, _ = local(svcs["prefect-server"]["corrected_url"], servers, database="prefect")
        mlflow, prefect = Mlflow(mlflow_url, dict(svcs["mlflow"]["env"])), Prefect(prefect_url, dict(svcs["prefect-server"]["env"]))
        try:
            mlflow.wait_healthy()
            prefect.wait_healthy()
            for server, (path, body) in ((mlflow, checks[5000]), (prefect, checks[4200])):
                status, answer = http(server.url(path), body)
                assert status == 200, f"{server.name} {path}: {status} {answer}"
            # The compose healthchecks the plan offers, run as Docker would (here on this port).
            healthchecks = compose_healthchecks(report["plan"], {5000: mlflow.port, 4200: prefect.port})
            assert len(healthchecks) == 2, f"the plan offers {len(healthchecks)} healthchecks, not MLflow's and Prefect's"
            for name, run in healthchecks:
                assert run() == 0, f"{name}'s healthcheck fails with the database up"
            time.sleep(1)
            # The plan's awk program, with this machine's pooler port in place of 5432.
            local_awk = awk.replace('"1538"', f'"{port:04X}"')
            assert local_awk != awk, f"the count command does not name port 5432 as 1538: {awk}"
            for _ in range(3):
                listed = servers.clients(port)
                counted = int(subprocess.run(["awk", local_awk, "/proc/net/tcp", "/proc/net/tcp6"],
                                             capture_output=True, text=True, check=True).stdout.strip())
                if counted == listed == servers.clients(port):
                    break
                time.sleep(1)
            table.append(("the plan's client count vs SHOW CLIENTS (MLflow + Prefect, idle)", listed, "-", counted))
            assert counted == listed and listed > 0, f"/proc/net/tcp counted {counted}, SHOW CLIENTS listed {listed}"
            # PostgreSQL stopped: the plan's checks must fail where /health does not.
            # A fast shutdown (SIGINT): a smart one (SIGTERM) waits for the sessions to end.
            for pid in servers.server_pids()[:1]:
                os.kill(pid, 2)
            time.sleep(3)
            for server, (path, body), plain in ((mlflow, checks[5000], "/health"), (prefect, checks[4200], "/api/health")):
                try:
                    status, answer = http(server.url(path), body)
                except urllib.error.HTTPError as e:
                    status, answer = e.code, e.read().decode()
                assert status >= 500, f"{server.name} {path} answered {status} with PostgreSQL stopped: {answer}"
                status, _ = http(server.url(plain))
                assert status == 200, f"{server.name} {plain}: {status}"
            for name, run in healthchecks:
                assert run() != 0, f"{name}'s healthcheck passes with PostgreSQL stopped"
        finally:
            mlflow.stop()
            prefect.stop()


def main():
    version = subprocess.run([MLFLOW, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"MLflow: {version}", flush=True)
    # A session pool larger than poolfix's prediction, so the measurement shows what MLflow
    # holds rather than what the pool lets it have.
    with Servers(pool_size=10) as servers:
        check("mlflow, the ticket's URL fails as poolfix says", lambda: mlflow_naive_case(servers))
        check("mlflow with poolfix's settings, session mode", lambda: mlflow_case(servers, "keep"))
        check("mlflow with poolfix's settings, transaction mode", lambda: mlflow_case(servers, "transaction"))
        check("mlflow client in a notebook (database tracking URI) with poolfix's NullPool", lambda: mlflow_client_case(servers))
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
    check("the plan's health checks and client count see what they guard against", health_and_count_case)
    planned = poolfix("check", SEED)
    assert planned["fits"], planned["plan_options"]
    check("the seed as poolfix plans it, on one pool shared by both modes: fits",
          lambda: shared_pool_case(planned, "planned", expect_fit=True))
    check("the seed with the per-tool fixes only, on the same shared pool: overflows (control)",
          lambda: shared_pool_case(poolfix("check", SEED, "--plan", "workers"), "per-tool fixes only", expect_fit=False))
    with Servers(pool_size=10) as servers:
        print("Celery: " + subprocess.run([CELERY, "--version"], capture_output=True, text=True).stdout.strip(), flush=True)
        check("celery beat holds what poolfix predicts", lambda: celery_beat_case(servers))
    import prefect_versions  # noqa: E402 (it imports this module)
    prefect_versions.run(table)
    print("\n| scenario | predicted max | idle | burst of 20 |\n|---|---|---|---|")
    for name, predicted, idle, peak in table:
        print(f"| {name} | {predicted} | {idle} | {peak} |")
    print()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
