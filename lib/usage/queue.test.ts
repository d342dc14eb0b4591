import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { testQueueName, usageRecord } from './fixtures';

const services = await useTestServices();
const { getRedis, createRedis, closeRedis } = await import('@/lib/redis/client');
const { enqueueUsage, enqueueUsageNow, usageQueue } = await import('./queue');
const { usageRecordSchema } = await import('./record');

const queue = usageQueue(testQueueName());
afterAll(async () => {
  await getRedis().del(queue.key);
  await services.cleanup();
});

describe(`usage queue on ${services.label}`, () => {
  it('adds the record to the caller’s pipeline (or MULTI) and sends nothing until it runs', async () => {
    const redis = getRedis();
    const first = usageRecord({ userId: 'u1', costMicros: 1_234 });
    const second = usageRecord({ stream: true, ttftMs: 80 });

    const tx = redis.multi();
    tx.incr(`${queue.key}:counter`);
    enqueueUsage(tx, first, queue);
    expect(await redis.llen(queue.key)).toBe(0);
    expect(await tx.exec()).toEqual([1, 1]);
    await redis.del(`${queue.key}:counter`);

    const pipeline = redis.pipeline();
    enqueueUsage(pipeline, second, queue);
    await pipeline.exec();
    await enqueueUsageNow(usageRecord(), redis, queue);

    const entries = await redis.lrange(queue.key, 0, -1);
    expect(entries).toHaveLength(3);
    // Oldest on the right, where the drain takes from; each entry is the record, intact.
    expect(usageRecordSchema.parse(entries[2])).toEqual(first);
    expect(usageRecordSchema.parse(entries[1])).toEqual(second);
  });
});

// Why queue.ts builds a reliable list instead of using a stream with a consumer group: the
// embedded store does not have the group commands. If this starts failing, ioredis-mock grew them.
describe('the embedded store and Redis streams', () => {
  it('has XADD but none of the consumer-group commands', async () => {
    const redis = createRedis({});
    const key = `${testQueueName()}:stream`;
    try {
      expect(await redis.exec<string>(['XADD', key, '*', 'r', '{}'])).toMatch(/^\d+-\d+$/);
      for (const command of [
        ['XGROUP', 'CREATE', key, 'g', '0', 'MKSTREAM'],
        ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '10', 'STREAMS', key, '>'],
        ['XACK', key, 'g', '0-1'],
        ['XPENDING', key, 'g'],
        ['XCLAIM', key, 'g', 'c', '0', '0-1'],
        ['XAUTOCLAIM', key, 'g', 'c', '0', '0-0'],
      ] as [string, ...string[]][]) {
        await expect(redis.exec(command), command[0]).rejects.toThrow(/not supported by the embedded store/);
      }
    } finally {
      await redis.del(key);
      await closeRedis(redis);
    }
  });
});
