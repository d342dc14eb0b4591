import OpenAI, { APIError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockAnthropic, startMockAnthropic } from '@/lib/testing/mock-anthropic';
import { startFetchServer } from '@/lib/testing/mock-server';
import { UpstreamTimeoutError, UpstreamUnreachableError } from '../upstream';
import { type AnthropicProviderRequest, anthropicProvider } from './anthropic';

let mock: MockAnthropic;
beforeAll(async () => {
  // Strict: the key must arrive in x-api-key, as Anthropic's API reference specifies.
  mock = await startMockAnthropic({ chunkDelayMs: 0, strictApiKeyHeader: true });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.setBehaviour({ type: 'normal' });
  mock.requests.length = 0;
});

const provider = (overrides: { apiKey?: string; timeoutMs?: number; baseUrl?: string } = {}) =>
  anthropicProvider({ baseUrl: mock.url, apiKey: mock.apiKey, timeoutMs: 2_000, ...overrides });

const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

function chat(body: Record<string, unknown> = {}, overrides: Partial<AnthropicProviderRequest> = {}): AnthropicProviderRequest {
  return {
    operation: 'chat',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    requestedModel: 'claude-sonnet',
    body: { model: 'claude-sonnet-4-5-20250929', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }], ...body },
    stream: body.stream === true,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function chunksOf(response: Response) {
  const events = (await response.text()).split('\n\n').filter(Boolean);
  expect(events.at(-1)).toBe('data: [DONE]');
  return events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)));
}

describe('Anthropic provider against the mock Messages API', () => {
  it('translates a completion both ways and authenticates with the server key only', async () => {
    const response = await provider().send(chat({ max_tokens: 50 }));
    expect(response.status).toBe(200);
    const completion = await response.json();
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-mock\d+$/),
      object: 'chat.completion',
      model: 'claude-sonnet',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: hello there' }, finish_reason: 'stop' }],
      // "Be brief." + "hello there" = 20 characters → 5, plus 3 for the one message.
      usage: { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
    });
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(5);

    const [request] = mock.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(request!.headers).toMatchObject({ 'x-api-key': mock.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.body).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 50,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
    });
  });

  it('reports finish reasons for max_tokens and stop sequences', async () => {
    const truncated = await (await provider().send(chat({ max_tokens: 1 }))).json();
    expect(truncated.choices[0]).toMatchObject({ message: { content: 'Echo:' }, finish_reason: 'length' });
    const stopped = await (await provider().send(chat({ stop: ['there'] }))).json();
    expect(stopped.choices[0]).toMatchObject({ message: { content: 'Echo: hello' }, finish_reason: 'stop' });
    expect(mock.requests[1]?.body).toMatchObject({ stop_sequences: ['there'], max_tokens: 4096 });
  });

  it('returns tool calls', async () => {
    const response = await provider().send(chat({ messages: [{ role: 'user', content: 'Please use the tool' }], tools: [weatherTool] }));
    const { choices } = await response.json();
    expect(choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: 'Using get_weather.', tool_calls: [{ id: expect.stringMatching(/^toolu_mock\d+$/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Please use the tool"}' } }] },
    });
  });

  it('counts prompt-cache tokens into prompt_tokens', async () => {
    const cached = await startMockAnthropic({ cache: { readTokens: 1000, creationTokens: 200 } });
    try {
      const response = await anthropicProvider({ baseUrl: cached.url, apiKey: cached.apiKey, timeoutMs: 2_000 }).send(chat());
      expect((await response.json()).usage).toEqual({ prompt_tokens: 1208, completion_tokens: 3, total_tokens: 1211, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 200 } });
    } finally {
      await cached.close();
    }
  });

  it('streams text as OpenAI chunks ending with usage and [DONE]', async () => {
    const response = await provider().send(chat({ stream: true }));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(mock.requests[0]?.body).toMatchObject({ stream: true });
    const chunks = await chunksOf(response);
    expect(chunks[0]).toMatchObject({ id: expect.stringMatching(/^chatcmpl-mock\d+$/), object: 'chat.completion.chunk', model: 'claude-sonnet', choices: [{ delta: { role: 'assistant' } }] });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hello there');
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 } });
  });

  it('streams tool calls: id and name first, then argument fragments', async () => {
    const response = await provider().send(chat({ stream: true, messages: [{ role: 'user', content: 'use the tool' }], tools: [weatherTool] }));
    const chunks = await chunksOf(response);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: expect.stringMatching(/^toolu_mock\d+$/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.length).toBeGreaterThan(2);
    expect(JSON.parse(calls.map((call) => call.function.arguments).join(''))).toEqual({ city: 'use the tool' });
    expect(chunks.at(-2).choices[0].finish_reason).toBe('tool_calls');
  });

  it('ends the stream with an OpenAI error event when Anthropic sends an error event', async () => {
    mock.setBehaviour({ type: 'error-event', afterEvents: 3 });
    const text = await (await provider().send(chat({ stream: true }))).text();
    expect(text.endsWith('data: {"error":{"message":"Overloaded","type":"api_error","param":null,"code":"overloaded_error"}}\n\n')).toBe(true);
    expect(text).not.toContain('[DONE]');
  });

  it('errors the body when the connection drops mid-stream', async () => {
    mock.setBehaviour({ type: 'drop-mid-stream', afterEvents: 3 });
    const response = await provider().send(chat({ stream: true }));
    await expect(response.text()).rejects.toThrow();
  });

  it('translates Anthropic errors with their status', async () => {
    mock.setBehaviour({ type: 'fail', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } });
    const response = await provider().send(chat());
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_error' } });
  });

  it('passes an authentication failure through as 401', async () => {
    const response = await provider({ apiKey: 'sk-ant-wrong' }).send(chat());
    expect(response.status).toBe(401);
    expect((await response.json()).error).toMatchObject({ type: 'authentication_error', code: 'authentication_error' });
  });

  it.each(['completions', 'embeddings'] as const)('refuses %s with a 400 without calling upstream', async (operation) => {
    const response = await provider().send(chat({}, { operation }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_operation' });
    expect(mock.requests).toHaveLength(0);
  });

  it('refuses an untranslatable body with a 400 without calling upstream', async () => {
    const response = await provider().send(chat({ n: 3 }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ param: 'n', type: 'invalid_request_error' });
    // JSON mode cannot be combined with the client's tools, nor answer anything but an object.
    const withTools = await provider().send(chat({ response_format: { type: 'json_object' }, tools: [weatherTool] }));
    expect(withTools.status).toBe(400);
    expect((await withTools.json()).error).toMatchObject({ param: 'response_format' });
    const array = await provider().send(chat({ response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } } }));
    expect((await array.json()).error).toMatchObject({ param: 'response_format.json_schema.schema' });
    expect(mock.requests).toHaveLength(0);
  });

  const citySchema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city'] };

  it('answers JSON mode as the content, from a forced tool whose input schema is the requested one', async () => {
    const response = await provider().send(chat({ response_format: { type: 'json_schema', json_schema: { name: 'city', schema: citySchema } } }));
    const completion = await response.json();
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant' } });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(JSON.parse(completion.choices[0].message.content)).toEqual({ city: 'hello there', population: 42 });
    expect(mock.requests[0]!.body).toMatchObject({
      tools: [{ name: 'json_response', input_schema: citySchema, description: expect.stringContaining('city') }],
      tool_choice: { type: 'tool', name: 'json_response' },
    });
    // json_object: any object.
    const anyObject = await (await provider().send(chat({ response_format: { type: 'json_object' } }))).json();
    expect(typeof JSON.parse(anyObject.choices[0].message.content)).toBe('object');
    expect(mock.requests[1]!.body).toMatchObject({ tools: [{ name: 'json_response', input_schema: { type: 'object' } }] });
  });

  it('streams JSON mode as content deltas that join into the object, finishing with stop', async () => {
    const chunks = await chunksOf(await provider().send(chat({ stream: true, response_format: { type: 'json_schema', json_schema: { name: 'city', schema: citySchema } } })));
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice: { delta: { content?: string; tool_calls?: unknown } }) => choice.delta));
    expect(deltas.some((delta) => delta.tool_calls)).toBe(false);
    expect(JSON.parse(deltas.map((delta) => delta.content ?? '').join(''))).toEqual({ city: 'hello there', population: 42 });
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice: { finish_reason: string | null }) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
  });

  it("keeps a client's own tool named like the JSON-mode tool a tool call", async () => {
    const own = { type: 'function', function: { name: 'json_response', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
    const completion = await (await provider().send(chat({ tools: [own], tool_choice: { type: 'function', function: { name: 'json_response' } } }))).json();
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { tool_calls: [{ function: { name: 'json_response' } }] } });
  });

  it('rejects with UpstreamTimeoutError when the answer is too slow', async () => {
    mock.setBehaviour({ type: 'delay', ms: 1_000 });
    await expect(provider({ timeoutMs: 100 }).send(chat())).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('rejects with UpstreamUnreachableError when nothing listens', async () => {
    await expect(provider({ baseUrl: 'http://127.0.0.1:1' }).send(chat())).rejects.toBeInstanceOf(UpstreamUnreachableError);
  });
});

describe('Anthropic provider through the official OpenAI SDK', () => {
  let server: Awaited<ReturnType<typeof startFetchServer>>;
  let client: OpenAI;
  beforeAll(async () => {
    // A stand-in for the gateway: the client's model is swapped for the upstream one, and the
    // client's (Conduit) key stays here — as in the real gateway, it never reaches a provider.
    server = await startFetchServer(async (request) => {
      const body = (await request.json()) as Record<string, unknown>;
      const send = { ...chat(), upstreamModel: 'claude-upstream', requestedModel: String(body.model), body: { ...body, model: 'claude-upstream' }, stream: body.stream === true, signal: request.signal };
      return provider().send(send);
    });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'condt_live_secret', maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('reads a translated completion', async () => {
    const completion = await client.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi SDK' }] });
    expect(completion.choices[0]?.message.content).toBe('Echo: hi SDK');
    expect(completion.model).toBe('claude-sonnet');
    expect(completion.usage?.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('answers JSON mode the way the SDK parses it, streamed and not', async () => {
    const format = { type: 'json_schema' as const, json_schema: { name: 'city', schema: { type: 'object', properties: { city: { type: 'string' } } } } };
    const completion = await client.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'Paris' }], response_format: format });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'Paris' });
    const stream = client.chat.completions.stream({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'Rome' }], response_format: format });
    const final = await stream.finalChatCompletion();
    expect(JSON.parse(final.choices[0]!.message.content!)).toEqual({ city: 'Rome' });
    expect(final.choices[0]!.finish_reason).toBe('stop');
  });

  it('accumulates a translated tool-call stream', async () => {
    const stream = client.chat.completions.stream({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'use the tool please' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } } } } }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'lookup', arguments: '{"query":"use the tool please","limit":42}' } });
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('surfaces a mid-stream error as an APIError', async () => {
    mock.setBehaviour({ type: 'error-event', afterEvents: 4, error: { type: 'api_error', message: 'Internal server error' } });
    const stream = await client.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'a b c d' }], stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toSatisfy((error) => error instanceof APIError && error.message.includes('Internal server error'));
    expect(seen.join('')).not.toBe('');
  });

  it('never sends the client key upstream', async () => {
    await client.chat.completions.create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }], stream: false });
    expect(mock.requests).toHaveLength(1);
    for (const request of mock.requests) expect(JSON.stringify(request.headers)).not.toContain('condt_');
  });
});
