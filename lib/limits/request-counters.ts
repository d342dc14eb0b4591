import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { luaScript } from '@/lib/redis/raw';
import { runScriptSoon } from '@/lib/redis/soon';

/**
 * Fixed-window request counters checked and counted in one atomic script: every limit is
 * checked first and nothing is counted unless all pass, so a request refused by one window
 * consumes none of the others. Used by proxy links (per link, per end user, monthly cap).
 */

// Lua 5.1 / fengari-safe: doubles only (see lib/limits/lua.ts).
const CONSUME = `
local function num(x) return (tonumber(x) or 0) + 0.0 end
for i = 1, #KEYS do
  local limit = num(ARGV[2 * i - 1])
  if limit > 0 and num(redis.call('GET', KEYS[i])) >= limit then
    return {i, redis.call('PTTL', KEYS[i])}
  end
end
for i = 1, #KEYS do
  if num(ARGV[2 * i - 1]) > 0 and redis.call('INCR', KEYS[i]) == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
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
}

export type Consumption = { allowed: true } | { allowed: false; refusedBy: number; resetMs: number };

const CONSUME_SCRIPT = luaScript(CONSUME);

export async function consumeRequest(counters: readonly Counter[], redis: Redis = getRedis()): Promise<Consumption> {
  const active = counters.filter((counter) => counter.limit);
  if (active.length === 0) return { allowed: true };
  const [refused, pttl] = (await runScriptSoon(
    redis,
    CONSUME_SCRIPT,
    active.map((counter) => counter.key),
    active.flatMap((counter) => [counter.limit!, counter.windowMs]),
  )) as [number, number];
  if (Number(refused) === 0) return { allowed: true };
  const refusedCounter = active[Number(refused) - 1]!;
  return { allowed: false, refusedBy: counters.indexOf(refusedCounter), resetMs: refusedCounter.resetsInMs ?? Math.max(0, Number(pttl)) };
}
