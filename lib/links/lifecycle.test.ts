import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// Changing, rotating and deleting links: what the proxy sees (cache, tokens) and what is stored.
const services = await useTestServices();
const { call, testAccount } = await import('./testing');
const { LOCAL_TTL_MS, lookupLink, lookupLinkToken } = await import('./cache');
const { verifyAccessToken } = await import('./access');
const { hashSecret } = await import('@/lib/keys/secret');
const { openSecret } = await import('@/lib/crypto/secret-box');
const { getRedis } = await import('@/lib/redis/client');
const { getDb } = await import('@/db');
const { links } = await import('@/db/schema');
const collection = await import('@/app/api/v1/links/route');
const item = await import('@/app/api/v1/links/[id]/route');
const enable = await import('@/app/api/v1/links/[id]/enable/route');
const disable = await import('@/app/api/v1/links/[id]/disable/route');
const tokens = await import('@/app/api/v1/links/[id]/tokens/route');
const token = await import('@/app/api/v1/links/[id]/tokens/[tokenId]/route');
afterAll(() => services.cleanup());

let alice: string;
beforeAll(async () => {
  alice = (await testAccount('lifecycle')).token;
});

const randomSecret = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;
const newLink = async (body: Record<string, unknown> = {}) =>
  (await call(collection.POST, { token: alice, method: 'POST', body: { name: 'link', preset: 'openai', secret: randomSecret('sk'), ...body } })).body;
const patch = (id: string, body: unknown) => call(item.PATCH, { token: alice, method: 'PATCH', params: { id }, body });
const sealedInDb = async (id: string) => (await (await getDb()).select().from(links).where(eq(links.id, id)))[0]!;

/** Every value Conduit keeps in Redis about links, as text. */
async function redisLinkValues(): Promise<string> {
  const redis = getRedis();
  const keys = await redis.keys('conduit:link*');
  const values = await Promise.all(keys.map((key) => redis.get(key)));
  return JSON.stringify(values);
}

describe(`link lifecycle on ${services.label}`, () => {
  it('settings changes reach lookupLink at once', async () => {
    const link = await newLink();
    expect((await lookupLink(link.id))?.rateLimits.minute).toBeNull();
    const updated = await patch(link.id, { rate_limits: { per_minute: 30 }, allowed_origins: ['https://app.example.com'], allowed_paths: ['/v1/models'] });
    expect(updated.status).toBe(200);
    const record = await lookupLink(link.id);
    expect(record).toMatchObject({ rateLimits: { minute: 30 }, allowedOrigins: ['https://app.example.com'], allowedPaths: [{ path: '/v1/models' }] });

    expect((await call(disable.POST, { token: alice, method: 'POST', params: { id: link.id } })).body.status).toBe('disabled');
    expect((await lookupLink(link.id))?.enabled).toBe(false);
    expect((await call(enable.POST, { token: alice, method: 'POST', params: { id: link.id } })).body.status).toBe('active');
    expect((await lookupLink(link.id))?.enabled).toBe(true);
    expect((await patch(link.id, {})).status).toBe(400);
    expect((await patch(link.id, { allowed_paths: [] })).status).toBe(400);
  });

  it('replacing the secret overwrites the sealed value; no secret is ever in a response or in Redis', async () => {
    const first = randomSecret('sk-first');
    const link = await newLink({ secret: first, jwt: { algorithm: 'HS256', secret: randomSecret('jwt-secret-jwt-secret') } });
    const before = await sealedInDb(link.id);
    expect(openSecret(before.secretSealed)).toBe(first);

    const second = randomSecret('sk-second');
    const replaced = await patch(link.id, { secret: second });
    expect(replaced.status).toBe(200);
    expect(replaced.body.secret_hint).toBe(second.slice(-4));
    expect(replaced.text).not.toContain(second);
    const after = await sealedInDb(link.id);
    expect(after.secretSealed).not.toBe(before.secretSealed);
    expect(openSecret(after.secretSealed)).toBe(second);
    expect(JSON.stringify(after)).not.toContain(before.secretSealed);
    expect((await lookupLink(link.id))?.secretSealed).toBe(after.secretSealed);

    const stored = await redisLinkValues();
    expect(stored).toContain(after.secretSealed);
    for (const plaintext of [first, second, openSecret(after.jwt!.secret_sealed!)]) expect(stored).not.toContain(plaintext);
    for (const response of [await call(item.GET, { token: alice, params: { id: link.id } }), await call(collection.GET, { token: alice })]) {
      for (const plaintext of [first, second]) expect(response.text).not.toContain(plaintext);
      expect(response.text).not.toContain('v1.');
    }
  });

  it('an HS256 JWT secret is kept when other JWT settings change, and required when switching to HS256', async () => {
    const link = await newLink({ jwt: { algorithm: 'HS256', secret: 'k'.repeat(32) } });
    const sealed = (await sealedInDb(link.id)).jwt?.secret_sealed;
    const edited = await patch(link.id, { jwt: { algorithm: 'HS256', issuer: 'https://auth.example.com' } });
    expect(edited.body.jwt).toMatchObject({ has_secret: true, issuer: 'https://auth.example.com' });
    expect((await sealedInDb(link.id)).jwt?.secret_sealed).toBe(sealed);

    const other = await newLink({ jwt: { algorithm: 'ES256', jwks_url: 'https://auth.example.com/.well-known/jwks.json' } });
    const refused = await patch(other.id, { jwt: { algorithm: 'HS256' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe('jwt.secret');
    expect((await patch(other.id, { jwt: null })).body.jwt).toBeNull();
    expect((await lookupLink(other.id))?.jwt).toBeNull();
  });

  it('tokens: rotate without downtime; a revoked token is NOT_FOUND in every cache layer', async () => {
    const link = await newLink();
    const old = link.access_token as string;
    const issued = await call(tokens.POST, { token: alice, method: 'POST', params: { id: link.id }, body: { name: 'v2' } });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^clt_[0-9A-Za-z]{40}$/);
    expect(issued.body.start).toBe(issued.body.token.slice(0, 8));
    expect(await verifyAccessToken(link.id, old)).toBe('VALID');
    expect(await verifyAccessToken(link.id, issued.body.token)).toBe('VALID');

    const listed = await call(tokens.GET, { token: alice, params: { id: link.id } });
    expect(listed.body.data.map((t: { name: string }) => t.name)).toEqual(['Default', 'v2']);
    expect(listed.text).not.toContain(old);
    expect(listed.text).not.toContain(issued.body.token);

    const revoked = await call(token.DELETE, { token: alice, method: 'DELETE', params: { id: link.id, tokenId: link.access_token_id } });
    expect(revoked.body).toEqual({ id: link.access_token_id, object: 'link_token', revoked: true });
    expect(await verifyAccessToken(link.id, old)).toBe('NOT_FOUND');
    expect(await verifyAccessToken(link.id, issued.body.token)).toBe('VALID');
    // What another instance sees once its local copy expires: Redis says the token is gone.
    expect(await getRedis().get(`conduit:link-token:${await hashSecret(old)}`)).toEqual({ value: null });
    await new Promise((resolve) => setTimeout(resolve, LOCAL_TTL_MS + 50));
    expect(await lookupLinkToken(await hashSecret(old))).toBeNull();
    expect(await verifyAccessToken(link.id, old)).toBe('NOT_FOUND');

    const again = await call(token.DELETE, { token: alice, method: 'DELETE', params: { id: link.id, tokenId: link.access_token_id } });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('link_token_not_found');
    expect((await call(tokens.POST, { token: alice, method: 'POST', params: { id: link.id }, body: {} })).status).toBe(400);
  });

  it("a token opens only its own link; malformed tokens are refused before any lookup", async () => {
    const a = await newLink();
    const b = await newLink();
    expect(await verifyAccessToken(b.id, a.access_token)).toBe('NOT_FOUND');
    expect(await verifyAccessToken(a.id, b.access_token)).toBe('NOT_FOUND');
    for (const junk of ['', 'clt_short', `condt_${'A'.repeat(40)}`, `clt_${'A'.repeat(40)}`]) {
      expect(await verifyAccessToken(a.id, junk)).toBe('NOT_FOUND');
    }
  });

  it('delete: the link stops serving, its tokens stop verifying, the row stays without its secret', async () => {
    const link = await newLink();
    const deleted = await call(item.DELETE, { token: alice, method: 'DELETE', params: { id: link.id } });
    expect(deleted.body).toEqual({ id: link.id, object: 'link', deleted: true });
    expect(await lookupLink(link.id)).toBeNull();
    expect(await verifyAccessToken(link.id, link.access_token)).toBe('NOT_FOUND');
    expect((await call(item.GET, { token: alice, params: { id: link.id } })).status).toBe(404);
    expect((await call(item.DELETE, { token: alice, method: 'DELETE', params: { id: link.id } })).status).toBe(404);
    const row = await sealedInDb(link.id);
    expect(row.deletedAt).not.toBeNull();
    expect(row.secretSealed).toBe('');
  });
});
