// One node-postgres run for verify/node_postgres.py: connects with a URL as `new Pool({
// connectionString })` does (node-postgres 8.23.1, pinned in package-lock.json), runs `burst`
// queries at once, and prints {error, ok, max} as JSON: the error text if it could not connect,
// the queries that succeeded, and the pool's `max`.
import pg from 'pg';

const [url, burst] = [process.argv[2], Number(process.argv[3] || 1)];
const pool = new pg.Pool({ connectionString: url });
const out = { error: null, ok: 0, max: pool.options.max };
try {
  const work = Array.from({ length: burst }, () => pool.query('select pg_sleep(0.2)').then(() => out.ok++));
  await Promise.all(work);
} catch (e) {
  out.error = `${e.constructor.name}: ${e.message}`;
}
await pool.end();
console.log(JSON.stringify(out));
