import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { call, createWorld, ledgerMatchesRecords, missingRecords, storedRequestIds, summary, type World } from './scenario';
import type { Conduit } from './services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Two instances, one truth: two production servers (each `npm start` as deployed, one worker per
 * core) on one PostgreSQL and one Redis, behind an imaginary load balancer that alternates between
 * them. Limits are exact across them, a change to a key reaches both within 2 s, and their drains
 * together store every request's usage record exactly once.
 */

let world: World;
let a: Conduit;
let b: Conduit;

beforeAll(async () => {
  world = await createWorld();
  // Each as deployed: a primary and one worker per core (two here).
  [a, b] = await Promise.all([world.startServer({ WEB_CONCURRENCY: '2' }), world.startServer({ WEB_CONCURRENCY: '2' })]);
});
afterAll(async () => {
  await world?.close();
});

async function keyWith(input: Record<string, unknown>): Promise<{ keyId: string; secret: string }> {
  const { createKey } = await import('@/lib/keys/service');
  const { keyCreateSchema } = await import('@/lib/keys/schema');
  const { key, secret } = await createKey(personalActor(world.account.userId), keyCreateSchema.parse({ name: `instances ${Date.now()}`, ...input }));
  return { keyId: key.id, secret };
}

/** 100 parallel requests, split evenly between the two servers. */
const split = (secret: string, count = 100) => Promise.all(Array.from({ length: count }, (_, i) => call((i % 2 === 0 ? a : b).url, secret)));

describe('two instances on one PostgreSQL and one Redis', () => {
  it('hold a rate limit exactly: 100 parallel requests across both, 37 a minute allowed', async () => {
    const { keyId, secret } = await keyWith({ rate_limits: { per_minute: 37 } });
    const answers = await split(secret);
    report('Two instances: rate limit 37/min, 100 parallel', summary(answers));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(37);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(63);
    // Every answer, admitted or refused, leaves one usage record, whichever drain stored it.
    const ids = answers.map((answer) => answer.requestId!);
    expect(await missingRecords(world.database.sql, keyId, ids)).toEqual([]);
    expect((await storedRequestIds(world.database.sql, keyId)).size).toBe(ids.length);
  });

  it('hold a spending limit: 100 parallel requests across both never spend past it', async () => {
    // gpt-4o-mini at the mock's few tokens costs a few micro-dollars a request: 300 µ$ admits some, not all.
    const dayLimitMicros = 300;
    const { keyId, secret } = await keyWith({ spending_limits: { day: dayLimitMicros } });
    const answers = await split(secret);
    const ids = answers.map((answer) => answer.requestId!);
    expect(await missingRecords(world.database.sql, keyId, ids)).toEqual([]);
    const [spent] = await world.database.sql<{ micros: string; rows: string }[]>`
      select coalesce(sum(cost_micros), 0)::text as micros, count(*)::text as rows from usage_records where key_id = ${keyId}`;
    report('Two instances: day limit $0.0003, 100 parallel', { ...summary(answers), 'spent µ$': Number(spent!.micros) });
    expect(answers.every((answer) => answer.status === 200 || answer.code === 'spending_limit_exceeded')).toBe(true);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    expect(answers.some((answer) => answer.code === 'spending_limit_exceeded')).toBe(true);
    expect(Number(spent!.micros)).toBeLessThanOrEqual(dayLimitMicros);
    expect(Number(spent!.rows)).toBe(100);
  });

  it('see a key disabled on either within 2 s', async () => {
    const { keyId, secret } = await keyWith({});
    // Both have the key in their caches.
    expect((await call(a.url, secret)).status).toBe(200);
    expect((await call(b.url, secret)).status).toBe(200);
    const { setKeyEnabled } = await import('@/lib/keys/service');
    const started = Date.now();
    await setKeyEnabled(personalActor(world.account.userId), keyId, false);
    const refusedAt = await Promise.all(
      [a, b].map(async (server) => {
        for (;;) {
          // Several calls per round: each of the server's workers has its own local cache.
          const answers = await Promise.all(Array.from({ length: 4 }, () => call(server.url, secret)));
          if (answers.every((answer) => answer.code === 'key_disabled')) return Date.now() - started;
          if (Date.now() - started > 5_000) return Number.POSITIVE_INFINITY;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
    );
    report('Two instances: a disabled key refused after', { 'instance A ms': refusedAt[0]!, 'instance B ms': refusedAt[1]! });
    expect(Math.max(...refusedAt)).toBeLessThanOrEqual(2_000);
  });

  it('store every request of a mixed load once, between the two drains, and debit exactly what was recorded', async () => {
    const { keyId, secret } = await keyWith({});
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => call((i % 2 === 0 ? a : b).url, secret)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const ids = answers.map((answer) => answer.requestId!);
    expect(await missingRecords(world.database.sql, keyId, ids)).toEqual([]);
    const [counted] = await world.database.sql<{ rows: string; distinct: string }[]>`
      select count(*)::text as rows, count(distinct request_id)::text as distinct from usage_records where key_id = ${keyId}`;
    expect(Number(counted!.rows)).toBe(300);
    expect(Number(counted!.distinct)).toBe(300);
    const { debited, recorded } = await ledgerMatchesRecords(world.database.sql, world.account.userId);
    expect(debited).toBe(recorded);
  });
});
