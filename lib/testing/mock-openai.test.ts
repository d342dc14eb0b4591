import OpenAI, { APIError, AuthenticationError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { embed, type MockOpenAI, startMockOpenAI } from './mock-openai';

// The mock is checked with the official SDK: if the SDK can read it, so can the gateway's tests.
let mock: MockOpenAI;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockOpenAI();
  client = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: mock.apiKey, maxRetries: 0 });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.setBehaviour({ type: 'normal' });
  mock.requests.length = 0;
});

describe('mock OpenAI', () => {
  it('answers chat completions with deterministic text and usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'one two three four' },
      ],
    });
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message.content).toBe('Echo: one two three four');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    // 14 + 18 = 32 characters → 8, plus 3 × 2 messages; 5 words.
    expect(completion.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 5, total_tokens: 19 });
  });

  it('cuts the reply at max_tokens words', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a b c d e' }], max_tokens: 3 });
    expect(completion.choices[0]).toMatchObject({ message: { content: 'Echo: a b' }, finish_reason: 'length' });
  });

  it('streams one word per chunk, with a usage chunk only when asked', async () => {
    const read = async (includeUsage: boolean) => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'stream me' }],
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const plain = await read(false);
    expect(plain.map((chunk) => chunk.choices[0]?.delta.content ?? '')).toEqual(['', 'Echo:', ' stream', ' me', '']);
    expect(plain.some((chunk) => chunk.usage)).toBe(false);
    const withUsage = await read(true);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
  });

  it('answers completions and embeddings (base64, as the SDK asks by default)', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi there' });
    expect(completion.choices[0]?.text).toBe('Echo: hi there');
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 4 });
    expect(mock.requests[1]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toEqual(embed('alpha', 4));
    expect(embeddings.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('lists models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
  });

  it('refuses a wrong key with an OpenAI-shaped 401, and records every request', async () => {
    const wrong = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(AuthenticationError);
    expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', headers: { authorization: 'Bearer sk-wrong' } });
  });

  it('fails on demand with the given status and body', async () => {
    mock.setBehaviour({ type: 'fail', status: 503, body: { error: { message: 'down', type: 'server_error', param: null, code: null } } });
    await expect(client.models.list()).rejects.toSatisfy((error) => error instanceof APIError && error.status === 503);
  });

  it('drops the connection mid-stream on demand', async () => {
    mock.setBehaviour({ type: 'drop-mid-stream', afterEvents: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a b c' }], stream: true });
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow();
  });

  it('delays or hangs on demand', async () => {
    mock.setBehaviour({ type: 'delay', ms: 300 });
    const started = Date.now();
    await client.models.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    mock.setBehaviour({ type: 'hang' });
    await expect(client.models.list({ timeout: 200 })).rejects.toThrow(/timed out/i);
  });
});
