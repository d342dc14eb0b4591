import { createHash, randomUUID } from 'node:crypto';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, createRedis } from './client';
import type { CommandRunner } from './commands';
import { createRedisHttpHandler } from './http-endpoint';
import { serve } from '@/lib/server/node-adapter';
import { isNoScript, luaScript, RedisCommandError, runCommand, runScript } from './raw';
import { runCommandSoon, runScriptSoon } from './soon';
import { clusterRunner, embeddedRunner, tcpRunner } from './runners';

/**
 * One contract, several backends: what app code (and @upstash/ratelimit) can rely on, whichever
 * backend `getRedis()` picks. Real Redis runs when TEST_REDIS_URL is set (CI must set it).
 */

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
/** A Redis Cluster's nodes (`.ci/run` starts a local one): the same contract through ioredis' Cluster. */
const TEST_REDIS_CLUSTER_URLS = process.env.TEST_REDIS_CLUSTER_URLS?.split(',').filter(Boolean);
const ON_CI = Boolean(process.env.CI);

interface Harness {
  redis: Redis;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const times = <T>(n: number, fn: () => Promise<T>) => Promise.all(Array.from({ length: n }, fn));

/** The real @upstash/redis HTTP client against our endpoint, served on an ephemeral port. */
async function overHttp(runner: CommandRunner, closeRunner: boolean): Promise<Harness> {
  const token = randomUUID();
  const server = await serve(createRedisHttpHandler({ runner, token }), 0, '127.0.0.1');
  const redis = new Redis({ url: server.url, token, enableTelemetry: false });
  return {
    redis,
    close: async () => {
      await server.close();
      if (closeRunner) await runner.close();
    },
  };
}

// A fixed or sliding window that rolls over mid-test legitimately admits more requests.
async function awayFromWindowEdge(windowMs: number) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < 2_000) await sleep(left + 50);
}

// A script in @upstash/ratelimit's style: Redis 7.0 refuses this shebang unless we strip it.
const SCRIPT = `#!lua flags=allow-key-locking
local total = redis.call("INCRBY", KEYS[1], ARGV[1])
return {total, ARGV[2]}
`;

function contract(name: string, connect: () => Promise<Harness>) {
  describe(name, () => {
    // One hash tag for every key of the suite: its multi-key commands (DEL, MGET, MULTI) then run on a
    // cluster too, as the app's own keys do (lib/redis/key-slot.ts).
    const prefix = `conduit-test:{${randomUUID()}}:`;
    const key = (suffix: string) => `${prefix}${suffix}`;
    let harness: Harness;
    let redis: Redis;

    beforeAll(async () => {
      harness = await connect();
      redis = harness.redis;
    });

    afterAll(async () => {
      if (!harness) return;
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
      await harness.close();
    });

    const limiters = {
      'slidingWindow(10, "10 s")': () => Ratelimit.slidingWindow(10, '10 s'),
      'fixedWindow(10, "10 s")': () => Ratelimit.fixedWindow(10, '10 s'),
      'tokenBucket(10, "10 s", 10)': () => Ratelimit.tokenBucket(10, '10 s', 10),
    };
    for (const [kind, limiter] of Object.entries(limiters)) {
      it(`Ratelimit.${kind} admits exactly 10 of 50 parallel requests, per identifier, until reset`, async () => {
        await awayFromWindowEdge(10_000);
        const ratelimit = new Ratelimit({ redis, limiter: limiter(), ephemeralCache: false, prefix: key(kind.split('(')[0] ?? kind) });
        const results = await times(50, () => ratelimit.limit('alice'));
        expect(results.filter((r) => r.success)).toHaveLength(10);
        expect((await ratelimit.getRemaining('alice')).remaining).toBe(0);
        const bob = await ratelimit.limit('bob');
        expect(bob.success).toBe(true);
        expect(bob.remaining).toBe(9);
        // resetUsedTokens does not wait for its script, so poll for the effect.
        await ratelimit.resetUsedTokens('alice');
        await expect.poll(async () => (await ratelimit.getRemaining('alice')).remaining).toBe(10);
      });
    }

    it('counts atomically: 200 parallel INCR end at 200, each caller seeing a distinct value', async () => {
      const seen = await times(200, () => redis.incr(key('hits')));
      expect(new Set(seen).size).toBe(200);
      expect(Math.max(...seen)).toBe(200);
      expect(await redis.get(key('hits'))).toBe(200);
    });

    it('INCRBY / DECRBY / DECR, and INCR on a non-integer fails without touching the value', async () => {
      expect(await redis.incrby(key('credits'), 5)).toBe(5);
      expect(await redis.decrby(key('credits'), 7)).toBe(-2);
      expect(await redis.decr(key('credits'))).toBe(-3);
      await redis.set(key('label'), 'not a number');
      await expect(redis.incr(key('label'))).rejects.toThrow(/ERR value is not an integer/);
      expect(await redis.get(key('label'))).toBe('not a number');
    });

    it('SET NX PX sets once, GET reads it back, PTTL reports the expiry, and it expires', async () => {
      expect(await redis.set(key('lock'), 'first', { nx: true, px: 60_000 })).toBe('OK');
      expect(await redis.set(key('lock'), 'second', { nx: true, px: 60_000 })).toBeNull();
      expect(await redis.get(key('lock'))).toBe('first');
      const pttl = await redis.pttl(key('lock'));
      expect(pttl).toBeGreaterThan(55_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
      await redis.set(key('short'), 'x', { px: 50 });
      await sleep(150);
      expect(await redis.get(key('short'))).toBeNull();
    });

    it('EXPIRE / PTTL / DEL', async () => {
      await redis.set(key('session'), 'v');
      expect(await redis.pttl(key('session'))).toBe(-1);
      expect(await redis.expire(key('session'), 30)).toBe(1);
      expect(await redis.pttl(key('session'))).toBeGreaterThan(25_000);
      expect(await redis.del(key('session'), key('never-set'))).toBe(1);
      expect(await redis.pttl(key('session'))).toBe(-2);
      expect(await redis.get(key('session'))).toBeNull();
    });

    it('HSET / HGETALL round-trip an object; HINCRBY is atomic under parallel calls', async () => {
      const profile = { name: 'Zoë 🚀', plan: 'pro', seats: 3 };
      expect(await redis.hset(key('profile'), profile)).toBe(3);
      expect(await redis.hgetall(key('profile'))).toEqual(profile);
      expect(await redis.hgetall(key('no-such-hash'))).toBeNull();
      await times(100, () => redis.hincrby(key('usage'), 'tokens', 3));
      expect(await redis.hget(key('usage'), 'tokens')).toBe(300);
      expect(await redis.hgetall(key('usage'))).toEqual({ tokens: 300 });
    });

    it('a pipeline returns one result per command; a failing command fails alone', async () => {
      await redis.set(key('text'), 'abc');
      const results = await redis
        .pipeline()
        .set(key('p1'), 'v')
        .incr(key('text'))
        .incr(key('p2'))
        .get(key('p1'))
        .exec({ keepErrors: true });
      expect(results.map((r) => r.result)).toEqual(['OK', undefined, 1, 'v']);
      expect(results[1]?.error).toMatch(/ERR value is not an integer/);
      await expect(redis.pipeline().incr(key('text')).exec()).rejects.toThrow(/Command 1 \[ incr \] failed: ERR value/);
      expect(await redis.get(key('text'))).toBe('abc');
    });

    it('MULTI/EXEC returns per-command results and is atomic', async () => {
      expect(await redis.multi().incr(key('tx')).incrby(key('tx'), 4).get(key('tx')).exec()).toEqual([1, 5, 5]);
      const pairs = await times(50, () => redis.multi().incr(key('pairs')).incr(key('pairs')).exec());
      for (const [first, second] of pairs) expect(second).toBe(first + 1);
      await redis.set(key('tx-text'), 'abc');
      const failing = await redis.multi().set(key('tx-other'), 'x').incr(key('tx-text')).get(key('tx-other')).exec({ keepErrors: true });
      expect(failing.map((r) => r.result)).toEqual(['OK', undefined, 'x']);
      expect(failing[1]?.error).toMatch(/ERR value is not an integer/);
    });

    it("runs a '#!lua flags=allow-key-locking' script via EVAL, then via EVALSHA", async () => {
      expect(await redis.eval(SCRIPT, [key('lua')], ['2', 'first ✓'])).toEqual([2, 'first ✓']);
      expect(await redis.evalsha(sha1(SCRIPT), [key('lua')], ['3', 'second'])).toEqual([5, 'second']);
      expect(await redis.scriptLoad(SCRIPT)).toBe(sha1(SCRIPT));
      expect(await redis.scriptExists(sha1(SCRIPT))).toEqual([1]);
      await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    });

    it("gives scripts Redis' view of replies: nil is false, nested replies are tables, no return is nil", async () => {
      await redis.hset(key('lua-hash'), { a: '1' });
      // HSCAN of a small hash answers {cursor, {field, value, ...}} in one call: a nested reply.
      const script = `
        local fields = redis.call("HMGET", KEYS[1], "a", "missing")
        local scan = redis.call("HSCAN", KEYS[1], "0")
        local missing = fields[2] == false and "false" or type(fields[2])
        return {fields[1], "missing field is " .. missing, #scan[2], scan[2][1], table.concat({unpack(fields, 1, 1)})}
      `;
      expect(await redis.eval(script, [key('lua-hash')], [])).toEqual([1, 'missing field is false', 2, 'a', 1]);
      expect(await redis.eval('local unused = 1', [], [])).toBeNull();
    });

    it('JSON-looking, unicode and emoji values survive the round trip', async () => {
      const document = { text: 'héllo wörld — 你好 👩‍👩‍👧 🚀', nested: { n: 1, ok: true, list: ['a', 'ß'] } };
      await redis.set(key('doc'), document);
      expect(await redis.get(key('doc'))).toEqual(document);
      await redis.set(key('json-string'), JSON.stringify(document));
      expect(await redis.get(key('json-string'))).toEqual(document);
      await redis.set(key('flag'), true);
      expect(await redis.get(key('flag'))).toBe(true);
      const strings = ['{not json', 'OK', '007', 'tab\tnewline\n✓', '🚀'.repeat(100), ''];
      for (const [i, value] of strings.entries()) await redis.set(key(`s${i}`), value);
      // MGET returns an array: every string in it, "OK" included, must survive the HTTP encoding.
      expect(await redis.mget(...strings.map((_, i) => key(`s${i}`)))).toEqual(strings);
    });

    it('raw calls (the hot path) run scripts and commands, alone or pipelined, and report Redis errors', async () => {
      const script = luaScript(`return {redis.call('INCRBY', KEYS[1], ARGV[1]), ARGV[2]}`);
      // The first EVALSHA of a script Redis has never seen falls back to EVAL; later ones do not.
      expect(await runScript(redis, script, [key('raw')], [5, 'note'])).toEqual([5, 'note']);
      expect(await runScript(redis, script, [key('raw')], [2, 'again'])).toEqual([7, 'again']);
      expect(await runCommand(redis, ['lpush', key('rawlist'), '{"a":1}'])).toBe(1);
      // One pipeline (lib/redis/soon.ts): each command its own reply.
      const replies = await Promise.allSettled([
        runCommandSoon(redis, ['evalsha', script.sha, 1, key('raw'), 1, 'x']),
        runCommandSoon(redis, ['incr', key('rawlist')]), // WRONGTYPE: fails alone, the rest still runs
        runCommandSoon(redis, ['lpush', key('rawlist'), 'b']),
      ]);
      expect(replies[0]).toMatchObject({ value: [8, 'x'] });
      expect(replies[1]).toMatchObject({ reason: { message: expect.stringMatching(/WRONGTYPE/) } });
      expect(replies[2]).toMatchObject({ value: 2 });
      // JSON stays a string: no deserialisation on this path.
      expect(await runCommand(redis, ['rpop', key('rawlist')])).toBe('{"a":1}');
      await expect(runCommand(redis, ['incr', key('rawlist')])).rejects.toBeInstanceOf(RedisCommandError);
      await expect(runCommand(redis, ['evalsha', 'f'.repeat(40), 0])).rejects.toSatisfy(isNoScript);
    });

    it('writes sent "soon" go together, each with its own reply, error or script fallback', async () => {
      // A comment makes the script new to this Redis, so the first EVALSHA meets NOSCRIPT.
      const script = luaScript(`-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
      const [pushed, failed, scripted, again] = await Promise.allSettled([
        runCommandSoon(redis, ['lpush', key('soon'), 'a']),
        runCommandSoon(redis, ['incr', key('soon')]), // WRONGTYPE, alone
        runScriptSoon(redis, script, [key('soon-n')], [2]), // a script this Redis never saw: EVAL
        runScriptSoon(redis, script, [key('soon-n')], [3]),
      ]);
      expect(pushed).toEqual({ status: 'fulfilled', value: 1 });
      expect(failed).toMatchObject({ status: 'rejected', reason: { name: 'RedisCommandError' } });
      expect([scripted, again].map((settled) => settled.status === 'fulfilled' && Number(settled.value)).sort()).toEqual([2, 5]);
      expect(Number(await redis.get(key('soon-n')))).toBe(5);
    });

    it('a burst of writes sent "soon" (more than one pipeline holds) all land, each with its own reply', async () => {
      const replies = await Promise.all(Array.from({ length: 1_234 }, () => runCommandSoon(redis, ['incr', key('burst')])));
      expect(new Set(replies.map(Number)).size).toBe(1_234);
      expect(Number(await redis.get(key('burst')))).toBe(1_234);
    });
  });
}

contract('embedded store (ioredis-mock, in process)', async () => {
  const redis = createRedis({});
  return { redis, close: () => closeRedis(redis) };
});

contract('embedded store through the HTTP endpoint', () => overHttp(embeddedRunner(), false));

describe.skipIf(!ON_CI || TEST_REDIS_URL)('real Redis on CI', () => {
  it('TEST_REDIS_URL is set (CI must exercise real Redis, not skip it)', () => {
    expect.fail('CI is set but TEST_REDIS_URL is not: set TEST_REDIS_URL=redis://127.0.0.1:6379');
  });
});

describe.skipIf(!TEST_REDIS_URL)('real Redis (TEST_REDIS_URL)', () => {
  const url = TEST_REDIS_URL ?? '';
  contract('through the in-process requester', async () => {
    const redis = createRedis({ REDIS_URL: url });
    return { redis, close: () => closeRedis(redis) };
  });
  contract('through the HTTP endpoint and the @upstash/redis HTTP client', () => overHttp(tcpRunner(url), true));
});

describe.skipIf(!TEST_REDIS_CLUSTER_URLS?.length)('Redis Cluster (TEST_REDIS_CLUSTER_URLS)', () => {
  const urls = TEST_REDIS_CLUSTER_URLS ?? [];
  contract('through the in-process requester', async () => {
    const redis = createRedis({ REDIS_CLUSTER_URLS: urls });
    return { redis, close: () => closeRedis(redis) };
  });
  contract('through the HTTP endpoint and the @upstash/redis HTTP client', () => overHttp(clusterRunner(urls), true));

  it('splits a pipeline across the nodes, refuses a script whose keys cross slots, and KEYS sees every node', async () => {
    const redis = createRedis({ REDIS_CLUSTER_URLS: urls });
    try {
      const run = randomUUID();
      // Keys spread over the 16,384 slots, hence over all three primaries, in one pipeline.
      const keys = Array.from({ length: 30 }, (_, i) => `conduit-test:${run}:spread:${i}`);
      const replies = await Promise.all(keys.map((key, i) => runCommandSoon(redis, ['set', key, i])));
      expect(replies).toEqual(keys.map(() => 'OK'));
      expect(await Promise.all(keys.map((key) => runCommandSoon(redis, ['get', key])))).toEqual(keys.map((_, i) => String(i)));
      expect((await redis.keys(`conduit-test:${run}:spread:*`)).sort()).toEqual([...keys].sort());
      const script = luaScript(`return redis.call('GET', KEYS[1])`);
      await expect(runScript(redis, script, [keys[0]!, keys[1]!], [])).rejects.toThrow(/CROSSSLOT/);
      for (const key of keys) await redis.del(key);
    } finally {
      await closeRedis(redis);
    }
  });
});
