import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { errorResponse } from '@/lib/errors';
import { unavailableDependency } from '@/lib/unavailable';
import { closeRedis, createRedis } from './client';
import { luaScript, RedisCommandError, runCommand } from './raw';
import { runScriptSoon } from './soon';

/**
 * A Redis that cannot be reached must fail the request that needed it quickly and recognisably
 * (503 service_unavailable, lib/errors.ts) — refused outright, or silent (a server that accepts
 * the connection and never answers, as a black-holed network does).
 */

const held = new Set<Socket>();
const silent: Server = createServer((socket) => void held.add(socket)); // accepts, never answers
const silentPort = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const SCRIPT = luaScript('return 1');

describe.each([
  ['refused', 'redis://127.0.0.1:1'],
  ['silent', `redis://127.0.0.1:${silentPort}`],
])('a Redis that is %s', (_, url) => {
  it('fails a command and a pipelined script within the timeout, as a dependency error that answers 503', async () => {
    const redis = createRedis({ REDIS_URL: url, DEPENDENCY_TIMEOUT_MS: 300 });
    try {
      for (const attempt of [() => runCommand(redis, ['GET', 'k']), () => runScriptSoon(redis, SCRIPT, [], []), () => redis.get('k')]) {
        const started = performance.now();
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(performance.now() - started).toBeLessThan(1_500);
        expect(unavailableDependency(error)).toBe('redis');
        const response = errorResponse(error);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBeTruthy();
        expect(await response.json()).toMatchObject({ error: { code: 'service_unavailable', type: 'api_error' } });
      }
    } finally {
      await closeRedis(redis);
    }
  });
});

describe('dependency errors', () => {
  it('recognises PostgreSQL going away by SQLSTATE or driver code, through drizzle’s wrapper, and nothing else', () => {
    const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });
    expect(unavailableDependency(wrapped(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))).toBe('database');
    expect(unavailableDependency(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }))).toBe('database');
    expect(unavailableDependency(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    // An outgoing call's refused connection (an upstream API's) is not the database's.
    expect(unavailableDependency(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', port: 9 }))).toBeNull();
    expect(unavailableDependency(new Error('boom'))).toBeNull();
  });

  it('answers Redis refusing to serve (out of memory, a read-only replica, loading) with 503, and a wrong command still with 500', async () => {
    for (const reply of ['OOM command not allowed when used memory > maxmemory.', "READONLY You can't write against a read only replica.", 'LOADING Redis is loading the dataset in memory', 'ERR max daily request limit exceeded']) {
      const error = new RedisCommandError(reply);
      expect(errorResponse(error).status, reply).toBe(503);
    }
    expect(errorResponse(new RedisCommandError('ERR wrong number of arguments for command')).status).toBe(500);
  });
});
