import 'server-only';
import type { Redis } from '@upstash/redis';
import { runCommand, runScript, luaScript } from '@/lib/redis/raw';
import type { UsageQueue } from './queue';
import { RECOVER } from './recover';
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
 * - the old dead letters, so `npm run usage:dead-letters` still shows them (as the oldest).
 * A process that found the old keys empty three looks in a row stops looking.
 * Redelivery is harmless (the insert is idempotent on request_id).
 *
 * The old keys and the new ones lie in different hash slots, which only one Redis (or Upstash)
 * allows in one script — and only there can old keys exist: the old release could not run on a
 * cluster. On a cluster both reads below answer 0 and nothing else is sent.
 */

/** KEYS 1 from · 2 to  ARGV 1 most · 2, 3 LMOVE's directions. Returns how many entries were moved. */
const MOVE = luaScript(`
local moved = 0
while moved < tonumber(ARGV[1]) do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], ARGV[2], ARGV[3]) then break end
  moved = moved + 1
end
return moved
`);
const RECOVER_SCRIPT = luaScript(RECOVER);

/** At most this many entries per list per look; the next look moves more. */
const MOST = 10_000;
/** Looks at the old keys at most this often per process: two reads per look. */
export const LEGACY_LOOK_INTERVAL_MS = 10_000;

const lastLook = new WeakMap<UsageQueue, number>();
/** Looks in a row that found the old keys empty; after EMPTY_LOOKS this process stops looking. */
const emptyLooks = new WeakMap<UsageQueue, number>();
const EMPTY_LOOKS = 3;

/**
 * Moves what the old keys of `queue` hold into its keys (see above), at most once per
 * LEGACY_LOOK_INTERVAL_MS unless `force`. Returns how many entries were moved.
 */
export async function migrateLegacyQueue(redis: Redis, queue: UsageQueue, idleMs: number, now = Date.now(), force = false): Promise<number> {
  if (!force && (now - (lastLook.get(queue) ?? -Infinity) < LEGACY_LOOK_INTERVAL_MS || (emptyLooks.get(queue) ?? 0) >= EMPTY_LOOKS)) return 0;
  lastLook.set(queue, now);
  const old = { key: queue.name, consumers: `${queue.name}:consumers`, dead: `${queue.name}:dead` };
  const [waiting, consumers, dead] = await Promise.all([
    runCommand(redis, ['llen', old.key]),
    runCommand(redis, ['zcard', old.consumers]),
    runCommand(redis, ['llen', old.dead]),
  ]);
  // Empty a few times in a row (30 s): the upgrade is over, or there was none; a process started
  // later looks again. An old instance that pushes after that is stopped first (README).
  if (Number(waiting) + Number(consumers) + Number(dead) === 0) {
    emptyLooks.set(queue, (emptyLooks.get(queue) ?? 0) + 1);
    return 0;
  }
  emptyLooks.set(queue, 0);

  let moved = 0;
  if (Number(waiting) > 0) moved += Number(await runScript(redis, MOVE, [old.key, queue.key], [MOST, 'RIGHT', 'LEFT']));
  // Old dead letters are older than any new one: put at the oldest end (the right), in their order,
  // so the dead-letter cap trims them first.
  if (Number(dead) > 0) moved += Number(await runScript(redis, MOVE, [old.dead, queue.deadKey], [MOST, 'LEFT', 'RIGHT']));
  const cutoff = now - idleMs;
  const stopped = (await runCommand(redis, ['zrangebyscore', old.consumers, '-inf', cutoff])) as string[];
  for (const consumer of stopped) {
    // As a dead consumer of the new keys (consumer.ts): moved and forgotten in one step, and only
    // if it has not heartbeated since — an old instance still running keeps its consumer.
    moved += Number(await runScript(redis, RECOVER_SCRIPT, [`${queue.name}:processing:${consumer}`, queue.key, old.consumers], [MOST, consumer, cutoff]));
  }
  if (moved > 0) log.info({ moved, from: queue.name, to: queue.key }, "moved entries from the queue's keys of an older release");
  return moved;
}
