import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { testQueueName, usageRecord } from './fixtures';

/**
 * An upgrade from a release without hash tags: its instances queued records under the queue's old
 * key names. The queue is not rebuildable from PostgreSQL, so the drain must still store them.
 * Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded. Not
 * on a cluster: old keys cannot exist there (the old release could not run on one).
 */
const onCluster = Boolean(process.env.TEST_REDIS_CLUSTER_URLS);
const services = await useTestServices();
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { inArray } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { runCommand } = await import('@/lib/redis/raw');
const { drainUsageOnce } = await import('./drain');
const { usageQueue } = await import('./queue');
beforeAll(() => getDb());
afterAll(() => services.cleanup());

describe.skipIf(onCluster)(`the queue's keys of an older release, on ${services.label}`, () => {
  it('are drained after the upgrade: the old queue, a stopped consumer’s claimed batch and the dead letters; a live consumer’s batch stays its own', async () => {
    const name = testQueueName();
    const queue = usageQueue(name);
    const redis = getRedis();
    const now = Date.now();
    const json = () => JSON.stringify(usageRecord({ requestId: `req_${randomUUID()}`, costMicros: 0 }));
    const waiting = [json(), json(), json()];
    const claimedByStopped = [json(), json()];
    const claimedByLive = [json()];
    // Exactly as the old release wrote them (its queue.ts used the name without braces).
    await runCommand(redis, ['lpush', name, ...waiting]);
    await runCommand(redis, ['lpush', `${name}:processing:old-stopped`, ...claimedByStopped]);
    await runCommand(redis, ['lpush', `${name}:processing:old-live`, ...claimedByLive]);
    await runCommand(redis, ['zadd', `${name}:consumers`, now - 120_000, 'old-stopped', now, 'old-live']);
    await runCommand(redis, ['lpush', `${name}:dead`, '{"entry":"older","reason":"old"}', '{"entry":"not a record","reason":"old"}']);
    // A dead letter of the new release, newer than every old one.
    await runCommand(redis, ['lpush', queue.deadKey, '{"entry":"new","reason":"new"}']);

    while ((await drainUsageOnce({ queue, consumer: 'new-release' })).read > 0);

    const ids = [...waiting, ...claimedByStopped, ...claimedByLive].map((entry) => (JSON.parse(entry) as { requestId: string }).requestId);
    const stored = await (await getDb()).select({ requestId: usageRecords.requestId }).from(usageRecords).where(inArray(usageRecords.requestId, ids));
    expect(stored.map((row) => row.requestId).sort()).toEqual(ids.slice(0, 5).sort());
    expect(await runCommand(redis, ['llen', name])).toBe(0);
    expect(await runCommand(redis, ['llen', `${name}:processing:old-stopped`])).toBe(0);
    expect(await runCommand(redis, ['lrange', `${name}:processing:old-live`, 0, -1])).toEqual(claimedByLive);
    expect(await runCommand(redis, ['zrange', `${name}:consumers`, 0, -1])).toEqual(['old-live']);
    // Newest first, the old ones at the oldest end in their order: the cap trims them first.
    expect(await runCommand(redis, ['lrange', queue.deadKey, 0, -1])).toEqual(['{"entry":"new","reason":"new"}', '{"entry":"not a record","reason":"old"}', '{"entry":"older","reason":"old"}']);
    await runCommand(redis, ['del', `${name}:processing:old-live`, `${name}:consumers`]);
    await runCommand(redis, ['del', queue.deadKey, queue.consumersKey]);
  });
});
