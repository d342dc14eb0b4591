import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { startGateway } from './testing';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Free models need no credit (issue #20): a refund larger than the balance leaves it negative,
 * and the free `conduit/echo` must still answer — while paid models are refused with 402 and
 * every other check (rate limits, the key's models, disabled keys) still applies.
 */
const gateway = await startGateway();
const { services, openaiMock, keys, client } = gateway;
const { signUp } = await import('@/lib/auth/users');
const { grantCredit, loadCreditBalance } = await import('@/lib/billing/credit');
afterAll(() => gateway.close());

/** An account whose balance is `dollars` (its $10 trial credit adjusted), and a key of it. */
async function accountWithBalance(dollars: number, keyInput: Parameters<typeof keys.createKey>[1] = { name: 'free' }) {
  const signed = await signUp({ email: `free-${randomUUID()}@example.com`, password: 'free models 12' });
  if (!signed.ok) throw new Error('sign-up failed');
  const userId = signed.user.id;
  // Loaded into Redis first, so the adjustment below goes through the live balance as a refund does.
  expect(await loadCreditBalance(userId)).toBe(10_000_000);
  await grantCredit({ userId, kind: 'adjustment', amountMicros: dollars * 1_000_000 - 10_000_000, reference: `refund-${randomUUID()}` });
  expect(await loadCreditBalance(userId)).toBe(dollars * 1_000_000);
  const created = await keys.createKey(personalActor(userId), keyInput);
  return { userId, key: created.key, secret: created.secret };
}

const echo = (sdk: OpenAI, content = 'ping') => sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content }] });

describe(`free models with no credit on ${services.label}`, () => {
  it('a negative balance still serves conduit/echo (chat, streamed, completions, embeddings) and refuses paid models with 402', async () => {
    const { userId, secret } = await accountWithBalance(-5);
    const sdk = client(secret);
    expect((await echo(sdk)).choices[0]!.message.content).toBe('Echo: ping');
    const stream = await sdk.chat.completions.create({ model: 'conduit/echo', messages: [{ role: 'user', content: 'a b c' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: a b c');
    expect((await sdk.completions.create({ model: 'conduit/echo', prompt: 'hi', max_tokens: 5 })).choices[0]!.text).toBeTruthy();
    expect((await sdk.embeddings.create({ model: 'conduit/echo', input: 'hi' })).data).toHaveLength(1);

    const before = openaiMock.requests.length;
    const paid = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(paid).toMatchObject({ status: 402, code: 'insufficient_credits' });
    expect(openaiMock.requests.length).toBe(before);
    // Free requests cost nothing: the negative balance is exactly what the refund left.
    expect(await loadCreditBalance(userId)).toBe(-5_000_000);
  });

  it('a zero balance serves conduit/echo too', async () => {
    const { secret } = await accountWithBalance(0);
    expect((await echo(client(secret))).choices[0]!.message.content).toBe('Echo: ping');
  });

  it("with no credit, echo still respects the key's rate limits, allowed models and disabled state", async () => {
    await awayFromMinuteEdge();
    const limited = await accountWithBalance(-1, { name: 'limited', rate_limits: { per_minute: 2 } });
    const sdk = client(limited.secret);
    await echo(sdk, 'a');
    await echo(sdk, 'b');
    await expect(echo(sdk, 'c')).rejects.toBeInstanceOf(OpenAI.RateLimitError);

    const fenced = await accountWithBalance(-1, { name: 'fenced', allowed_models: ['gpt-4o-mini'] });
    await expect(echo(client(fenced.secret))).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });

    const off = await accountWithBalance(-1, { name: 'off' });
    await keys.setKeyEnabled(personalActor(off.userId), off.key.id, false);
    await expect(echo(client(off.secret))).rejects.toMatchObject({ status: 401, code: 'key_disabled' });
  });
});
