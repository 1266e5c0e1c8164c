// One postgres.js run for verify/postgres_js.py: connects with a URL as `postgres(url)` does
// (postgres.js 3.4.9, pinned in package-lock.json), runs `burst` queries at once — three
// parameterised statements, which postgres.js prepares unless told not to, or with `plain` one
// without parameters, which it pipelines onto busy connections — and prints {error, ok, max,
// prepare} as JSON: the first error's text, the queries that succeeded, and the options it read
// from the URL. The run gives up after `timeout` seconds, so a hang is seen.
import postgres from 'postgres';

const [url, burst, timeout] = [process.argv[2], Number(process.argv[3] || 1), Number(process.argv[4] || 20)];
const sql = postgres(url, { onnotice: () => {} });
const out = { error: null, ok: 0, max: sql.options.max, prepare: sql.options.prepare };
// Under a burst through a transaction pooler its defaults can also throw outside any query
// (`Cannot read properties of undefined (reading 'length')` in connection.js): that is one more
// way they fail, reported like the others rather than as a crash of this script.
process.on('uncaughtException', (e) => {
  out.error = out.error || `${e.constructor.name}: ${e.message}`;
  console.log(JSON.stringify(out));
  process.exit(0);
});
// `plain`: no parameters, so postgres.js pipelines queries onto a busy connection.
const plain = process.argv[5] === 'plain';
const query = (i) =>
  (plain
    ? sql`select pg_sleep(0.05), 1 as i`
    : i % 3 == 0
      ? sql`select pg_sleep(0.05), ${i}::int as i`
      : i % 3 == 1
        ? sql`select ${i}::int as j, pg_sleep(0.05)`
        : sql`select pg_sleep(0.05) as s, ${String(i)}::text as t`
  ).then(() => out.ok++);
const hang = new Promise((_, fail) => setTimeout(() => fail(new Error(`no answer within ${timeout} s`)), timeout * 1000));
try {
  await Promise.race([Promise.all(Array.from({ length: burst }, (_, i) => query(i))), hang]);
} catch (e) {
  out.error = `${e.constructor.name}: ${e.message}`;
}
await sql.end({ timeout: 1 });
console.log(JSON.stringify(out));
process.exit(0);
