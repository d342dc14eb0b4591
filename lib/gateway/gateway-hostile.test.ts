import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from './testing';

/**
 * Bodies built to break the gateway rather than use it: each is a 400 that names what is wrong,
 * in OpenAI's shape, and leaves a usage record with that same code — never a 500, never a 402.
 */
const gateway = await startGateway();
const { services, server, newKey, storedUsage } = gateway;
afterAll(() => gateway.close());

async function post(secret: string, body: string) {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, id: response.headers.get('x-request-id')!, body: (await response.json()) as { error: Record<string, unknown> } };
}

const chat = (fields: Record<string, unknown>) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...fields });

describe(`hostile request bodies on ${services.label}`, () => {
  it('refuses JSON nested 5,000 deep with 400 nesting_too_deep, in a message or anywhere else', async () => {
    const secret = await newKey();
    // Spliced in as text: JSON.stringify itself cannot write a value this deep.
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const inMessage = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":${deep}}]}`;
    const inMetadata = chat({ metadata: '@' }).replace('"@"', `{"x":${deep}}`);
    for (const body of [inMessage, inMetadata, deep]) {
      const answer = await post(secret, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({ message: expect.stringContaining('64 levels'), type: 'invalid_request_error', param: null, code: 'nesting_too_deep' });
    }
    // Brackets inside strings are text, not nesting.
    const text = await post(secret, chat({ messages: [{ role: 'user', content: `${'['.repeat(5_000)}"\\"{{{` }] }));
    expect(text.status).toBe(200);
  });

  it('refuses max_tokens beyond what the model produces with 400 naming the parameter and the maximum', async () => {
    const secret = await newKey();
    const huge = await post(secret, chat({ max_tokens: 1e12 }));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_request_error' });
    expect(huge.body.error.message).toContain('16384');

    const above = await post(secret, chat({ max_completion_tokens: 16_385 }));
    expect(above.status).toBe(400);
    expect(above.body.error).toMatchObject({ param: 'max_completion_tokens', message: expect.stringContaining('gpt-4o-mini') });

    // Each model its own maximum: the echo model produces at most 4,096, legacy completions too.
    const echo = await post(secret, JSON.stringify({ model: 'conduit/echo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5_000 }));
    expect(echo.body.error).toMatchObject({ param: 'max_tokens', message: expect.stringContaining('4096') });
    const legacy = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 4_097 }),
    });
    expect(legacy.status).toBe(400);

    const exact = await post(secret, chat({ max_tokens: 16_384 }));
    expect(exact.status).toBe(200);
  });

  it('stores the code the client got in the usage record, not internal_error', async () => {
    const secret = await newKey({ name: 'hostile-usage' });
    const refused = [
      await post(secret, chat({ max_tokens: 1e12 })),
      await post(secret, chat({ messages: [{ role: 'wizard', content: 'hi' }] })),
      await post(secret, `{"model":"gpt-4o-mini","messages":${'['.repeat(100)}`),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([400, 400, 400]);
    await expect
      .poll(async () => (await storedUsage(refused.map((answer) => answer.id))).map((row) => `${row.status} ${row.errorCode}`).sort(), { timeout: 10_000, interval: 200 })
      .toEqual(['400 invalid_request_error', '400 invalid_request_error', '400 nesting_too_deep']);
  });
});
