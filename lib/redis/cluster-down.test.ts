import { afterAll, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { closeRedis, createRedis } from './client';
import { runCommand } from './raw';
import { runCommandSoon } from './soon';

/**
 * A Redis Cluster that cannot be reached answers like one Redis that cannot (unreachable.test.ts):
 * ServiceUnavailableError (503) within the dependency timeout, never a hang — single commands and
 * the hot path's pipelines alike. No cluster needed: nothing listens on the port.
 */
describe('a Redis Cluster that cannot be reached', () => {
  const redis = createRedis({ REDIS_CLUSTER_URLS: ['redis://127.0.0.1:7199'], DEPENDENCY_TIMEOUT_MS: 500 });
  afterAll(() => closeRedis(redis));

  it('fails a command and a pipeline with ServiceUnavailableError, fast', async () => {
    const started = Date.now();
    await expect(runCommand(redis, ['get', 'conduit-test:{x}:a'])).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(Promise.all([runCommandSoon(redis, ['get', 'conduit-test:{x}:a']), runCommandSoon(redis, ['get', 'conduit-test:{y}:b'])])).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
