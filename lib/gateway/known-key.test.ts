import { afterAll, describe, expect, it } from 'vitest';
import { readChatStream } from '@/lib/playground/stream';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { startGateway } from './testing';

/**
 * The playground's way into the gateway (issue #17): a key held by id, no secret. It must be
 * checked, limited, billed and recorded exactly as a request with the key's secret is.
 */
const gateway = await startGateway();
const { services, keys, actor, storedUsage, openaiMock } = gateway;
const { handleGatewayWithKey } = await import('./handler');
const { toKeyRecord } = await import('@/lib/keys/record');
const { loadCreditBalance } = await import('@/lib/billing/credit');
afterAll(() => gateway.close());

const chatRequest = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  new Request('http://conduit.test/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7', ...headers },
    body: JSON.stringify(body),
  });

const prompt = (model: string) => ({ model, messages: [{ role: 'user', content: 'one two three' }], stream: true, stream_options: { include_usage: true } });

async function keyRecord(input: Parameters<typeof keys.createKey>[1]) {
  return toKeyRecord((await keys.createKey(actor, input)).key);
}

describe(`a request through a key held by id on ${services.label}`, () => {
  it('streams the answer, bills the account and leaves a usage record of that key', async () => {
    const key = await keyRecord({ name: 'playground' });
    const before = await loadCreditBalance(actor.accountId);
    const response = await handleGatewayWithKey(chatRequest(prompt('gpt-4o-mini')), key);
    expect(response.status).toBe(200);
    let text = '';
    let usage: unknown = null;
    for await (const event of readChatStream(response.body!)) {
      if (event.kind === 'text') text += event.text;
      if (event.kind === 'usage') usage = event.usage;
    }
    expect(text).toBe('Echo: one two three');
    expect(usage).toMatchObject({ completion_tokens: 4 });
    const requestId = response.headers.get('x-request-id')!;
    await expect.poll(async () => (await storedUsage([requestId]))[0]?.keyId, { timeout: 10_000 }).toBe(key.id);
    const [record] = await storedUsage([requestId]);
    expect(record!.costMicros).toBeGreaterThan(0);
    expect(await loadCreditBalance(actor.accountId)).toBe(before - record!.costMicros);
  });

  it("is refused as the key's secret would be: disabled, expired, outside its IP allowlist or its models, over its rate limit", async () => {
    const sent = openaiMock.requests.length;
    const refusal = async (key: Awaited<ReturnType<typeof keyRecord>>, model = 'gpt-4o-mini') => {
      const response = await handleGatewayWithKey(chatRequest(prompt(model)), key);
      const body = await response.text();
      return response.status === 200 ? { status: 200 } : { status: response.status, code: (JSON.parse(body) as { error: { code: string } }).error.code };
    };
    expect(await refusal({ ...(await keyRecord({ name: 'off' })), enabled: false })).toEqual({ status: 401, code: 'key_disabled' });
    expect(await refusal({ ...(await keyRecord({ name: 'old' })), expiresAt: Date.now() - 1000 })).toEqual({ status: 401, code: 'key_expired' });
    expect(await refusal(await keyRecord({ name: 'office', ip_allowlist: ['198.51.100.0/24'] }))).toEqual({ status: 403, code: 'ip_not_allowed' });
    expect(await refusal(await keyRecord({ name: 'echo only', allowed_models: ['conduit/echo'] }))).toEqual({ status: 403, code: 'model_not_allowed' });
    await awayFromMinuteEdge();
    const limited = await keyRecord({ name: 'one a minute', rate_limits: { per_minute: 1 } });
    expect(await refusal(limited, 'conduit/echo')).toEqual({ status: 200 });
    expect(await refusal(limited, 'conduit/echo')).toEqual({ status: 429, code: 'rate_limit_exceeded' });
    // Only the one echo went anywhere, and echo is served in-process: the mock saw nothing.
    expect(openaiMock.requests.length).toBe(sent);
  });
});
