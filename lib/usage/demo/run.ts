/**
 * npm run demo:usage -- --email you@example.com [--requests 20000] [--days 30]
 *
 * Fills an existing account with realistic usage — raw records and their hourly rollups, written
 * the way the drain writes them — so the usage page has something to show at once. Uses the
 * account's keys and links; creates two demo keys and a demo link when it has none. Reads the same
 * configuration as the app (DATABASE_URL, REDIS_URL…); with the embedded default, stop
 * `npm run dev` first (one process at a time may open the embedded database).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { personalActor } from '@/lib/orgs/actor';

const args = z
  .object({
    email: z.string().email(),
    requests: z.coerce.number().int().min(1).max(5_000_000).default(20_000),
    days: z.coerce.number().int().min(1).max(400).default(30),
  })
  .parse(parseArgs({ options: { email: { type: 'string' }, requests: { type: 'string' }, days: { type: 'string' } } }).values);

const { getDb } = await import('@/db');
const { findUserByEmail } = await import('@/db/queries/users');
const { apiKeys, links } = await import('@/db/schema');
const { and, eq, isNull } = await import('drizzle-orm');
const { insertUsageRows } = await import('@/db/queries/usage');
const { upsertRollups } = await import('@/db/queries/rollups');
const { aggregateRollups } = await import('../rollups/aggregate');
const { demoRecords } = await import('./generate');
const { createKey } = await import('@/lib/keys/service');
const { keyCreateSchema } = await import('@/lib/keys/schema');

const db = await getDb();
const user = await findUserByEmail(db, args.email.trim().toLowerCase());
if (!user) {
  console.error(`No account with the email ${args.email}: sign up first.`);
  process.exit(1);
}

let keyIds = (await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.userId, user.id), isNull(apiKeys.deletedAt)))).map((k) => k.id);
const linkIds = (await db.select({ id: links.id }).from(links).where(and(eq(links.userId, user.id), isNull(links.deletedAt)))).map((l) => l.id);
if (keyIds.length === 0) {
  for (const name of ['Demo production', 'Demo staging']) {
    const input = keyCreateSchema.parse({ name, spending_limits: { day: 20_000_000, month: 300_000_000 } });
    keyIds.push((await createKey(personalActor(user.id), input)).key.id);
  }
  console.log('Created two demo keys.');
}
keyIds = keyIds.slice(0, 8);

const records = demoRecords({ userId: user.id, keyIds, linkIds: linkIds.slice(0, 4) }, args.requests, args.days, Date.now());
const CHUNK = 1_000;
for (let i = 0; i < records.length; i += CHUNK) {
  const rows = records.slice(i, i + CHUNK).map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
  await db.transaction(async (tx) => {
    const inserted = await insertUsageRows(tx, rows);
    await upsertRollups(tx, aggregateRollups(inserted));
  });
}
// As the drain would after these batches: today's and this month's spend may have crossed limits.
const { evaluateAlerts } = await import('@/lib/alerts/evaluate');
const fired = await evaluateAlerts({ keyIds, userIds: [user.id] });
console.log(`Added ${records.length.toLocaleString('en-US')} requests over ${args.days} days to ${user.email} (${keyIds.length} keys, ${linkIds.length} links); ${fired.length} alerts fired.`);
process.exit(0);
