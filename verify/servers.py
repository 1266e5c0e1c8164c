"""Real PostgreSQL and PgBouncer on 127.0.0.1, started for the verification and stopped by pid.

PostgreSQL (Debian's package) with a password user, TLS on (URLs for a direct host keep
`sslmode=require`); PgBouncer in front of it twice, in session
and in transaction mode, with a pool of 3, standing in for Supavisor's two modes. PgBouncer
1.18 has no prepared-statement support in transaction mode, like hosted Supavisor. Both
poolers speak TLS with a throwaway certificate, so `sslmode=require` / `ssl=require` are real.
"""
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

PASSWORD = "poolfix-verify"
POOLER_USER = "postgres.abcdefghijklmnopqrst"
POOL_SIZE = 3
ADMIN = "pgbouncer-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"verify: {name} not found; install Debian's postgresql package")
    return found[-1]


def as_postgres(args, **kw):
    """Runs a command as the postgres user (PostgreSQL and PgBouncer refuse to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return prefix + args


def wait_port(port, proc, what):
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"verify: {what} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"verify: {what} did not listen on 127.0.0.1:{port}")


class Servers:
    """PostgreSQL on `pg_port`, PgBouncer session mode on `session_port`, transaction on `transaction_port`."""

    def __init__(self, pool_size=POOL_SIZE, ignore_jit=False, shared=None):
        self.pool_size = pool_size
        # `shared` (the transaction side's reserve): one PgBouncer like Supavisor's shared
        # pooler, whose session and transaction ports draw on one pool (docs/sources.md#limits).
        # PgBouncer listens on one port, so the transaction "port" is the database `postgres_tx`
        # (transaction mode) on the same listener; `max_user_connections` caps the server
        # connections of every entry together. PgBouncer keeps a pool per entry, so the
        # transaction entry gets the reserve poolfix reports as its own pool size: what
        # Supavisor's one pool leaves it once the session clients hold theirs.
        self.shared = shared
        # PgBouncer refuses startup parameters it does not know, as Prefect 2's `jit`
        # (docs/sources.md#prefect); `ignore_jit` makes it a pooler that lets the parameter through unapplied.
        self.ignored = "extra_float_digits, jit" if ignore_jit else "extra_float_digits"

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="poolfix-verify-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.procs = []
        self.pg_port, self.session_port, self.transaction_port = free_port(), free_port(), free_port()
        data = os.path.join(self.dir, "data")
        pwfile = os.path.join(self.dir, "pw")
        self._write(pwfile, PASSWORD + "\n")
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", data, "-U", "poolfix", "--pwfile", pwfile, "-A", "scram-sha-256", "--no-sync"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        key, cert = os.path.join(self.dir, "key.pem"), os.path.join(self.dir, "cert.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-keyout", key, "-out", cert], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for f in (key, cert):
            os.chmod(f, 0o600)
            if os.geteuid() == 0:
                shutil.chown(f, "postgres", "postgres")
        pg = subprocess.Popen(
            as_postgres([pg_bin("postgres"), "-D", data, "-p", str(self.pg_port), "-c", "listen_addresses=127.0.0.1",
                         "-c", f"unix_socket_directories={self.dir}", "-c", "max_connections=100", "-c", "fsync=off",
                         "-c", "ssl=on", "-c", f"ssl_cert_file={cert}", "-c", f"ssl_key_file={key}"]),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "postgres.log"), "w"),
        )
        self.procs.append(pg)
        wait_port(self.pg_port, pg, "postgres")
        time.sleep(0.3)
        # A second database, so that services with their own migrations (MLflow, Prefect) can
        # run side by side without sharing an alembic_version table.
        subprocess.run(as_postgres([pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "poolfix", "-d", "postgres",
                                    "-c", "create database prefect"]),
                       check=True, env=dict(os.environ, PGPASSWORD=PASSWORD), stdout=subprocess.DEVNULL)
        if self.shared is not None:
            # The pooler's user logs in to PostgreSQL itself (see the shared entries below).
            subprocess.run(as_postgres([pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "poolfix", "-d", "postgres",
                                        "-c", f"create role \"{POOLER_USER}\" login superuser password '{PASSWORD}'"]),
                           check=True, env=dict(os.environ, PGPASSWORD=PASSWORD), stdout=subprocess.DEVNULL)
        users = os.path.join(self.dir, "users.txt")
        self._write(users, f'"{POOLER_USER}" "{PASSWORD}"\n"postgres" "{PASSWORD}"\n"{ADMIN}" "{PASSWORD}"\n')
        poolers = [("session", self.session_port), ("transaction", self.transaction_port)]
        if self.shared is not None:
            self.transaction_port = self.session_port
            poolers = [("session", self.session_port)]
        for mode, port in poolers:
            ini = os.path.join(self.dir, f"pgbouncer-{mode}.ini")
            shared = ""
            # Shared: every entry logs in as the client's own user, so that one user's
            # max_user_connections caps them all (a user forced in an entry is that entry's own).
            login = f" user=poolfix password={PASSWORD}" if self.shared is None else ""
            if self.shared is not None:
                shared = (f"postgres_tx = host=127.0.0.1 port={self.pg_port} dbname=postgres"
                          f" pool_mode=transaction pool_size={self.shared}\n")
            cap = f"max_user_connections = {self.pool_size}\n" if self.shared is not None else ""
            self._write(ini, f"""[databases]
postgres = host=127.0.0.1 port={self.pg_port} dbname=postgres{login}
prefect = host=127.0.0.1 port={self.pg_port} dbname=prefect{login}
{shared}[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = plain
auth_file = {users}
pool_mode = {mode}
admin_users = {ADMIN}
default_pool_size = {self.pool_size}
{cap}max_client_conn = 200
query_wait_timeout = 5
client_tls_sslmode = allow
client_tls_key_file = {key}
client_tls_cert_file = {cert}
ignore_startup_parameters = {self.ignored}
logfile = {self.dir}/pgbouncer-{mode}.log
pidfile = {self.dir}/pgbouncer-{mode}.pid
""")
            for f in (key, cert, users, ini):
                if os.geteuid() == 0:
                    shutil.chown(f, "postgres", "postgres")
            proc = subprocess.Popen(as_postgres(["pgbouncer", ini]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs.append(proc)
            wait_port(port, proc, f"pgbouncer ({mode})")
        return self

    def _write(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def clients(self, port, user=POOLER_USER):
        """How many client connections `user` holds right now on `port`."""
        return len(self.client_ids(port, user))

    def pooler_rows(self, port, what):
        """PgBouncer's admin console: SHOW CLIENTS or SHOW SERVERS, as dicts."""
        import psycopg2
        conn = psycopg2.connect(host="127.0.0.1", port=port, user=ADMIN, password=PASSWORD, dbname="pgbouncer")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f"SHOW {what}")
                cols = [d[0] for d in cur.description]
                return [dict(zip(cols, row)) for row in cur.fetchall()]
        finally:
            conn.close()

    def client_ids(self, port, user=POOLER_USER):
        """The client connections held for `user` right now on `port`, each as (address, port):
        PgBouncer's admin console (SHOW CLIENTS) for a pooler, pg_stat_activity for PostgreSQL
        itself. What the engine under test keeps open; a set, so that a measurement can leave
        out clients that were there before it started even when they go away during it."""
        import psycopg2
        if port == self.pg_port:
            conn = psycopg2.connect(host="127.0.0.1", port=port, user="poolfix", password=PASSWORD, dbname="postgres")
            try:
                with conn.cursor() as cur:
                    cur.execute("select client_addr::text, client_port, pid from pg_stat_activity"
                                " where usename = %s and backend_type = 'client backend'", (user,))
                    return {(addr, cport, pid) for addr, cport, pid in cur.fetchall()}
            finally:
                conn.close()
        return {(r.get("addr"), r.get("port"), r.get("ptr")) for r in self.show_clients(port) if r.get("user") == user}

    def show_clients(self, port):
        """PgBouncer's SHOW CLIENTS on the pooler at `port`, a dict per client."""
        import psycopg2
        conn = psycopg2.connect(host="127.0.0.1", port=port, user=ADMIN, password=PASSWORD, dbname="pgbouncer")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW CLIENTS")
                cols = [d[0] for d in cur.description]
                return [dict(zip(cols, row)) for row in cur.fetchall()]
        finally:
            conn.close()

    def login_role(self, name, password):
        """A PostgreSQL login role `name` with `password` (created or reset), for URLs that go
        to the database directly with their own user and password."""
        import psycopg2
        from psycopg2 import sql
        conn = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="poolfix", password=PASSWORD, dbname="postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("select 1 from pg_roles where rolname = %s", (name,))
                verb = "alter" if cur.fetchone() else "create"
                cur.execute(sql.SQL(verb + " role {} login password {}").format(sql.Identifier(name), sql.Literal(password)))
        finally:
            conn.close()

    def server_pids(self):
        """The servers' own pids (runuser's children), from their pid files."""
        pids = []
        for f in ["data/postmaster.pid", "pgbouncer-session.pid", "pgbouncer-transaction.pid"]:
            with contextlib.suppress(OSError, ValueError, IndexError):
                pids.append(int(open(os.path.join(self.dir, f)).read().split()[0]))
        return pids

    def __exit__(self, *exc):
        # Stop each server by its own pid, then let runuser, its parent, reap it and exit;
        # signalling runuser first would leave the server a zombie.
        for pid in self.server_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False
