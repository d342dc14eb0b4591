import { APIError } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { promptTokenBound } from './estimate';
import { startGateway } from './testing';

/**
 * Anthropic prompt caching through the gateway (issue #19), with the official `openai` SDK: a
 * `cache_control` breakpoint on a content part reaches Anthropic on the block it marks, cached
 * reads are billed at the cached price and cache writes at the write price, and the reservation
 * covers a prompt billed entirely as a write. The mock Anthropic caches the prefix up to the last
 * breakpoint: the first request writes it, the next reads it (lib/testing/mock-anthropic.ts).
 */
const gateway = await startGateway();
const { services, newKey, client, storedUsage, anthropicMock } = gateway;
afterAll(() => gateway.close());

// claude-sonnet-4 in the catalog, micro-dollars per 1M tokens.
const PRICE = { input: 3_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, output: 15_000_000 };
const micros = (tokens: number, price: number) => Math.ceil((tokens * price) / 1_000_000);

const BOOK = 'The whole of a long reference text the assistant answers from. '.repeat(80);

function cachedChat(question: string, marker: Record<string, unknown> = { type: 'ephemeral' }) {
  return {
    model: 'claude-sonnet-4',
    max_tokens: 20,
    messages: [
      { role: 'system' as const, content: [{ type: 'text' as const, text: 'Answer from the book.' }, { type: 'text' as const, text: BOOK, cache_control: marker }] },
      { role: 'user' as const, content: question },
    ],
  };
}

type CacheUsage = { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number; cache_write_tokens: number } };

describe(`Anthropic prompt caching through the gateway on ${services.label}`, () => {
  it('passes the breakpoint on, bills the write at the write price and the read at the cached price', async () => {
    const sdk = client(await newKey({ name: 'cache' }));
    // A question of its own: the mock's cache is shared by the file's tests.
    const first = await sdk.chat.completions.create(cachedChat('What is it about?') as never).withResponse();
    const system = anthropicMock.requests.at(-1)!.body as { system: unknown };
    expect(system.system).toEqual([
      { type: 'text', text: 'Answer from the book.' },
      { type: 'text', text: BOOK, cache_control: { type: 'ephemeral' } },
    ]);
    const written = (first.data.usage as unknown as CacheUsage).prompt_tokens_details;
    expect(written.cache_write_tokens).toBeGreaterThan(1000);
    expect(written.cached_tokens).toBe(0);

    const second = await sdk.chat.completions.create(cachedChat('And the ending?') as never).withResponse();
    const read = second.data.usage as unknown as CacheUsage;
    expect(read.prompt_tokens_details).toEqual({ cached_tokens: written.cache_write_tokens, cache_write_tokens: 0 });

    const ids = [first.response.headers.get('x-request-id')!, second.response.headers.get('x-request-id')!];
    await expect.poll(async () => (await storedUsage(ids)).length).toBe(2);
    const rows = new Map((await storedUsage(ids)).map((row) => [row.requestId, row]));
    const firstUsage = first.data.usage as unknown as CacheUsage;
    expect(rows.get(ids[0]!)!.costMicros).toBe(
      micros(firstUsage.prompt_tokens - written.cache_write_tokens, PRICE.input) + micros(written.cache_write_tokens, PRICE.cacheWrite) + micros(firstUsage.completion_tokens, PRICE.output),
    );
    expect(rows.get(ids[1]!)).toMatchObject({ cachedInputTokens: read.prompt_tokens_details.cached_tokens });
    expect(rows.get(ids[1]!)!.costMicros).toBe(
      micros(read.prompt_tokens - read.prompt_tokens_details.cached_tokens, PRICE.input) + micros(read.prompt_tokens_details.cached_tokens, PRICE.cachedInput) + micros(read.completion_tokens, PRICE.output),
    );
  });

  it('keeps a breakpoint on a user part and on a tool result', async () => {
    const sdk = client(await newKey({ name: 'cache parts' }));
    await sdk.chat.completions.create({
      model: 'claude-sonnet-4',
      max_tokens: 10,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look this up.', cache_control: { type: 'ephemeral' } }] as never },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'Found it.', cache_control: { type: 'ephemeral' } }] as never },
      ],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });
    const { messages } = anthropicMock.requests.at(-1)!.body as { messages: { content: Record<string, unknown>[] }[] };
    expect(messages[0]!.content[0]).toEqual({ type: 'text', text: 'Look this up.', cache_control: { type: 'ephemeral' } });
    expect(messages[2]!.content[0]).toEqual({ type: 'tool_result', tool_use_id: 'call_1', content: 'Found it.', cache_control: { type: 'ephemeral' } });
  });

  it('refuses a one-hour cache with a 400 naming the field, before calling Anthropic', async () => {
    const sdk = client(await newKey({ name: 'cache ttl' }));
    const before = anthropicMock.requests.length;
    const refused = await sdk.chat.completions.create(cachedChat('Longer?', { type: 'ephemeral', ttl: '1h' }) as never).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(400);
    expect((refused as APIError).message).toMatch(/cache_control/);
    expect(anthropicMock.requests.length).toBe(before);
  });

  it('reserves for the whole prompt at the write price: a limit that covers it at the input price only refuses a breakpoint', async () => {
    const plain = { ...cachedChat('Budget?'), messages: [{ role: 'system' as const, content: `Answer from the book.${BOOK}` }, { role: 'user' as const, content: 'Budget?' }] };
    const marked = cachedChat('Budget?');
    const output = micros(20, PRICE.output);
    const limit = micros(promptTokenBound('chat', plain as never), PRICE.input) + output;
    expect(micros(promptTokenBound('chat', marked as never), PRICE.cacheWrite) + output).toBeGreaterThan(limit);
    const sdk = client(await newKey({ name: 'cache budget', spending_limits: { day: limit, week: null, month: null } }));
    await expect(sdk.chat.completions.create(plain as never)).resolves.toBeDefined();
    const refused = await sdk.chat.completions.create(marked as never).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, code: 'spending_limit_exceeded' });
  });
});
