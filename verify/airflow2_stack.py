"""Airflow 2 through the pooler, started with what `poolfix check` makes of a compose file.

Real Airflow 2.10.5 from PyPI (verify/requirements-airflow2.txt) against PostgreSQL behind
PgBouncer standing in for Supavisor, the services of tests/compose/airflow-2-local.yml (the
LocalExecutor, `parallelism` 8): `airflow db migrate` at too small a pool and with poolfix's
1 + 2, then the webserver, scheduler and triggerer each with poolfix's settings and on the port
poolfix gives it (the scheduler, with its tasks, on the transaction pooler): health, 20 writes
at once, a DAG run of 6 tasks at once, and the clients on each pooler against poolfix's count.
Then the CeleryExecutor: a Celery worker (`worker_concurrency` 4, kombu's filesystem broker in a
temporary folder: there is no Redis here) on the transaction pooler, where it is the only client,
runs the same DAG, its tasks and its database result backend within poolfix's count for it.
Every process listens on 127.0.0.1 and is stopped by its pid."""
import base64
import json
import os
import subprocess
import sys
import threading

from airflow_stack import Airflow, filesystem_broker, local, migrate
from common import check, measure, poolfix, summary
from servers import Servers

HERE = os.path.dirname(os.path.abspath(__file__))
AIRFLOW = os.environ.get("AIRFLOW_BIN", os.path.join(os.path.dirname(sys.executable), "airflow"))
COMPOSE = os.path.join(HERE, "..", "tests", "compose", "airflow-2-local.yml")
MEASURED = []
TASKS = 6

DAG = f'''from airflow.decorators import dag, task
import pendulum
import time


@dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False)
def poolfix_probe():
    @task
    def write(i):
        from airflow.models import Variable
        Variable.set(f"probe{{i}}", "done")
        time.sleep(10)

    write.expand(i=list(range({TASKS})))


poolfix_probe()
'''


class Airflow2(Airflow):
    """Airflow 2's home: the webserver on `port`, its REST API with basic auth."""

    HEADERS = {**Airflow.HEADERS, "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}

    def __init__(self, servers):
        super().__init__(servers)
        with open(os.path.join(self.home, "dags", "probe.py"), "w") as f:
            f.write(DAG)

    def env(self, service, extra=None, executor="LocalExecutor"):
        env = dict(os.environ, AIRFLOW_HOME=self.home, AIRFLOW__CORE__DAGS_FOLDER=os.path.join(self.home, "dags"),
                   AIRFLOW__WEBSERVER__WEB_SERVER_HOST="127.0.0.1", AIRFLOW__WEBSERVER__WEB_SERVER_PORT=str(self.port),
                   AIRFLOW__API__AUTH_BACKENDS="airflow.providers.fab.auth_manager.api.auth.backend.basic_auth",
                   AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False")
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = local(service["corrected_url"], self.servers)
        env.update({k: local(v, self.servers) for k, v in service["env"].items()})
        # The compose file's own settings for every service (executor, parallelism).
        env.update(AIRFLOW__CORE__EXECUTOR=executor, AIRFLOW__CORE__PARALLELISM="8",
                   AIRFLOW__CORE__LOAD_EXAMPLES="false")
        if executor == "CeleryExecutor":
            env.update(filesystem_broker(self.home),
                       # The result backend on the worker's own URL, as the official file shares one.
                       AIRFLOW__CELERY__RESULT_BACKEND="db+" + env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        env.update(extra or {})
        return env


def report():
    r = poolfix("check", COMPOSE)
    return {s["name"]: s for s in r["services"]}


def migrate_case(servers, services):
    init = services["airflow-init"]
    assert init["env"].get("AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW") == "2", init["env"]
    af = Airflow2(servers)
    try:
        out, _ = migrate(af, init, pool=(1, 1))
        assert out.returncode != 0 and "QueuePool limit of size 1 overflow 1 reached" in out.stderr, \
            f"migrate at 1 + 1: {out.returncode} {out.stderr[-800:]}"
        out, peak = migrate(af, init)
        assert out.returncode == 0, f"migrate with poolfix's settings: {out.stderr[-1500:]}"
        MEASURED.append((f"airflow db migrate, poolfix's 1 + 2 (poolfix: {init['max_connections_after']})", peak, None))
        assert peak <= init["max_connections_after"], f"peak {peak} > poolfix's {init['max_connections_after']}"
    finally:
        af.remove()


def stack_case(servers, services):
    names = ["airflow-webserver", "airflow-scheduler", "airflow-triggerer"]
    assert services["airflow-scheduler"]["mode_after"] == "transaction", services["airflow-scheduler"]["mode_after"]
    on = {m: sum(services[n]["max_connections_after"] for n in names if services[n]["mode_after"] == m)
          for m in ("session", "transaction")}
    port = {"session": servers.session_port, "transaction": servers.transaction_port}
    af = Airflow2(servers)
    try:
        out, _ = migrate(af, services["airflow-init"])
        assert out.returncode == 0, out.stderr[-1500:]
        subprocess.run([AIRFLOW, "users", "create", "--username", "admin", "--password", "admin", "--role", "Admin",
                        "--firstname", "a", "--lastname", "b", "--email", "admin@example.com"],
                       env=af.env(services["airflow-init"]), capture_output=True, check=True, timeout=120)
        baseline = {m: servers.client_ids(p) for m, p in port.items()}
        peaks = {m: [0] for m in port}
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                for m, p in port.items():
                    peaks[m][0] = max(peaks[m][0], len(servers.client_ids(p) - baseline[m]))
                stop.wait(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            af.start("airflow-webserver", ["webserver"], af.env(services["airflow-webserver"]))
            af.start("airflow-scheduler", ["scheduler", "--skip-serve-logs"], af.env(services["airflow-scheduler"]))
            af.start("airflow-triggerer", ["triggerer", "--skip-serve-logs"], af.env(services["airflow-triggerer"]))

            def healthy():
                status, body = af.call("/health", timeout=10)
                h = json.loads(body) if status == 200 else {}
                return all((h.get(p) or {}).get("status") == "healthy" for p in ["metadatabase", "scheduler", "triggerer"])

            af.wait_for("every component healthy", healthy, seconds=180)
            statuses = []
            threads = [threading.Thread(target=lambda i=i: statuses.append(
                af.call("/api/v1/variables", {"key": f"k{i}", "value": "v"})[0])) for i in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert statuses == [200] * 20, f"writes: {statuses}"
            assert run_dag(af) == "success", af.log("airflow-scheduler")[-1500:]
        finally:
            stop.set()
            watcher.join()
        for m in port:
            MEASURED.append((f"{m} side, start to DAG run (poolfix: {on[m]})", peaks[m][0], None))
        assert peaks["session"][0] <= on["session"], f"session peak {peaks['session'][0]} > poolfix's {on['session']}"
        assert peaks["transaction"][0] <= on["transaction"], \
            f"transaction peak {peaks['transaction'][0]} > poolfix's {on['transaction']}"
        assert peaks["transaction"][0] >= TASKS, "the tasks did not connect through the transaction pooler"
    finally:
        af.stop()
        af.remove()


CELERY = """x-airflow-common: &airflow-common
  image: apache/airflow:2.10.5
  environment:
    AIRFLOW__CORE__EXECUTOR: CeleryExecutor
    AIRFLOW__CELERY__WORKER_CONCURRENCY: '4'
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql+psycopg2://postgres.abcdefghijklmnopqrst:${DB_PASSWORD}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?sslmode=require
services:
  airflow-worker:
    <<: *airflow-common
    command: celery worker
"""


def run_dag(af):
    af.wait_for("the DAG parsed", lambda: af.call("/api/v1/dags/poolfix_probe")[0] == 200, seconds=120)
    assert af.call("/api/v1/dags/poolfix_probe", {"is_paused": False}, "PATCH")[0] == 200
    status, body = af.call("/api/v1/dags/poolfix_probe/dagRuns", {})
    assert status == 200, body
    run = json.loads(body)["dag_run_id"]

    def finished():
        s, b = af.call(f"/api/v1/dags/poolfix_probe/dagRuns/{run}")
        state = json.loads(b).get("state") if s == 200 else None
        return state if state in ("success", "failed") else None

    return af.wait_for("the DAG run", finished, seconds=240)


def celery_case(servers, services):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(CELERY)
    try:
        worker = {s["name"]: s for s in poolfix("check", f.name)["services"]}["airflow-worker"]
    finally:
        os.unlink(f.name)
    predicted = worker["max_connections_after"]
    assert predicted == 13, f"poolfix counts {predicted} for 4 slots"
    af = Airflow2(servers)
    try:
        init = services["airflow-init"]
        out, _ = migrate(af, init)
        assert out.returncode == 0, out.stderr[-1500:]
        subprocess.run([AIRFLOW, "users", "create", "--username", "admin", "--password", "admin", "--role", "Admin",
                        "--firstname", "a", "--lastname", "b", "--email", "admin@example.com"],
                       env=af.env(init), capture_output=True, check=True, timeout=120)
        celery = "CeleryExecutor"
        # One webserver worker: with the scheduler, 7 session clients on PgBouncer's 8.
        af.start("airflow-webserver", ["webserver"],
                 af.env(services["airflow-webserver"], {"AIRFLOW__WEBSERVER__WORKERS": "1"}, executor=celery))
        af.start("airflow-scheduler", ["scheduler", "--skip-serve-logs"], af.env(services["airflow-triggerer"], executor=celery))
        baseline = servers.client_ids(servers.transaction_port)
        result = {}

        def run():
            af.start("airflow-worker", ["celery", "worker", "--skip-serve-logs", "--celery-hostname", "worker@localhost"],
                     af.env(worker, {"AIRFLOW__CELERY__WORKER_CONCURRENCY": "4"}, executor=celery))
            result["state"] = run_dag(af)

        peak = measure(servers, servers.transaction_port, run, baseline)
        assert result["state"] == "success", af.log("airflow-worker")[-1500:]
        MEASURED.append((f"Celery worker, 4 slots, {TASKS} tasks, transaction side (poolfix: {predicted})", peak, None))
        assert TASKS // 2 <= peak <= predicted, f"the worker held {peak}: poolfix counts {predicted}"
    finally:
        af.stop()
        af.remove()


def main():
    services = report()
    # 8 server connections: the session side's 7 fit, and the transaction side's 12 share them
    # (on a Micro project the plan leaves that side 4).
    with Servers(pool_size=8) as servers:
        check("Airflow 2.10.5: db migrate stops at 1 + 1 (QueuePool limit); with poolfix's 1 + 2 it migrates",
              lambda: migrate_case(servers, services))
        check(f"Airflow 2.10.5 with poolfix's output: healthy, 20 writes, {TASKS} LocalExecutor tasks at once "
              "through the transaction pooler, within poolfix's count on each side",
              lambda: stack_case(servers, services))
        check(f"Airflow 2.10.5 Celery worker, 4 slots, on the transaction pooler: {TASKS} tasks run, "
              "within poolfix's count of 3 per slot", lambda: celery_case(servers, services))
    if MEASURED:
        print("\nAirflow 2 (clients on each pooler): peak")
    for what, peak, _ in MEASURED:
        print(f"  {what}: peak {peak}")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
