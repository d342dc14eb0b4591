import { afterAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAI, type UsageStyle } from '@/lib/testing/mock-openai';

/**
 * Gemini, Mistral, Groq and DeepSeek through their OpenAI-compatible APIs (issue #19), each on a
 * mock of its own that reports usage the way that provider does. Through the official `openai`
 * SDK: answers streamed and not, usage read and billed at the catalog's prices (cached input
 * included), each provider's own key and base URL, keys restricted by provider.
 */
const providers = {
  gemini: { model: 'gemini-2.0-flash', style: 'openai', price: { input: 100_000, cached: 25_000, output: 400_000 } },
  mistral: { model: 'mistral-small-latest', style: 'mistral', price: { input: 100_000, cached: 100_000, output: 300_000 } },
  groq: { model: 'llama-3.1-8b-instant', style: 'groq', price: { input: 50_000, cached: 50_000, output: 80_000 } },
  deepseek: { model: 'deepseek-chat', style: 'deepseek', price: { input: 280_000, cached: 28_000, output: 420_000 } },
} as const satisfies Record<string, { model: string; style: UsageStyle; price: { input: number; cached: number; output: number } }>;
type Name = keyof typeof providers;

const mocks = {} as Record<Name, MockOpenAI>;
for (const name of Object.keys(providers) as Name[]) {
  mocks[name] = await startMockOpenAI({ apiKey: `sk-${name}-mock`, usageStyle: providers[name].style, chunkDelayMs: 1 });
  process.env[`${name.toUpperCase()}_API_KEY`] = `sk-${name}-mock`;
  process.env[`${name.toUpperCase()}_BASE_URL`] = `${mocks[name].url}/v1`;
}
const { startGateway } = await import('./testing');
const gateway = await startGateway();
const { services, newKey, client, storedUsage } = gateway;
afterAll(async () => {
  await gateway.close();
  await Promise.all(Object.values(mocks).map((mock) => mock.close()));
});

/** Micro-dollars for the counts, as the catalog prices them (micros per 1M tokens, rounded up per part). */
const cost = (price: { input: number; cached: number; output: number }, input: number, cached: number, output: number) =>
  Math.ceil(((input - cached) * price.input) / 1_000_000) + Math.ceil((cached * price.cached) / 1_000_000) + Math.ceil((output * price.output) / 1_000_000);

describe(`OpenAI-compatible providers on ${services.label}`, () => {
  for (const name of Object.keys(providers) as Name[]) {
    const { model, price } = providers[name];

    it(`${name}: ${model} answers streamed and not, with its own key, and is billed from the usage it reports`, async () => {
      const sdk = client(await newKey({ name }));
      const { data: answer, response } = await sdk.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'one two three' }] })
        .withResponse();
      expect(answer.choices[0]!.message.content).toBe('Echo: one two three');
      const sent = mocks[name].requests.at(-1)!;
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe(`Bearer sk-${name}-mock`);
      expect(sent.body).toMatchObject({ model });

      const { data: stream, response: streamed } = await sdk.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'one two three' }], stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Echo: one two three');
      const streamBody = mocks[name].requests.at(-1)!.body as { stream_options?: unknown };
      // Mistral reports usage unasked and is not sent an option it may refuse; the others are asked.
      if (name === 'mistral') expect(streamBody).not.toHaveProperty('stream_options');
      else expect(streamBody.stream_options).toEqual({ include_usage: true });

      const ids = [response.headers.get('x-request-id')!, streamed.headers.get('x-request-id')!];
      await expect.poll(async () => (await storedUsage(ids)).length, { timeout: 10_000 }).toBe(2);
      const records = await storedUsage(ids);
      const json = records.find((record) => !record.stream)!;
      const sse = records.find((record) => record.stream)!;
      expect(json).toMatchObject({ provider: name, model, outputTokens: 4, inputTokens: answer.usage!.prompt_tokens });
      // The same prompt streamed: the provider's own counts, read from wherever it put them (a
      // stream whose usage went unread would be billed from an estimate of the request's bytes).
      expect(sse).toMatchObject({ provider: name, model, outputTokens: 4, inputTokens: json.inputTokens, cachedInputTokens: json.cachedInputTokens });
      for (const record of [json, sse]) {
        expect(record.costMicros).toBe(cost(price, record.inputTokens, record.cachedInputTokens, record.outputTokens));
      }
      // DeepSeek's cache hits are priced as cached input.
      if (name === 'deepseek') expect(json.cachedInputTokens).toBe(Math.floor(json.inputTokens / 2));
    });
  }

  it('are listed by /v1/models once configured, and a key restricted to one provider cannot reach another', async () => {
    const sdk = client(await newKey({ name: 'groq only', allowed_providers: ['groq'] }));
    const listed = (await sdk.models.list()).data.map((entry) => entry.id);
    expect(listed).toEqual(['llama-3.3-70b-versatile', 'llama-3.1-8b-instant']);
    const refused = await sdk.chat.completions.create({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'model_not_allowed' });
    const everything = (await client(await newKey({ name: 'all' })).models.list()).data.map((entry) => entry.id);
    expect(everything).toEqual(expect.arrayContaining(['gemini-2.5-flash', 'mistral-large-latest', 'deepseek-chat', 'llama-3.3-70b-versatile']));
  });
});
