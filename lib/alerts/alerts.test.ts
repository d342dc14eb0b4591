import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from '@/lib/usage/fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
// The webhook receiver below listens on loopback, which the SSRF guard refuses unless told.
process.env.PROXY_ALLOW_PRIVATE_UPSTREAMS = 'true';
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { alertSettings, apiKeys, creditLedger, notifications } = await import('@/db/schema');
const { and, eq } = await import('drizzle-orm');
const { drainAll, dropTestQueues, enqueueAll, freshQueue } = await import('@/lib/usage/drain-testing');
const { webhooksSettled } = await import('./evaluate');
const { SIGNATURE_HEADER } = await import('./webhook');

const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.end('ok');
  });
});

async function newAccount(credit = 100_000_000): Promise<string> {
  const id = `user_${randomUUID()}`;
  const db = await getDb();
  await insertPeople(db, { id, email: `alerts-${id}@example.com` });
  await db.insert(creditLedger).values({ id: `cr_${randomUUID()}`, userId: id, kind: 'trial_grant', amountMicros: credit, reference: id });
  return id;
}

async function newKey(userId: string, limits: { day?: number; week?: number; month?: number }): Promise<string> {
  const id = `key_${randomUUID()}`;
  const db = await getDb();
  await db.insert(apiKeys).values({
    id,
    userId,
    name: 'Alerting key',
    hash: randomUUID(),
    start: 'condt_x',
    spendLimitDay: limits.day ?? null,
    spendLimitWeek: limits.week ?? null,
    spendLimitMonth: limits.month ?? null,
  });
  return id;
}

async function spend(userId: string, keyId: string | null, costs: number[], consumer = 'alerts') {
  const queue = freshQueue();
  await enqueueAll(queue, costs.map((costMicros) => usageRecord({ userId, keyId, costMicros })));
  await drainAll(queue, consumer);
}

async function fired(subject: string) {
  const db = await getDb();
  const rows = await db.select().from(notifications).where(eq(notifications.subject, subject));
  return rows.map((row) => `${row.window}:${row.threshold}`).sort();
}

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  await getDb(); // migrations (slow on PGlite) in the hook, not in the first test
});

afterAll(async () => {
  await webhooksSettled();
  receiver.close();
  await dropTestQueues();
  await services.cleanup();
});

describe(`spending alerts on ${services.label}`, () => {
  it('fire at 50, 80 and 100 % of a key limit, each once per window, as spend crosses them', async () => {
    const userId = await newAccount();
    const keyId = await newKey(userId, { day: 1_000_000, month: 10_000_000 });
    await spend(userId, keyId, [300_000]);
    expect(await fired(`key:${keyId}`)).toEqual([]);
    await spend(userId, keyId, [250_000]); // 55 %
    expect(await fired(`key:${keyId}`)).toEqual(['day:50']);
    await spend(userId, keyId, [250_000]); // 80 % exactly
    expect(await fired(`key:${keyId}`)).toEqual(['day:50', 'day:80']);
    await spend(userId, keyId, [100_000, 100_000]); // 100 %
    await spend(userId, keyId, [500_000, 1]); // beyond: nothing new
    expect(await fired(`key:${keyId}`)).toEqual(['day:100', 'day:50', 'day:80']);

    const db = await getDb();
    const [day100] = await db.select().from(notifications).where(and(eq(notifications.subject, `key:${keyId}`), eq(notifications.threshold, 100)));
    expect(day100).toMatchObject({ userId, kind: 'spend', limitMicros: 1_000_000, read: false });
    expect(day100!.message).toContain('100 % of its daily limit');
  });

  it('are listed newest first, and the alerts of one batch by window with the highest threshold first', async () => {
    const { listNotifications } = await import('@/db/queries/alerts');
    const userId = await newAccount();
    const keyId = await newKey(userId, { day: 1_000_000, week: 2_000_000 });
    await spend(userId, keyId, [600_000]); // day 60 %, week 30 %
    await spend(userId, keyId, [1_000_000]); // one batch: day 80 + 100 %, week 50 + 80 %
    const listed = await listNotifications(await getDb(), userId);
    expect(listed.map((row) => `${row.window}:${row.threshold}`)).toEqual(['day:100', 'day:80', 'week:80', 'week:50', 'day:50']);
  });

  it('fire exactly once under concurrent drains that each see the thresholds crossed', async () => {
    const userId = await newAccount();
    const keyId = await newKey(userId, { day: 2_000_000, week: 2_000_000, month: 2_000_000 });
    const queue = freshQueue();
    await enqueueAll(queue, Array.from({ length: 300 }, () => usageRecord({ userId, keyId, costMicros: 10_000 })));
    await Promise.all([drainAll(queue, 'p1', { batchSize: 7 }), drainAll(queue, 'p2', { batchSize: 11 }), drainAll(queue, 'p3', { batchSize: 13 })]);
    expect(await fired(`key:${keyId}`)).toEqual(['day:100', 'day:50', 'day:80', 'month:100', 'month:50', 'month:80', 'week:100', 'week:50', 'week:80']);
  });

  it('warn once when credit falls below the threshold, again only after a top-up, and send a signed webhook', async () => {
    const userId = await newAccount(2_000_000);
    const db = await getDb();
    const secret = 'whsec_test';
    const { port } = receiver.address() as AddressInfo;
    await db.insert(alertSettings).values({ userId, webhookUrl: `http://127.0.0.1:${port}/hook?t=1`, webhookSecret: secret, creditThresholdMicros: 1_500_000 });

    await spend(userId, null, [400_000]); // 1.60: above
    expect(await fired(`account:${userId}`)).toEqual([]);
    await spend(userId, null, [200_000]); // 1.40: below
    await spend(userId, null, [200_000]); // 1.20: still below, same top-up
    expect(await fired(`account:${userId}`)).toEqual(['credit:0']);

    await db.insert(creditLedger).values({ id: `cr_${randomUUID()}`, userId, kind: 'purchase', amountMicros: 1_000_000, reference: `pi_${randomUUID()}` });
    await spend(userId, null, [900_000]); // 2.20 → 1.30: below again, after a top-up
    expect(await fired(`account:${userId}`)).toEqual(['credit:0', 'credit:0']);

    await webhooksSettled();
    const mine = received.filter((r) => r.body.includes(userId));
    expect(mine).toHaveLength(2);
    for (const { headers, body } of mine) {
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers[SIGNATURE_HEADER]));
      expect(match).not.toBeNull();
      expect(Math.abs(Number(match![1]) - Date.now() / 1000)).toBeLessThan(60);
      expect(match![2]).toBe(createHmac('sha256', secret).update(`${match![1]}.${body}`).digest('hex'));
      const payload = JSON.parse(body) as { type: string; alerts: { kind: string; limit_micros: number }[] };
      expect(payload.type).toBe('conduit.alerts');
      expect(payload.alerts).toEqual([expect.objectContaining({ kind: 'credit', limit_micros: 1_500_000 })]);
    }
    const rows = await db.select().from(notifications).where(eq(notifications.userId, userId));
    expect(rows.map((r) => r.webhookStatus)).toEqual(['sent', 'sent']);
  });
});

describe('webhook delivery to a misbehaving receiver', () => {
  it('a receiver that answers 200 and then breaks off its body is "sent", and nothing is left dangling', async () => {
    const { deliverWebhook } = await import('./webhook');
    let closed = 0;
    const breaking = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial…');
      res.on('close', () => (closed += 1));
      // The rest never comes; the receiver gives up after 1.5 s (by then Conduit must have let go).
      setTimeout(() => res.socket?.destroy(), 1_500);
    });
    await new Promise<void>((resolve) => breaking.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await deliverWebhook(`http://127.0.0.1:${(breaking.address() as AddressInfo).port}/hook`, 'whsec_test', { hello: 'world' });
      expect(outcome).toBe('sent');
      // The unread body was dropped at once: Conduit closed the connection, long before the receiver would.
      await expect.poll(() => closed, { timeout: 1_000 }).toBe(1);
    } finally {
      breaking.closeAllConnections();
      await new Promise((resolve) => breaking.close(resolve));
    }
  });
});
