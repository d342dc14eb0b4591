import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { call, chatBody, createWorld, missingRecords, type World } from './scenario';

/**
 * Poisoned records: request fields PostgreSQL cannot store as they came (a lone surrogate, as the
 * issue reproduced — it once stalled the drain for every account — NUL, a megabyte of text).
 * Each is answered, its record is stored cleaned, and the records after it keep flowing.
 */

let world: World;
beforeAll(async () => {
  world = await createWorld();
  await world.startServer();
});
afterAll(() => world?.close());

// Raw JSON text: the escapes must reach the server as written (JSON.stringify would keep them valid).
const poisoned = [
  `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"user":"\\ud800"}`,
  `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"user":"a\\u0000b"}`,
  `{"model":"\\udc00","messages":[{"role":"user","content":"hi"}],"max_tokens":5}`,
  `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"user":"\\udfff\\u202e\\u0007"}`,
];

describe('a poisoned usage record', () => {
  it('never stalls the drain: every request before and after it is stored', async () => {
    const [server] = world.servers;
    const { secret, keyId } = world.account;
    const answers = [];
    for (const body of [chatBody(), ...poisoned, chatBody(), chatBody('gpt-4o-mini', { user: 'x'.repeat(300) })]) {
      answers.push(await call(server!.url, secret, body));
    }
    const statuses = answers.map((answer) => answer.status);
    const missing = await missingRecords(world.database.sql, keyId, answers.map((answer) => answer.requestId!), 30_000);
    const readiness = (await (await fetch(`${server!.url}/api/ready`)).json()) as { redis: { deadLetters?: number } };
    report('Poisoned usage records (lone surrogates, NUL, bidi controls, an unknown model of a lone surrogate)', {
      statuses,
      'records lost': missing.length,
      'dead letters': readiness.redis.deadLetters,
    });
    expect(statuses.every((status) => status < 500)).toBe(true);
    expect(missing).toEqual([]);
    const rows = await world.database.sql<{ end_user: string | null }[]>`
      select end_user from usage_records where key_id = ${keyId} and end_user is not null`;
    // Stored cleaned: no lone surrogate, no NUL, bounded length.
    for (const { end_user } of rows) {
      expect(end_user).not.toMatch(/\u0000/);
      expect(end_user!.length).toBeLessThanOrEqual(256);
    }
  });
});
