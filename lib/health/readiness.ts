import 'server-only';
import { getDb } from '@/db';
import journal from '@/db/migrations/meta/_journal.json';
import { appliedMigrationCount } from '@/db/queries/migrations';
import { env } from '@/lib/env';
import { getRedis } from '@/lib/redis/client';
import { runCommand } from '@/lib/redis/raw';
import { appUsageQueue } from '@/lib/usage/queue';

/**
 * Whether this instance can serve: PostgreSQL and Redis answer, every migration is applied, and
 * how the usage drain is doing (backlog, dead letters). Two small round trips, each bounded by
 * DEPENDENCY_TIMEOUT_MS, so a load balancer can poll it every second.
 */

export interface Check {
  ok: boolean;
  latencyMs: number;
  /** What went wrong, in words an operator can act on; never a connection string. */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  database: Check & { migrations?: { applied: number; expected: number } };
  redis: Check & { usageBacklog?: number; deadLetters?: number };
}

export async function readiness(): Promise<Readiness> {
  const [database, redis] = await Promise.all([checkDatabase(), checkRedis()]);
  return { ready: database.ok && redis.ok, database, redis };
}

async function timed<T>(probe: () => Promise<T>): Promise<{ value?: T; latencyMs: number; error?: string }> {
  const started = performance.now();
  const timeoutMs = env().DEPENDENCY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const value = await Promise.race([probe(), timeout]);
    return { value, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { latencyMs: Math.round(performance.now() - started), error: reason(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The error's own words (a code such as ECONNREFUSED is enough); connection strings never appear in them. */
function reason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

async function checkDatabase(): Promise<Readiness['database']> {
  const expected = journal.entries.length;
  const { value: applied, latencyMs, error } = await timed(async () => appliedMigrationCount(await getDb()));
  if (error !== undefined || applied === undefined) return { ok: false, latencyMs, error: error ?? 'no answer' };
  const migrations = { applied, expected };
  if (applied < expected) return { ok: false, latencyMs, migrations, error: `${expected - applied} migrations not applied` };
  return { ok: true, latencyMs, migrations };
}

async function checkRedis(): Promise<Readiness['redis']> {
  const queue = appUsageQueue();
  const { value, latencyMs, error } = await timed(() =>
    Promise.all([runCommand(getRedis(), ['LLEN', queue.key]), runCommand(getRedis(), ['LLEN', queue.deadKey])]),
  );
  if (error !== undefined || !value) return { ok: false, latencyMs, error: error ?? 'no answer' };
  return { ok: true, latencyMs, usageBacklog: Number(value[0]), deadLetters: Number(value[1]) };
}
