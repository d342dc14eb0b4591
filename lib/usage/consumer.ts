import 'server-only';
import type { Redis } from '@upstash/redis';
import { runCommand } from '@/lib/redis/raw';
import { migrateLegacyQueue } from './legacy-queue';
import { RECOVER } from './recover';
import { USAGE_QUEUE_CAP, type UsageQueue } from './queue';

/**
 * The Redis half of the drain: claim a batch, acknowledge it, recover the batches of dead
 * consumers (design in queue.ts). Lua keeps each step atomic; the scripts stick to what the
 * embedded store's Lua runs like Redis (no cjson, tables built by constructors, arithmetic in
 * doubles — fengari's integers are 32-bit).
 */

/**
 * Heartbeat, trim the queue to its cap, then move entries from the queue's right (oldest) into
 * this consumer's processing list until it holds `batch`.
 * KEYS 1 queue · 2 processing list · 3 consumers  ARGV 1 batch · 2 now ms · 3 consumer · 4 cap
 * Returns {moved, dropped, backlog left in the queue}.
 */
const CLAIM = `
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
local cap = tonumber(ARGV[4])
local backlog = redis.call('LLEN', KEYS[1])
local dropped = 0
if backlog > cap then
  redis.call('LTRIM', KEYS[1], 0, cap - 1)
  dropped = backlog - cap
  backlog = cap
end
local want = tonumber(ARGV[1]) - redis.call('LLEN', KEYS[2])
local moved = 0
while moved < want do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') then break end
  moved = moved + 1
end
return {moved, dropped, backlog - moved}
`;

/** A consumer that stops cleanly with nothing held leaves the set; otherwise it awaits recovery. */
const RETIRE = `
if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('ZREM', KEYS[2], ARGV[1]) end
return 0
`;

export interface ClaimedBatch {
  /** Entries as the SDK decoded them: objects for JSON, strings for anything else. */
  entries: unknown[];
  recovered: number;
  dropped: number;
  backlog: number;
}

const DEAD_PER_PASS = 10;

/** Recovers from dead consumers, then tops our processing list up to `batchSize` and reads it. */
export async function claimBatch(
  redis: Redis,
  queue: UsageQueue,
  consumer: string,
  batchSize: number,
  idleMs: number,
  now = Date.now(),
): Promise<ClaimedBatch> {
  const mine = queue.processingKey(consumer);
  const cutoff = now - idleMs;
  // Records an older release queued under the keys without hash tags (legacy-queue.ts).
  await migrateLegacyQueue(redis, queue, idleMs, now);
  const dead = await redis.zrange<string[]>(queue.consumersKey, '-inf', cutoff, {
    byScore: true,
    offset: 0,
    count: DEAD_PER_PASS,
  });

  let recovered = 0;
  for (const other of dead) {
    if (other === consumer || recovered >= batchSize) continue;
    recovered += Number(
      await redis.eval(RECOVER, [queue.processingKey(other), mine, queue.consumersKey], [batchSize - recovered, other, cutoff]),
    );
  }

  const claim = await redis.eval<unknown[], [number, number, number]>(CLAIM, [queue.key, mine, queue.consumersKey], [batchSize, now, consumer, USAGE_QUEUE_CAP]);
  // As the JSON strings they are: the SDK would parse every entry in one go, holding the event
  // loop (shared with the gateway) for milliseconds; the drain parses them in slices.
  const entries = (await runCommand(redis, ['LRANGE', mine, 0, -1])) as unknown[];
  return { entries, recovered, dropped: Number(claim[1]), backlog: Number(claim[2]) };
}

/**
 * Acknowledges the `count` entries read by claimBatch: they are the oldest (rightmost) of our
 * list, and only this consumer adds to it, one batch at a time (drain.ts serialises per name).
 * Entries a recovering consumer took meanwhile are simply gone from the list already.
 */
export async function acknowledge(redis: Redis, queue: UsageQueue, consumer: string, count: number): Promise<void> {
  if (count > 0) await redis.ltrim(queue.processingKey(consumer), 0, -(count + 1));
}

export async function retireConsumer(redis: Redis, queue: UsageQueue, consumer: string): Promise<void> {
  await redis.eval(RETIRE, [queue.processingKey(consumer), queue.consumersKey], [consumer]);
}
