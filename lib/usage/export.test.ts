import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from './fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { apiKeys } = await import('@/db/schema');
const { drainAll, dropTestQueues, enqueueAll, freshQueue, seededRandom } = await import('./drain-testing');
const { CSV_COLUMNS, exportRequestsCsv } = await import('./export');
const { resolveFilters, usageFiltersSchema } = await import('./filters');
type UsageRecord = import('./record').UsageRecord;

const userId = `user_${randomUUID()}`;
const otherUser = `user_${randomUUID()}`;
const NOW = Date.now();
let records: UsageRecord[] = [];

/** RFC 4180 parser, independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else cell += c;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return rows;
}

async function exportText(query: Record<string, string>, pageSize?: number): Promise<string[][]> {
  const filters = resolveFilters(usageFiltersSchema.parse(query), 'UTC', new Date(NOW + 1_000));
  return parseCsv(await new Response(exportRequestsCsv(userId, filters, pageSize)).text());
}

const TRICKY = ['plain', 'has,comma', 'has "quotes"', 'line\nbreak', '=HYPERLINK("http://evil")', '+1', '-2+3', '@SUM(A1)', '\tTAB'];

beforeAll(async () => {
  const db = await getDb();
  await insertPeople(db, [
    { id: userId, email: `export-${userId}@example.com` },
    { id: otherUser, email: `export-${otherUser}@example.com` },
  ]);
  await db.insert(apiKeys).values({ id: 'key_export_a', userId, name: 'Prod, "main"', hash: randomUUID(), start: 'condt_x' });
  const random = seededRandom(11);
  records = Array.from({ length: 230 }, (_, i) =>
    usageRecord({
      userId: i % 23 === 0 ? otherUser : userId,
      keyId: i % 3 === 0 ? null : i % 2 ? 'key_export_a' : 'key_export_b',
      linkId: i % 3 === 0 ? 'link_export' : null,
      model: i % 4 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
      endUser: i % 5 === 0 ? null : TRICKY[i % TRICKY.length]!,
      status: [200, 200, 429, 502][i % 4]!,
      costMicros: Math.floor(random() * 3_000_000),
      latencyMs: Math.floor(random() * 5_000),
      // Some were served by a fallback model after failed attempts.
      attempts:
        i % 7 === 0
          ? [
              { model: 'gpt-4o', provider: 'openai', status: null, errorCode: 'upstream_timeout', latencyMs: 1500 },
              { model: 'gpt-4o-mini', provider: 'openai', status: 200, errorCode: null, latencyMs: 300 },
            ]
          : null,
      // Some share a millisecond: the keyset must break ties by request id, losing none.
      createdAt: NOW - Math.floor(i / 3) * 60_000 * 7,
    }),
  );
  const queue = freshQueue();
  await enqueueAll(queue, records);
  await drainAll(queue, 'export-test');
});

afterAll(async () => {
  await dropTestQueues();
  await services.cleanup();
});

describe(`CSV export on ${services.label}`, () => {
  it('streams exactly the filtered rows of the account, newest first, across keyset pages', async () => {
    const rows = await exportText({ range: '7d', key: 'key_export_a', status: '2xx' }, 7);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const expected = records
      .filter((r) => r.userId === userId && r.keyId === 'key_export_a' && r.status < 300 && r.createdAt > NOW - 7 * 86_400_000)
      .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : -1));
    expect(expected.length).toBeGreaterThan(20);
    const body = rows.slice(1);
    expect(body.map((r) => r[1])).toEqual(expected.map((r) => r.requestId));
    const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    for (const [i, record] of expected.entries()) {
      const row = body[i]!;
      expect(row[column('time_utc')]).toBe(new Date(record.createdAt).toISOString());
      expect(row[column('key_name')]).toBe('Prod, "main"');
      expect(row[column('status')]).toBe(String(record.status));
      expect(Math.round(Number(row[column('cost_usd')]) * 1_000_000)).toBe(record.costMicros);
      expect(row[column('latency_ms')]).toBe(String(record.latencyMs));
      const endUser = record.endUser === null ? '' : /^[=+\-@\t]/.test(record.endUser) ? `'${record.endUser}` : record.endUser;
      expect(row[column('end_user')]).toBe(endUser);
      expect(row[column('attempts')]).toBe(record.attempts ? 'gpt-4o upstream_timeout → gpt-4o-mini 200' : '');
    }
    expect(expected.some((record) => record.attempts)).toBe(true);
  });

  it('guards cells that a spreadsheet would run as formulas, and keeps commas, quotes and line breaks in their cell', async () => {
    const rows = await exportText({ range: '30d' });
    const endUsers = new Set(rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('end_user')]));
    for (const value of ['has,comma', 'has "quotes"', 'line\nbreak', 'plain']) expect(endUsers).toContain(value);
    for (const value of ['=HYPERLINK("http://evil")', '+1', '-2+3', '@SUM(A1)', '\tTAB']) {
      expect(endUsers).toContain(`'${value}`);
      expect(endUsers).not.toContain(value);
    }
    expect(rows.length - 1).toBe(records.filter((r) => r.userId === userId && r.createdAt > NOW - 30 * 86_400_000).length);
  });

  it('an empty selection is the header line alone', async () => {
    expect(await exportText({ range: '24h', model: 'no-such-model' })).toEqual([[...CSV_COLUMNS]]);
  });
});
