"""What both verification suites share: named checks with a `N passed, N failed` summary, the
poolfix CLI, pointing a URL at the local poolers, and measuring the clients a pooler holds."""
import json
import os
import subprocess
import threading

from servers import PASSWORD, POOLER_USER

CLI = os.environ.get("POOLFIX_CLI", "target/debug/poolfix")
results = []


def check(name, fn):
    """Runs one named check; every failure is reported, none stops the run. `VERIFY_ONLY=text`
    runs only the checks whose name contains `text` (while working on one)."""
    only = os.environ.get("VERIFY_ONLY")
    if only and only not in name:
        return
    try:
        fn()
        results.append((name, None))
        print(f"ok      {name}", flush=True)
    except Exception as e:  # noqa: BLE001
        results.append((name, e))
        print(f"FAILED  {name}: {e}", flush=True)
        if os.environ.get("VERIFY_TRACE"):
            import traceback
            traceback.print_exc()


def summary():
    """Prints the closing `N passed, N failed` line; returns the exit status."""
    failed = sum(1 for _, e in results if e)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def poolfix(*args):
    """The poolfix CLI's JSON answer (exit 0 or 1 are both answers)."""
    out = subprocess.run([CLI, *args, "--format", "json"], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"poolfix {' '.join(args)} failed: {out.stderr}")
    return json.loads(out.stdout)


def local(url, servers, database=None):
    """The same URL, query untouched, pointed at the local pooler standing in for Supavisor
    (transaction mode for port 6543, session mode otherwise). Returns (url, pooler port)."""
    from sqlalchemy.engine import make_url
    u = make_url(url)
    port = servers.transaction_port if u.port == 6543 else servers.session_port
    u = u.set(host="127.0.0.1", port=port, username=POOLER_USER, password=PASSWORD)
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False), port


def measure(servers, port, fn, baseline=frozenset(), user=POOLER_USER):
    """Runs `fn` while polling the clients held for `user` on `port`; returns the most seen at
    once that are not in `baseline` (the clients there before, by identity: one of them going
    away during the run must not hide one of the engine's)."""
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], len(servers.client_ids(port, user) - baseline))
            stop.wait(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        fn()
    finally:
        stop.set()
        watcher.join()
    return peak[0]


def concurrently(n, one):
    """Runs `one(i)` for i in 0..n on n threads; raises the first error, with the count."""
    errors = []

    def run(i):
        try:
            one(i)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise AssertionError(f"{len(errors)} of {n} failed: {errors[0]}")


# Every error the real software printed in a check, one line each: tests/logs/recorded.log is
# a copy (the cargo test asks `poolfix explain`'s table to know each line).
RECORD = os.environ.get("POOLFIX_RECORD", os.path.join(os.path.dirname(__file__), "..", "target", "verify-errors.log"))


def explained(text, what, expect=None):
    """An error the real software printed: `poolfix explain` must know it (so its table cannot
    drift from the real texts), as the entry `expect` when given. Its error lines are recorded."""
    out = subprocess.run([CLI, "explain", "-", "--format", "json"], input=text, capture_output=True, text=True)
    report = json.loads(out.stdout)
    ids = [line["known"]["error"] for line in report["lines"] if line["known"]]
    assert ids, f"poolfix explain does not know {what}: {text[-600:]!r}"
    if expect:
        assert expect in ids, f"poolfix explain took {what} for {ids}, not {expect}"
    with open(RECORD, "a") as f:
        for line in report["lines"]:
            f.write(line["text"].strip() + "\n")
    return report


def url_cases(*services):
    """The cases of tests/urls/cases.txt for the given `--for` values: (name, service, url, mode)."""
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "urls", "cases.txt")
    for line in open(path):
        if line.strip() and not line.startswith("#") and line.split("|")[1].strip() in services:
            name, service, mode, url = [f.strip() for f in line.split("|", 3)]
            yield name, service, url, mode.split(",")[0]
