import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { startGateway } from './testing';

/**
 * The Conduit API end to end through the official `openai` SDK: endpoints, refusals, limits and
 * usage records. Upstream failures and clients that leave are in gateway-failures.test.ts.
 */
const gateway = await startGateway();
const { services, openaiMock, anthropicMock, server, keys, actor, newKey, client, storedUsage } = gateway;
const { readKeySpend } = await import('@/lib/limits/spend-counters');
afterAll(() => gateway.close());

describe(`the /v1 gateway on ${services.label}`, () => {
  it('chat completions through the official SDK, with the real secret injected upstream', async () => {
    const secret = await newKey();
    const completion = await client(secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] });
    expect(completion.choices[0]!.message.content).toContain('hello there');
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    const seen = openaiMock.requests.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${openaiMock.apiKey}`);
    expect(JSON.stringify(seen)).not.toContain(secret);
  });

  it('streams chunk by chunk and hides the usage chunk unless asked for', async () => {
    const secret = await newKey();
    const stream = await client(secret).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'one two three four five six' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect((openaiMock.requests.at(-1)!.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });

    const withUsage = await client(secret).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage;
    for await (const chunk of withUsage) usage = chunk.usage ?? usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('embeddings, completions and the offline echo model', async () => {
    const sdk = client(await newKey());
    const embedding = await sdk.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(embedding.data).toHaveLength(2);
    const completion = await sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 5 });
    expect(completion.choices[0]!.text).toBeTruthy();
    const echo = await sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content: 'ping' }] });
    expect(echo.choices[0]!.message.content).toBe('Echo: ping');
  });

  it('Anthropic models through the OpenAI SDK, streamed and not', async () => {
    const sdk = client(await newKey());
    const reply = await sdk.chat.completions.create({
      model: 'claude-3-5-haiku-latest',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello claude' },
      ],
      max_tokens: 50,
    });
    expect(reply.model).toBe('claude-3-5-haiku-latest');
    expect(reply.choices[0]!.message.content).toBeTruthy();
    const sent = anthropicMock.requests.at(-1)!;
    expect(sent.headers['x-api-key']).toBe(anthropicMock.apiKey);
    expect((sent.body as { system: unknown }).system).toBeTruthy();

    const stream = await sdk.chat.completions.create({ model: 'claude-3-5-haiku-latest', messages: [{ role: 'user', content: 'stream please' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('lists only the models a key may use, and reports the key', async () => {
    const secret = await newKey({ name: 'limited', allowed_models: ['gpt-4o*'], spending_limits: { day: 1_000_000 } });
    const models = await client(secret).models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    const info = await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${secret}` } });
    const body = await info.json();
    expect(body.data.spending_limits.day).toMatchObject({ limit: 1_000_000, spent: 0, remaining: 1_000_000 });
    expect(info.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('maps every refusal to the SDK error class a developer expects', async () => {
    const bad = client('condt_' + 'x'.repeat(40));
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(bad.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });

    const disabledKey = await keys.createKey(actor, { name: 'off' });
    await keys.setKeyEnabled(actor, disabledKey.key.id, false);
    await expect(client(disabledKey.secret).models.list()).rejects.toMatchObject({ status: 401, code: 'key_disabled' });

    const restricted = client(await newKey({ name: 'r', allowed_models: ['gpt-4o-mini'], allowed_operations: ['chat'] }));
    const chat = (model: string) => restricted.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    await expect(chat('gpt-4o')).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(chat('gpt-4o')).rejects.toMatchObject({ code: 'model_not_allowed', param: 'model' });
    await expect(restricted.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toMatchObject({
      status: 403,
      code: 'operation_not_allowed',
    });

    const open = client(await newKey());
    await expect(open.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(open.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });

    const fenced = client(await newKey({ name: 'ip', ip_allowlist: ['10.0.0.0/8'] }), { 'x-forwarded-for': '203.0.113.7' });
    await expect(fenced.models.list()).rejects.toMatchObject({ status: 403, code: 'ip_not_allowed' });
    const inside = client(await newKey({ name: 'ip2', ip_allowlist: ['10.0.0.0/8'] }), { 'x-forwarded-for': '10.1.2.3' });
    expect((await inside.models.list()).data.length).toBeGreaterThan(0);
  });

  it('refuses malformed JSON, oversize bodies and bad methods with OpenAI-shaped errors', async () => {
    const secret = await newKey();
    const post = (body: string) =>
      fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body });
    const malformed = await post('{"model": "gpt-4o-mini", ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const huge = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }));
    expect(huge.status).toBe(413);
    const get = await fetch(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${secret}` } });
    expect(get.status).toBe(405);
  });

  it('rate limits: 429 with retry-after and OpenAI rate-limit headers', async () => {
    await awayFromMinuteEdge();
    const sdk = client(await newKey({ name: 'slow', rate_limits: { per_minute: 2 } }));
    const ok = await sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content: 'a' }] }).withResponse();
    expect(ok.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(ok.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(ok.response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s|m\d+s)$/);
    await sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content: 'b' }] });
    const refused = await sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content: 'c' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    // The same wording and headers as a link's 429 (lib/proxy/link-errors.test.ts).
    const { headers, error } = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(headers?.get('retry-after')).toMatch(/^\d+$/);
    expect(headers?.get('x-ratelimit-limit-requests')).toBe('2');
    expect(headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((error as { message: string }).message).toBe(`Rate limit reached: 2 requests per minute for this API key. Try again in ${headers?.get('x-ratelimit-reset-requests')}.`);
  });

  it('never lets 100 parallel requests spend past a daily limit; refusals are 403 spending_limit_exceeded', async () => {
    const created = await keys.createKey(actor, { name: 'budget', spending_limits: { day: 20_000 } });
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'spend a little' }], max_tokens: 20 }),
        }).then(async (response) => ({ status: response.status, body: await response.json() })),
      ),
    );
    const refused = results.filter((result) => result.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) {
      expect(result.status).toBe(403);
      expect(result.body.error.code).toBe('spending_limit_exceeded');
      expect(result.body.error.message).toMatch(/daily limit of \$0\.02 .*until \d{4}-\d\d-\d\dT00:00:00/);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // settlements run after responses
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBeLessThanOrEqual(20_000);
  });

  it('prices every candidate of every prompt of a legacy completion (best_of × prompts)', async () => {
    const created = await keys.createKey(actor, { name: 'candidates', spending_limits: { day: 20_000 } });
    const post = (body: object) =>
      fetch(`${server.url}/v1/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', max_tokens: 100, ...body }),
      });
    // One prompt, one candidate: 100 tokens at $2/1M ≈ $0.0002 — well within $0.02.
    expect((await post({ prompt: 'Say hi' })).status).toBe(200);
    // 64 prompts × 8 candidates × 100 tokens would cost ≈ $0.10: refused before anything is spent.
    const many = await post({ prompt: Array(64).fill('Say hi'), best_of: 8 });
    expect(many.status).toBe(403);
    expect((await many.json()).error.code).toBe('spending_limit_exceeded');
  });


  it('every request, allowed or refused, reaches PostgreSQL as one usage record', async () => {
    const ids: string[] = [];
    const secret = await newKey({ name: 'usage' });
    for (const model of ['gpt-4o-mini', 'no-such-model']) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'record me' }], user: 'end-user-42' }),
      });
      ids.push(response.headers.get('x-request-id')!);
    }
    await expect
      .poll(async () => (await storedUsage(ids)).map((row) => [row.status, row.model, row.endUser]).sort(), { timeout: 10_000, interval: 200 })
      .toEqual([
        [200, 'gpt-4o-mini', 'end-user-42'],
        [404, 'no-such-model', null],
      ]);
    expect((await storedUsage(ids)).find((row) => row.status === 200)!.costMicros).toBeGreaterThan(0);
  });
});
