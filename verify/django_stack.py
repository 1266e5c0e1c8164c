#!/usr/bin/env python3
"""Django through the pooler, measured (`make verify`): Django 5.2 and 6.1 with dj-database-url, psycopg 3
(and psycopg2) and psycopg's pool, against PostgreSQL through PgBouncer in session and
transaction mode. What the guide's Django page says is checked here:

- a server-side cursor (`QuerySet.iterator()`, `chunked_cursor()`) breaks through a transaction
  pooler once another client takes the server connection it was declared on, with psycopg 3 and
  with psycopg2; with `DISABLE_SERVER_SIDE_CURSORS` (dj-database-url's
  `disable_server_side_cursors=True`) the same read works;
- Django holds one connection per thread that serves requests: with `CONN_MAX_AGE = 0` (the
  default) none is left once the requests end, with `CONN_MAX_AGE > 0` every thread keeps its own;
- Django's psycopg pool (`OPTIONS["pool"]`, Django 5.1+) with psycopg_pool's defaults keeps 4
  connections per process even when idle; `{"min_size": 1, "max_size": 2}` holds at most 2 under
  a burst of 6 threads;
- query keys of `DATABASE_URL` go to the driver (dj-database-url puts every key in `OPTIONS`), so a
  Django or SQLAlchemy setting written there (`conn_max_age`, `pool_size`) stops the app with the
  driver's `invalid connection option`.

And at service level, the small project in verify/django_site under a real gunicorn
(`--workers 2 --threads 2`), started with what `poolfix check` made of a compose file for it: in
session mode /health answers, writes succeed under a burst of 20 requests, and the connections
it holds during the burst and after it stay within poolfix's maximum (4); in transaction mode,
with DISABLE_SERVER_SIDE_CURSORS as PF219 says and other clients on the pool, QuerySet.iterator()
reads all its rows on every request.

Every error it provokes must be one `poolfix explain` knows (verify/common.py records them).
Each Django setup runs in its own process (`--worker`), as Django picks its driver at import.
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import check, explained, measure, poolfix, summary  # noqa: E402
from servers import PASSWORD, POOLER_USER, Servers, free_port  # noqa: E402

HERE = os.path.abspath(__file__)
MEASURED = []


def url(port, query=""):
    return f"postgres://{POOLER_USER}:{PASSWORD}@127.0.0.1:{port}/postgres{query}"


# ---- inside a worker process: one Django setup --------------------------------------------


def setup_django(database_url, driver, **db):
    if driver == "psycopg2":
        sys.modules["psycopg"] = None  # Django then falls back to psycopg2, as without psycopg 3
    import dj_database_url
    import django
    from django.conf import settings

    config = dj_database_url.parse(database_url, conn_max_age=db.pop("conn_max_age", 0),
                                   disable_server_side_cursors=db.pop("disable_server_side_cursors", False))
    if "options" in db:
        config.setdefault("OPTIONS", {}).update(db.pop("options"))
    settings.configure(DATABASES={"default": config}, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"],
                       DEBUG=False, USE_TZ=True, MIDDLEWARE=[], INSTALLED_APPS=["django.contrib.contenttypes"])
    django.setup()


def sleep_view(request):
    from django.db import connection
    from django.http import HttpResponse
    with connection.cursor() as cur:
        cur.execute("select pg_sleep(%s)", [float(request.GET.get("s", "0.3"))])
    return HttpResponse("ok")


urlpatterns = []


def worker_cursor(port, driver, disable):
    """Reads a table with `QuerySet.iterator()`, lets another client take the server connection
    after the first chunk, then reads on. Prints the error text, or none and the rows read."""
    setup_django(url(port), driver, disable_server_side_cursors=disable)
    import psycopg2
    from django.contrib.contenttypes.models import ContentType
    rows = ContentType.objects.order_by("id").iterator(chunk_size=100)
    read = sum(1 for _, _ in zip(range(100), rows))
    other = psycopg2.connect(host="127.0.0.1", port=port, user=POOLER_USER, password=PASSWORD, dbname="postgres")
    other.cursor().execute("select 1")  # in a transaction: PgBouncer hands it the server used last
    try:
        read += sum(1 for _ in rows)
        print(json.dumps({"error": None, "rows": read}))
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"error": f"{type(e).__module__}.{type(e).__name__}: {e}".strip(), "rows": read}))
    finally:
        other.rollback()
        other.close()


def worker_requests(port, driver, threads, conn_max_age, options):
    """`threads` requests at once through Django's request cycle (a view that runs a query),
    then idle until stdin closes, so the parent can count what stays open."""
    setup_django(url(port), driver, conn_max_age=conn_max_age, options=options)
    from django.urls import path
    urlpatterns.append(path("sleep", sleep_view))
    # Django's WSGI handler, called as gunicorn calls it: closing the response ends the request
    # (request_finished), where Django closes or keeps the thread's connection. (The test client
    # does not: it unhooks that on purpose.)
    from django.core.handlers.wsgi import WSGIHandler
    from wsgiref.util import setup_testing_defaults
    app = WSGIHandler()
    failures = []

    def one():
        try:
            environ = {"PATH_INFO": "/sleep", "QUERY_STRING": "s=0.4", "HTTP_HOST": "testserver"}
            setup_testing_defaults(environ)
            status = []
            body = app(environ, lambda s, h: status.append(s))
            b"".join(body)
            body.close()
            if not status[0].startswith("200"):
                failures.append(status[0])
        except Exception as e:  # noqa: BLE001
            failures.append(str(e))

    pool = [threading.Thread(target=one) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print(json.dumps({"failures": failures}), flush=True)
    sys.stdin.read()


def worker_connect(database_url, driver):
    """Connects with DATABASE_URL as dj-database-url reads it; prints the error text, or none."""
    setup_django(database_url, driver)
    from django.db import connection
    try:
        connection.ensure_connection()
        print(json.dumps({"error": None}))
    except Exception as e:  # noqa: BLE001
        cause = e.__cause__ or e
        print(json.dumps({"error": f"{type(cause).__module__}.{type(cause).__name__}: {cause}".strip()}))


# ---- the checks ------------------------------------------------------------------------------


def worker(*args, stdin=None):
    return subprocess.Popen([sys.executable, HERE, "--worker", *map(json.dumps, args)],
                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def answer(proc):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"worker failed: {err[-2000:]}"
    return json.loads(out.strip().splitlines()[-1])


def content_types(servers):
    """The table QuerySet.iterator() reads: Django's content types, 1,000 rows."""
    import psycopg2
    conn = psycopg2.connect(host="127.0.0.1", port=servers.pg_port, user="poolfix", password=PASSWORD, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("create table if not exists django_content_type (id serial primary key,"
                    " app_label varchar(100) not null, model varchar(100) not null, unique (app_label, model))")
        cur.execute("insert into django_content_type (app_label, model) select 'verify', 'm' || n"
                    " from generate_series(1, 1000) n on conflict do nothing")
    conn.close()


def cursor_case(servers, driver):
    on_6543 = url(6543, "?sslmode=disable").replace("127.0.0.1", "aws-0-eu-central-1.pooler.supabase.com")
    rules = [f["rule"] for f in poolfix("url", on_6543, "--for", "django")["findings"]]
    assert "PF219" in rules, f"poolfix does not warn of the cursors on the transaction pooler: {rules}"
    content_types(servers)
    broken = answer(worker("cursor", servers.transaction_port, driver, False))
    assert broken["error"] and "does not exist" in broken["error"], f"the cursor survived the pooler: {broken}"
    explained(broken["error"], f"Django's server-side cursor error ({driver})", expect="server-side-cursor")
    cured = answer(worker("cursor", servers.transaction_port, driver, True))
    assert cured == {"error": None, "rows": 1000}, f"with DISABLE_SERVER_SIDE_CURSORS: {cured}"
    same = answer(worker("cursor", servers.session_port, driver, False))
    assert same == {"error": None, "rows": 1000}, f"in session mode: {same}"


def held(servers, threads, conn_max_age, options, driver="psycopg"):
    """(peak during the burst, held once it is over) for one Django process."""
    port = servers.session_port
    proc = worker("requests", port, driver, threads, conn_max_age, options, stdin=True)
    reply = {}

    def burst():
        reply.update(json.loads(proc.stdout.readline()))

    try:
        peak = measure(servers, port, burst)
        idle = servers.clients(port)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert reply.get("failures") == [], f"requests failed: {reply} {proc.stderr.read()[-1500:]}"
    MEASURED.append((f"{threads} requests at once, CONN_MAX_AGE={conn_max_age}, OPTIONS={options}", peak, idle))
    return peak, idle


def predicted(command):
    """poolfix's maximum for a Django service running `command`."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(f"services:\n  web:\n    command: {command}\n    environment:\n"
                f"      DATABASE_URL: {url(5432, '?sslmode=disable&connect_timeout=10')}\n")
    try:
        report = poolfix("check", f.name)
    finally:
        os.unlink(f.name)
    web = report["services"][0]
    assert web["kind"] == "django", web
    return web["max_connections_after"]


def threads_case(servers):
    assert predicted("gunicorn mysite.wsgi --workers 1 --threads 4") == 4
    peak, idle = held(servers, 4, 0, {})
    assert peak == 4 and idle == 0, f"CONN_MAX_AGE=0, 4 threads: peak {peak}, idle {idle} (want 4, 0)"
    peak, idle = held(servers, 4, 60, {})
    assert peak == 4 and idle == 4, f"CONN_MAX_AGE=60, 4 threads: peak {peak}, idle {idle} (want 4, 4)"


def pool_case(servers):
    peak, idle = held(servers, 1, 0, {"pool": True})
    assert idle == 4, f"OPTIONS pool=True (psycopg_pool defaults), one request: {idle} held idle (want 4)"
    peak, idle = held(servers, 6, 0, {"pool": {"min_size": 1, "max_size": 2}})
    assert 1 <= peak <= 2 and idle <= 2, f"pool min 1 max 2, 6 threads: peak {peak}, idle {idle}"


def url_keys_case(servers, driver):
    for key in ["conn_max_age=600", "pool_size=1"]:
        reply = answer(worker("connect", url(servers.session_port, "?" + key), driver))
        name = key.split("=")[0]
        assert reply["error"] and f'invalid connection option "{name}"' in reply["error"], f"?{key}: {reply}"
        explained(reply["error"], f"?{key} in a Django DATABASE_URL ({driver})")
    # What poolfix accepts in a Django URL: libpq's keys and Django's own options.
    ok = answer(worker("connect", url(servers.session_port, "?sslmode=disable&connect_timeout=10"
                                       "&server_side_binding=false&isolation_level=2"), driver))
    assert ok == {"error": None}, f"libpq keys and Django's options: {ok}"
    # poolfix's corrected URL for the broken one connects.
    broken = url(6543, "?sslmode=disable&conn_max_age=600").replace("127.0.0.1:6543", "aws-0-eu-central-1.pooler.supabase.com:6543")
    report = poolfix("url", broken, "--for", "django")
    assert [f["rule"] for f in report["findings"] if f["severity"] == "error"] == ["PF102"], report["findings"]
    fixed = report["corrected_url"].replace("aws-0-eu-central-1.pooler.supabase.com:6543", f"127.0.0.1:{servers.transaction_port}")
    ok = answer(worker("connect", fixed, driver))
    assert ok == {"error": None}, f"poolfix's corrected URL {fixed}: {ok}"


SITE = """services:
  web:
    build: .
    command: gunicorn django_site.wsgi:application --workers 2 --threads 2 --bind 0.0.0.0:8000
    environment:
      DATABASE_URL: postgres://{user}:${{DB_PASSWORD}}@aws-0-eu-central-1.pooler.supabase.com:{port}/postgres?sslmode=require&conn_max_age=60
"""


def site_report(port):
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(SITE.format(user=POOLER_USER, port=port))
    try:
        report = poolfix("check", f.name)
    finally:
        os.unlink(f.name)
    web = report["services"][0]
    assert web["kind"] == "django" and web["max_connections_after"] == 4, web
    rules = {x["rule"] for x in report["findings"]}
    assert "PF102" in rules, f"conn_max_age in the URL: {rules}"
    return web, rules


class Site:
    """gunicorn serving verify/django_site with DATABASE_URL, stopped by its pid."""

    def __init__(self, database_url, **env):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.proc = subprocess.Popen(
            [gunicorn, "django_site.wsgi:application", "--workers", "2", "--threads", "2",
             "--bind", f"127.0.0.1:{self.port}"],
            cwd=os.path.dirname(HERE), env=dict(os.environ, DATABASE_URL=database_url, **env),
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while self.get("/health")[0] != 200:
            assert self.proc.poll() is None and time.time() < deadline, f"gunicorn did not answer: {self.tail()}"
            time.sleep(0.2)

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, ""
        except OSError:
            return 0, ""

    def tail(self):
        self.log.seek(0)
        return self.log.read()[-1500:]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        os.unlink(self.log.name)


def local_url(corrected, port):
    rest = corrected.split("@", 1)[1].split("/", 1)[1]
    return f"postgres://{POOLER_USER}:{PASSWORD}@127.0.0.1:{port}/{rest}"


def site_session_case(servers):
    web, _ = site_report(5432)
    port = servers.session_port
    import psycopg2
    conn = psycopg2.connect(host="127.0.0.1", port=servers.pg_port, user="poolfix", password=PASSWORD, dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute("create table if not exists verify_writes (id serial primary key, at timestamptz)")
    conn.close()
    site = Site(local_url(web["corrected_url"], port), CONN_MAX_AGE="60")
    try:
        statuses = []

        def burst():
            threads = [threading.Thread(target=lambda: statuses.append(site.get("/write")[0])) for _ in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        peak = measure(servers, port, burst)
        idle = servers.clients(port)
    finally:
        site.stop()
    assert statuses == [200] * 20, f"writes: {statuses}"
    MEASURED.append(("gunicorn --workers 2 --threads 2, CONN_MAX_AGE=60 (poolfix: 4), 20 writes", peak, idle))
    assert 2 <= peak <= 4 and idle <= 4, f"peak {peak}, idle {idle}: poolfix's maximum is 4"


def site_transaction_case(servers):
    web, rules = site_report(6543)
    assert "PF219" in rules, f"no PF219 on the transaction pooler: {rules}"
    content_types(servers)
    site = Site(local_url(web["corrected_url"], servers.transaction_port), DISABLE_SERVER_SIDE_CURSORS="true")
    stop = threading.Event()

    def other_client():
        import psycopg2
        while not stop.is_set():
            with contextlib.suppress(psycopg2.Error):
                c = psycopg2.connect(host="127.0.0.1", port=servers.transaction_port, user=POOLER_USER,
                                     password=PASSWORD, dbname="postgres")
                for _ in range(20):
                    c.cursor().execute("select pg_sleep(0.01)")
                    c.commit()
                c.close()

    others = [threading.Thread(target=other_client) for _ in range(3)]
    for t in others:
        t.start()
    try:
        reads = [site.get("/read") for _ in range(10)]
    finally:
        stop.set()
        for t in others:
            t.join()
        site.stop()
    assert reads == [(200, "1000")] * 10, f"QuerySet.iterator() with DISABLE_SERVER_SIDE_CURSORS: {reads}"


def main():
    # make verify runs this file with Django 5.2 (.venv-django) and 6.1 (.venv-django6).
    import django
    print(f"Django {django.get_version()}")
    with Servers(pool_size=6) as servers:
        for driver in ["psycopg", "psycopg2"]:
            check(f"Django ({driver}): a server-side cursor breaks through the transaction pooler; "
                  "DISABLE_SERVER_SIDE_CURSORS cures it", lambda: cursor_case(servers, driver))
            check(f"Django ({driver}): DATABASE_URL query keys reach the driver (conn_max_age, pool_size refused)",
                  lambda: url_keys_case(servers, driver))
        check("Django: one connection per thread, as poolfix counts it; CONN_MAX_AGE=0 keeps none idle, >0 keeps each thread's",
              lambda: threads_case(servers))
        check("Django 5.1+ psycopg pool: 4 held idle with the defaults; min 1 max 2 holds at most 2",
              lambda: pool_case(servers))
        check("Django under gunicorn with poolfix's output, session mode: health, 20 writes, within its 4",
              lambda: site_session_case(servers))
        check("Django under gunicorn on the transaction pooler with DISABLE_SERVER_SIDE_CURSORS (PF219): reads work",
              lambda: site_transaction_case(servers))
    if MEASURED:
        print("\nDjango (clients on the session pooler): peak during the requests, held after")
    for what, peak, idle in MEASURED:
        print(f"  {what}: peak {peak}, idle {idle}")
    return summary()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        what, *args = [json.loads(a) for a in sys.argv[2:]]
        {"cursor": worker_cursor, "requests": worker_requests, "connect": worker_connect}[what](*args)
    else:
        sys.exit(main())
