import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

const services = await useTestServices();
const { consumeRequest } = await import('./request-counters');
afterAll(() => services.cleanup());

describe(`request counters on ${services.label}`, () => {
  it('admit exactly N of many parallel requests, and refusals consume no other window', async () => {
    const id = randomUUID();
    const counters = [
      { key: `t:{${id}}:minute`, limit: 7, windowMs: 60_000 },
      { key: `t:{${id}}:month`, limit: 100, windowMs: 60_000 },
      { key: `t:{${id}}:none`, limit: null, windowMs: 60_000 },
    ];
    const results = await Promise.all(Array.from({ length: 40 }, () => consumeRequest(counters)));
    expect(results.filter((result) => result.allowed)).toHaveLength(7);
    expect(results.find((result) => !result.allowed)).toMatchObject({ allowed: false, refusedBy: 0 });
    // 33 refusals did not touch the monthly counter: a fresh minute admits 7 more.
    const next = [{ ...counters[0]!, key: `t:{${id}}:minute2` }, counters[1]!];
    expect((await Promise.all(Array.from({ length: 10 }, () => consumeRequest(next)))).filter((r) => r.allowed)).toHaveLength(7);
  });

  it('reports which window refused and when it resets', async () => {
    const id = randomUUID();
    const counters = [
      { key: `t:{${id}}:a`, limit: 10, windowMs: 60_000 },
      { key: `t:{${id}}:b`, limit: 1, windowMs: 30_000 },
    ];
    expect(await consumeRequest(counters)).toEqual({ allowed: true });
    const refused = await consumeRequest(counters);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 1 });
    if (!refused.allowed) expect(refused.resetMs).toBeLessThanOrEqual(30_000);
  });

  it('a refusal by a later window leaves the earlier ones uncounted', async () => {
    const id = randomUUID();
    const first = { key: `t:{${id}}:a`, limit: 3, windowMs: 60_000 };
    expect(await consumeRequest([first, { key: `t:{${id}}:b`, limit: 1, windowMs: 60_000 }])).toEqual({ allowed: true });
    const refused = await Promise.all(Array.from({ length: 10 }, () => consumeRequest([first, { key: `t:{${id}}:b`, limit: 1, windowMs: 60_000 }])));
    expect(refused.every((result) => !result.allowed && result.refusedBy === 1)).toBe(true);
    // The first window counted one request, not eleven: two more fit.
    const next = await Promise.all(Array.from({ length: 4 }, () => consumeRequest([first])));
    expect(next.filter((result) => result.allowed)).toHaveLength(2);
  });

  it('a counter Redis lacks is restored before it is checked and written once (SET NX), whichever of the parallel requests restore it', async () => {
    const id = randomUUID();
    let restores = 0;
    const cap = {
      key: `t:{${id}}:cap`,
      limit: 5,
      windowMs: 60_000,
      restore: async () => {
        restores++;
        return 3; // three used already, says PostgreSQL
      },
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => consumeRequest([{ key: `t:{${id}}:minute`, limit: 100, windowMs: 60_000 }, cap])));
    expect(results.filter((result) => result.allowed)).toHaveLength(2);
    expect(results.filter((result) => !result.allowed).every((result) => !result.allowed && result.refusedBy === 1)).toBe(true);
    expect(restores).toBeGreaterThanOrEqual(1);
    // Present now: no more restores, and never overwritten by one.
    const before = restores;
    expect(await consumeRequest([cap])).toMatchObject({ allowed: false, refusedBy: 0 });
    expect(restores).toBe(before);
  });
});
