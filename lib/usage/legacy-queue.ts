import 'server-only';
import type { Redis } from '@upstash/redis';
import { runCommand, runScript, luaScript } from '@/lib/redis/raw';
import type { UsageQueue } from './queue';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'usage' });

/**
 * Usage records queued by a release from before hash tags, under the queue's old key names
 * (`conduit:usage`, `conduit:usage:processing:<consumer>`, `conduit:usage:consumers`,
 * `conduit:usage:dead`). Unlike credit or spend windows, a queue cannot be rebuilt from PostgreSQL:
 * its records are not there yet. So the drain moves them into the tagged keys (queue.ts), where
 * they are drained like any other, until the old keys are empty:
 * - the old queue, at once (an old instance still running during a rolling upgrade keeps pushing
 *   there: moved on the next look);
 * - an old consumer's processing list once its heartbeat is older than the idle threshold (it
 *   stopped; a live old consumer drains its own), and then the consumer is forgotten;
 * - the old dead letters, so `npm run usage:dead-letters` still shows them.
 * Redelivery is harmless (the insert is idempotent on request_id).
 *
 * The old keys and the new ones lie in different hash slots, which only one Redis (or Upstash)
 * allows in one script — and only there can old keys exist: the old release could not run on a
 * cluster. On a cluster both reads below answer 0 and nothing else is sent.
 */

/** KEYS 1 from · 2 to  ARGV 1 most. Returns how many entries were moved. */
const MOVE = luaScript(`
local moved = 0
while moved < tonumber(ARGV[1]) do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') then break end
  moved = moved + 1
end
return moved
`);

/** At most this many entries per list per look; the next look moves more. */
const MOST = 10_000;
/** Looks at the old keys at most this often per process: two reads per look. */
export const LEGACY_LOOK_INTERVAL_MS = 10_000;

const lastLook = new WeakMap<UsageQueue, number>();

/**
 * Moves what the old keys of `queue` hold into its keys (see above), at most once per
 * LEGACY_LOOK_INTERVAL_MS unless `force`. Returns how many entries were moved.
 */
export async function migrateLegacyQueue(redis: Redis, queue: UsageQueue, idleMs: number, now = Date.now(), force = false): Promise<number> {
  if (!force && now - (lastLook.get(queue) ?? -Infinity) < LEGACY_LOOK_INTERVAL_MS) return 0;
  lastLook.set(queue, now);
  const old = { key: queue.name, consumers: `${queue.name}:consumers`, dead: `${queue.name}:dead` };
  const [waiting, consumers, dead] = await Promise.all([
    runCommand(redis, ['llen', old.key]),
    runCommand(redis, ['zcard', old.consumers]),
    runCommand(redis, ['llen', old.dead]),
  ]);
  if (Number(waiting) + Number(consumers) + Number(dead) === 0) return 0;

  let moved = 0;
  if (Number(waiting) > 0) moved += Number(await runScript(redis, MOVE, [old.key, queue.key], [MOST]));
  if (Number(dead) > 0) moved += Number(await runScript(redis, MOVE, [old.dead, queue.deadKey], [MOST]));
  const stopped = (await runCommand(redis, ['zrangebyscore', old.consumers, '-inf', now - idleMs])) as string[];
  for (const consumer of stopped) {
    const list = `${queue.name}:processing:${consumer}`;
    moved += Number(await runScript(redis, MOVE, [list, queue.key], [MOST]));
    if (Number(await runCommand(redis, ['llen', list])) === 0) await runCommand(redis, ['zrem', old.consumers, consumer]);
  }
  if (moved > 0) log.info({ moved, from: queue.name, to: queue.key }, "moved entries from the queue's keys of an older release");
  return moved;
}
