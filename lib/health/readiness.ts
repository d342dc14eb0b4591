import 'server-only';
import { getDb } from '@/db';
import journal from '@/db/migrations/meta/_journal.json';
import { appliedMigrationCount } from '@/db/queries/migrations';
import { env } from '@/lib/env';
import { getRedis } from '@/lib/redis/client';
import { runCommand } from '@/lib/redis/raw';
import { appUsageQueue } from '@/lib/usage/queue';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'ready' });

/**
 * Whether this instance can serve: PostgreSQL and Redis answer, every migration is applied, and
 * how the usage drain is doing (backlog, dead letters). Two small round trips, each bounded by
 * DEPENDENCY_TIMEOUT_MS, so a load balancer can poll it every second.
 */

export interface Check {
  ok: boolean;
  latencyMs: number;
  /**
   * What went wrong, in a word: `unreachable`, `timeout`, `migrations_pending`. The endpoint is
   * public (a load balancer polls it), so the driver's own message — which can name hosts and
   * database users — goes to the server's log instead (once a minute per dependency at most).
   */
  error?: 'unreachable' | 'timeout' | 'migrations_pending';
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

class ProbeTimeout extends Error {}

async function timed<T>(dependency: string, probe: () => Promise<T>): Promise<{ value?: T; latencyMs: number; error?: 'unreachable' | 'timeout' }> {
  const started = performance.now();
  const timeoutMs = env().DEPENDENCY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const value = await Promise.race([probe(), timeout]);
    return { value, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    logFailure(dependency, error);
    return { latencyMs: Math.round(performance.now() - started), error: error instanceof ProbeTimeout ? 'timeout' : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

const LOG_EVERY_MS = 60_000;
const lastLogged = new Map<string, number>();

/** The probe's real reason, for the operator: in the log, at most once a minute per dependency (it is polled every second). */
function logFailure(dependency: string, error: unknown): void {
  const now = Date.now();
  if (now - (lastLogged.get(dependency) ?? 0) < LOG_EVERY_MS) return;
  lastLogged.set(dependency, now);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  log.error({ dependency, code: typeof code === 'string' ? code : undefined, reason: message }, 'dependency not ready');
}

async function checkDatabase(): Promise<Readiness['database']> {
  const expected = journal.entries.length;
  const { value: applied, latencyMs, error } = await timed('PostgreSQL', async () => appliedMigrationCount(await getDb()));
  if (error !== undefined || applied === undefined) return { ok: false, latencyMs, error: error ?? 'unreachable' };
  const migrations = { applied, expected };
  if (applied < expected) return { ok: false, latencyMs, migrations, error: 'migrations_pending' };
  return { ok: true, latencyMs, migrations };
}

/** Usage records waiting for the drain, and those it set aside (also scraped by /metrics). */
export async function usageQueueDepths(): Promise<{ backlog: number; deadLetters: number }> {
  const queue = appUsageQueue();
  const [backlog, deadLetters] = await Promise.all([runCommand(getRedis(), ['LLEN', queue.key]), runCommand(getRedis(), ['LLEN', queue.deadKey])]);
  return { backlog: Number(backlog), deadLetters: Number(deadLetters) };
}

async function checkRedis(): Promise<Readiness['redis']> {
  const { value, latencyMs, error } = await timed('Redis', usageQueueDepths);
  if (error !== undefined || !value) return { ok: false, latencyMs, error: error ?? 'unreachable' };
  return { ok: true, latencyMs, usageBacklog: value.backlog, deadLetters: value.deadLetters };
}
