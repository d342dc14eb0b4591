import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '@/lib/gateway/testing';

/**
 * Serverless mode (BACKGROUND_JOBS=cron): no timer drains, sweeps or prunes; the cron route does,
 * driven here as a scheduler would — its GET handler called with a Request. Real PostgreSQL + Redis
 * when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), embedded otherwise.
 *
 * The route sweeps lapsed reservations at the real time, and the index of accounts with
 * reservations (16 shards) is shared by a whole Redis: on the shared test Redis it would release the
 * reservations other test files set a day back on purpose (lib/limits/leases.test.ts). So this file
 * uses a Redis database of its own.
 */
if (process.env.TEST_REDIS_URL) {
  const url = new URL(process.env.TEST_REDIS_URL);
  url.pathname = `/${1 + Math.floor(Math.random() * 15)}`;
  process.env.TEST_REDIS_URL = url.toString();
}
const CRON_SECRET = `cron-secret-${randomUUID()}`;
Object.assign(process.env, { BACKGROUND_JOBS: 'cron', CRON_SECRET, USAGE_RETENTION_DAYS: '31' });

const gateway = await startGateway();
const { services, server, newKey, actor } = gateway;
const { GET } = await import('@/app/api/cron/[job]/route');
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { inArray } = await import('drizzle-orm');
const { env } = await import('@/lib/env');
const { errorResponse } = await import('@/lib/errors');
const { startServer, startBackgroundJobs } = await import('@/lib/startup');
const { closeRedis, createRedis, getRedis } = await import('@/lib/redis/client');
const { runCommand } = await import('@/lib/redis/raw');
const { admit } = await import('@/lib/limits/admission');
const { releaseLease, reservationIndexOf, reservationsKey } = await import('@/lib/limits/leases');
const { loadCreditBalance } = await import('@/lib/billing/credit');
const { signUp } = await import('@/lib/auth/users');
const { reservationTimers, stopReservationSweeper } = await import('@/lib/limits/sweeper');
const { claimBatch } = await import('@/lib/usage/consumer');
const { stopUsageDrain, usageDrainRunning } = await import('@/lib/usage/drain');
const { enqueueUsageNow, appUsageQueue } = await import('@/lib/usage/queue');
const { usageRecord } = await import('@/lib/usage/fixtures');
const { runDrainJob } = await import('./jobs');

afterAll(async () => {
  stopReservationSweeper();
  await stopUsageDrain();
  const queue = appUsageQueue();
  const consumers = await getRedis().zrange<string[]>(queue.consumersKey, 0, -1);
  await getRedis().del(queue.key, queue.deadKey, queue.consumersKey, ...consumers.map((c) => queue.processingKey(c)));
  await gateway.close();
});

const DAY = 86_400_000;

/** The route as Vercel's cron calls it: GET with `Authorization: Bearer <secret>`. */
async function cron(job: string, authorization: string | null = `Bearer ${CRON_SECRET}`) {
  const headers = authorization === null ? undefined : { authorization };
  const response = await GET(new Request(`http://conduit.test/api/cron/${job}`, { headers }), { params: Promise.resolve({ job }) });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
}

async function storedCount(requestIds: string[]): Promise<number> {
  const rows = await (await getDb()).select({ id: usageRecords.requestId }).from(usageRecords).where(inArray(usageRecords.requestId, requestIds));
  return rows.length;
}

const queueLength = async () => Number(await runCommand(getRedis(), ['LLEN', appUsageQueue().key]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`serverless mode (BACKGROUND_JOBS=cron) on ${services.label}`, () => {
  it('starts no drain, sweep or retention timer — only the renewal of its own leases', async () => {
    await startServer();
    expect(usageDrainRunning()).toBe(false);
    expect(reservationTimers()).toEqual({ renew: true, sweep: false });
  });

  it("queues real gateway requests' usage without storing it until the route is driven, then stores all of it exactly once", async () => {
    const secret = await newKey();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${i}` }], max_tokens: 5 }),
      });
      expect(response.status).toBe(200);
      await response.text();
      ids.push(response.headers.get('x-request-id')!);
    }
    // Longer than the timers' drain interval (1 s): with them on, the records would be stored by now.
    await sleep(1_500);
    expect(await storedCount(ids)).toBe(0);
    expect(await queueLength()).toBe(12);

    const first = await cron('drain');
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe('no-store');
    expect(first.body).toMatchObject({ job: 'drain', read: 12, inserted: 12, duplicates: 0, deadLettered: 0, stoppedAtBudget: false });
    expect(await storedCount(ids)).toBe(12);
    expect(await queueLength()).toBe(0);

    // Driven again (the next minute, or two schedulers at once): nothing more, nothing twice.
    const [again, concurrent] = await Promise.all([cron('drain'), cron('drain')]);
    expect(again.body).toMatchObject({ read: 0, inserted: 0 });
    expect(concurrent.body).toMatchObject({ read: 0, inserted: 0 });
    expect(await storedCount(ids)).toBe(12);
    // Each call left the consumer set: names do not pile up a minute at a time.
    expect(await getRedis().zcard(appUsageQueue().consumersKey)).toBe(0);
  });

  it('stores the batch of an invocation killed mid-pass once its heartbeat is older than 30 s, and only then', async () => {
    const queue = appUsageQueue();
    const records = Array.from({ length: 5 }, () => usageRecord({ userId: actor.userId, costMicros: 0 }));
    for (const record of records) await enqueueUsageNow(record, getRedis(), queue);
    const ids = records.map((r) => r.requestId);

    // An invocation claims the batch and is frozen or killed before storing it.
    const dead = `cron:vercel-instance:1:${randomUUID().slice(0, 8)}`;
    const claimed = await claimBatch(getRedis(), queue, dead, 1_000, 30_000, Date.now() - 10_000);
    expect(claimed.entries).toHaveLength(5);

    // Ten seconds later it may still be running: its batch is left alone.
    expect((await cron('drain')).body).toMatchObject({ read: 0, recovered: 0 });
    expect(await storedCount(ids)).toBe(0);

    // Past the idle threshold: the next call takes the batch over and stores it.
    await getRedis().zadd(queue.consumersKey, { score: Date.now() - 31_000, member: dead });
    expect((await cron('drain')).body).toMatchObject({ read: 5, recovered: 5, inserted: 5 });
    expect(await storedCount(ids)).toBe(5);
    expect(await getRedis().llen(queue.processingKey(dead))).toBe(0);
    expect(await getRedis().zcard(queue.consumersKey)).toBe(0);
  });

  it("releases a dead instance's reservation: the budget it held can be spent again", async () => {
    const redis = getRedis();
    // An account of its own: one that served no request lately, as a dead instance's would be.
    const signed = await signUp({ email: `cron-${randomUUID()}@example.com`, password: 'cron tests 1' });
    if (!signed.ok) throw new Error('sign-up failed');
    // A key whose daily limit is exactly one reservation (2,000 micros, below).
    const record = {
      id: `key_cron_${randomUUID()}`,
      userId: signed.user.id,
      hash: 'x',
      enabled: true,
      expiresAt: null,
      allowedModels: [],
      allowedOperations: [],
      ipAllowlist: [],
      rateLimits: { minute: null, hour: null, day: null },
      spendLimits: { day: 2_000, week: null, month: null },
    };
    const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };
    // Admitted three minutes ago by an instance that died right after: nobody renewed the lease.
    const t0 = Date.now() - 3 * 60_000;
    const admitAt = async () => {
      for (;;) {
        const admission = await admit(record, randomUUID(), cost, t0, redis);
        if (admission.outcome !== 'state_unknown') return admission;
        // First use of the key and account: counters and credit come from PostgreSQL, as in the gateway.
        if (admission.spend) await admission.restoreSpend();
        if (admission.credit) await loadCreditBalance(record.userId, redis);
      }
    };
    const dead = await admitAt();
    if (dead.outcome !== 'admitted') throw new Error(dead.outcome);
    releaseLease(dead.reservation.member);
    expect(await admitAt()).toMatchObject({ outcome: 'spend_limited', window: 'day' });

    // A wrong secret changes nothing.
    expect((await cron('drain', 'Bearer not-the-secret')).status).toBe(401);
    expect(await admitAt()).toMatchObject({ outcome: 'spend_limited' });

    const report = await cron('drain');
    expect(report.status).toBe(200);
    expect(report.body.reservationsReleased).toBeGreaterThanOrEqual(1);
    const again = await admitAt();
    expect(again.outcome).toBe('admitted');
    if (again.outcome === 'admitted') releaseLease(again.reservation.member);
    await cron('drain'); // and releases that one too
  });

  it('drains even when sweeping an account fails (a cluster node down, a script error), and sweeps the other accounts', async () => {
    const redis = getRedis();
    // An account whose reservations cannot be read: its key is not a sorted set (WRONGTYPE).
    const broken = `user_test_${randomUUID()}`;
    await runCommand(redis, ['set', reservationsKey(broken), 'not a sorted set', 'EX', 60]);
    await runCommand(redis, ['zadd', reservationIndexOf(broken), Date.now() - 60_000, broken]);
    try {
      const records = Array.from({ length: 3 }, () => usageRecord({ userId: actor.userId, costMicros: 0 }));
      for (const record of records) await enqueueUsageNow(record, redis, appUsageQueue());
      const report = await cron('drain');
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ read: 3, inserted: 3 });
      expect(await storedCount(records.map((r) => r.requestId))).toBe(3);
    } finally {
      await runCommand(redis, ['del', reservationsKey(broken)]);
      await runCommand(redis, ['zrem', reservationIndexOf(broken), broken]);
    }
  });

  it('prunes raw records past USAGE_RETENTION_DAYS, and says so', async () => {
    const old = Array.from({ length: 7 }, (_, i) => usageRecord({ userId: actor.userId, createdAt: Date.now() - 40 * DAY - i * 60_000 }));
    const db = await getDb();
    await db.insert(usageRecords).values(old.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })));
    const ids = old.map((r) => r.requestId);

    expect((await cron('retention', `Bearer ${CRON_SECRET}x`)).status).toBe(401);
    expect(await storedCount(ids)).toBe(7);

    const report = await cron('retention');
    expect(report).toMatchObject({ status: 200, body: { job: 'retention', deleted: 7, stoppedAtBudget: false } });
    expect(await storedCount(ids)).toBe(0);
    expect((await cron('retention')).body).toMatchObject({ deleted: 0 });
  });

  it('answers 401 in JSON without the secret or with a wrong one, and runs nothing', async () => {
    const record = usageRecord({ userId: actor.userId });
    await enqueueUsageNow(record, getRedis(), appUsageQueue());
    for (const authorization of [null, 'Bearer', `Bearer ${CRON_SECRET.slice(0, -1)}`, `Basic ${CRON_SECRET}`, CRON_SECRET, `Bearer ${CRON_SECRET} `.repeat(2)]) {
      const answer = await cron('drain', authorization);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_cron_secret', type: 'authentication_error' } });
    }
    // An unknown job is not revealed to a caller without the secret either.
    expect((await cron('everything', 'Bearer wrong')).status).toBe(401);
    expect(await queueLength()).toBe(1);
    expect(await storedCount([record.requestId])).toBe(0);

    expect((await cron('everything')).status).toBe(404);
    expect((await cron('drain', `bearer ${CRON_SECRET}`)).body).toMatchObject({ inserted: 1 });
    expect(await storedCount([record.requestId])).toBe(1);
  });

  it('answers 503 and runs nothing when CRON_SECRET is unset', async () => {
    const config = env();
    config.CRON_SECRET = undefined;
    try {
      const answer = await cron('drain');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: { code: 'cron_not_configured' } });
    } finally {
      config.CRON_SECRET = CRON_SECRET;
    }
  });

  it('turns Redis being down into a 503, not a 500', async () => {
    const down = createRedis({ REDIS_URL: 'redis://127.0.0.1:1', DEPENDENCY_TIMEOUT_MS: 200 });
    const error = await runDrainJob({ budgetMs: 5_000, redis: down }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await closeRedis(down);
    expect(error).toBeDefined();
    const response = errorResponse(error);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'service_unavailable' } });
  });

  it('with BACKGROUND_JOBS=timers, startup does start the drain and the sweep (the switch is what keeps them off)', async () => {
    stopReservationSweeper();
    startBackgroundJobs('timers');
    try {
      expect(usageDrainRunning()).toBe(true);
      expect(reservationTimers()).toEqual({ renew: true, sweep: true });
    } finally {
      await stopUsageDrain();
      stopReservationSweeper();
    }
  });
});
