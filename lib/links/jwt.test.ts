import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkRecord } from './record';

// A key of this test's own, so sealing needs neither AUTH_SECRET nor a data directory.
process.env.LINK_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const { sealSecret } = await import('@/lib/crypto/secret-box');
const { verifyEndUserJwt } = await import('./jwt');

// End-user JWTs as a customer's backend would sign them, checked the way the proxy checks them.
type JwtConfig = NonNullable<LinkRecord['jwt']>;

const SHARED = 'a-shared-hs256-secret-of-at-least-32-chars';
const hs256: JwtConfig = { algorithm: 'HS256', secretSealed: sealSecret(SHARED), jwksUrl: null, issuer: null, audience: null, userClaim: 'sub' };
const now = () => Math.floor(Date.now() / 1000);
const reasonOf = (result: Awaited<ReturnType<typeof verifyEndUserJwt>>) => (result.ok ? null : result.reason);

function sign(payload: JWTPayload, key: Uint8Array | CryptoKey, alg = 'HS256', kid?: string) {
  return new SignJWT(payload).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).sign(key);
}
const hmac = (payload: JWTPayload, secret = SHARED) => sign(payload, new TextEncoder().encode(secret));
const unsecured = (payload: JWTPayload) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

describe('HS256', () => {
  it('accepts a valid token and takes the user id from sub', async () => {
    expect(await verifyEndUserJwt(await hmac({ sub: 'user-1', exp: now() + 600 }), hs256)).toEqual({ ok: true, userId: 'user-1' });
  });

  it("falls back to the seed's userId claim, and numbers are ids too", async () => {
    expect(await verifyEndUserJwt(await hmac({ userId: 42, exp: now() + 600 }), hs256)).toEqual({ ok: true, userId: '42' });
    expect(await verifyEndUserJwt(await hmac({ userId: 'u-7', email: 'a@b.c', exp: now() + 600 }), hs256)).toEqual({ ok: true, userId: 'u-7' });
  });

  it('uses a configured user claim, and only that one', async () => {
    const config = { ...hs256, userClaim: 'uid' };
    expect(await verifyEndUserJwt(await hmac({ uid: 'custom', sub: 'other', exp: now() + 600 }), config)).toEqual({ ok: true, userId: 'custom' });
    const missing = await verifyEndUserJwt(await hmac({ sub: 'x', userId: 'y', exp: now() + 600 }), config);
    expect(missing).toEqual({ ok: false, reason: expect.stringContaining('"uid"') });
    for (const bad of ['', { id: 1 }, true]) {
      expect((await verifyEndUserJwt(await hmac({ uid: bad, exp: now() + 600 }), config)).ok).toBe(false);
    }
  });

  it('tolerates 60 s of clock skew and no more', async () => {
    expect((await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() - 30 }), hs256)).ok).toBe(true);
    expect(await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() - 90 }), hs256)).toEqual({ ok: false, reason: 'the token has expired' });
    const later = new Date(Date.now() + 3_600_000);
    expect((await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() + 600 }), hs256, { now: later })).ok).toBe(false);
  });

  it('requires exp', async () => {
    expect(await verifyEndUserJwt(await hmac({ sub: 'u' }), hs256)).toEqual({ ok: false, reason: 'the token has no "exp" claim' });
  });

  it('refuses bad signatures, alg none, other algorithms and garbage', async () => {
    expect(await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() + 600 }, 'another-secret-another-secret-another'), hs256)).toEqual({
      ok: false,
      reason: 'signature verification failed',
    });
    expect((await verifyEndUserJwt(unsecured({ sub: 'u', exp: now() + 600 }), hs256)).ok).toBe(false);
    const hs512 = await sign({ sub: 'u', exp: now() + 600 }, new TextEncoder().encode(SHARED), 'HS512');
    expect(reasonOf(await verifyEndUserJwt(hs512, hs256))).toMatch(/algorithm/);
    for (const junk of ['', 'abc', 'a.b.c', 'x'.repeat(20_000)]) expect((await verifyEndUserJwt(junk, hs256)).ok).toBe(false);
  });

  it('checks issuer and audience when configured', async () => {
    const config = { ...hs256, issuer: 'https://auth.example.com', audience: 'conduit' };
    const good = { sub: 'u', iss: 'https://auth.example.com', aud: 'conduit', exp: now() + 600 };
    expect((await verifyEndUserJwt(await hmac(good), config)).ok).toBe(true);
    expect(await verifyEndUserJwt(await hmac({ ...good, iss: 'https://evil.example' }), config)).toEqual({ ok: false, reason: 'unexpected issuer' });
    expect(await verifyEndUserJwt(await hmac({ ...good, aud: 'other' }), config)).toEqual({ ok: false, reason: 'unexpected audience' });
    expect((await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() + 600 }), config)).ok).toBe(false);
  });

  it('a link without JWT settings verifies nothing', async () => {
    expect((await verifyEndUserJwt(await hmac({ sub: 'u', exp: now() + 600 }), null)).ok).toBe(false);
  });
});

describe('RS256 / ES256 from a JWKS', () => {
  let server: Server;
  let base: string;
  let fetches = 0;
  const keys: Record<string, { privateKey: CryptoKey; publicKey: CryptoKey }> = {};

  beforeAll(async () => {
    keys.es = await generateKeyPair('ES256', { extractable: true });
    keys.rs = await generateKeyPair('RS256', { extractable: true });
    const jwks = async (pair: { publicKey: CryptoKey }, alg: string) => ({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: alg, alg, use: 'sig' }] });
    const bodies: Record<string, string> = {
      '/es.json': JSON.stringify(await jwks(keys.es, 'ES256')),
      '/rs.json': JSON.stringify(await jwks(keys.rs, 'RS256')),
    };
    server = createServer((request, response) => {
      fetches += 1;
      const body = bodies[request.url ?? ''];
      response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (alg: 'ES256' | 'RS256', path: string): JwtConfig => ({
    algorithm: alg,
    secretSealed: null,
    jwksUrl: `${base}${path}`,
    issuer: null,
    audience: null,
    userClaim: 'sub',
  });

  it('verifies ES256 tokens against a JWKS on a private address when that is allowed, fetching it once', async () => {
    const es = config('ES256', '/es.json');
    const before = fetches;
    for (let i = 0; i < 3; i += 1) {
      const token = await sign({ sub: `user-${i}`, exp: now() + 600 }, keys.es!.privateKey, 'ES256', 'ES256');
      expect(await verifyEndUserJwt(token, es, { allowPrivate: true })).toEqual({ ok: true, userId: `user-${i}` });
    }
    expect(fetches - before).toBe(1);
  });

  it('refuses the same JWKS URL when private addresses are not allowed', async () => {
    const token = await sign({ sub: 'u', exp: now() + 600 }, keys.es!.privateKey, 'ES256', 'ES256');
    const before = fetches;
    expect(await verifyEndUserJwt(token, config('ES256', '/es.json'), { allowPrivate: false })).toEqual({
      ok: false,
      reason: "the link's JWKS could not be loaded",
    });
    expect(fetches).toBe(before);
  });

  it('refuses an HS256 token signed with the RSA public key (algorithm swap)', async () => {
    const rs = config('RS256', '/rs.json');
    const good = await sign({ sub: 'u', exp: now() + 600 }, keys.rs!.privateKey, 'RS256', 'RS256');
    expect((await verifyEndUserJwt(good, rs, { allowPrivate: true })).ok).toBe(true);
    const pem = await exportSPKI(keys.rs!.publicKey);
    const forged = await sign({ sub: 'admin', exp: now() + 600 }, new TextEncoder().encode(pem), 'HS256', 'RS256');
    expect(reasonOf(await verifyEndUserJwt(forged, rs, { allowPrivate: true }))).toMatch(/algorithm/);
    expect((await verifyEndUserJwt(unsecured({ sub: 'admin', exp: now() + 600 }), rs, { allowPrivate: true })).ok).toBe(false);
  });

  it('refuses tokens signed by a key that is not in the JWKS, and unreachable key sets', async () => {
    const stranger = await generateKeyPair('ES256');
    const token = await sign({ sub: 'u', exp: now() + 600 }, stranger.privateKey, 'ES256', 'ES256');
    expect(await verifyEndUserJwt(token, config('ES256', '/es.json'), { allowPrivate: true })).toEqual({
      ok: false,
      reason: 'signature verification failed',
    });
    const valid = await sign({ sub: 'u', exp: now() + 600 }, keys.es!.privateKey, 'ES256', 'ES256');
    expect(reasonOf(await verifyEndUserJwt(valid, config('ES256', '/missing.json'), { allowPrivate: true }))).toBe(
      "the link's JWKS could not be loaded",
    );
  });
});
