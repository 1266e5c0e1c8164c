"""One process of the seed's `api` as poolfix plans it: SQLAlchemy with the create_engine()
settings poolfix prints (pool_size=1, max_overflow=1), `threads` threads running short
transactions for `seconds` seconds. Prints `ok N` or `failed N: first error`; exits 0 or 1.

Usage: shared_app.py URL SECONDS THREADS
"""
import sys
import threading
import time

from sqlalchemy import create_engine, text

url, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
engine = create_engine(url, pool_size=1, max_overflow=1, pool_timeout=30, pool_pre_ping=True)
done, errors = [0], []
lock = threading.Lock()


def work():
    end = time.time() + seconds
    while time.time() < end:
        try:
            with engine.begin() as c:
                c.execute(text("select pg_sleep(0.02)"))
            with lock:
                done[0] += 1
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(e)
            return


pool = [threading.Thread(target=work) for _ in range(threads)]
for t in pool:
    t.start()
for t in pool:
    t.join()
if errors:
    print(f"failed {len(errors)}: {str(errors[0]).splitlines()[0]}", flush=True)
    sys.exit(1)
print(f"ok {done[0]}", flush=True)
