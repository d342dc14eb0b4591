import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from './testing';

/**
 * Which models an installation serves (issue #17): only those whose provider Conduit holds a key
 * for — and the offline conduit/echo always. Here Anthropic is left unconfigured: its models are
 * not listed, and calling one answers 503 provider_not_configured (not a 502 from the provider),
 * before anything is reserved, with one usage record like every refusal.
 */
const gateway = await startGateway();
const { services, anthropicMock, server, keys, actor, newKey, client, storedUsage } = gateway;
const { env } = await import('@/lib/env');
const { readKeySpend } = await import('@/lib/limits/spend-counters');
const { catalog } = await import('./catalog');
// env() is parsed once per process: this file's installation has no Anthropic key.
Object.assign(env(), { ANTHROPIC_API_KEY: undefined });
afterAll(() => gateway.close());

const anthropicModels = [...catalog.values()].filter((model) => model.provider === 'anthropic').map((model) => model.id);
// Neither are the providers served through OpenAI-compatible APIs (their keys are unset in tests).
const served = [...catalog.values()].filter((model) => model.provider === 'openai' || model.provider === 'echo').map((model) => model.id);

describe(`models of unconfigured providers on ${services.label}`, () => {
  it('/v1/models lists only models of configured providers, conduit/echo included', async () => {
    const ids = (await client(await newKey()).models.list()).data.map((model) => model.id);
    expect(ids).toContain('conduit/echo');
    expect(ids).toContain('gpt-4o-mini');
    for (const id of anthropicModels) expect(ids).not.toContain(id);
    expect(ids.toSorted()).toEqual(served.toSorted());
  });

  it('calling one answers 503 provider_not_configured in OpenAI’s shape; the SDK is told not to retry', async () => {
    const created = await keys.createKey(actor, { name: 'unconfigured' });
    const before = anthropicMock.requests.length;
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(await response.json()).toEqual({
      error: {
        message: "The model 'claude-sonnet-4' is not available on this Conduit installation: Anthropic is not configured.",
        type: 'api_error',
        param: 'model',
        code: 'provider_not_configured',
      },
    });
    expect(anthropicMock.requests.length).toBe(before);

    // The official SDK (which retries any 503 twice by default) gives up at once.
    const sdk = new OpenAI({ apiKey: created.secret, baseURL: `${server.url}/v1`, maxRetries: 2 });
    const started = Date.now();
    const error = await sdk.chat.completions.create({ model: 'claude-3-5-haiku-latest', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 503, code: 'provider_not_configured' });
    expect(Date.now() - started).toBeLessThan(400);
    expect(anthropicMock.requests.length).toBe(before);

    // Nothing reserved or spent, and the refusal is recorded with its code.
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
    const id = response.headers.get('x-request-id')!;
    await expect
      .poll(async () => (await storedUsage([id])).map((row) => [row.status, row.errorCode, row.model]), { timeout: 10_000, interval: 200 })
      .toEqual([[503, 'provider_not_configured', 'claude-sonnet-4']]);
  });

  it('the key’s own refusals come first: a model it may not use is 403, an unknown one 404', async () => {
    const limited = client(await newKey({ name: 'limited', allowed_models: ['gpt-4o-mini'] }));
    await expect(limited.chat.completions.create({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
    const open = client(await newKey());
    await expect(open.chat.completions.create({ model: 'claude-nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('a key restricted to providers refuses the others’ models as it refuses a disallowed model, and lists only theirs', async () => {
    const secret = await newKey({ name: 'openai only', allowed_providers: ['openai'] });
    const sdk = client(secret);
    const ids = (await sdk.models.list()).data.map((model) => model.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids).not.toContain('conduit/echo');
    expect(new Set((await sdk.models.list()).data.map((model) => model.owned_by))).toEqual(new Set(['openai']));
    expect((await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices[0]!.message.content).toBeTruthy();

    const refused = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'conduit/echo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        message: "This API key is not allowed to use the model 'conduit/echo' (it may only use models of OpenAI).",
        type: 'authorization_error',
        param: 'model',
        code: 'model_not_allowed',
      },
    });
    // The SDK raises the same class as for a model outside allowed_models; the key's refusal
    // comes before the installation's (an unconfigured provider's model is 403 here, not 503).
    await expect(sdk.chat.completions.create({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );

    const info = await (await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${secret}` } })).json();
    expect(info.data.allowed_providers).toEqual(['openai']);
  });

  it('providers and models combine: a model must pass both', async () => {
    const sdk = client(await newKey({ name: 'both', allowed_models: ['gpt-4o*', 'conduit/echo'], allowed_providers: ['echo', 'anthropic'] }));
    expect((await sdk.models.list()).data.map((model) => model.id)).toEqual(['conduit/echo']);
    await expect(sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
  });

  it('a key record cached by an earlier release (no allowedProviders) allows every provider', async () => {
    const { providerAllowed } = await import('./catalog');
    expect(providerAllowed('openai', undefined)).toBe(true);
    expect(providerAllowed('openai', [])).toBe(true);
    expect(providerAllowed('openai', ['anthropic'])).toBe(false);
  });

  it('configured again, the same models are listed and served (read per request, not cached)', async () => {
    Object.assign(env(), { ANTHROPIC_API_KEY: anthropicMock.apiKey });
    try {
      const sdk = client(await newKey());
      expect((await sdk.models.list()).data.map((model) => model.id)).toEqual(expect.arrayContaining(anthropicModels));
      const reply = await sdk.chat.completions.create({ model: 'claude-3-5-haiku-latest', messages: [{ role: 'user', content: 'hello' }], max_tokens: 20 });
      expect(reply.choices[0]!.message.content).toBeTruthy();
    } finally {
      Object.assign(env(), { ANTHROPIC_API_KEY: undefined });
    }
  });
});
