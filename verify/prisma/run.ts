// One Prisma 7 run for verify/prisma7.py: `new PrismaPg({ connectionString })` as Prisma's docs
// show it, `burst` raw queries and `burst` inserts at once; prints {error, ok, count} as JSON.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

const [url, burst] = [process.argv[2], Number(process.argv[3] || 1)];
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
const out: { error: string | null; ok: number; count?: number } = { error: null, ok: 0 };
try {
  await prisma.$executeRawUnsafe('create table if not exists "Item" (id serial primary key, name text not null)');
  const n = Array.from({ length: burst }, (_, i) => i);
  await Promise.all(n.map((i) => prisma.$queryRaw`select pg_sleep(0.2)::text as s, ${i}::int as n`.then(() => out.ok++)));
  await Promise.all(n.map((i) => prisma.item.create({ data: { name: `n${i}` } }).then(() => out.ok++)));
  out.count = await prisma.item.count();
} catch (e) {
  out.error = `${(e as Error).constructor.name}: ${(e as Error).message}`.slice(0, 500);
}
await prisma.$disconnect();
console.log(JSON.stringify(out));
