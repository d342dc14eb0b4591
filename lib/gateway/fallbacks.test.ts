import { APIError } from 'openai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { promptTokenBound } from './estimate';
import { startGateway } from './testing';

/**
 * Retries and fallback models (issue #19), with the official `openai` SDK against the mock
 * OpenAI and Anthropic: a provider's 429, 5xx, timeout or lost connection before the answer
 * starts is retried (GATEWAY_RETRIES, default 1) and then handed to the next model the request
 * lists in `models`; every attempt is in the usage record, only the answering model is billed,
 * and admission reserves for the dearest candidate.
 */
process.env.GATEWAY_RETRY_BACKOFF_MS = '20';
const gateway = await startGateway();
const { services, newKey, client, storedUsage, openaiMock, anthropicMock, server } = gateway;
afterAll(() => gateway.close());
afterEach(() => {
  openaiMock.setBehaviour({ type: 'normal' });
  anthropicMock.setBehaviour({ type: 'normal' });
});

const down = (status: number, times?: number) => ({ type: 'fail' as const, status, body: { error: { message: 'overloaded', type: 'server_error' } }, times });
const question = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Which model are you?' }], max_tokens: 16, ...extra });
// micro-dollars per 1M tokens, from the catalog
const HAIKU = { input: 800_000, output: 4_000_000 };
const micros = (tokens: number, price: number) => Math.ceil((tokens * price) / 1_000_000);

async function storedRow(requestId: string) {
  await expect.poll(async () => (await storedUsage([requestId])).length).toBe(1);
  return (await storedUsage([requestId]))[0]!;
}

describe(`fallback models and retries on ${services.label}`, () => {
  it('answers from the fallback when the first model keeps failing, bills only the fallback, and records every attempt', async () => {
    const sdk = client(await newKey({ name: 'fallback' }));
    openaiMock.setBehaviour(down(503));
    const [openaiBefore, anthropicBefore] = [openaiMock.requests.length, anthropicMock.requests.length];

    const { data, response } = await sdk.chat.completions.create(question({ models: ['claude-3-5-haiku-latest'] }) as never).withResponse();

    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(data.model).toBe('claude-3-5-haiku-latest');
    expect(response.headers.get('x-conduit-model')).toBe('claude-3-5-haiku-latest');
    expect(response.headers.get('x-conduit-attempts')).toBe('3');
    // The first model once and once more (GATEWAY_RETRIES=1), then the fallback once; neither sees `models`.
    expect(openaiMock.requests.length - openaiBefore).toBe(2);
    expect(anthropicMock.requests.length - anthropicBefore).toBe(1);
    expect(anthropicMock.requests.at(-1)!.body).not.toHaveProperty('models');
    expect(openaiMock.requests.at(-1)!.body).not.toHaveProperty('models');

    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ status: 200, model: 'claude-3-5-haiku-latest', provider: 'anthropic', errorCode: null });
    expect(row.costMicros).toBe(micros(data.usage!.prompt_tokens, HAIKU.input) + micros(data.usage!.completion_tokens, HAIKU.output));
    expect(row.attempts).toEqual([
      { model: 'gpt-4o-mini', provider: 'openai', status: 503, errorCode: 'upstream_error', latencyMs: expect.any(Number) },
      { model: 'gpt-4o-mini', provider: 'openai', status: 503, errorCode: 'upstream_error', latencyMs: expect.any(Number) },
      { model: 'claude-3-5-haiku-latest', provider: 'anthropic', status: 200, errorCode: null, latencyMs: expect.any(Number) },
    ]);
  });

  it('retries a passing 429 on the same model: one answer, billed once', async () => {
    const sdk = client(await newKey({ name: 'retry' }));
    openaiMock.setBehaviour(down(429, 1));
    const before = openaiMock.requests.length;
    const { data, response } = await sdk.chat.completions.create(question()).withResponse();
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(openaiMock.requests.length - before).toBe(2);
    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row.status).toBe(200);
    expect(row.costMicros).toBeGreaterThan(0);
    expect(row.attempts?.map((attempt) => attempt.status)).toEqual([429, 200]);
  });

  it('streams from the fallback when the first model fails before its first byte', async () => {
    const sdk = client(await newKey({ name: 'stream fallback' }));
    openaiMock.setBehaviour(down(500));
    const { data: stream, response } = await sdk.chat.completions
      .create({ ...question({ models: ['claude-3-5-haiku-latest'] }), stream: true, stream_options: { include_usage: true } } as never)
      .withResponse();
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: { delta: { content?: string } }[]; usage?: typeof usage }>) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(response.headers.get('x-conduit-model')).toBe('claude-3-5-haiku-latest');
    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ status: 200, model: 'claude-3-5-haiku-latest', stream: true });
    expect(row.costMicros).toBe(micros(usage!.prompt_tokens, HAIKU.input) + micros(usage!.completion_tokens, HAIKU.output));
    expect(row.attempts).toHaveLength(3);
  });

  it('falls back on the Responses API too (client.responses.create)', async () => {
    const sdk = client(await newKey({ name: 'responses fallback' }));
    openaiMock.setBehaviour(down(503, 2));
    const { data, response } = await sdk.responses.create({ model: 'gpt-4o-mini', models: ['gpt-4o'], input: 'Which model are you?', max_output_tokens: 16 } as never).withResponse();
    expect((data as { output_text: string }).output_text.length).toBeGreaterThan(0);
    expect(response.headers.get('x-conduit-model')).toBe('gpt-4o');
    expect(openaiMock.requests.at(-1)!.body).toMatchObject({ model: 'gpt-4o' });
    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ status: 200, model: 'gpt-4o', operation: 'responses' });
    expect(row.attempts?.map((attempt) => `${attempt.model}:${attempt.status}`)).toEqual(['gpt-4o-mini:503', 'gpt-4o-mini:503', 'gpt-4o:200']);
  });

  it('moves on at once after a timeout (the wait is spent), without retrying the model that timed out', async () => {
    const sdk = client(await newKey({ name: 'timeout fallback' }));
    openaiMock.setBehaviour({ type: 'delay', ms: 3_000 }); // UPSTREAM_TIMEOUT_MS is 1500 here
    const before = openaiMock.requests.length;
    const { response } = await sdk.chat.completions.create(question({ models: ['claude-3-5-haiku-latest'] }) as never).withResponse();
    expect(openaiMock.requests.length - before).toBe(1);
    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row.attempts).toEqual([
      { model: 'gpt-4o-mini', provider: 'openai', status: null, errorCode: 'upstream_timeout', latencyMs: expect.any(Number) },
      { model: 'claude-3-5-haiku-latest', provider: 'anthropic', status: 200, errorCode: null, latencyMs: expect.any(Number) },
    ]);
  });

  it("relays the provider's refusal of the request itself: another model would refuse it too", async () => {
    const sdk = client(await newKey({ name: 'client error' }));
    openaiMock.setBehaviour({ type: 'fail', status: 400, body: { error: { message: 'Invalid value for temperature.', type: 'invalid_request_error', param: 'temperature', code: null } } });
    const before = anthropicMock.requests.length;
    const refused = await sdk.chat.completions.create(question({ models: ['claude-3-5-haiku-latest'] }) as never).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, message: expect.stringMatching(/temperature/) });
    expect(anthropicMock.requests.length).toBe(before);
  });

  it('when every model fails: the last failure, nothing charged, every attempt recorded and counted', async () => {
    const created = await newKey({ name: 'all down' });
    const { metrics } = await import('@/lib/observability/metrics');
    const counted = async () => {
      // Copied now: prom-client hands out its live entries.
      const values = (await metrics().failedAttempts.get()).values.map((v) => ({ ...v.labels, value: v.value }));
      return (provider: string, next: string) => values.find((v) => v.provider === provider && v.code === 'upstream_error' && v.next === next)?.value ?? 0;
    };
    const before = await counted();
    openaiMock.setBehaviour(down(502));
    anthropicMock.setBehaviour(down(529));
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created}`, 'content-type': 'application/json' },
      body: JSON.stringify(question({ models: ['claude-3-5-haiku-latest'] })),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'upstream_error', message: expect.stringMatching(/anthropic/) } });
    const row = await storedRow(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({ status: 502, costMicros: 0, model: 'claude-3-5-haiku-latest', errorCode: 'upstream_error' });
    expect(row.attempts?.map((attempt) => `${attempt.model}:${attempt.status}`)).toEqual([
      'gpt-4o-mini:502',
      'gpt-4o-mini:502',
      'claude-3-5-haiku-latest:529',
      'claude-3-5-haiku-latest:529',
    ]);
    // conduit_gateway_failed_attempts_total: what an operator sees of the same request.
    const after = await counted();
    for (const [provider, next] of [['openai', 'retry'], ['openai', 'fallback'], ['anthropic', 'retry'], ['anthropic', 'none']] as const) {
      expect(after(provider, next) - before(provider, next), `${provider} ${next}`).toBe(1);
    }
  });

  it('reserves for the dearest candidate: a limit that covers the first model alone refuses the request with a dearer fallback', async () => {
    const body = question({ max_tokens: 1000 });
    const prompt = promptTokenBound('chat', body as never);
    // gpt-4o-mini: $0.15 / $0.60; gpt-4o: $2.50 / $10 per 1M tokens
    const cheap = micros(prompt, 150_000) + micros(1000, 600_000);
    const dear = micros(prompt, 2_500_000) + micros(1000, 10_000_000);
    const limit = cheap + 10;
    expect(dear).toBeGreaterThan(limit);
    const sdk = client(await newKey({ name: 'dearest', spending_limits: { day: limit, week: null, month: null } }));
    const before = openaiMock.requests.length;
    const refused = await sdk.chat.completions.create({ ...body, models: ['gpt-4o'] } as never).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'spending_limit_exceeded' });
    expect(openaiMock.requests.length).toBe(before);
    await expect(sdk.chat.completions.create(body)).resolves.toBeDefined();
  });

  it('without max_tokens, caps each model so that none can cost more than was reserved for the dearest', async () => {
    // A daily limit well below what 16,384 gpt-4o tokens cost: admission caps the output at T tokens.
    const sdk = client(await newKey({ name: 'caps', spending_limits: { day: 20_000, week: null, month: null } }));
    openaiMock.setBehaviour(down(503, 2));
    const before = openaiMock.requests.length;
    const body: Record<string, unknown> = question({ model: 'gpt-4o', models: ['gpt-4o-mini'] });
    delete body.max_tokens;
    await sdk.chat.completions.create(body as never);
    const sent = openaiMock.requests.slice(before).map((request) => request.body as { model: string; max_tokens?: number });
    expect(sent.map((body) => body.model)).toEqual(['gpt-4o', 'gpt-4o', 'gpt-4o-mini']);
    const reserved = sent[0]!.max_tokens!;
    expect(reserved).toBeLessThan(16_384);
    // gpt-4o: $10 per 1M output tokens, gpt-4o-mini $0.60: the cheaper model may write more for the same money.
    expect(sent[2]!.max_tokens ?? 16_384).toBe(Math.min(16_384, Math.floor((reserved * 10_000_000) / 600_000)));
  });

  it("moves on without retrying when the provider refuses Conduit's own credentials", async () => {
    const sdk = client(await newKey({ name: 'auth fallback' }));
    openaiMock.setBehaviour({ type: 'fail', status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const before = openaiMock.requests.length;
    const { response } = await sdk.chat.completions.create(question({ models: ['claude-3-5-haiku-latest'] }) as never).withResponse();
    expect(response.headers.get('x-conduit-model')).toBe('claude-3-5-haiku-latest');
    expect(openaiMock.requests.length - before).toBe(1);
  });

  it('a client that leaves while a fallback is being tried is a 499 with nothing charged, its attempts recorded', async () => {
    const created = await gateway.keys.createKey(gateway.actor, { name: 'leaves' });
    const { readKeySpend } = await import('@/lib/limits/spend-counters');
    openaiMock.setBehaviour(down(503));
    anthropicMock.setBehaviour({ type: 'hang' });
    const before = anthropicMock.requests.length;
    const controller = new AbortController();
    const request = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(question({ models: ['claude-3-5-haiku-latest'] })),
      signal: controller.signal,
    }).catch(() => null);
    await expect.poll(() => anthropicMock.requests.length).toBe(before + 1);
    controller.abort();
    await request;
    const { drainUsageOnce } = await import('@/lib/usage/drain');
    const { getDb } = await import('@/db');
    const { usageRecords } = await import('@/db/schema');
    const { eq } = await import('drizzle-orm');
    await expect
      .poll(async () => {
        await drainUsageOnce();
        return (await (await getDb()).select().from(usageRecords).where(eq(usageRecords.keyId, created.key.id))).length;
      })
      .toBe(1);
    const [row] = await (await getDb()).select().from(usageRecords).where(eq(usageRecords.keyId, created.key.id));
    expect(row).toMatchObject({ status: 499, errorCode: 'client_disconnected', costMicros: 0, model: 'claude-3-5-haiku-latest' });
    expect(row!.attempts?.map((attempt) => attempt.status)).toEqual([503, 503]);
    expect((await readKeySpend([created.key])).get(created.key.id)!.day).toBe(0);
  });

  it('`models` alone names the first choice too', async () => {
    const sdk = client(await newKey({ name: 'models only' }));
    const body: Record<string, unknown> = { ...question(), models: ['claude-3-5-haiku-latest', 'gpt-4o-mini'] };
    delete body.model;
    const { data, response } = await sdk.chat.completions.create(body as never).withResponse();
    expect(data.model).toBe('claude-3-5-haiku-latest');
    expect(response.headers.get('x-conduit-attempts')).toBe('1');
    expect((await storedRow(response.headers.get('x-request-id')!)).attempts).toBeNull();
  });

  it('checks every fallback as it checks the first model, before anything is reserved or sent', async () => {
    const restricted = client(await newKey({ name: 'restricted', allowed_models: ['gpt-4o-mini'] }));
    const open = client(await newKey({ name: 'open' }));
    const before = openaiMock.requests.length + anthropicMock.requests.length;
    const cases: [typeof open, Record<string, unknown>, number, string, string][] = [
      [restricted, { models: ['claude-3-5-haiku-latest'] }, 403, 'model_not_allowed', 'models'],
      [open, { models: ['no-such-model'] }, 404, 'model_not_found', 'models'],
      [open, { models: ['text-embedding-3-small'] }, 400, 'unsupported_operation', 'models'],
      [open, { models: 'gpt-4o' }, 400, 'invalid_request_error', 'models'],
      [open, { models: ['a', 'b', 'c', 'd', 'e', 'f'] }, 400, 'invalid_request_error', 'models'],
      [open, { models: [] }, 400, 'invalid_request_error', 'models'],
      // max_tokens must suit every candidate: claude-3-5-haiku produces at most 8,192.
      [open, { models: ['claude-3-5-haiku-latest'], max_tokens: 10_000 }, 400, 'invalid_request_error', 'max_tokens'],
      // What the Anthropic translation cannot carry is refused up front, not after the first model failed.
      [open, { models: ['claude-3-5-haiku-latest'], n: 2 }, 400, 'invalid_request_error', 'n'],
      // `models` alone: a refusal of its first entry names `models` too.
      [open, { model: undefined, models: ['no-such-model'] }, 404, 'model_not_found', 'models'],
      // Another embedding model would answer in another vector space.
      [open, { model: 'text-embedding-3-small', models: ['text-embedding-3-large'], messages: undefined, input: 'x' }, 400, 'invalid_request_error', 'models'],
    ];
    for (const [sdk, extra, status, code, param] of cases) {
      const body = question(extra);
      const refused = await ('input' in body ? sdk.embeddings.create(body as never) : sdk.chat.completions.create(body as never)).catch((error: unknown) => error);
      expect(refused, JSON.stringify(extra)).toBeInstanceOf(APIError);
      expect(refused, JSON.stringify(extra)).toMatchObject({ status, code, param: expect.stringContaining(param) });
    }
    expect(openaiMock.requests.length + anthropicMock.requests.length).toBe(before);
  });
});
