import { afterAll, describe, expect, it } from 'vitest';
import { JWT_SECRET, startLinks, userJwt } from '@/lib/proxy/testing';

/**
 * Issue #14 through Conduit Link: a link's end user is whatever its JWT names (a claim of up to
 * 256 characters, lone surrogates and NUL included: JSON allows both), and it becomes the usage
 * record's end user. Such a record must be stored, cleaned, and must not hold up the next one.
 */
const links = await startLinks();
const { server, generic } = links;
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
const { drainUsageOnce } = await import('./drain');
const { deadLetterCount } = await import('./dead-letter');
afterAll(() => links.close());

describe(`hostile end users through /proxy on ${links.label}`, () => {
  it('a JWT naming a lone surrogate or NUL as its user: recorded cleaned, and the requests after it are recorded too', async () => {
    const { id, token } = await links.link({
      upstream_base_url: generic.url,
      secret: 'sk-hostile',
      injection: { type: 'bearer' },
      allowed_paths: ['/v1/models'],
      jwt: { algorithm: 'HS256', secret: JWT_SECRET },
    });
    const as = async (sub: string) => {
      const response = await fetch(`${server.url}/proxy/${id}/v1/models`, { headers: { 'X-Access-Token': token, authorization: `Bearer ${await userJwt({ sub })}` } });
      await response.text();
      return response.status;
    };
    expect(await as('\ud800')).toBe(200);
    expect(await as('bob\u0000\udc00')).toBe(200);
    expect(await as('carol')).toBe(200);

    const rows = async () => {
      await drainUsageOnce();
      return (await getDb()).select().from(usageRecords).where(eq(usageRecords.linkId, id));
    };
    await expect.poll(async () => (await rows()).map((row) => row.endUser).sort(), { timeout: 10_000, interval: 200 }).toEqual(['bob\ufffd', 'carol', '\ufffd']);
    expect(await deadLetterCount()).toBe(0);
  });
});
