/**
 * npm run bench:drain — what the usage drain costs the process it shares with the gateway: CPU per
 * record and how long it holds the event loop (every request in flight waits that long). Enqueues
 * BENCH_RECORDS (default 20,000) usage records of one key into a fresh queue, drains them with each
 * batch size (BENCH_BATCH_SIZES, default 500,1000) twice (taking turns, after a warm-up), and prints a table.
 *
 * Needs PostgreSQL and Redis: BENCH_DATABASE_URL (admin URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; the bench creates conduit_bench_drain) and
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/13).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { servicesCpuMs } from './cpu';
import { freshDatabase } from './services';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const DATABASE = 'conduit_bench_drain';
/** BENCH_BATCH_SIZES=1000,2000 compares other batch sizes (the drain's default is 1,000). */
const BATCH_SIZES = (process.env.BENCH_BATCH_SIZES ?? '500,1000').split(',').map(Number).filter((size) => Number.isInteger(size) && size > 0);

const databaseUrl = await freshDatabase(DATABASE);
// lib/env.ts reads process.env once, on first use: set it before any app module loads.
Object.assign(process.env, { DATABASE_URL: databaseUrl, REDIS_URL, AUTH_SECRET: randomBytes(32).toString('base64'), NODE_ENV: 'production' });
delete process.env.UPSTASH_REDIS_REST_URL;

const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { apiKeys } = await import('@/db/schema');
const { drainAll, enqueueAll } = await import('@/lib/usage/drain-testing');
const { testQueueName, usageRecord } = await import('@/lib/usage/fixtures');
const { usageQueue } = await import('@/lib/usage/queue');

const db = await getDb();
const userId = `user_${randomUUID()}`;
const keyId = `key_${randomUUID()}`;
await insertPeople(db, { id: userId, email: `${userId}@bench.invalid` });
await db.insert(apiKeys).values({ id: keyId, userId, name: 'bench', start: 'condt_bench', hash: randomUUID() });

interface Pass {
  batchSize: number;
  cpuUs: number;
  /** PostgreSQL's and Redis's CPU per record (their processes, from /proc): the other side of the drain. */
  servicesUs: number | undefined;
  perSecond: number;
  loopP99: number;
  loopMax: number;
}

async function pass(batchSize: number, records: number): Promise<Pass> {
  const queue = usageQueue(testQueueName());
  const now = Date.now();
  await enqueueAll(queue, Array.from({ length: records }, (_, i) => usageRecord({ userId, keyId, costMicros: 30, latencyMs: 200 + (i % 900), createdAt: now - i })));
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const servicesBefore = servicesCpuMs();
  const started = performance.now();
  const inserted = await drainAll(queue, `bench-${randomUUID()}`, { batchSize });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const servicesAfter = servicesCpuMs();
  const servicesUs = servicesBefore === undefined || servicesAfter === undefined ? undefined : ((servicesAfter - servicesBefore) * 1000) / records;
  delay.disable();
  if (inserted !== records) throw new Error(`drained ${inserted} of ${records} records`);
  return { batchSize, cpuUs: (used.user + used.system) / records, servicesUs, perSecond: records / seconds, loopP99: delay.percentile(99) / 1e6, loopMax: delay.max / 1e6 };
}

for (const batchSize of BATCH_SIZES) await pass(batchSize, Math.min(RECORDS, 5_000)); // warm-up
const passes: Pass[] = [];
for (let round = 0; round < 2; round++) for (const batchSize of BATCH_SIZES) passes.push(await pass(batchSize, RECORDS));

console.log(`\n${RECORDS.toLocaleString('en')} records per pass, each batch size twice, taking turns; CPU of this process (the drain's side) and of PostgreSQL + Redis (theirs, from /proc: run it on an otherwise idle machine).\n`);
console.log('| batch size | CPU µs per record: drain / PostgreSQL + Redis | records/s | event-loop delay p99 / max ms |');
console.log('| ---: | ---: | ---: | ---: |');
for (const p of passes) console.log(`| ${p.batchSize} | ${p.cpuUs.toFixed(1)} / ${p.servicesUs === undefined ? '–' : p.servicesUs.toFixed(1)} | ${Math.round(p.perSecond)} | ${p.loopP99.toFixed(1)} / ${p.loopMax.toFixed(1)} |`);
process.exit(0);
