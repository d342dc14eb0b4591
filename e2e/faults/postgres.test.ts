import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { load, missingRecords, summary, type Answer, type World } from './scenario';
import { createWorld } from './scenario';

/**
 * PostgreSQL backends terminated under load (pg_terminate_backend, three times, as a failover or
 * an operator would): /v1 needs no database round trip in the steady state, so every request
 * still answers; the drain's pass that lost its connection fails, is retried on a new one, and
 * every answered request ends up stored exactly once.
 */

let world: World;
beforeAll(async () => {
  world = await createWorld();
  await world.startServer();
});
afterAll(() => world?.close());

describe('PostgreSQL backends terminated under load', () => {
  it('fails no request and loses no usage record', async () => {
    const [server] = world.servers;
    const { secret, keyId } = world.account;
    let stop = false;
    const running = load({ target: () => server!.url, secret, concurrency: 8, stop: () => stop, maxMs: 30_000 });
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      await sleep(2_000);
      terminated += await world.database.terminateBackends();
    }
    await sleep(2_000);
    stop = true;
    const answers = await running;
    const ok = answers.filter((a) => a.status === 200);
    // The drain retries a failed pass after 5 s: give it a few.
    const missing = await missingRecords(world.database.sql, keyId, ids(ok), 45_000);
    const [row] = await world.database.sql<{ n: number }[]>`
      select count(*)::int as n from usage_records where key_id = ${keyId}`;

    report('PostgreSQL backends terminated 3 times under load (8 clients)', {
      requests: answers.length,
      'backends terminated': terminated,
      answers: summary(answers),
      '2xx records lost': missing.length,
      'records stored for the key': row?.n,
    });
    expect(terminated).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(missing).toEqual([]);
    // Exactly once: nothing but the answered requests (request ids are the primary key).
    expect(row?.n).toBe(ok.length);
  });
});

const ids = (answers: readonly Answer[]) => answers.map((a) => a.requestId!).filter(Boolean);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
