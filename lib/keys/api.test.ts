import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

// The management API end to end through its route handlers, on real PostgreSQL + Redis in CI.
const services = await useTestServices();
const { signUp } = await import('@/lib/auth/users');
const { createToken, revokeToken } = await import('@/lib/management/tokens');
const { verifyKey } = await import('./verify');
const collection = await import('@/app/api/v1/keys/route');
const item = await import('@/app/api/v1/keys/[id]/route');
const regenerate = await import('@/app/api/v1/keys/[id]/regenerate/route');
const enable = await import('@/app/api/v1/keys/[id]/enable/route');
const disable = await import('@/app/api/v1/keys/[id]/disable/route');
const events = await import('@/app/api/v1/keys/[id]/events/route');
afterAll(() => services.cleanup());

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
/** Route handlers differ only in their params type; tests pass `{ id }` to all of them. */
const route = (handler: unknown) => handler as Handler;

let alice: string;
let bob: string;
let aliceUserId: string;

async function account(email: string) {
  const result = await signUp({ email, password: 'a fine password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  return { userId: result.user.id, token: (await createToken(personalActor(result.user.id), 'tests')).secret };
}

beforeAll(async () => {
  const a = await account(`alice-${Date.now()}@example.com`);
  alice = a.token;
  aliceUserId = a.userId;
  bob = (await account(`bob-${Date.now()}@example.com`)).token;
});

async function call(handler: Handler, options: { token?: string | null; method?: string; body?: unknown; id?: string; raw?: string } = {}) {
  const headers = new Headers({ 'content-type': 'application/json' });
  const token = options.token === undefined ? alice : options.token;
  if (token) headers.set('authorization', `Bearer ${token}`);
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const request = new Request('http://conduit.test/api/v1/keys', { method: options.method ?? 'GET', headers, body });
  const response = await handler(request, { params: Promise.resolve({ id: options.id ?? '' }) });
  return { status: response.status, body: await response.json() };
}

const create = (body: unknown, token?: string) => call(route(collection.POST), { method: 'POST', body, token });

describe(`management API on ${services.label}`, () => {
  it('creates a key whose secret is shown once and verifies at the gateway', async () => {
    const created = await create({ name: 'Production', spending_limits: { day: 5_000_000 } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^condt_[0-9A-Za-z]{40}$/);
    expect(created.body.start).toBe(created.body.key.slice(0, 10));
    expect(created.body.spending_limits.day).toMatchObject({ limit: 5_000_000, spent: 0, remaining: 5_000_000 });
    expect(new Date(created.body.spending_limits.day.resets_at).getUTCHours()).toBe(0);
    expect(created.body.status).toBe('active');

    const fetched = await call(route(item.GET), { id: created.body.id });
    expect(fetched.status).toBe(200);
    expect(fetched.body.key).toBeUndefined();
    expect(JSON.stringify(fetched.body)).not.toContain(created.body.key);

    const verified = await verifyKey(created.body.key);
    expect(verified.status).toBe('VALID');
    expect(verified.key?.spendLimits.day).toBe(5_000_000);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x', ip_allowlist: ['10.0.0.0/33'] }, 'ip_allowlist.0'],
    [{ name: 'x', ip_allowlist: ['not-an-ip'] }, 'ip_allowlist.0'],
    [{ name: 'x', spending_limits: { day: -1 } }, 'spending_limits.day'],
    [{ name: 'x', spending_limits: { month: 1.5 } }, 'spending_limits.month'],
    [{ name: 'x', rate_limits: { per_minute: 0 } }, 'rate_limits.per_minute'],
    [{ name: 'x', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'x', allowed_operations: ['images'] }, 'allowed_operations.0'],
    [{ name: 'x', allowed_models: ['gpt-*-mini'] }, 'allowed_models.0'],
    [{ name: 'x', allowed_providers: ['bedrock'] }, 'allowed_providers.0'],
    [{ name: 'x', allowed_providers: 'openai' }, 'allowed_providers'],
    [{ name: 'x', description: 'd'.repeat(501) }, 'description'],
    [{ name: 'x', description: 42 }, 'description'],
    [{ name: 'x', colour: 'blue' }, null],
  ])('refuses %j with a 400 naming %s, and creates nothing', async (body, param) => {
    const before = (await call(route(collection.GET))).body.data.length;
    const result = await create(body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(result.body.error.message).toBeTruthy();
    expect((await call(route(collection.GET))).body.data.length).toBe(before);
  });

  it('takes a description and allowed providers, shows them, and changes them (seed 002)', async () => {
    const created = await create({ name: 'Support bot', description: 'Answers tickets', allowed_providers: ['anthropic', 'echo', 'anthropic'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ description: 'Answers tickets', allowed_providers: ['anthropic', 'echo'] });
    expect((await verifyKey(created.body.key)).key?.allowedProviders).toEqual(['anthropic', 'echo']);
    const listed = (await call(route(collection.GET))).body.data.find((key: { id: string }) => key.id === created.body.id);
    expect(listed).toMatchObject({ description: 'Answers tickets', allowed_providers: ['anthropic', 'echo'] });

    const updated = await call(route(item.PATCH), { method: 'PATCH', id: created.body.id, body: { description: null, allowed_providers: ['openai'] } });
    expect(updated.body).toMatchObject({ description: null, allowed_providers: ['openai'] });
    expect((await verifyKey(created.body.key)).key?.allowedProviders).toEqual(['openai']);
    const log = await call(route(events.GET), { id: created.body.id });
    expect(log.body.data[0].changes).toEqual({
      description: { from: 'Answers tickets', to: null },
      allowed_providers: { from: ['anthropic', 'echo'], to: ['openai'] },
    });
    // Unset: every provider, as for keys made before providers could be restricted.
    expect((await create({ name: 'open' })).body.allowed_providers).toEqual([]);
  });

  it('refuses malformed JSON and oversize bodies', async () => {
    expect((await call(route(collection.POST), { method: 'POST', raw: '{"name":' })).body.error.code).toBe('invalid_json');
    const huge = await create({ name: 'x', description: 'y'.repeat(70_000) });
    expect(huge.status).toBe(413);
  });

  it('authenticates every call: missing, malformed and revoked tokens get 401', async () => {
    expect((await call(route(collection.GET), { token: null })).status).toBe(401);
    expect((await call(route(collection.GET), { token: 'cmt_nope' })).body.error.code).toBe('invalid_management_token');
    const spare = await createToken(personalActor(aliceUserId), 'spare');
    expect((await call(route(collection.GET), { token: spare.secret })).status).toBe(200);
    expect(await revokeToken(personalActor(aliceUserId), spare.token.id)).toBe(true);
    expect((await call(route(collection.GET), { token: spare.secret })).status).toBe(401);
  });

  it("never shows or touches another account's keys (404)", async () => {
    const mine = (await create({ name: 'alice only' })).body;
    const bobs = await call(route(collection.GET), { token: bob });
    expect(bobs.body.data.map((key: { id: string }) => key.id)).not.toContain(mine.id);
    for (const [handler, method, body] of [
      [route(item.GET), 'GET', undefined],
      [route(item.PATCH), 'PATCH', { name: 'stolen' }],
      [route(item.DELETE), 'DELETE', undefined],
      [route(regenerate.POST), 'POST', undefined],
      [route(disable.POST), 'POST', undefined],
      [route(enable.POST), 'POST', undefined],
      [route(events.GET), 'GET', undefined],
    ] as const) {
      const result = await call(handler, { token: bob, method, body, id: mine.id });
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('key_not_found');
    }
    const still = await call(route(item.GET), { id: mine.id });
    expect(still.body).toMatchObject({ name: 'alice only', status: 'active' });
    expect((await verifyKey(mine.key)).status).toBe('VALID');
  });

  it('updates settings, and the audit log says who changed what', async () => {
    const key = (await create({ name: 'edit me' })).body;
    const updated = await call(route(item.PATCH), {
      method: 'PATCH',
      id: key.id,
      body: { rate_limits: { per_minute: 60 }, allowed_models: ['gpt-4o*'], ip_allowlist: ['2001:db8::/32'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ rate_limits: { per_minute: 60, per_hour: null }, allowed_models: ['gpt-4o*'], ip_allowlist: ['2001:db8::/32'] });
    expect((await verifyKey(key.key)).key?.rateLimits.minute).toBe(60);

    const log = await call(route(events.GET), { id: key.id });
    expect(log.body.data.map((event: { action: string }) => event.action)).toEqual(['updated', 'created']);
    expect(log.body.data[0].changes['rate_limits.per_minute']).toEqual({ from: null, to: 60 });
    expect(log.body.data[0].actor.type).toBe('management_token');

    expect((await call(route(item.PATCH), { method: 'PATCH', id: key.id, body: {} })).status).toBe(400);
  });

  it('refuses contradictory limits, sent together or against what is stored, naming the field to lower', async () => {
    const contradictory = await create({ name: 'x', spending_limits: { day: 10_000_000, week: 1_000_000, month: 0 } });
    expect(contradictory.status).toBe(400);
    expect(contradictory.body.error).toMatchObject({
      param: 'spending_limits.day',
      message: 'spending_limits.day: Must be at most the monthly limit ($0.00, which blocks all spending — use null for no limit)',
    });
    const rates = await create({ name: 'x', rate_limits: { per_minute: 100, per_hour: 50 } });
    expect(rates.body.error).toMatchObject({ param: 'rate_limits.per_minute', message: 'rate_limits.per_minute: Must be at most the limit per hour (50 requests)' });

    // A PATCH sends one limit: it is judged with the ones already saved, and nothing changes.
    const key = (await create({ name: 'weekly', spending_limits: { week: 1_000_000 } })).body;
    const patched = await call(route(item.PATCH), { method: 'PATCH', id: key.id, body: { spending_limits: { day: 10_000_000 } } });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toMatchObject({ param: 'spending_limits.day', message: 'spending_limits.day: Must be at most the weekly limit ($1.00)' });
    expect((await call(route(item.GET), { id: key.id })).body.spending_limits.day.limit).toBeNull();
    // Lowering it to the weekly limit is fine, and so is no limit at all.
    expect((await call(route(item.PATCH), { method: 'PATCH', id: key.id, body: { spending_limits: { day: 1_000_000 } } })).status).toBe(200);
    expect((await call(route(item.PATCH), { method: 'PATCH', id: key.id, body: { spending_limits: { week: null } } })).status).toBe(200);
  });

  it('says how large a limit may be, not that a too-large whole number is not whole', async () => {
    const requests = await create({ name: 'x', rate_limits: { per_day: 99999999999999999999 } });
    expect(requests.body.error.message).toBe('rate_limits.per_day: Must be at most 10,000,000');
    const micros = await create({ name: 'x', spending_limits: { month: 1e20 } });
    expect(micros.body.error.message).toBe('spending_limits.month: Must be at most 1000000000000 micro-dollars ($1,000,000)');
  });

  it('regenerate: new secret, same settings; the old secret stops working at once', async () => {
    const key = (await create({ name: 'rotate me', rate_limits: { per_hour: 100 } })).body;
    const rotated = await call(route(regenerate.POST), { method: 'POST', id: key.id });
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(key.key);
    expect(rotated.body).toMatchObject({ id: key.id, name: 'rotate me', rate_limits: { per_hour: 100 } });
    expect((await verifyKey(key.key)).status).toBe('NOT_FOUND');
    expect((await verifyKey(rotated.body.key)).status).toBe('VALID');
  });

  it('disable and re-enable', async () => {
    const key = (await create({ name: 'toggle' })).body;
    expect((await call(route(disable.POST), { method: 'POST', id: key.id })).body.status).toBe('disabled');
    expect((await verifyKey(key.key)).status).toBe('DISABLED');
    expect((await call(route(enable.POST), { method: 'POST', id: key.id })).body.status).toBe('active');
    expect((await verifyKey(key.key)).status).toBe('VALID');
  });

  it('delete: the key stops working and disappears from the API', async () => {
    const key = (await create({ name: 'doomed' })).body;
    const deleted = await call(route(item.DELETE), { method: 'DELETE', id: key.id });
    expect(deleted.body).toEqual({ id: key.id, object: 'api_key', deleted: true });
    expect((await verifyKey(key.key)).status).toBe('NOT_FOUND');
    expect((await call(route(item.GET), { id: key.id })).status).toBe(404);
    expect((await call(route(item.DELETE), { method: 'DELETE', id: key.id })).status).toBe(404);
  });

  it('an expired key verifies as EXPIRED', async () => {
    const key = (await create({ name: 'short-lived', expires_at: new Date(Date.now() + 1_500).toISOString() })).body;
    expect((await verifyKey(key.key)).status).toBe('VALID');
    expect((await verifyKey(key.key, Date.now() + 2_000)).status).toBe('EXPIRED');
  });

  it('unknown and malformed secrets are NOT_FOUND', async () => {
    expect((await verifyKey('condt_' + 'A'.repeat(40))).status).toBe('NOT_FOUND');
    expect((await verifyKey('sk-not-ours')).status).toBe('NOT_FOUND');
    expect((await verifyKey('')).status).toBe('NOT_FOUND');
  });
});
