import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { links, linkTokens, usageRecords, type NewUsageRow } from '../schema';
import type { OpenDatabase } from '../open';
import { requirePostgresInCi, testEngines, type MigratedDatabase } from '../test-database';
import { activeTokenCounts, linkEndUserUsage, linkUsageTotals } from './link-usage';
import { insertPeople } from '@/db/queries/users';

// The links pages' aggregates, on both engines the app runs on.

requirePostgresInCi();

const now = new Date('2026-03-15T12:00:00Z');
const since = new Date(now.getTime() - 30 * 86_400_000);
let sequence = 0;

function usage(userId: string, linkId: string, fields: Partial<NewUsageRow> = {}): NewUsageRow {
  return {
    requestId: `req_${++sequence}`,
    userId,
    linkId,
    operation: 'proxy',
    status: 200,
    latencyMs: 10,
    stream: false,
    createdAt: now,
    ...fields,
  };
}

async function seed(open: OpenDatabase) {
  const { db } = open;
  const [owner, other] = await insertPeople(db, [{ email: 'owner@example.com' }, { email: 'other@example.com' }]);
  const link = (id: string, userId: string) => ({
    id,
    userId,
    name: id,
    upstreamBaseUrl: 'https://api.example.com',
    secretSealed: 'sealed',
    injection: { type: 'bearer' as const },
    allowedPaths: [{ path: '/x' }],
  });
  await db.insert(links).values([link('la', owner!.id), link('lb', owner!.id), link('lx', other!.id)]);
  await db.insert(linkTokens).values([
    { id: 't1', linkId: 'la', name: 'a', hash: 'h1', start: 'clt_1' },
    { id: 't2', linkId: 'la', name: 'b', hash: 'h2', start: 'clt_2' },
    { id: 't3', linkId: 'la', name: 'c', hash: 'h3', start: 'clt_3', revokedAt: now },
    { id: 't4', linkId: 'lb', name: 'd', hash: 'h4', start: 'clt_4' },
  ]);
  const a = owner!.id;
  await db.insert(usageRecords).values([
    usage(a, 'la', { endUser: 'alice', latencyMs: 10, requestBytes: 100, responseBytes: 1000, inputTokens: 5, outputTokens: 7 }),
    usage(a, 'la', { endUser: 'alice', latencyMs: 20, requestBytes: 100, responseBytes: 1000, inputTokens: 5, outputTokens: 7 }),
    usage(a, 'la', { endUser: 'alice', latencyMs: 30, status: 429, requestBytes: 100 }),
    usage(a, 'la', { endUser: 'bob', latencyMs: 40, status: 502 }),
    usage(a, 'la', { latencyMs: 50 }),
    // 5 000 000 000 bytes: beyond int4, as bigint sums come back
    usage(a, 'la', { latencyMs: 60, responseBytes: 5_000_000_000 }),
    // Too old, and another account's usage recorded against the same link id: never counted.
    usage(a, 'la', { endUser: 'alice', createdAt: new Date(since.getTime() - 1), latencyMs: 999 }),
    usage(other!.id, 'la', { endUser: 'mallory', latencyMs: 999 }),
    usage(a, 'lb', { status: 404, latencyMs: 7 }),
  ]);
  return { owner: owner!.id };
}

function suite(label: string, open: () => Promise<MigratedDatabase>) {
  describe(`link usage on ${label}`, () => {
    let database: MigratedDatabase;
    let owner: string;
    beforeAll(async () => {
      database = await open();
      ({ owner } = await seed(database.db));
    });
    afterAll(() => database?.done());

    it('totals per link: requests, errors, median latency, bytes and tokens', async () => {
      const totals = await linkUsageTotals(database.db.db, owner, ['la', 'lb', 'lx', 'none'], since);
      expect(totals.get('la')).toEqual({
        requests: 6,
        errors: 2,
        p50LatencyMs: 35,
        requestBytes: 300,
        responseBytes: 5_000_002_000,
        inputTokens: 10,
        outputTokens: 14,
      });
      expect(totals.get('lb')).toMatchObject({ requests: 1, errors: 1, p50LatencyMs: 7 });
      expect(totals.has('lx')).toBe(false);
      expect(await linkUsageTotals(database.db.db, owner, [], since)).toEqual(new Map());
    });

    it('top end users of a link, busiest first, without anonymous requests', async () => {
      const rows = await linkEndUserUsage(database.db.db, owner, 'la', since);
      expect(rows.map((row) => [row.endUser, row.requests, row.errors, row.p50LatencyMs])).toEqual([
        ['alice', 3, 1, 20],
        ['bob', 1, 1, 40],
      ]);
      expect(rows[0]).toMatchObject({ requestBytes: 300, responseBytes: 2000, inputTokens: 10, outputTokens: 14 });
      expect(await linkEndUserUsage(database.db.db, owner, 'la', since, 1)).toHaveLength(1);
    });

    it('counts only active tokens', async () => {
      expect(await activeTokenCounts(database.db.db, ['la', 'lb', 'lx'])).toEqual(new Map([['la', 2], ['lb', 1]]));
    });
  });
}

for (const engine of testEngines()) suite(engine.label, engine.open);
