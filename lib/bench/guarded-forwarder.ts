import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { ADMIT, INDEX, SETTLE } from '../limits/lua';

/**
 * Child entry: the floor under Conduit's limits — the undici `request()` forwarder of
 * bare-forwarder.ts plus only the Redis work a request's exact limits need, as Conduit does it:
 * before forwarding, the reservation index entry and the admission script (three rate windows,
 * three spend windows, the credit balance, the reservation) in one pipeline; after the answer and
 * before its end, a usage record of the gateway's size pushed and the settlement script, in one
 * more. Same scripts (lib/limits/lua.ts), same key shapes (one account's hash tag), one pipeline
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
const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
const agent = new Agent();
const redis = new Redis(redisUrl!, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
redis.defineCommand('admit', { lua: ADMIT, numberOfKeys: 9 });
redis.defineCommand('settle', { lua: SETTLE, numberOfKeys: 5 });
redis.defineCommand('index', { lua: INDEX, numberOfKeys: 1 });
type Scripts = Record<'admit' | 'settle' | 'index', (...args: (string | number)[]) => Promise<unknown>>;
const scripts = redis as unknown as Scripts;

// One account and key, as the bench's Conduit key: {u:…} keeps every key of the scripts in one slot.
const tag = `{u:floor-${process.pid}}`;
const keyId = 'floor-key';
const queueKey = `bench:floor-${process.pid}:usage`;
const credit = `conduit:credit:${tag}`;
const reservations = `conduit:reservations:${tag}`;
const marker = `conduit:spend-known:${tag}:${keyId}`;
const PERIODS = [60_000, 3_600_000, 86_400_000];
const LEASE_MS = 30_000;

function spendKeys(now: number): string[] {
  const day = new Date(now).toISOString().slice(0, 10);
  return [`d${day}`, `w${day}`, `m${day.slice(0, 7)}`].map((window) => `conduit:spend:${tag}:${keyId}:${window}`);
}

async function admit(requestId: string, now: number): Promise<{ member: string; reserved: number; spend: string[] }> {
  const rate = PERIODS.map((ms, i) => `conduit:rl:${tag}:${keyId}:${i}:${Math.floor(now / ms)}`);
  const spend = spendKeys(now);
  const deadline = now + LEASE_MS;
  const [, reply] = await Promise.all([
    scripts.index('conduit:reservations:due:0', deadline, tag),
    scripts.admit(...rate, ...spend, credit, reservations, marker, ...[1e9, 1e9, 1e9], ...PERIODS, ...[1e12, 1e12, 1e12], 35 * 86_400, 40, 600_000, 16, 16_384, requestId, deadline),
  ]);
  const [outcome, , reserved] = reply as [string, number, number];
  if (outcome !== 'ok') throw new Error(`admission refused: ${outcome}`);
  return { member: [requestId, reserved, credit, ...spend].join('|'), reserved: Number(reserved), spend };
}

function settle(admitted: { member: string; reserved: number; spend: string[] }, record: string): Promise<unknown> {
  return Promise.all([
    redis.lpush(queueKey, record),
    scripts.settle(...admitted.spend, credit, reservations, admitted.reserved, Math.min(admitted.reserved, 30), admitted.member),
  ]);
}

interface Limits {
  admit(requestId: string, now: number): Promise<Admitted>;
  settle(admitted: Admitted, record: string): Promise<unknown>;
}
type Admitted = Awaited<ReturnType<typeof admit>>;

/** The same two round trips through Conduit's own admission, settlement and Redis client. */
async function conduitLimits(): Promise<Limits> {
  Object.assign(process.env, { REDIS_URL: redisUrl, NODE_ENV: 'production' });
  delete process.env.UPSTASH_REDIS_REST_URL;
  const admission = await import('@/lib/limits/admission');
  const { getRedis } = await import('@/lib/redis/client');
  const { runCommand } = await import('@/lib/redis/raw');
  const { creditBalanceKey } = await import('@/lib/billing/credit');
  const { spendMarkerKey } = await import('@/lib/limits/spend-counters');
  const redis = getRedis();
  const key = {
    id: keyId, userId: `floor-${process.pid}`, hash: '', enabled: true, expiresAt: null, allowedModels: [], allowedOperations: [], ipAllowlist: [],
    rateLimits: { minute: 1e9, hour: 1e9, day: 1e9 }, spendLimits: { day: 1e12, week: 1e12, month: 1e12 },
  };
  await runCommand(redis, ['set', creditBalanceKey(key.userId), String(1e15)]);
  await runCommand(redis, ['set', spendMarkerKey(key), '1', 'EX', 35 * 86_400]);
  const reservations = new Map<string, import('@/lib/limits/admission').Reservation>();
  return {
    async admit(requestId, now) {
      const admitted = await admission.admit(key, requestId, { promptCost: 40, outputPrice: 600_000, requestedOutputTokens: 16, modelMaxOutputTokens: 16_384 }, now, redis);
      if (admitted.outcome !== 'admitted') throw new Error(`admission refused: ${admitted.outcome}`);
      reservations.set(requestId, admitted.reservation);
      return { member: admitted.reservation.member, reserved: admitted.reservation.reserved, spend: admitted.reservation.spendKeys };
    },
    async settle(admitted, record) {
      const requestId = admitted.member.slice(0, admitted.member.indexOf('|'));
      const reservation = reservations.get(requestId)!;
      reservations.delete(requestId);
      return admission.settle(reservation, 30, { queueKey, json: record }, redis, { awaited: true });
    },
  };
}

const limits: Limits = layer === 'conduit' ? await conduitLimits() : { admit, settle };

async function readAll(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (Buffer.concat(chunks) as Uint8Array<ArrayBuffer>) : undefined;
}

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readAll(req);
  const requestId = randomUUID();
  const started = Date.now();
  const admitted = await limits.admit(requestId, started);
  const answer = await agent.request({ origin: upstream!, path: req.url!, method: 'POST', headers, body });
  res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
  for await (const chunk of answer.body) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  // A record of the size the gateway queues (its fields, plausible values).
  const record = JSON.stringify({
    requestId, userId: `floor-${process.pid}`, keyId, linkId: null, model: 'gpt-4o-mini', provider: 'openai', operation: 'chat',
    status: answer.statusCode, errorCode: null, inputTokens: 12, cachedInputTokens: 0, outputTokens: 16, costMicros: 30,
    latencyMs: Date.now() - started, stream: false, endUser: null, createdAt: started, attempts: null,
  });
  // Settled before the answer ends, as Conduit does (an answered request is never lost).
  await limits.settle(admitted, record);
  res.end();
}

const server = createServer((req, res) => {
  forward(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
});

// Plenty of credit, and the spend marker: no admission ever finds its state unknown.
await redis.set(credit, String(1e15));
await redis.set(marker, '1', 'EX', 35 * 86_400);
// The records pile up unread (no drain here): trimmed now and then so Redis's memory stays flat.
const trim = setInterval(() => void redis.ltrim(queueKey, 0, 999).catch(() => {}), 1_000);

server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
/** Every key this process wrote (its pid is in each, and in its index entry): spend counters would live 35 days. */
async function removeOwnKeys(): Promise<void> {
  const own = `*floor-${process.pid}*`;
  for await (const keys of redis.scanStream({ match: own, count: 1_000 })) if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  for (let shard = 0; shard < 16; shard++) await redis.zrem(`conduit:reservations:due:${shard}`, tag, `floor-${process.pid}`);
}

// The bench stops its children with SIGTERM (or by leaving): either way the keys go first.
const stop = () => {
  clearInterval(trim);
  server.closeAllConnections();
  server.close(() => void removeOwnKeys().finally(() => process.exit(0)));
};
process.once('disconnect', stop);
process.once('SIGTERM', stop);
