import Anthropic, { APIError, AuthenticationError } from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockAnthropic, startMockAnthropic } from './mock-anthropic';

// The mock is checked with the official SDK: if the SDK can read it, it is Anthropic's format.
let mock: MockAnthropic;
let client: Anthropic;
beforeAll(async () => {
  mock = await startMockAnthropic();
  client = new Anthropic({ baseURL: mock.url, apiKey: mock.apiKey, maxRetries: 0 });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.setBehaviour({ type: 'normal' });
  mock.requests.length = 0;
});

const weather = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' }, days: { type: 'integer' } } } };

describe('mock Anthropic', () => {
  it('answers messages with deterministic text and usage', async () => {
    const message = await client.messages.create({ model: 'claude-test', max_tokens: 100, system: 'Terse.', messages: [{ role: 'user', content: 'one two three' }] });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Echo: one two three' }] });
    // 6 + 13 = 19 characters → 5, plus 3 for the one message; 4 words.
    expect(message.usage).toMatchObject({ input_tokens: 8, output_tokens: 4, cache_read_input_tokens: 0 });
    // The SDK sends its key as a bearer token and its own API version.
    expect(mock.requests[0]?.headers).toMatchObject({ authorization: `Bearer ${mock.apiKey}`, 'anthropic-version': expect.any(String) });
  });

  it('honours max_tokens and stop sequences', async () => {
    const cut = await client.messages.create({ model: 'claude-test', max_tokens: 2, messages: [{ role: 'user', content: 'a b c' }] });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', content: [{ text: 'Echo: a' }] });
    const stopped = await client.messages.create({ model: 'claude-test', max_tokens: 50, stop_sequences: ['zzz', ' c'], messages: [{ role: 'user', content: 'a b c d' }] });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' c', content: [{ text: 'Echo: a b' }] });
  });

  it('uses the tool when asked to, streaming its input as JSON fragments', async () => {
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, tools: [weather], messages: [{ role: 'user', content: 'Please use the tool for Oslo' }] });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Please use the tool for Oslo', days: 42 } });
    expect(fragments.length).toBeGreaterThan(2);
  });

  it('streams text one word per delta with usage in message_start and message_delta', async () => {
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'x y' }] });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(deltas).toEqual(['Echo:', ' x', ' y']);
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 3 });
  });

  it('refuses a wrong key (401) or a missing anthropic-version (400) in Anthropic’s error shape', async () => {
    const wrong = new Anthropic({ baseURL: mock.url, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(AuthenticationError);
    const response = await fetch(`${mock.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': mock.apiKey }, body: '{}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
  });

  it('takes the key only from x-api-key when strict', async () => {
    const strict = await startMockAnthropic({ strictApiKeyHeader: true });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${strict.url}/v1/messages`, {
          method: 'POST',
          headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
        });
      expect((await post({ authorization: `Bearer ${strict.apiKey}` })).status).toBe(401);
      expect((await post({ 'x-api-key': strict.apiKey })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('requires max_tokens', async () => {
    const response = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': mock.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
  });

  it('sends an error event mid-stream on demand', async () => {
    mock.setBehaviour({ type: 'error-event', afterEvents: 3 });
    const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'a b c' }] });
    await expect(stream.finalMessage()).rejects.toSatisfy((error) => error instanceof APIError && error.message.includes('Overloaded'));
  });
});
