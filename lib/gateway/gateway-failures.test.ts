import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockOpenAI } from '@/lib/testing/mock-openai';
import { startGateway } from './testing';

/**
 * The Conduit API when things go wrong upstream or the client leaves: timeouts, unreachable or
 * misbehaving providers, redirects, broken streams, disconnects — and nothing charged that was not
 * delivered.
 */
const gateway = await startGateway();
const { services, openaiMock, server, serve, handleGateway, keys, actor, newKey, client, storedUsage } = gateway;
const { readKeySpend } = await import('@/lib/limits/spend-counters');
afterAll(() => gateway.close());

describe(`the /v1 gateway when upstreams fail or clients leave, on ${services.label}`, () => {
  it('upstream timeouts are 504 and unreachable upstreams 502, with nothing charged', async () => {
    const created = await keys.createKey(actor, { name: 'timeouts' });
    const sdk = client(created.secret);
    openaiMock.setBehaviour({ type: 'delay', ms: 3_000 });
    try {
      await expect(sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 504,
        code: 'upstream_timeout',
      });
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
  });

  it("a provider refusing Conduit's own credentials is a 502, never the client's 401", async () => {
    const sdk = client(await newKey({ name: 'provider-auth' }));
    openaiMock.setBehaviour({ type: 'fail', status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    try {
      const error = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
    }
  });

  it('an upstream that breaks mid-stream becomes an SSE error event, and what was delivered is billed', async () => {
    const created = await keys.createKey(actor, { name: 'broken stream' });
    openaiMock.setBehaviour({ type: 'drop-mid-stream', afterEvents: 3 });
    try {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a b c d e f g h i j' }], stream: true }),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('"code":"upstream_stream_error"');
      expect(text).not.toContain('[DONE]');
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBeGreaterThan(0);
  });

  it('an unreachable provider is a 502 with nothing charged', async () => {
    const created = await keys.createKey(actor, { name: 'unreachable' });
    const closed = await startMockOpenAI();
    await closed.close();
    // env() is parsed once per process; point it at the closed port for this one request.
    const { env } = await import('@/lib/env');
    const saved = env().OPENAI_BASE_URL;
    Object.assign(env(), { OPENAI_BASE_URL: `${closed.url}/v1` });
    try {
      await expect(client(created.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
        status: 502,
        code: 'upstream_unavailable',
      });
    } finally {
      Object.assign(env(), { OPENAI_BASE_URL: saved });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
  });

  it("the provider's own rate limits and failures reach the client in Conduit's words, not the provider's", async () => {
    const sdk = client(await newKey({ name: 'provider-limits' }));
    openaiMock.setBehaviour({ type: 'fail', status: 429, body: { error: { message: 'Rate limit reached in organization org-SECRET123', type: 'requests', code: 'rate_limit_exceeded' } } });
    try {
      const error = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
      expect(JSON.stringify(error)).not.toContain('org-SECRET123');
      openaiMock.setBehaviour({ type: 'fail', status: 500, body: 'upstream stack trace at /srv/internal' });
      const failed = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ status: 502, code: 'upstream_error' });
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
    }
  });

  it('a provider answering with a redirect is a 502: the redirect is not followed, nothing is charged', async () => {
    const created = await keys.createKey(actor, { name: 'redirected' });
    let lured = 0;
    const elsewhere = await serve(async () => {
      lured++;
      return new Response('{}');
    });
    openaiMock.setBehaviour({ type: 'redirect', location: `${elsewhere.url}/v1/chat/completions` });
    try {
      const error = await client(created.secret)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 502, code: 'upstream_unavailable' });
      expect(lured).toBe(0);
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
      await elsewhere.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
  });

  it('a client gone before forwarding is never forwarded and pays nothing', async () => {
    const created = await keys.createKey(actor, { name: 'gone-early' });
    const before = openaiMock.requests.length;
    // The signal is already aborted when the checks end: the client left while they ran.
    const response = await handleGateway(
      new Request('http://conduit.test/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 }),
        signal: AbortSignal.abort(),
      }),
    );
    // 499, nginx's "client closed request": nobody reads it, but the usage record says what happened.
    expect(response.status).toBe(499);
    expect(openaiMock.requests.length).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
    const requestId = response.headers.get('x-request-id')!;
    await expect.poll(async () => (await storedUsage([requestId]))[0], { timeout: 10_000, interval: 200 }).toMatchObject({ status: 499, errorCode: 'client_disconnected', costMicros: 0 });
  });

  it('a client that disconnects mid-stream aborts the upstream and pays for what it received', async () => {
    const created = await keys.createKey(actor, { name: 'abort' });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: Array(200).fill('word').join(' ') }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const spent = (await readKeySpend([created.key])).get(created.key.id)!.day;
    expect(spent).toBeGreaterThan(0);
  });
});
