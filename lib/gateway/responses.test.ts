import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from './testing';

/**
 * POST /v1/responses (issue #19), through the official `openai` SDK's `client.responses`: OpenAI
 * models pass through, streamed and not, with the same key checks, reservation, settlement,
 * usage record and error shapes as chat completions; models without it are refused with a 400.
 */
const gateway = await startGateway();
const { services, newKey, client, storedUsage, openaiMock } = gateway;
const { loadCreditBalance } = await import('@/lib/billing/credit');
afterAll(() => gateway.close());

const lastRequest = () => openaiMock.requests.at(-1)!;

describe(`/v1/responses on ${services.label}`, () => {
  it('answers client.responses.create through an OpenAI model, bills its usage and records it', async () => {
    const sdk = client(await newKey({ name: 'responses' }));
    const before = await loadCreditBalance(gateway.actor.accountId);
    const { data: response, response: raw } = await sdk.responses
      .create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'one two three', max_output_tokens: 50 })
      .withResponse();
    expect(response.output_text).toBe('Echo: one two three');
    expect(response.usage).toMatchObject({ output_tokens: 4 });
    // The upstream got the client's body under the catalog's model id, on its own path.
    expect(lastRequest()).toMatchObject({ method: 'POST', path: '/v1/responses' });
    expect(lastRequest().body).toMatchObject({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'one two three', max_output_tokens: 50 });

    const requestId = raw.headers.get('x-request-id')!;
    await expect.poll(async () => (await storedUsage([requestId]))[0]?.operation, { timeout: 10_000 }).toBe('responses');
    const [record] = await storedUsage([requestId]);
    expect(record).toMatchObject({ model: 'gpt-4o-mini', provider: 'openai', status: 200, outputTokens: 4, inputTokens: response.usage!.input_tokens, stream: false });
    // gpt-4o-mini: $0.15 / $0.60 per 1M tokens, rounded up to whole micro-dollars per part.
    const expected = Math.ceil((response.usage!.input_tokens * 150_000) / 1_000_000) + Math.ceil((4 * 600_000) / 1_000_000);
    expect(record!.costMicros).toBe(expected);
    expect(await loadCreditBalance(gateway.actor.accountId)).toBe(before - expected);
  });

  it('streams the typed events unchanged — response.completed and its usage included — and bills the stream', async () => {
    const sdk = client(await newKey({ name: 'responses stream' }));
    const { data: stream, response: raw } = await sdk.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: 'a b c d' }], stream: true }).withResponse();
    const types: string[] = [];
    let text = '';
    let usage: { input_tokens: number; output_tokens: number } | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') usage = event.response.usage!;
    }
    expect(text).toBe('Echo: a b c d');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(usage).toMatchObject({ output_tokens: 5 });
    // Nothing was added to the upstream request (the Responses API has no include_usage).
    expect(lastRequest().body).not.toHaveProperty('stream_options');
    const requestId = raw.headers.get('x-request-id')!;
    await expect.poll(async () => (await storedUsage([requestId]))[0]?.outputTokens, { timeout: 10_000 }).toBe(5);
    const [record] = await storedUsage([requestId]);
    expect(record).toMatchObject({ operation: 'responses', stream: true, inputTokens: usage!.input_tokens, status: 200 });
    // gpt-4o: $2.50 / $10.00 per 1M tokens.
    expect(record!.costMicros).toBe(Math.ceil((usage!.input_tokens * 2_500_000) / 1_000_000) + Math.ceil((5 * 10_000_000) / 1_000_000));
  });

  it('works offline with conduit/echo, streamed and not, for free', async () => {
    const sdk = client(await newKey({ name: 'responses echo' }));
    const answer = await sdk.responses.create({ model: 'conduit/echo', input: [{ role: 'user', content: 'hello there' }] });
    expect(answer.output_text).toBe('Echo: hello there');
    expect(answer.usage).toMatchObject({ output_tokens: 3 });
    const cut = await sdk.responses.create({ model: 'conduit/echo', input: 'a b c d e', max_output_tokens: 2 });
    expect(cut).toMatchObject({ status: 'incomplete', output_text: 'Echo: a' });
    const { data: stream, response: raw } = await sdk.responses.create({ model: 'conduit/echo', input: 'x y', stream: true }).withResponse();
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('Echo: x y');
    const requestId = raw.headers.get('x-request-id')!;
    await expect.poll(async () => (await storedUsage([requestId]))[0]?.outputTokens, { timeout: 10_000 }).toBe(3);
    expect((await storedUsage([requestId]))[0]).toMatchObject({ operation: 'responses', provider: 'echo', costMicros: 0, stream: true });
  });

  it('is refused like any request: an operation the key does not allow (403), a model without it (400), output above the model’s (400)', async () => {
    const chatOnly = client(await newKey({ name: 'chat only', allowed_operations: ['chat'] }));
    const sent = openaiMock.requests.length;
    const refusal = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: { status: number; code: string }) => `${error.status} ${error.code}`);
    expect(await refusal(chatOnly.responses.create({ model: 'gpt-4o-mini', input: 'hi' }))).toBe('403 operation_not_allowed');

    const sdk = client(await newKey({ name: 'responses refusals' }));
    expect(await refusal(sdk.responses.create({ model: 'claude-sonnet-4', input: 'hi' }))).toBe('400 unsupported_operation');
    expect(await refusal(sdk.responses.create({ model: 'text-embedding-3-small', input: 'hi' }))).toBe('400 unsupported_operation');
    expect(await refusal(sdk.responses.create({ model: 'gpt-4o-mini', input: 'hi', max_output_tokens: 10_000_000 }))).toBe('400 invalid_request_error');
    expect(await refusal(sdk.responses.create({ model: 'gpt-4o-mini', input: [] as never }))).toBe('400 invalid_request_error');
    expect(openaiMock.requests.length).toBe(sent);
  });
});
