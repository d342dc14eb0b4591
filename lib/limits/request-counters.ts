import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { luaScript, runCommand } from '@/lib/redis/raw';
import { runScriptSoon } from '@/lib/redis/soon';

/**
 * Fixed-window request counters checked and counted in one atomic script: every limit is
 * checked first and nothing is counted unless all pass, so a request refused by one window
 * consumes none of the others. Used by proxy links (per link, per end user, monthly cap).
 *
 * A counter that can be rebuilt from PostgreSQL (a `restore`) is unknown while Redis lacks it —
 * a new window, or Redis lost it — rather than zero: the script answers which one, its value is
 * written if still missing (SET NX, so concurrent rebuilders agree), and the request is checked
 * once more.
 */

// Lua 5.1 / fengari-safe: doubles only (see lib/limits/lua.ts).
// ARGV per key: limit, window ms, 1 if it must exist. Returns {0, 0} | {i, pttl} | {-i, 0} (i missing).
const CONSUME = `
local function num(x) return (tonumber(x) or 0) + 0.0 end
for i = 1, #KEYS do
  local limit = num(ARGV[3 * i - 2])
  if limit > 0 then
    local used = redis.call('GET', KEYS[i])
    if not used and ARGV[3 * i] == '1' then return {-i, 0} end
    if num(used) >= limit then return {i, redis.call('PTTL', KEYS[i])} end
  end
end
for i = 1, #KEYS do
  if num(ARGV[3 * i - 2]) > 0 and redis.call('INCR', KEYS[i]) == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[3 * i - 1])
  end
end
return {0, 0}
`;

export interface Counter {
  /** Redis key of this window's counter (the caller puts the window's id in it). */
  key: string;
  /** Requests allowed in the window; null or 0 = unlimited (not counted). */
  limit: number | null;
  /** Time until this window's counter may be dropped. */
  windowMs: number;
  /** When the window resets (aligned windows end before their counter expires); default: the counter's TTL. */
  resetsInMs?: number;
  /** The window's count so far from PostgreSQL, for when Redis has no counter (see above). */
  restore?: () => Promise<number>;
}

export type Consumption = { allowed: true } | { allowed: false; refusedBy: number; resetMs: number };

const CONSUME_SCRIPT = luaScript(CONSUME);

export async function consumeRequest(counters: readonly Counter[], redis: Redis = getRedis()): Promise<Consumption> {
  const active = counters.filter((counter) => counter.limit);
  if (active.length === 0) return { allowed: true };
  const run = async () =>
    ((await runScriptSoon(
      redis,
      CONSUME_SCRIPT,
      active.map((counter) => counter.key),
      active.flatMap((counter) => [counter.limit!, counter.windowMs, counter.restore ? 1 : 0]),
    )) as [number, number]).map(Number) as [number, number];
  let [refused, pttl] = await run();
  if (refused < 0) {
    const missing = active[-refused - 1]!;
    await runCommand(redis, ['set', missing.key, await missing.restore!(), 'NX', 'PX', missing.windowMs]);
    [refused, pttl] = await run();
    // Lost again in between: Redis is losing data right now — refused for now (503) rather than
    // counted from a zero made up.
    if (refused < 0) throw new ServiceUnavailableError('redis', { cause: new Error(`the request counter ${missing.key} was lost again while being restored`) });
  }
  if (refused === 0) return { allowed: true };
  const refusedCounter = active[refused - 1]!;
  return { allowed: false, refusedBy: counters.indexOf(refusedCounter), resetMs: refusedCounter.resetsInMs ?? Math.max(0, pttl) };
}
