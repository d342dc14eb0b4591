import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { drainUsageOnce } from './drain';
import { testQueueName } from './fixtures';
import { enqueueUsage, usageQueue, type UsageQueue } from './queue';
import type { UsageRecord } from './record';

/**
 * Test support for suites that push records through the real drain (rollups, alerts, export):
 * a queue of their own, bulk enqueueing, draining to the end, and cleaning up afterwards.
 */

const queues: UsageQueue[] = [];

export function freshQueue(): UsageQueue {
  const queue = usageQueue(testQueueName());
  queues.push(queue);
  return queue;
}

export async function enqueueAll(queue: UsageQueue, records: readonly UsageRecord[]): Promise<void> {
  const redis = getRedis();
  for (let i = 0; i < records.length; i += 500) {
    const pipeline = redis.pipeline();
    for (const record of records.slice(i, i + 500)) enqueueUsage(pipeline, record, queue);
    await pipeline.exec();
  }
}

/** Drains until a pass reads nothing; returns how many rows were inserted. */
export async function drainAll(queue: UsageQueue, consumer: string, options: { batchSize?: number; idleMs?: number; redis?: Redis } = {}) {
  let inserted = 0;
  for (;;) {
    const result = await drainUsageOnce({ queue, consumer, ...options });
    inserted += result.inserted;
    if (result.read === 0) return inserted;
  }
}

export async function dropTestQueues(): Promise<void> {
  const redis = getRedis();
  for (const queue of queues.splice(0)) {
    const consumers = await redis.zrange<string[]>(queue.consumersKey, 0, -1);
    await redis.del(queue.key, queue.deadKey, queue.consumersKey, ...consumers.map((c) => queue.processingKey(c)));
  }
}

/** A Redis whose LTRIM (the acknowledgement) fails: the drain "dies" after COMMIT, before ACK. */
export function dyingBeforeAck(redis: Redis): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'ltrim') return () => Promise.reject(new Error('killed before acknowledging'));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A small deterministic PRNG (mulberry32), so a failing randomized test can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
