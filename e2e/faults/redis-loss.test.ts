import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { call, chatBody, createWorld, ledgerBalance, load, missingRecords, spentToday, summary, type Answer, type World } from './scenario';

/**
 * Redis killed (kill -9, no persistence) under load and started again empty: while it is down
 * every request gets a fast 503 — never a 500, never a hang — and service comes back on its own;
 * afterwards no spending window is passed, although Redis forgot every counter.
 */

const DAY_LIMIT_MICROS = 20_000; // $0.02, as in the issue

let world: World;
beforeAll(async () => {
  world = await createWorld();
  await world.startServer();
});
afterAll(() => world?.close());

describe('Redis killed and restarted empty under load', () => {
  it('answers 503 fast while Redis is down, recovers without a restart, and stores every answer settled outside the outage', async () => {
    const [server] = world.servers;
    const { secret, keyId } = world.account;
    let phase: 'before' | 'down' | 'after' = 'before';
    let stop = false;
    // The cheap model, so the daily limit is not what refuses here.
    const running = load({ target: () => server!.url, secret, concurrency: 8, stop: () => stop, maxMs: 40_000 });

    await sleep(2_000);
    const killedAt = Date.now();
    await world.redis.kill();
    phase = 'down';
    await sleep(4_000);
    await world.redis.start();
    const restartedAt = Date.now();
    phase = 'after';
    // Recovery: a request succeeds again within a few seconds, without touching the server.
    let recoveredAfterMs = -1;
    for (let i = 0; i < 100; i++) {
      const answer = await call(server!.url, secret);
      if (answer.status === 200) {
        recoveredAfterMs = Date.now() - restartedAt;
        break;
      }
      await sleep(100);
    }
    await sleep(2_000);
    stop = true;
    const answers = await running;
    expect(phase).toBe('after');

    const during = answers.filter((a) => a.endedAt > killedAt && a.endedAt < restartedAt);
    const unavailable = answers.filter((a) => a.status === 503);
    const slowest503 = Math.max(0, ...unavailable.map((a) => a.ms));
    // Records settled in the last moments before the kill may still have been in Redis' queue:
    // those are what a Redis without persistence loses (README, Reliability).
    const settledLongBefore = answers.filter((a) => a.status === 200 && a.endedAt < killedAt - 3_000);
    const settledAfter = answers.filter((a) => a.status === 200 && a.endedAt > restartedAt);
    const lostBefore = await missingRecords(world.database.sql, keyId, ids(settledLongBefore), 30_000);
    const lostAfter = await missingRecords(world.database.sql, keyId, ids(settledAfter), 30_000);
    const allOk = answers.filter((a) => a.status === 200);
    const lostAny = await missingRecords(world.database.sql, keyId, ids(allOk), 1_000);

    report('Redis killed and restarted empty under load (8 clients)', {
      requests: answers.length,
      'during the outage': summary(during),
      'all answers': summary(answers),
      'slowest 503 (ms)': Math.round(slowest503),
      'service back after Redis (ms)': recoveredAfterMs,
      '2xx records lost (settled > 3 s before the kill, or after)': lostBefore.length + lostAfter.length,
      '2xx records lost (settled in the 3 s before the kill: queued, not yet drained)': lostAny.length - lostBefore.length - lostAfter.length,
    });

    expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    expect(answers.filter((a) => a.failure === 'timeout' || a.failure === 'reset')).toEqual([]);
    expect(during.length).toBeGreaterThan(0);
    // Requests admitted just before the kill may still finish with 200 (their upstream answered);
    // everything else that ends while Redis is down is a 503 in OpenAI's shape.
    expect(during.filter((a) => a.status !== 200 && !(a.status === 503 && a.code === 'service_unavailable'))).toEqual([]);
    expect(during.filter((a) => a.status === 503).length).toBeGreaterThan(during.length / 2);
    expect(slowest503).toBeLessThan(2_500);
    expect(recoveredAfterMs).toBeGreaterThanOrEqual(0);
    expect(recoveredAfterMs).toBeLessThan(5_000);
    expect(lostBefore).toEqual([]);
    expect(lostAfter).toEqual([]);
  });

  it('keeps the daily spending limit after Redis forgot the window counters', async () => {
    const [server] = world.servers;
    const { secret, keyId } = await world.createKey({ dayLimitMicros: DAY_LIMIT_MICROS });
    const body = () => chatBody('gpt-4');
    // Spend about half the day's limit, and let the drain store it: one request first, to learn
    // what one costs, then as many more as make half.
    const first = await call(server!.url, secret, body());
    expect(first.status).toBe(200);
    expect(await missingRecords(world.database.sql, keyId, [first.requestId!])).toEqual([]);
    const each = await spentToday(world.database.sql, keyId);
    for (let i = 1; i < Math.floor(DAY_LIMIT_MICROS / 2 / each); i++) expect((await call(server!.url, secret, body())).status).toBe(200);
    await sleep(2_500);
    const spentBefore = await spentToday(world.database.sql, keyId);

    const { answers, refused } = await loseRedisThenCallUntil(server!.url, secret, 'spending_limit_exceeded');
    const spentAfter = await spentToday(world.database.sql, keyId);

    report('Daily limit after Redis lost its counters (limit $0.02, gpt-4)', {
      'settled before the fault (µ$)': spentBefore,
      'settled that day in the end (µ$)': spentAfter,
      'of the limit': `${Math.round((spentAfter / DAY_LIMIT_MICROS) * 100)} %`,
      answers: summary(answers),
    });
    expect(onlyWhileReconnecting(answers)).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(spentAfter).toBeLessThanOrEqual(DAY_LIMIT_MICROS);
  });
});

describe('credit after Redis lost its copy', () => {
  it('never spends past the account’s credit: the balance is rebuilt from the ledger', async () => {
    const [server] = world.servers;
    const CREDIT = 15_000; // $0.015
    const { userId, secret } = await world.createAccount({ creditMicros: CREDIT });
    const body = () => chatBody('gpt-4');
    for (let i = 0; i < 6; i++) expect((await call(server!.url, secret, body())).status).toBe(200);
    await sleep(2_500);
    const balanceBefore = await ledgerBalance(world.database.sql, userId);

    const { answers, refused } = await loseRedisThenCallUntil(server!.url, secret, 'insufficient_credits');
    const balanceAfter = await ledgerBalance(world.database.sql, userId);
    report('Credit after Redis lost its copy (credit $0.015, gpt-4)', {
      'balance before the fault (µ$)': balanceBefore,
      'balance in the end (µ$)': balanceAfter,
      answers: summary(answers),
    });
    expect(onlyWhileReconnecting(answers)).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(balanceAfter).toBeGreaterThanOrEqual(0);
  });
});

/**
 * Redis restarted empty, then 8 clients call gpt-4 until the refusal `code` has clearly been
 * reached (16 of them) or 30 s pass; then 3 s for the drain to store what was settled.
 */
async function loseRedisThenCallUntil(url: string, secret: string, code: string): Promise<{ answers: Answer[]; refused: number }> {
  await world.redis.kill();
  await world.redis.start();
  let refused = 0;
  const answers = await load({
    target: () => url,
    secret,
    concurrency: 8,
    body: () => chatBody('gpt-4'),
    stop: () => refused >= 16,
    maxMs: 30_000,
    onAnswer: (answer) => void (answer.code === code && refused++),
  });
  await sleep(3_000);
  return { answers, refused };
}

/**
 * The server errors that should not be: any 5xx but the 503 `service_unavailable` of the moment
 * the server has not yet reconnected to the restarted Redis (it fails fast while its connection
 * is known lost, README "Reliability"), and any such 503 more than a second after a request was
 * first served again. What the tests above check is the limit; the reconnection is the first test's.
 */
function onlyWhileReconnecting(answers: readonly Answer[]): Answer[] {
  const servedAgain = Math.min(...answers.filter((a) => a.status < 500 && a.status > 0).map((a) => a.endedAt));
  return answers.filter((a) => a.status >= 500 && !(a.status === 503 && a.code === 'service_unavailable' && a.endedAt <= servedAgain + 1_000));
}

const ids = (answers: readonly Answer[]) => answers.map((a) => a.requestId!).filter(Boolean);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
