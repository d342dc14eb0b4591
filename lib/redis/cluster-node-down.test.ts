import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { unavailableDependency } from '@/lib/unavailable';
import { closeRedis, createRedis } from './client';
import { keySlot } from './key-slot';
import { runCommand } from './raw';
import { runCommandSoon } from './soon';

/**
 * One primary of a Redis Cluster down, the others up: commands for its slots answer 503 at once
 * (as one Redis that is down does), the other slots keep working, and the client recovers on its own
 * when the node is back. A cluster of its own (three primaries, .ci/redis-cluster), since a node is
 * killed: run with the other cluster tests (TEST_REDIS_CLUSTER_URLS set), redis-server on the PATH.
 * Its ports are the first free ones from TEST_REDIS_SPARE_PORT (7450) on.
 */

const SCRIPT = join(process.cwd(), '.ci/redis-cluster');

async function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function sparePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  // Redis Cluster also listens on port + 10000 (its bus).
  for (let port = Number(process.env.TEST_REDIS_SPARE_PORT ?? 7450); ports.length < count && port < 65_535 - 10_000; port++) {
    if ((await free(port)) && (await free(port + 10_000))) ports.push(port);
  }
  return ports;
}

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(Boolean(process.env.TEST_REDIS_CLUSTER_URLS) && hasRedisServer)('a Redis Cluster with one primary down', () => {
  let dir = '';
  let ports: number[] = [];
  let redis: ReturnType<typeof createRedis>;

  beforeAll(async () => {
    // Made here, not when the file is collected: a skipped run would leave it behind.
    dir = mkdtempSync(join(tmpdir(), 'conduit-cluster-'));
    ports = await sparePorts(3);
    const urls = execFileSync(SCRIPT, ['start', dir, ...ports.map(String)], { encoding: 'utf8' }).trim();
    redis = createRedis({ REDIS_CLUSTER_URLS: urls.split(','), DEPENDENCY_TIMEOUT_MS: 2_000 });
  }, 30_000);

  afterAll(async () => {
    if (redis) await closeRedis(redis);
    if (!dir) return;
    execFileSync(SCRIPT, ['stop', dir]);
    // The nodes may still be writing their files as they exit.
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  /** A key whose slot the node on `port` serves (by CLUSTER SLOTS). */
  function keyOn(port: number): string {
    const ranges = JSON.parse(execFileSync('redis-cli', ['-p', String(ports[0]), '--json', 'cluster', 'slots'], { encoding: 'utf8' })) as [number, number, [string, number]][];
    const mine = ranges.filter(([, , [, nodePort]]) => nodePort === port);
    for (let i = 0; ; i++) {
      const key = `conduit-test:{node-down-${i}}`;
      const slot = keySlot(key);
      if (mine.some(([from, to]) => slot >= from && slot <= to)) return key;
    }
  }

  const timed = async (work: Promise<unknown>): Promise<{ value?: unknown; error?: unknown; ms: number }> => {
    const started = Date.now();
    const outcome = await work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { ...outcome, ms: Date.now() - started };
  };

  it('a command for every primary, sent before the client has connected, waits for the slot map instead of finding no node', async () => {
    await runCommand(redis, ['set', 'conduit-test:{every-primary}', '1']);
    const fresh = createRedis({ REDIS_CLUSTER_URLS: ports.map((port) => `redis://127.0.0.1:${port}`) });
    try {
      expect(await runCommand(fresh, ['keys', 'conduit-test:{every-primary}'])).toEqual(['conduit-test:{every-primary}']);
    } finally {
      await closeRedis(fresh);
    }
  });

  it('refuses the down node’s slots at once with a 503, serves the others, logs once, and recovers without a restart', async () => {
    const [, victim] = ports as [number, number, number];
    const healthy = keyOn(ports[0]!);
    const doomed = keyOn(victim);
    await runCommand(redis, ['set', doomed, 'before']);
    expect(await runCommand(redis, ['set', healthy, 'ok'])).toBe('OK');

    execFileSync('redis-cli', ['-p', String(victim), 'shutdown', 'nosave']);
    // The first command after the loss meets it (a refused connection); soon the node is known down.
    await vi.waitFor(
      async () => {
        const { error, ms } = await timed(runCommand(redis, ['get', doomed]));
        expect(unavailableDependency(error)).toBe('redis');
        expect(ms).toBeLessThan(200);
      },
      { timeout: 10_000, interval: 100 },
    );
    for (let i = 0; i < 5; i++) {
      const single = await timed(runCommand(redis, ['get', doomed]));
      expect(unavailableDependency(single.error)).toBe('redis');
      expect(single.ms).toBeLessThan(200);
      // A pipeline of both: the healthy slot is answered, the down one refused as an outage (503).
      const both = await timed(Promise.allSettled([runCommandSoon(redis, ['get', healthy]), runCommandSoon(redis, ['get', doomed])]));
      const [ok, refused] = (both as { value: PromiseSettledResult<unknown>[] }).value;
      expect(ok).toEqual({ status: 'fulfilled', value: 'ok' });
      expect(refused?.status).toBe('rejected');
      expect(unavailableDependency((refused as PromiseRejectedResult).reason)).toBe('redis');
      expect(both.ms).toBeLessThan(200);
    }

    // Back (empty: no persistence): served again by the same client.
    execFileSync('redis-server', [
      ...['--port', String(victim), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${victim}.conf`],
      ...['--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(dir, `${victim}.pid`), '--logfile', join(dir, `${victim}.log`)],
    ]);
    await vi.waitFor(async () => expect(await runCommand(redis, ['set', doomed, 'after'])).toBe('OK'), { timeout: 20_000, interval: 200 });
    expect(await runCommand(redis, ['get', healthy])).toBe('ok');
  }, 60_000);
});
