import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '@/lib/gateway/testing';

/**
 * Issue #14 end to end: `"user":"\ud800"` (a lone surrogate, which JSON allows) was answered 200,
 * but its usage record made PostgreSQL refuse the drain's whole batch, every pass, so no record
 * and no debit of any account was stored again. Raw JSON bodies, as a client could send them.
 */
const gateway = await startGateway();
const { services, server, newKey, storedUsage, actor } = gateway;
const { getDb } = await import('@/db');
const { creditLedger, usageRecords } = await import('@/db/schema');
const { and, eq, sql } = await import('drizzle-orm');
const { deadLetterCount } = await import('./dead-letter');
afterAll(() => gateway.close());

const messages = '"messages":[{"role":"user","content":"hello"}]';

async function chat(secret: string, body: string) {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body,
  });
  await response.text();
  return { status: response.status, requestId: response.headers.get('x-request-id')! };
}

describe(`hostile text through /v1 on ${services.label}`, () => {
  it('lone surrogates, NUL and an overlong model are answered as before; their usage rows — and a later request’s — reach PostgreSQL, debited', async () => {
    const secret = await newKey();
    const loneUser = await chat(secret, `{"model":"gpt-4o-mini",${messages},"user":"\\ud800"}`);
    const loneModel = await chat(secret, `{"model":"\\udc00",${messages}}`);
    const nulUser = await chat(secret, `{"model":"gpt-4o-mini",${messages},"user":"a\\u0000b\\udfff"}`);
    const longModel = await chat(secret, `{"model":"${'m'.repeat(5_000)}\\ud800",${messages}}`);
    expect([loneUser.status, loneModel.status, nulUser.status, longModel.status]).toEqual([200, 404, 200, 404]);
    // After the bad ones: before the fix this one never reached PostgreSQL either.
    const later = await chat(secret, `{"model":"gpt-4o-mini",${messages},"user":"alice"}`);
    expect(later.status).toBe(200);

    const ids = [loneUser, loneModel, nulUser, longModel, later].map((r) => r.requestId);
    await expect.poll(async () => (await storedUsage(ids)).length, { timeout: 10_000, interval: 200 }).toBe(5);
    const rows = new Map((await storedUsage(ids)).map((row) => [row.requestId, row]));
    expect(rows.get(loneUser.requestId)).toMatchObject({ status: 200, endUser: '\ufffd', model: 'gpt-4o-mini' });
    expect(rows.get(loneModel.requestId)).toMatchObject({ status: 404, model: '\ufffd', costMicros: 0 });
    expect(rows.get(nulUser.requestId)).toMatchObject({ status: 200, endUser: 'ab\ufffd' });
    expect(rows.get(longModel.requestId)).toMatchObject({ status: 404, model: 'm'.repeat(200) });
    expect(rows.get(later.requestId)).toMatchObject({ status: 200, endUser: 'alice' });
    for (const id of [loneUser, nulUser, later].map((r) => r.requestId)) expect(rows.get(id)!.costMicros).toBeGreaterThan(0);
    expect(await deadLetterCount()).toBe(0);

    // Every stored row of the account is debited, no more and no less.
    const db = await getDb();
    const [stored] = await db.select({ cost: sql<number>`coalesce(sum(${usageRecords.costMicros}), 0)::bigint`.mapWith(Number) }).from(usageRecords).where(eq(usageRecords.userId, actor.userId));
    const [debited] = await db
      .select({ total: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)::bigint`.mapWith(Number) })
      .from(creditLedger)
      .where(and(eq(creditLedger.kind, 'usage'), eq(creditLedger.userId, actor.userId)));
    expect(debited!.total).toBe(-stored!.cost);
  });
});
