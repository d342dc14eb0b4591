import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type postgres from 'postgres';
import { startMockOpenAI, type MockOpenAI } from '@/lib/testing/mock-openai';
import { REPORT_DIR } from './report';
import { cable, createDatabase, startConduit, startRedis, stopEverything, type Cable, type Conduit, type FaultDatabase, type FaultRedis } from './services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * One fault test's world: its own Redis, database and mock OpenAI, an account with credit and a
 * key, production servers on them, a load generator that records every answer, and the checks
 * every fault must pass (no 500, no hang, every 2xx stored once, no limit passed).
 */

export interface World {
  redis: FaultRedis;
  database: FaultDatabase;
  upstream: MockOpenAI;
  environment: Record<string, string>;
  /** The account's owner signs in with `email` and `password`; `secret` is its key's. */
  account: { userId: string; email: string; password: string; keyId: string; secret: string };
  /** Another key of the same account (each test its own, so one test's spend is not another's). */
  createKey(options?: KeyOptions): Promise<{ keyId: string; secret: string }>;
  /** Another account, with exactly `creditMicros` of credit, and a key. */
  createAccount(options: KeyOptions & { creditMicros: number }): Promise<World['account']>;
  servers: Conduit[];
  startServer(extra?: Record<string, string>): Promise<Conduit>;
  /** A server that reaches PostgreSQL through a relay the test can cut (closed with the world). */
  startServerBehindRelay(): Promise<{ server: Conduit; database: Cable }>;
  close(): Promise<void>;
}

export interface KeyOptions {
  /** Daily spending limit, micro-dollars. */
  dayLimitMicros?: number;
}

export async function createWorld(options: KeyOptions & { creditUsd?: number; chunkDelayMs?: [number, number] } = {}): Promise<World> {
  const [redis, database, upstream] = await Promise.all([
    startRedis(),
    createDatabase(),
    startMockOpenAI({ chunkDelayMs: options.chunkDelayMs ?? [1, 5], record: false }),
  ]);
  const environment: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    AUTH_SECRET: randomBytes(32).toString('base64'),
    OPENAI_BASE_URL: `${upstream.url}/v1`,
    OPENAI_API_KEY: upstream.apiKey,
    TRIAL_CREDIT_USD: String(options.creditUsd ?? 1_000),
    USAGE_QUEUE_KEY: 'conduit:usage',
    // One process per server: a fault here is done to "the server" (kill -9, SIGTERM), and a
    // primary with workers is the operations and instances tests' subject, which ask for it.
    WEB_CONCURRENCY: '1',
  };
  // lib/env.ts reads process.env once, on first use: the account is made by the app's own modules.
  Object.assign(process.env, environment);
  delete process.env.UPSTASH_REDIS_REST_URL;
  delete process.env.UPSTASH_REDIS_REST_TOKEN;
  const account = await createAccount(options);
  const servers: Conduit[] = [];
  const relays: Cable[] = [];
  const startServer = async (extra: Record<string, string> = {}) => {
    const server = await startConduit({ ...environment, ...extra });
    servers.push(server);
    return server;
  };
  return {
    redis,
    database,
    upstream,
    environment,
    account,
    createKey: (options = {}) => createKeyOf(account.userId, options),
    async createAccount(options) {
      const created = await createAccount(options);
      const { grantCredit, ledgerBalance } = await import('@/lib/billing/credit');
      const adjustment = options.creditMicros - (await ledgerBalance(created.userId));
      await grantCredit({ userId: created.userId, kind: 'adjustment', amountMicros: adjustment, reference: `faults-${created.userId}` });
      return created;
    },
    servers,
    startServer,
    async startServerBehindRelay() {
      const relay = await cable(Number(new URL(database.url).port || 5432));
      relays.push(relay);
      const url = new URL(database.url);
      url.port = String(relay.port);
      return { server: await startServer({ DATABASE_URL: url.toString() }), database: relay };
    },
    async close() {
      await Promise.all(relays.map((relay) => relay.close()));
      const { closeAppConnections } = await import('./app-connections');
      await closeAppConnections();
      await stopEverything();
      // The servers' own logs, for a post-mortem of a failed run.
      mkdirSync(REPORT_DIR, { recursive: true });
      servers.forEach((server, i) => writeFileSync(`${REPORT_DIR}/${database.name}-server${i + 1}.log`, server.output()));
      await upstream.close();
      await database.drop();
    },
  };
}

async function createAccount(options: KeyOptions): Promise<World['account']> {
  const { signUp } = await import('@/lib/auth/users');
  const email = `faults-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('hex');
  const signed = await signUp({ email, password });
  if (!signed.ok) throw new Error(`sign-up failed: ${signed.reason}`);
  return { userId: signed.user.id, email, password, ...(await createKeyOf(signed.user.id, options)) };
}

async function createKeyOf(userId: string, options: KeyOptions): Promise<{ keyId: string; secret: string }> {
  const { createKey } = await import('@/lib/keys/service');
  const { keyCreateSchema } = await import('@/lib/keys/schema');
  const input = keyCreateSchema.parse({
    name: `faults ${randomBytes(3).toString('hex')}`,
    ...(options.dayLimitMicros ? { spending_limits: { day: options.dayLimitMicros } } : {}),
  });
  const { key, secret } = await createKey(personalActor(userId), input);
  return { keyId: key.id, secret };
}

// --- Load ------------------------------------------------------------------------------------

export interface Answer {
  /** The server asked. */
  url: string;
  status: number;
  /** The error code of a refusal (`service_unavailable`, `spending_limit_exceeded`…). */
  code: string | null;
  requestId: string | null;
  ms: number;
  /** Set when no HTTP answer came: `refused` (never connected), `timeout` (a hang), `reset`. */
  failure?: 'refused' | 'timeout' | 'reset';
  endedAt: number;
  /** The body load() sent. */
  sent?: string;
}

export const chatBody = (model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'Say something short about reliability' }], max_tokens: 8, ...extra });

/** One request to /v1/chat/completions, never longer than `timeoutMs` (past it: a hang). */
export async function call(url: string, secret: string, body = chatBody(), timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let code: string | null = null;
    if (!response.ok) {
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        code = 'not_json';
      }
    }
    return { url, status: response.status, code, requestId: response.headers.get('x-request-id'), ms: performance.now() - started, endedAt: Date.now() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const failure = (error as Error).name === 'TimeoutError' ? 'timeout' : cause === 'ECONNREFUSED' ? 'refused' : 'reset';
    return { url, status: 0, code: null, requestId: null, ms: performance.now() - started, failure, endedAt: Date.now() };
  }
}

/**
 * `concurrency` clients calling in a loop until `stop()` says so (checked before each call) or
 * `maxMs` passes — bounded either way. `target()` picks the server for each call.
 */
export async function load(options: {
  target: () => string;
  secret: string;
  concurrency: number;
  stop: () => boolean;
  maxMs: number;
  body?: () => string;
  headers?: Record<string, string>;
  onAnswer?: (answer: Answer) => void;
}): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = Date.now() + options.maxMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (!options.stop() && Date.now() < deadline) {
        const sent = options.body?.() ?? chatBody();
        const answer = { ...(await call(options.target(), options.secret, sent, 10_000, options.headers)), sent };
        answers.push(answer);
        options.onAnswer?.(answer);
      }
    }),
  );
  return answers;
}

export function summary(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const label = answer.failure ?? `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

// --- What the database says ------------------------------------------------------------------

export async function storedRequestIds(sql: postgres.Sql, keyId: string): Promise<Set<string>> {
  const rows = await sql<{ request_id: string }[]>`select request_id from usage_records where key_id = ${keyId}`;
  return new Set(rows.map((row) => row.request_id));
}

/** Waits until every id is stored (the drain runs every second), or `timeoutMs`; returns those still missing. */
export async function missingRecords(sql: postgres.Sql, keyId: string, ids: readonly string[], timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await storedRequestIds(sql, keyId);
    const missing = ids.filter((id) => !stored.has(id));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Reservations held in Redis right now (every instance's in-flight requests). */
export async function heldReservations(redisUrl: string): Promise<number> {
  const { default: IORedis } = await import('ioredis');
  const client = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    // One sorted set per account (lib/limits/leases.ts).
    const sets = await client.keys('conduit:reservations:{u:*}');
    const sizes = await Promise.all(sets.map((set) => client.zcard(set)));
    return sizes.reduce((sum, n) => sum + n, 0);
  } finally {
    client.disconnect();
  }
}

/** Usage records claimed by a drain and not yet stored or given back, over every consumer. */
export async function strandedRecords(redisUrl: string): Promise<number> {
  const { default: IORedis } = await import('ioredis');
  const client = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const lists = await client.keys('{conduit:usage}:processing:*');
    const lengths = await Promise.all(lists.map((list) => client.llen(list)));
    return lengths.reduce((sum, n) => sum + n, 0);
  } finally {
    client.disconnect();
  }
}

/** The usage drains registered as consumers of the queue (lib/usage/consumer.ts), by name. */
export async function drainConsumers(redisUrl: string): Promise<string[]> {
  const { default: IORedis } = await import('ioredis');
  const client = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    return await client.zrange('{conduit:usage}:consumers', 0, -1);
  } finally {
    client.disconnect();
  }
}

/** The account's usage debits in the ledger against the cost of its stored records: equal when nothing was charged twice. */
export async function ledgerMatchesRecords(sql: postgres.Sql, userId: string): Promise<{ debited: number; recorded: number }> {
  const [ledger] = await sql<{ micros: string }[]>`
    select coalesce(-sum(amount_micros), 0)::text as micros from credit_ledger where user_id = ${userId} and kind = 'usage'`;
  const [records] = await sql<{ micros: string }[]>`
    select coalesce(sum(cost_micros), 0)::text as micros from usage_records where user_id = ${userId}`;
  return { debited: Number(ledger?.micros ?? 0), recorded: Number(records?.micros ?? 0) };
}

/** The account's balance by the ledger (the truth), micro-dollars. */
export async function ledgerBalance(sql: postgres.Sql, userId: string): Promise<number> {
  const [row] = await sql<{ micros: string }[]>`
    select coalesce(sum(amount_micros), 0)::text as micros from credit_ledger where user_id = ${userId}`;
  return Number(row?.micros ?? 0);
}

/** Settled spend of the key today (UTC), micro-dollars, from the stored records. */
export async function spentToday(sql: postgres.Sql, keyId: string): Promise<number> {
  const [row] = await sql<{ spent: string }[]>`
    select coalesce(sum(cost_micros), 0)::text as spent from usage_records
    where key_id = ${keyId} and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'`;
  return Number(row?.spent ?? 0);
}
