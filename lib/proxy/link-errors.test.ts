import { afterAll, describe, expect, it } from 'vitest';
import { openAIDuration } from '@/lib/gateway/rate-headers';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { JWT_SECRET, startLinks, userJwt } from './testing';

/**
 * What a link answers when its upstream cannot be reached or a limit is full (issue #17): a host
 * DNS cannot resolve is 502 upstream_unreachable — not upstream_address_blocked, which stays for
 * hosts that resolve to addresses Conduit does not call — and a full window is the very 429 a
 * key gets (lib/limits/rate-refusal.ts): one wording, retry-after and x-ratelimit-*-requests.
 */
const links = await startLinks();
const { generic, link, server } = links;
const { env } = await import('@/lib/env');
afterAll(() => links.close());

// RFC 6761: names under .invalid never resolve, on any resolver.
const NOWHERE = 'https://conduit-link-test.invalid';

const call = async (id: string, token: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${server.url}/proxy/${id}/v1/models`, { headers: { 'X-Access-Token': token, ...headers } });
  return { status: response.status, headers: response.headers, error: ((await response.json()) as { error?: Record<string, unknown> }).error };
};

/** With the SSRF guard on, as in production (the tests' default lets links call 127.0.0.1). */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  Object.assign(env(), { PROXY_ALLOW_PRIVATE_UPSTREAMS: false });
  try {
    return await run();
  } finally {
    Object.assign(env(), { PROXY_ALLOW_PRIVATE_UPSTREAMS: true });
  }
}

describe(`a link's upstream errors and limits on ${links.label}`, () => {
  it('a host that cannot be resolved is 502 upstream_unreachable, with the guard on and off', async () => {
    const { id, token } = await link({ upstream_base_url: NOWHERE, secret: 'sk-x', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'] });
    const expected = {
      status: 502,
      error: { message: "The link's upstream host could not be resolved (DNS). Check the link's base URL.", type: 'api_error', param: null, code: 'upstream_unreachable' },
    };
    expect(await call(id, token)).toMatchObject(expected);
    expect(await guarded(() => call(id, token))).toMatchObject(expected);
  });

  it('an upstream at an address Conduit does not call is still 502 upstream_address_blocked', async () => {
    const { id, token } = await link({ upstream_base_url: generic.url, secret: 'sk-x', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'] });
    expect(await guarded(() => call(id, token))).toMatchObject({ status: 502, error: { code: 'upstream_address_blocked' } });
    expect(generic.arrivals.length).toBe(0);
  });

  it("a per-end-user 429 says what a key's 429 says, with the same headers", async () => {
    await awayFromMinuteEdge();
    const { id, token } = await link({
      upstream_base_url: generic.url,
      secret: 'sk-x',
      injection: { type: 'bearer' },
      allowed_paths: ['/v1/models'],
      jwt: { algorithm: 'HS256', secret: JWT_SECRET },
      end_user_rate_limits: { per_minute: 2 },
    });
    const as = { authorization: `Bearer ${await userJwt({ sub: 'alice' })}` };
    expect((await call(id, token, as)).status).toBe(200);
    expect((await call(id, token, as)).status).toBe(200);
    const refused = await call(id, token, as);
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(refused.error!.message).toMatch(/^Rate limit reached: 2 requests per minute per end user of this link\. Try again in (?:\d{1,2}s|1m0s)\.$/);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // The wait in the message is the reset header's, and retry-after is the same wait in whole
    // seconds (in OpenAI's format a full minute, a window just begun, reads "1m0s").
    const reset = refused.headers.get('x-ratelimit-reset-requests')!;
    expect(refused.error!.message).toContain(`Try again in ${reset}.`);
    expect(reset).toBe(openAIDuration(seconds * 1_000));

    // Another end user of the same link has a window of their own.
    expect((await call(id, token, { authorization: `Bearer ${await userJwt({ sub: 'bob' })}` })).status).toBe(200);
  });

  it("the link's own window and its monthly cap answer the same way", async () => {
    await awayFromMinuteEdge();
    const perLink = await link({ upstream_base_url: generic.url, secret: 'sk-x', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'], rate_limits: { per_minute: 1 } });
    expect((await call(perLink.id, perLink.token)).status).toBe(200);
    const refused = await call(perLink.id, perLink.token);
    expect(refused.error!.message).toMatch(/^Rate limit reached: 1 requests per minute for this link\. Try again in (?:\d{1,2}s|1m0s)\.$/);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('1');

    const capped = await link({ upstream_base_url: generic.url, secret: 'sk-x', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'], monthly_request_cap: 1 });
    expect((await call(capped.id, capped.token)).status).toBe(200);
    const cap = await call(capped.id, capped.token);
    expect(cap).toMatchObject({ status: 429, error: { code: 'monthly_cap_reached' } });
    expect(cap.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(cap.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(cap.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
