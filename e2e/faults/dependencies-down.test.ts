import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { call, createWorld, missingRecords, type Answer, type World } from './scenario';
import type { Cable, Conduit } from './services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * What the management API, the readiness probe and /v1 answer while PostgreSQL or Redis is
 * unreachable (the server reaches PostgreSQL through a relay the test cuts; Redis is killed),
 * and that each comes back on its own when the dependency does.
 */

let world: World;
let server: Conduit;
let database: Cable;
let token: string;
beforeAll(async () => {
  world = await createWorld();
  ({ server, database } = await world.startServerBehindRelay());
  const { createToken } = await import('@/lib/management/tokens');
  token = (await createToken(personalActor(world.account.userId), 'faults')).secret;
});
afterAll(async () => {
  await world?.close();
});

async function get(path: string): Promise<{ status: number; ms: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, ms: Math.round(performance.now() - started), body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
}

const code = (body: Record<string, unknown>) => (body.error as { code?: string } | undefined)?.code;

describe('a dependency that is down', () => {
  it('PostgreSQL unreachable: the management API and readiness answer 503 at once, /v1 keeps serving cached keys, all recover', async () => {
    const before = await call(server.url, world.account.secret);
    expect(before.status).toBe(200);
    expect((await get('/api/v1/keys')).status).toBe(200);

    await database.cut();
    const keys = await get('/api/v1/keys');
    const ready = await get('/api/ready');
    const during: Answer = await call(server.url, world.account.secret);
    await database.mend();
    let keysAgain = await get('/api/v1/keys');
    for (let i = 0; i < 20 && keysAgain.status !== 200; i++) keysAgain = await get('/api/v1/keys');
    const missing = await missingRecords(world.database.sql, world.account.keyId, [before.requestId!, during.requestId!], 30_000);

    report('PostgreSQL unreachable (connections cut, new ones refused)', {
      'GET /api/v1/keys': `${keys.status} ${code(keys.body)} in ${keys.ms} ms`,
      'GET /api/ready': `${ready.status} in ${ready.ms} ms`,
      'POST /v1/chat/completions (key cached)': during.status,
      'records of requests during the outage lost': missing.length,
    });
    expect(keys.status).toBe(503);
    expect(code(keys.body)).toBe('service_unavailable');
    expect(keys.retryAfter).toBeTruthy();
    expect(keys.ms).toBeLessThan(6_000);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, database: { ok: false }, redis: { ok: true } });
    expect(during.status).toBe(200);
    expect(keysAgain.status).toBe(200);
    expect(missing).toEqual([]);
  });

  it('Redis unreachable: the management API, readiness and /v1 answer 503 within about a second, and recover', async () => {
    await world.redis.kill();
    const v1 = await call(server.url, world.account.secret);
    const keys = await get('/api/v1/keys');
    const ready = await get('/api/ready');
    await world.redis.start();
    let v1Again = await call(server.url, world.account.secret);
    for (let i = 0; i < 30 && v1Again.status !== 200; i++) v1Again = await call(server.url, world.account.secret);

    report('Redis unreachable (killed)', {
      'POST /v1/chat/completions': `${v1.status} ${v1.code} in ${Math.round(v1.ms)} ms`,
      'GET /api/v1/keys': `${keys.status} ${code(keys.body)} in ${keys.ms} ms`,
      'GET /api/ready': `${ready.status} in ${ready.ms} ms`,
    });
    expect(v1.status).toBe(503);
    expect(v1.code).toBe('service_unavailable');
    expect(v1.ms).toBeLessThan(2_500);
    expect(keys.status).toBe(503);
    expect(code(keys.body)).toBe('service_unavailable');
    expect(keys.ms).toBeLessThan(2_500);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, redis: { ok: false } });
    expect(v1Again.status).toBe(200);
  });

  it('Redis out of memory (maxmemory reached, noeviction): 503, never a 500, and back when memory is', async () => {
    const { default: IORedis } = await import('ioredis');
    const admin = new IORedis(world.redis.url, { lazyConnect: true });
    try {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', '1');
      const full = await call(server.url, world.account.secret);
      await admin.config('SET', 'maxmemory', '0');
      let after = await call(server.url, world.account.secret);
      for (let i = 0; i < 20 && after.status !== 200; i++) after = await call(server.url, world.account.secret);
      report('Redis out of memory', { 'POST /v1/chat/completions': `${full.status} ${full.code} in ${Math.round(full.ms)} ms`, 'after memory is back': after.status });
      expect(full.status).toBe(503);
      expect(full.code).toBe('service_unavailable');
      expect(after.status).toBe(200);
    } finally {
      admin.disconnect();
    }
  });
});
