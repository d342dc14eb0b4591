import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Deleting an account revokes everything it could use (issue #20): its API keys, links and link
 * tokens are "no such key" in Redis before the COMMIT, its live credit balance is gone and never
 * loaded again, and a Redis failure refuses the deletion. On real PostgreSQL + Redis in CI, else embedded. Two instances:
 * lib/gateway/deleted-account.test.ts.
 */
const services = await useTestServices();
const { deleteAccount, getUser } = await import('./users');
const { testAccount } = await import('@/lib/links/testing');
const keys = await import('@/lib/keys/service');
const links = await import('@/lib/links/service');
const { verifyKey } = await import('@/lib/keys/verify');
const { publishKey } = await import('@/lib/keys/cache');
const { toKeyRecord } = await import('@/lib/keys/record');
const { lookupLink } = await import('@/lib/links/cache');
const { verifyAccessToken } = await import('@/lib/links/access');
const { authenticateManagementRequest } = await import('@/lib/management/tokens');
const { creditBalanceKey, loadCreditBalance } = await import('@/lib/billing/credit');
const { lookupKey } = await import('@/lib/keys/cache');
const { getRedis } = await import('@/lib/redis/client');
const { ServiceUnavailableError } = await import('@/lib/unavailable');
const { getDb } = await import('@/db');
// Opening (and, embedded, creating) the database takes longer than a test may.
beforeAll(() => getDb());
afterAll(() => services.cleanup());

const linkInput = {
  name: 'widget',
  preset: 'custom' as const,
  secret: 'sk-account-secret-0000',
  upstream_base_url: 'https://api.example.com',
  injection: { type: 'bearer' as const },
  extra_headers: {},
  allowed_paths: [{ path: '/x' }],
};

/** An account with two keys (one disabled), a link with two tokens, a management token and its balance loaded. */
async function fullAccount(label: string) {
  const { userId, token: managementToken } = await testAccount(label);
  const actor = personalActor(userId);
  const first = await keys.createKey(actor, { name: 'one' });
  const second = await keys.createKey(actor, { name: 'two' });
  await keys.setKeyEnabled(actor, second.key.id, false);
  const { link, token } = await links.createLink(actor, linkInput);
  const extra = await links.createLinkToken(actor, link.id, 'rotation');
  await loadCreditBalance(userId);
  const state = async () => ({
    keys: [(await verifyKey(first.secret)).status, (await verifyKey(second.secret)).status],
    link: (await lookupLink(link.id)) ? 'live' : 'gone',
    tokens: [await verifyAccessToken(link.id, token.secret), await verifyAccessToken(link.id, extra.secret)],
    management: await authenticateManagementRequest(new Request('http://conduit.test/', { headers: { authorization: `Bearer ${managementToken}` } }))
      .then(() => 'ok')
      .catch(() => 'refused'),
    credit: await getRedis().exists(creditBalanceKey(userId)),
  });
  return { userId, first, state };
}

describe(`deleting an account on ${services.label}`, () => {
  it('revokes its keys, links, link tokens and management tokens at once, and drops its live balance', async () => {
    const account = await fullAccount('deleted');
    expect(await account.state()).toEqual({ keys: ['VALID', 'DISABLED'], link: 'live', tokens: ['VALID', 'VALID'], management: 'ok', credit: 1 });

    await deleteAccount(account.userId);
    expect(await getUser(account.userId)).toBeUndefined();
    expect(await account.state()).toEqual({ keys: ['NOT_FOUND', 'NOT_FOUND'], link: 'gone', tokens: ['NOT_FOUND', 'NOT_FOUND'], management: 'refused', credit: 0 });
    // A deleted account's balance is never loaded again (admission needs it, so it cannot go on).
    expect(await loadCreditBalance(account.userId)).toBe(0);
    expect(await getRedis().exists(creditBalanceKey(account.userId))).toBe(0);
  });

  it('a change that committed before the deletion cannot bring a key back by publishing after it', async () => {
    const account = await fullAccount('late-publish');
    const stale = toKeyRecord(account.first.key);
    await deleteAccount(account.userId);
    // What a key update racing the deletion does after its own commit.
    await publishKey(stale);
    expect((await verifyKey(account.first.secret)).status).toBe('NOT_FOUND');
  });

  it('is refused, and changes nothing, when Redis cannot be reached', async () => {
    const account = await fullAccount('redis-down');
    const redis = getRedis();
    const set = vi.spyOn(redis, 'set').mockRejectedValue(new ServiceUnavailableError('redis'));
    try {
      await expect(deleteAccount(account.userId)).rejects.toThrow(/Redis is unreachable/);
    } finally {
      set.mockRestore();
    }
    expect(await getUser(account.userId)).toBeDefined();
    // The balance was not dropped (the marker is written last) and loads as before.
    expect(await account.state()).toEqual({ keys: ['VALID', 'DISABLED'], link: 'live', tokens: ['VALID', 'VALID'], management: 'ok', credit: 1 });
    await deleteAccount(account.userId);
    expect((await account.state()).keys).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('a rolled-back deletion leaves the account working: its tombstones and marker are removed', async () => {
    const account = await fullAccount('rolled-back');
    const redis = getRedis();
    // Fails the transaction once its Redis step is done (the marker is written last), as a lost
    // connection to PostgreSQL would.
    const original = redis.eval.bind(redis);
    const evalSpy = vi.spyOn(redis, 'eval').mockImplementationOnce(async (...args: Parameters<typeof redis.eval>) => {
      await original(...args);
      throw new Error('connection lost');
    });
    try {
      await expect(deleteAccount(account.userId)).rejects.toThrow(/connection lost/);
    } finally {
      evalSpy.mockRestore();
    }
    expect(await getUser(account.userId)).toBeDefined();
    // The balance was dropped; it loads from the ledger again on next use.
    expect(await account.state()).toEqual({ keys: ['VALID', 'DISABLED'], link: 'live', tokens: ['VALID', 'VALID'], management: 'ok', credit: 0 });
    await loadCreditBalance(account.userId);
    expect(await redis.exists(creditBalanceKey(account.userId))).toBe(1);
  });

  it('a refill or a balance load racing the COMMIT cannot bring the account back, and nothing after the COMMIT is needed', async () => {
    const account = await fullAccount('race');
    const live = toKeyRecord(account.first.key);
    const hash = live.hash;
    const redis = getRedis();
    // A balance load elsewhere that read the ledger while the account still existed, and writes after.
    const paused = pausedBeforeEval(redis);
    await redis.del(creditBalanceKey(account.userId));
    const loading = loadCreditBalance(account.userId, paused.redis);
    await paused.arrived;

    // Runs once the deletion's Redis step is done, before its COMMIT (the marker is written last).
    const original = redis.eval.bind(redis);
    const between = vi.spyOn(redis, 'eval').mockImplementationOnce(async (...args: Parameters<typeof redis.eval>) => {
      const result = await original(...args);
      between.mockRestore();
      // Another instance's lookup (its memory is empty): the tombstone answers, PostgreSQL is not asked.
      expect(await lookupKey(hash)).toBeNull();
      // What a lookup that read the still-uncommitted row does next: refill with SET NX. Refused.
      expect(await redis.set(`conduit:key:${hash}`, { value: live }, { nx: true, ex: 60 })).toBeNull();
      await publishKey(live);
      // From here on Redis fails: whatever would run after the COMMIT cannot reach it.
      for (const method of ['get', 'set', 'del', 'eval', 'exists'] as const) {
        vi.spyOn(redis, method).mockRejectedValue(new ServiceUnavailableError('redis'));
      }
      return result;
    });
    try {
      await deleteAccount(account.userId);
    } finally {
      vi.restoreAllMocks();
    }
    expect(await getUser(account.userId)).toBeUndefined();
    paused.release();
    expect(await loading).toBe(0);
    expect(await account.state()).toEqual({ keys: ['NOT_FOUND', 'NOT_FOUND'], link: 'gone', tokens: ['NOT_FOUND', 'NOT_FOUND'], management: 'refused', credit: 0 });
    expect(await loadCreditBalance(account.userId)).toBe(0);
    expect(await getRedis().exists(creditBalanceKey(account.userId))).toBe(0);
  });
});

/** A Redis client whose next eval waits until released (a load paused between its ledger read and its write). */
function pausedBeforeEval(redis: ReturnType<typeof getRedis>) {
  let release!: () => void;
  let arrive!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const paused = new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'eval') {
        return async (...args: Parameters<typeof redis.eval>) => {
          arrive();
          await gate;
          return target.eval(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { redis: paused, arrived, release };
}
