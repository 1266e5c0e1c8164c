#!/usr/bin/env python3
"""Two processes on one transaction pooler with asyncpg's statement cache off, as poolfix's cure
says (`connect_args={"statement_cache_size": 0}`). Run with the python of the venv whose asyncpg
is under test; prints one JSON line: the asyncpg version and how many transactions failed on
prepared statements. Used by verify/drivers.py."""
import asyncio
import json
import multiprocessing
import sys

TRANSACTIONS = 120
CONCURRENCY = 6


def worker(url, queue):
    import asyncpg
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    async def go():
        engine = create_async_engine(url, poolclass=NullPool, connect_args={"statement_cache_size": 0})
        failed, errors = 0, set()

        async def one(n):
            nonlocal failed
            try:
                async with engine.connect() as c:
                    got = (await c.execute(text("select cast(:n as int) + 0"), {"n": n})).scalar()
                    assert got == n, f"wrong result {got} for {n}"
            except Exception as e:  # noqa: BLE001
                failed += 1
                errors.add(type(e).__name__ + ": " + str(e).splitlines()[0][:160])

        for start in range(0, TRANSACTIONS, CONCURRENCY):
            await asyncio.gather(*(one(n) for n in range(start, start + CONCURRENCY)))
        await engine.dispose()
        return failed, sorted(errors)[:3]

    failed, errors = asyncio.run(go())
    queue.put({"asyncpg": asyncpg.__version__, "failed": failed, "errors": errors})


def main():
    url = sys.argv[1]
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(url, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    print(json.dumps({
        "asyncpg": results[0]["asyncpg"],
        "failed": sum(r["failed"] for r in results),
        "total": TRANSACTIONS * len(procs),
        "errors": sorted({e for r in results for e in r["errors"]})[:3],
    }))


if __name__ == "__main__":
    main()
