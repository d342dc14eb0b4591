import { afterAll, describe, expect, it } from 'vitest';
import { startLinks } from './testing';
import { linkTag } from '@/lib/redis/key-slot';
import { sharedTestRedis } from '@/lib/testing/services';

/**
 * A link's monthly request cap when Redis loses its counter (a restart without persistence): it is
 * rebuilt from the link's usage records, so the link does not get a second month's worth.
 */
const links = await startLinks();
const { link, openaiMock, server } = links;
const { getRedis } = await import('@/lib/redis/client');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
afterAll(() => links.close());

// The embedded store belongs to this test file alone: there Redis really starts over empty. Real
// Redis is shared with the files running beside this one: there only the link's counters go.
const ownStore = !sharedTestRedis;

async function loseRedis(linkId: string) {
  const redis = getRedis();
  if (ownStore) return void (await redis.flushall());
  const counters = [...(await redis.keys(`conduit:lcap:${linkTag(linkId)}:*`)), ...(await redis.keys(`conduit:lrl:${linkTag(linkId)}:*`))];
  if (counters.length > 0) await redis.del(...counters);
}

async function recorded(linkId: string, requests: number) {
  const db = await getDb();
  await expect
    .poll(async () => {
      while ((await drainUsageOnce()).read > 0);
      return (await db.select({ id: usageRecords.requestId }).from(usageRecords).where(eq(usageRecords.linkId, linkId))).length;
    })
    .toBe(requests);
}

describe(`a link's monthly cap after Redis lost its data, on ${links.label}`, () => {
  it('is rebuilt from the usage records: refusals before the cap do not count, forwarded requests do', async () => {
    const { id, token } = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey, monthly_request_cap: 5 });
    const get = (path = '/v1/models', accessToken = token) => fetch(`${server.url}/proxy/${id}${path}`, { headers: { 'X-Access-Token': accessToken } }).then((r) => r.status);
    for (let i = 0; i < 3; i++) expect(await get()).toBe(200);
    expect(await get('/v1/models', 'wrong-token')).toBe(401);
    expect(await get('/v1/not-allowed')).toBe(403);
    await recorded(id, 5);

    await loseRedis(id);
    // Three of five were used: ten parallel requests right after the loss get the two left, not five.
    const parallel = await Promise.all(Array.from({ length: 10 }, () => get()));
    expect(parallel.filter((status) => status === 200)).toHaveLength(2);
    expect(parallel.filter((status) => status === 429)).toHaveLength(8);

    await recorded(id, 15);
    await loseRedis(id);
    expect(await get()).toBe(429);
  });

  it('a new month starts at 0, counted from records too', async () => {
    const { id, token } = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey, monthly_request_cap: 3 });
    const statuses = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.url}/proxy/${id}/v1/models`, { headers: { 'X-Access-Token': token } }).then((r) => r.status)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });
});
