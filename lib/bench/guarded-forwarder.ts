import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import type { Reservation } from '@/lib/limits/admission';
import { ADMIT, INDEX, SETTLE } from '../limits/lua';
import { SPEND_WINDOWS, windowId } from '../limits/windows';
import { accountTag } from '../redis/key-slot';
import { readAll, relayViaRequest } from './forwarding';

/**
 * Child entry: the floor under Conduit's limits — the undici `request()` forwarder of
 * bare-forwarder.ts plus only the Redis work a request's exact limits need, as Conduit does it:
 * before forwarding, the reservation index entry and the admission script (three rate windows,
 * three spend windows, the credit balance, the reservation) in one pipeline; after the answer and
 * before its end, a usage record of the gateway's size pushed and the settlement script, in one
 * more. Same scripts (lib/limits/lua.ts), Conduit's key names (one account's hash tag), one pipeline
 * per event-loop turn (ioredis auto-pipelining, as lib/redis/soon.ts batches).
 *
 * Nothing else: no parsing of the body, no key lookup, no usage drain into PostgreSQL, no log
 * line, no metrics. So Conduit's own code costs what its row spends beyond this one, and no
 * gateway that keeps limits exact in Redis per request can do better than this row.
 *
 * With `conduit` as its fourth argument the same Redis work goes through Conduit's own code instead
 * — `admit()` and `settle()` (lib/limits/admission.ts) on its Redis client (lib/redis: the
 * per-turn pipelines of soon.ts, the Upstash-shaped requester, the ioredis backend) — so the
 * distance between the two rows is what that layer costs over plain ioredis.
 * Usage: node --import tsx lib/bench/guarded-forwarder.ts <upstreamUrl> <upstreamApiKey> <redisUrl> [plain|conduit]
 */
const [upstream, apiKey, redisUrl, layer = 'plain'] = process.argv.slice(2);
const origin = { origin: upstream!, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` } };
const agent = new Agent();
const redis = new Redis(redisUrl!, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });

// One account and key, as the bench's Conduit key; Conduit's key names (lib/limits, lib/billing), all
// under the account's hash tag so each script's keys share one Cluster slot.
const userId = `floor-${process.pid}`;
const keyId = 'floor-key';
const tag = accountTag(userId);
const queueKey = `bench:floor-${process.pid}:usage`;
const credit = `conduit:credit:${tag}`;
const reservations = `conduit:reservations:${tag}`;
const marker = `conduit:spend:${tag}:${keyId}:known`;
const PERIODS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const SPEND_TTL_SECONDS = 35 * 86_400;
const LEASE_MS = 30_000;
/** What the admission reserved and the settlement gives back: the bench prices every request alike. */
const COST = { promptCost: 40, outputPrice: 600_000, requestedOutputTokens: 16, modelMaxOutputTokens: 16_384, charged: 30 };

/** Admission before forwarding, settlement (with the usage record) before the answer ends. */
interface Limits<Admitted> {
  admit(requestId: string, now: number): Promise<Admitted>;
  settle(admitted: Admitted, record: string): Promise<unknown>;
}

/** The two round trips with plain ioredis: the scripts called by SHA, one pipeline per turn. */
function plainLimits(): Limits<{ member: string; reserved: number; spend: string[] }> {
  redis.defineCommand('admit', { lua: ADMIT, numberOfKeys: 9 });
  redis.defineCommand('settle', { lua: SETTLE, numberOfKeys: 5 });
  redis.defineCommand('index', { lua: INDEX, numberOfKeys: 1 });
  const scripts = redis as unknown as Record<'admit' | 'settle' | 'index', (...args: (string | number)[]) => Promise<unknown>>;
  return {
    async admit(requestId, now) {
      const at = new Date(now);
      const rate = Object.entries(PERIODS).map(([period, ms]) => `conduit:rl:${tag}:${keyId}:${period}:${Math.floor(now / ms)}`);
      const spend = SPEND_WINDOWS.map((window) => `conduit:spend:${tag}:${keyId}:${windowId(window, at)}`);
      const deadline = now + LEASE_MS;
      const limits = [1e9, 1e9, 1e9, ...Object.values(PERIODS), 1e12, 1e12, 1e12, SPEND_TTL_SECONDS];
      const { promptCost, outputPrice, requestedOutputTokens, modelMaxOutputTokens } = COST;
      const [, reply] = await Promise.all([
        scripts.index('conduit:reservations:due:0', deadline, userId),
        scripts.admit(...rate, ...spend, credit, reservations, marker, ...limits, promptCost, outputPrice, requestedOutputTokens, modelMaxOutputTokens, requestId, deadline),
      ]);
      const [outcome, , reserved] = reply as [string, number, number];
      if (outcome !== 'ok') throw new Error(`admission refused: ${outcome}`);
      return { member: [requestId, reserved, credit, ...spend].join('|'), reserved, spend };
    },
    settle: ({ member, reserved, spend }, record) =>
      Promise.all([redis.lpush(queueKey, record), scripts.settle(...spend, credit, reservations, reserved, Math.min(reserved, COST.charged), member)]),
  };
}

/** The same two round trips through Conduit's own admission, settlement and Redis client. */
async function conduitLimits(): Promise<Limits<Reservation>> {
  Object.assign(process.env, { REDIS_URL: redisUrl, NODE_ENV: 'production' });
  delete process.env.UPSTASH_REDIS_REST_URL;
  const { admit, settle } = await import('@/lib/limits/admission');
  const { getRedis } = await import('@/lib/redis/client');
  const conduitRedis = getRedis();
  const key = {
    id: keyId, userId, hash: '', enabled: true, expiresAt: null, allowedModels: [], allowedOperations: [], ipAllowlist: [],
    rateLimits: { minute: 1e9, hour: 1e9, day: 1e9 }, spendLimits: { day: 1e12, week: 1e12, month: 1e12 },
  };
  return {
    async admit(requestId, now) {
      const admitted = await admit(key, requestId, COST, now, conduitRedis);
      if (admitted.outcome !== 'admitted') throw new Error(`admission refused: ${admitted.outcome}`);
      return admitted.reservation;
    },
    settle: (reservation, record) => settle(reservation, COST.charged, { queueKey, json: record }, conduitRedis, { awaited: true }),
  };
}

async function serveWith<Admitted>(limits: Limits<Admitted>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readAll(req);
  const requestId = randomUUID();
  const started = Date.now();
  const admitted = await limits.admit(requestId, started);
  const status = await relayViaRequest(agent, origin, req, body, res);
  // A record of the size the gateway queues (its fields, plausible values).
  const record = JSON.stringify({
    requestId, userId, keyId, linkId: null, model: 'gpt-4o-mini', provider: 'openai', operation: 'chat',
    status, errorCode: null, inputTokens: 12, cachedInputTokens: 0, outputTokens: 16, costMicros: COST.charged,
    latencyMs: Date.now() - started, stream: false, endUser: null, createdAt: started, attempts: null,
  });
  // Settled before the answer ends, as Conduit does (an answered request is never lost).
  await limits.settle(admitted, record);
  res.end();
}

const limits: Limits<unknown> = (layer === 'conduit' ? await conduitLimits() : plainLimits()) as Limits<unknown>;
const forward = (req: IncomingMessage, res: ServerResponse) => serveWith(limits, req, res);

const server = createServer((req, res) => {
  forward(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
});

// Plenty of credit, and the spend marker: no admission ever finds its state unknown (both layers use these keys).
await redis.set(credit, String(1e15));
await redis.set(marker, '1', 'EX', SPEND_TTL_SECONDS);
// The records pile up unread (no drain here): trimmed now and then so Redis's memory stays flat.
const trim = setInterval(() => void redis.ltrim(queueKey, 0, 999).catch(() => {}), 1_000);

server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
/** Every key this process wrote (its pid is in each, and in its index entry): spend counters would live 35 days. */
async function removeOwnKeys(): Promise<void> {
  const own = `*floor-${process.pid}*`;
  for await (const keys of redis.scanStream({ match: own, count: 1_000 })) if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  // Conduit's admission files the account under its own shard (lib/limits/leases.ts); the plain one under 0.
  for (let shard = 0; shard < 16; shard++) await redis.zrem(`conduit:reservations:due:${shard}`, userId);
}

// The bench stops its children with SIGTERM (or by leaving): either way the keys go first.
const stop = () => {
  clearInterval(trim);
  server.closeAllConnections();
  server.close(() => void removeOwnKeys().finally(() => process.exit(0)));
};
process.once('disconnect', stop);
process.once('SIGTERM', stop);
