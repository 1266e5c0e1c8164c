"""Airflow 3 through the pooler, started with what `poolfix check` makes of a compose file.

Real Airflow 3.3.2 from PyPI (verify/requirements-airflow.txt) against PostgreSQL behind the
session-mode PgBouncer standing in for Supavisor: `airflow db migrate` with the init service's
settings (and too small a pool, to show why), then the API server, scheduler, dag-processor and
triggerer with each service's settings from poolfix: health, a DAG run, 20 writes at once, and
the clients they hold against poolfix's count; the async engine with and without PF123's URL.
Then the CeleryExecutor (the Celery provider, kombu's filesystem broker in a temporary folder:
there is no Redis here): a worker with 4 slots runs 6 tasks, its result backend on the
transaction pooler, with the URL poolfix gives it (psycopg2 named), and the clients there, told
apart by the `application_name` each service's backend URL carries, stay within poolfix's count.
Every process listens on 127.0.0.1 and is stopped by its pid."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from common import check, measure, poolfix, summary
from servers import PASSWORD, POOLER_USER, Servers, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
AIRFLOW = os.environ.get("AIRFLOW_BIN", os.path.join(os.path.dirname(sys.executable), "airflow"))
HOST = "aws-0-eu-central-1.pooler.supabase.com"
URL = f"postgresql+psycopg2://{POOLER_USER}:${{DB_PASSWORD}}@{HOST}:5432/postgres?sslmode=require"
MEASURED = []

# The official compose file's layout, with the LocalExecutor (no broker to run) and the same
# anchors: poolfix must give each service its own settings without touching the others.
COMPOSE = f"""x-airflow-common:
  &airflow-common
  image: apache/airflow:3.3.2
  environment:
    &airflow-common-env
    AIRFLOW__CORE__EXECUTOR: LocalExecutor
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: {URL}
services:
  airflow-apiserver:
    <<: *airflow-common
    command: api-server
  airflow-scheduler:
    <<: *airflow-common
    command: scheduler
  airflow-dag-processor:
    <<: *airflow-common
    command: dag-processor
  airflow-triggerer:
    <<: *airflow-common
    command: triggerer
  airflow-init:
    <<: *airflow-common
    environment:
      <<: *airflow-common-env
      _AIRFLOW_DB_MIGRATE: 'true'
"""

DAG = '''from airflow.sdk import dag, task
import pendulum


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def poolfix_probe():
    @task
    def write():
        from airflow.sdk import Variable
        Variable.set("probe", "done")

    write()


poolfix_probe()
'''


def report():
    """poolfix's answer for the compose file: {service: its JSON}, and the findings."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(COMPOSE)
    try:
        r = poolfix("check", f.name)
    finally:
        os.unlink(f.name)
    return {s["name"]: s for s in r["services"]}, r["findings"]


def local(value, servers):
    """A value from poolfix's output pointed at the local poolers (6543: transaction mode)."""
    return (value.replace("${DB_PASSWORD}", PASSWORD).replace(f"{HOST}:5432", f"127.0.0.1:{servers.session_port}")
            .replace(f"{HOST}:6543", f"127.0.0.1:{servers.transaction_port}"))


class Airflow:
    """One Airflow home (a DAG folder, the API port) and the processes started in it."""

    HEADERS = {"Content-Type": "application/json"}

    def __init__(self, servers):
        self.servers = servers
        self.home = tempfile.mkdtemp(prefix="poolfix-airflow-")
        os.makedirs(os.path.join(self.home, "dags"))
        with open(os.path.join(self.home, "dags", "probe.py"), "w") as f:
            f.write(DAG)
        self.port = free_port()
        self.procs = []

    def env(self, service, extra=None):
        """The environment poolfix gives `service`, on the local pooler, plus what a test
        harness needs (its own home, LocalExecutor, 127.0.0.1, no login)."""
        env = dict(os.environ, AIRFLOW_HOME=self.home, AIRFLOW__CORE__LOAD_EXAMPLES="False",
                   AIRFLOW__CORE__EXECUTOR="LocalExecutor",
                   AIRFLOW__CORE__DAGS_FOLDER=os.path.join(self.home, "dags"),
                   AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
                   AIRFLOW__API__HOST="127.0.0.1", AIRFLOW__API__PORT=str(self.port),
                   AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{self.port}/execution/")
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = local(service["corrected_url"], self.servers)
        env.update({k: local(v, self.servers) for k, v in service["env"].items()})
        env.update(extra or {})
        return env

    def start(self, name, args, env):
        log = open(os.path.join(self.home, f"{name}.log"), "w")
        proc = subprocess.Popen([AIRFLOW, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append((name, proc, log))
        return proc

    def log(self, name):
        with open(os.path.join(self.home, f"{name}.log")) as f:
            return f.read()

    def call(self, path, body=None, method=None, port=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{port or self.port}{path}", data=data, method=method,
                                     headers=self.HEADERS)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError as e:
            return 0, str(e)

    def wait_for(self, what, ok, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            got = ok()
            if got:
                return got
            for name, proc, _ in self.procs:
                assert proc.poll() is None, f"{name} stopped: {self.log(name)[-1500:]}"
            time.sleep(1)
        raise AssertionError(f"{what} within {seconds} s")

    def stop(self):
        for name, proc, log in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            log.close()
        self.procs = []

    def remove(self):
        shutil.rmtree(self.home, ignore_errors=True)


def run_dag(af, dag, seconds=90):
    """Unpauses `dag`, starts a run once it is parsed, and waits for it: (its state, its id)."""
    af.wait_for("the DAG parsed", lambda: af.call(f"/api/v2/dags/{dag}")[0] == 200, seconds=120)
    assert af.call(f"/api/v2/dags/{dag}", {"is_paused": False}, "PATCH")[0] == 200
    status, body = af.call(f"/api/v2/dags/{dag}/dagRuns", {"logical_date": None})
    assert status == 200, body
    run = json.loads(body)["dag_run_id"]

    def finished():
        s, b = af.call(f"/api/v2/dags/{dag}/dagRuns/{run}")
        state = json.loads(b).get("state") if s == 200 else None
        return state if state in ("success", "failed") else None

    return af.wait_for("the DAG run", finished, seconds=seconds), run


def filesystem_broker(home):
    """Celery settings for kombu's filesystem broker in `home` (there is no Redis here)."""
    broker = os.path.join(home, "broker")
    os.makedirs(broker, exist_ok=True)
    return {"AIRFLOW__CELERY__BROKER_URL": "filesystem://",
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__DATA_FOLDER_IN": broker,
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__DATA_FOLDER_OUT": broker,
            # kombu's default is ./control, in the working directory.
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__CONTROL_FOLDER": os.path.join(broker, "control")}


def migrate(af, service, pool=None):
    """`airflow db migrate` with the init service's environment (or another pool)."""
    extra = {} if pool is None else {"AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": str(pool[0]),
                                     "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": str(pool[1])}
    result = {}

    def run():
        result["out"] = subprocess.run([AIRFLOW, "db", "migrate"], env=af.env(service, extra),
                                       capture_output=True, text=True, timeout=300)

    peak = measure(af.servers, af.servers.session_port, run)
    return result["out"], peak


def migrate_case(servers, services):
    init = services["airflow-init"]
    assert init["env"].get("AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW") == "2", init["env"]
    af = Airflow(servers)
    try:
        out, _ = migrate(af, init, pool=(1, 1))
        assert out.returncode != 0 and "QueuePool limit of size 1 overflow 1 reached" in out.stderr, \
            f"migrate at 1 + 1: {out.returncode} {out.stderr[-800:]}"
        out, peak = migrate(af, init)
        assert out.returncode == 0, f"migrate with poolfix's settings: {out.stderr[-1500:]}"
        MEASURED.append(("airflow db migrate, poolfix's 1 + 2", peak, None))
        assert peak <= init["max_connections_after"], f"peak {peak} > poolfix's {init['max_connections_after']}"
    finally:
        af.remove()


def stack_case(servers, services, findings):
    assert any(f["rule"] == "PF123" and f["service"] == "airflow-apiserver" for f in findings), \
        "PF123 for the API server's sslmode"
    names = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]
    on = {m: sum(services[n]["max_connections_after"] for n in names if services[n]["mode_after"] == m)
          for m in ("session", "transaction")}
    predicted = on["session"]
    api = services["airflow-apiserver"]
    assert api["env"]["AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW"] == "9", api["env"]
    af = Airflow(servers)
    try:
        out, _ = migrate(af, services["airflow-init"])
        assert out.returncode == 0, out.stderr[-1500:]
        baseline = servers.client_ids(servers.session_port)
        tx_baseline = servers.client_ids(servers.transaction_port)
        af.start("api", ["api-server"], af.env(api))
        for n, args in [("airflow-scheduler", ["scheduler", "--skip-serve-logs"]),
                        ("airflow-dag-processor", ["dag-processor"]),
                        ("airflow-triggerer", ["triggerer", "--skip-serve-logs"])]:
            af.start(n, args, af.env(services[n]))

        def healthy():
            status, body = af.call("/api/v2/monitor/health", timeout=10)
            h = json.loads(body) if status == 200 else {}
            parts = ["metadatabase", "scheduler", "triggerer", "dag_processor"]
            return all((h.get(p) or {}).get("status") == "healthy" for p in parts)

        af.wait_for("every component healthy", healthy)
        state, run = run_dag(af, "poolfix_probe")
        assert state == "success", af.log("airflow-scheduler")[-1500:]
        # The async engine, on the URL PF123 gives it.
        status, body = af.call(f"/api/v2/dags/poolfix_probe/dagRuns/{run}/wait?interval=1")
        assert status == 200 and '"success"' in body, f"wait endpoint: {status} {body[:300]}"

        statuses = []

        def burst():
            def write(i):
                statuses.append(af.call("/api/v2/variables", {"key": f"k{i}", "value": "v"})[0])
            threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        peak = measure(servers, servers.session_port, burst, baseline)
        idle = len(servers.client_ids(servers.session_port) - baseline)
        tx = len(servers.client_ids(servers.transaction_port) - tx_baseline)
        MEASURED.append((f"session side: the API server (poolfix: {predicted}), 20 writes", peak, idle))
        MEASURED.append((f"transaction side: scheduler, dag-processor, triggerer (poolfix: {on['transaction']})",
                         None, tx))
        assert tx <= on["transaction"], f"{tx} clients on the transaction pooler: poolfix's maximum is {on['transaction']}"
        assert statuses == [201] * 20, f"writes: {statuses}"
        assert peak <= predicted and idle <= predicted, f"peak {peak}, idle {idle}: poolfix's maximum is {predicted}"

        # Without PF123's setting the same endpoint loses its async engine to `sslmode`.
        bare = free_port()
        env = af.env(api, {"AIRFLOW__API__PORT": str(bare)})
        env.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC")
        af.start("api-without-async-url", ["api-server"], env)
        af.wait_for("the second API server", lambda: af.call("/api/v2/monitor/health", port=bare)[0] == 200)
        status, body = af.call(f"/api/v2/dags/poolfix_probe/dagRuns/{run}/wait?interval=1", port=bare)
        error = "connect() got an unexpected keyword argument"
        af.wait_for("the error in its log", lambda: error in af.log("api-without-async-url"), seconds=20)
        assert '"success"' not in body, f"without the async URL: {status} {body[:200]}"
    finally:
        af.stop()
        af.remove()


def small_pool_case(servers, services):
    """Why the API server gets 1 + 9: with 1 + 4, 20 writes at once do not all succeed."""
    api = services["airflow-apiserver"]
    af = Airflow(servers)
    try:
        out, _ = migrate(af, services["airflow-init"])
        assert out.returncode == 0, out.stderr[-1500:]
        af.start("api", ["api-server"], af.env(api, {"AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": "4"}))
        af.wait_for("the API server", lambda: af.call("/api/v2/monitor/health", timeout=10)[0] == 200)
        statuses = []
        threads = [threading.Thread(target=lambda i=i: statuses.append(
            af.call("/api/v2/variables", {"key": f"s{i}", "value": "v"}, timeout=40)[0])) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses != [201] * 20, "1 + 4 answered all 20 writes: the API server's smallest pool is smaller"
        MEASURED.append((f"API server at 1 + 4, 20 writes: {statuses.count(201)} answered", None, None))
    finally:
        af.stop()
        af.remove()


CELERY_DAG = '''from airflow.sdk import dag, task
import pendulum
import time


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def poolfix_celery():
    @task
    def write(i):
        from airflow.sdk import Variable
        Variable.set(f"celery{i}", "done")
        time.sleep(5)

    write.expand(i=list(range(6)))


poolfix_celery()
'''

# The official file's CeleryExecutor layout: the metadata database on the session pooler, the
# result backend (a bare `db+postgresql://`, as the official file writes it) on the
# transaction pooler, where only the worker and the scheduler's state reads go.
CELERY = COMPOSE.replace("LocalExecutor", "CeleryExecutor").replace(
    "    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:",
    "    AIRFLOW__CELERY__WORKER_CONCURRENCY: '4'\n    AIRFLOW__CELERY__RESULT_BACKEND: db+"
    + URL.replace("postgresql+psycopg2", "postgresql").replace(":5432", ":6543") + "\n    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:",
) + """  airflow-worker:
    <<: *airflow-common
    command: celery worker
"""


def by_application(servers, port):
    """The clients on the pooler at `port` now, by the `application_name` each service gives its
    result-backend URL (its forks, short-lived ones too, inherit it)."""
    counts = {}
    for r in servers.show_clients(port):
        if r.get("user") == POOLER_USER:
            name = r.get("application_name") or "(no name)"
            counts[name] = counts.get(name, 0) + 1
    return counts


def celery_case(servers):
    """An Airflow 3 Celery worker, 4 slots, kombu's filesystem broker (no Redis here), beside the
    scheduler, dag-processor and triggerer: 6 tasks run, and the clients on the result backend's
    pooler stay within poolfix's count; which service holds how many is told by process group."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(CELERY)
    try:
        # Each tool's smallest pool, nothing moved: only result-backend clients reach 6543.
        r = poolfix("check", f.name, "--plan", "pools")
    finally:
        os.unlink(f.name)
    services = {s["name"]: s for s in r["services"]}
    worker, scheduler = services["airflow-worker"], services["airflow-scheduler"]
    backend = worker["corrected_url"]
    assert backend.startswith("db+postgresql+psycopg2://") and ":6543/" in backend, backend
    # The worker's count, and one for each service poolfix says keeps a result-backend connection.
    beside = [n for n, s in services.items() if "Celery result backend" in s["formula_after"]]
    predicted = worker["max_connections_after"] + len(beside)
    af = Airflow(servers)
    with open(os.path.join(af.home, "dags", "celery.py"), "w") as f:
        f.write(CELERY_DAG)
    celery = {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor", **filesystem_broker(af.home),
              "AIRFLOW__CELERY__RESULT_BACKEND": local(backend, servers)}

    def named(name):
        # Each service's result-backend URL names it, so the pooler tells them apart.
        return {**celery, "AIRFLOW__CELERY__RESULT_BACKEND": celery["AIRFLOW__CELERY__RESULT_BACKEND"]
                + f"&application_name={name}"}

    try:
        out, _ = migrate(af, services["airflow-init"])
        assert out.returncode == 0, out.stderr[-1500:]
        baseline = servers.client_ids(servers.transaction_port)
        result = {}

        def run():
            af.start("api", ["api-server"], af.env(services["airflow-apiserver"], named("airflow-apiserver")))
            for n, args in [("airflow-scheduler", ["scheduler", "--skip-serve-logs"]),
                            ("airflow-dag-processor", ["dag-processor"]),
                            ("airflow-triggerer", ["triggerer", "--skip-serve-logs"])]:
                af.start(n, args, af.env(services[n], named(n)))
            af.wait_for("the API server", lambda: af.call("/api/v2/monitor/health", timeout=10)[0] == 200)
            # The worker reads no metadata-database URL on 3.x; Airflow's settings still need one.
            af.start("airflow-worker", ["celery", "worker", "--skip-serve-logs", "--celery-hostname", "w@localhost"],
                     af.env(scheduler, {**named("airflow-worker"), "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4"}))
            result["state"], _ = run_dag(af, "poolfix_celery", seconds=240)

        holders = {}
        stop = threading.Event()

        def attribute():
            while not stop.is_set():
                for name, n in by_application(servers, servers.transaction_port).items():
                    holders[name] = max(holders.get(name, 0), n)
                stop.wait(0.02)

        watcher = threading.Thread(target=attribute)
        watcher.start()
        try:
            peak = measure(servers, servers.transaction_port, run, baseline)
        finally:
            stop.set()
            watcher.join()
        assert result["state"] == "success", af.log("airflow-worker")[-2000:]
        each = ", ".join(f"{n} {c}" for n, c in sorted(holders.items()))
        MEASURED.append((f"result backend's pooler, Celery worker (4 slots, 6 tasks) and the rest ({each}; "
                         f"poolfix: {predicted})", peak, None))
        assert holders.get("airflow-worker", 0) >= 4, f"the worker's slots did not all connect: {each}"
        assert peak <= predicted, f"{peak} clients on the result backend's pooler ({each}): poolfix counts {predicted}"
    finally:
        af.stop()
        af.remove()


def main():
    services, findings = report()
    with Servers(pool_size=20) as servers:
        check("Airflow 3.3.2: db migrate stops at 1 + 1 (QueuePool limit); with poolfix's 1 + 2 it migrates",
              lambda: migrate_case(servers, services))
        check("Airflow 3.3.2 with poolfix's output, session mode: healthy, a DAG run, the async engine on "
              "PF123's URL, 20 writes, within poolfix's count; without the URL, asyncpg refuses sslmode",
              lambda: stack_case(servers, services, findings))
        check("Airflow 3.3.2 API server at 1 + 4: 20 writes at once do not all succeed (why poolfix says 1 + 9)",
              lambda: small_pool_case(servers, services))
        check("Airflow 3.3.2 Celery worker, 4 slots: 6 tasks run, and its result backend, moved to the transaction "
              "pooler with psycopg2 named, holds within poolfix's count", lambda: celery_case(servers))
    if MEASURED:
        print("\nAirflow (clients on the session pooler): peak during, held after")
    for what, peak, idle in MEASURED:
        print(f"  {what}: peak {peak}, idle {idle}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
