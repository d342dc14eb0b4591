import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { backendKind, closeRedis, createRedis } from './client';

describe('Redis backend selection', () => {
  it('prefers Upstash, then REDIS_URL, then the embedded store', () => {
    const upstash = { UPSTASH_REDIS_REST_URL: 'https://example.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'token' };
    expect(backendKind({ ...upstash, REDIS_URL: 'redis://127.0.0.1:6379' })).toBe('upstash');
    expect(backendKind({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBe('redis');
    expect(backendKind({ UPSTASH_REDIS_REST_URL: 'https://example.upstash.io' })).toBe('embedded');
    expect(backendKind({})).toBe('embedded');
  });

  it('gives every embedded client the same process-wide store', async () => {
    const key = `conduit-client-test:${randomUUID()}`;
    const writer = createRedis({});
    const reader = createRedis({});
    await writer.set(key, 'shared', { px: 10_000 });
    expect(await reader.get(key)).toBe('shared');
    await reader.del(key);
    await closeRedis(writer); // a no-op for the embedded store, which stays usable
    expect(await reader.incr(key)).toBe(1);
    await reader.del(key);
  });

  it('opens no connection until the first command, and closes cleanly', async () => {
    const redis = createRedis({ REDIS_URL: 'redis://127.0.0.1:1' });
    await closeRedis(redis);
  });
});
