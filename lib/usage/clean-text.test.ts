import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, isCleanText } from './clean-text';
import { usageRecord } from './fixtures';
import { hostileString } from '@/lib/testing/hostile-strings';
import { cleanRecord, TEXT_BOUNDS, usageRecordSchema } from './record';

const bound = fc.constantFrom(0, 1, 2, 100, 200, 256);

describe('cleanText', () => {
  it('turns lone surrogates into U+FFFD, drops NUL, and keeps everything else', () => {
    expect(cleanText('\ud800', 10)).toBe('\ufffd');
    expect(cleanText('a\udc00b\ud800', 10)).toBe('a\ufffdb\ufffd');
    expect(cleanText('\udc00\ud800', 10)).toBe('\ufffd\ufffd'); // a pair the wrong way round is two lone halves
    expect(cleanText('ali\u0000ce', 10)).toBe('alice');
    expect(cleanText('😀 \u202eevil\u2069 \u0001', 20)).toBe('😀 \u202eevil\u2069 \u0001');
    expect(cleanText('\\u0000', 10)).toBe('\\u0000');
  });

  it('cuts at the bound without leaving half of a surrogate pair', () => {
    expect(cleanText('abc', 2)).toBe('ab');
    expect(cleanText('a😀', 2)).toBe('a');
    expect(cleanText('😀😀', 3)).toBe('😀');
    expect(cleanText('😀', 1)).toBe('');
    expect(cleanText('x'.repeat(1024 * 1024), 256)).toHaveLength(256);
  });

  it('returns the very same string when there is nothing to fix', () => {
    const text = 'gpt-4o-mini';
    expect(cleanText(text, 200)).toBe(text);
    expect(isCleanText(text, 200)).toBe(true);
    expect(isCleanText('\ud800', 200)).toBe(false);
    expect(isCleanText('a\u0000', 200)).toBe(false);
    expect(isCleanText('abc', 2)).toBe(false);
  });

  it('property: well-formed, no NUL, within the bound, a prefix of the repaired input, idempotent, JSON round-trips', () => {
    fc.assert(
      fc.property(hostileString, bound, (input, max) => {
        const out = cleanText(input, max);
        expect(out.isWellFormed()).toBe(true);
        expect(out.includes('\u0000')).toBe(false);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(input.toWellFormed().replaceAll('\u0000', '').startsWith(out)).toBe(true);
        expect(cleanText(out, max)).toBe(out);
        expect(isCleanText(out, max)).toBe(true);
        // What PostgreSQL's json parser sees: no \ud800-style escape, no \u0000 (an escaped
        // backslash followed by "u…" is text, hence the even run of backslashes before).
        const json = JSON.stringify(out);
        expect(json).not.toMatch(/(^|[^\\])(\\\\)*\\u(d[89a-f][0-9a-f]{2}|0000)/i);
        expect(JSON.parse(json)).toBe(out);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

const hostileRecord = fc
  .record({ model: hostileString, endUser: hostileString, errorCode: hostileString, provider: hostileString, operation: hostileString, linkId: hostileString, keyId: hostileString })
  .map((fields) => usageRecord(fields));

describe('cleanRecord (producers) and the record schema (the drain)', () => {
  it('leaves a clean record alone, without copying it', () => {
    const record = usageRecord({ endUser: 'alice', errorCode: 'rate_limited' });
    expect(cleanRecord(record)).toBe(record);
  });

  it('cleans every text field to its bound, and does not touch the caller’s object', () => {
    const record = usageRecord({ model: `\udc00${'m'.repeat(500)}`, endUser: '\ud800', errorCode: 'e'.repeat(101) });
    const cleaned = cleanRecord(record);
    expect(cleaned).toEqual({ ...record, model: `\ufffd${'m'.repeat(199)}`, endUser: '\ufffd', errorCode: 'e'.repeat(100) });
    expect(record.endUser).toBe('\ud800');
  });

  it('property: the drain reads back exactly what a producer queued, and cleans what an older producer queued as sent', () => {
    fc.assert(
      fc.property(hostileRecord, (record) => {
        const queued = cleanRecord(record);
        expect(usageRecordSchema.parse(JSON.parse(JSON.stringify(queued)))).toEqual(queued);
        expect(usageRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(queued);
        for (const [field, max] of Object.entries(TEXT_BOUNDS)) {
          const value = queued[field as keyof typeof TEXT_BOUNDS];
          if (value !== null) expect(isCleanText(value, max)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('refuses (rather than rewrites) a request id that is not clean text, and a date PostgreSQL cannot read', () => {
    expect(usageRecordSchema.safeParse(usageRecord({ requestId: 'req_\ud800' })).success).toBe(false);
    expect(usageRecordSchema.safeParse(usageRecord({ requestId: 'req_\u0000' })).success).toBe(false);
    expect(usageRecordSchema.safeParse(usageRecord({ createdAt: Date.UTC(10_000, 0, 1) })).success).toBe(false);
    expect(usageRecordSchema.safeParse(usageRecord({ createdAt: Date.UTC(9999, 11, 31) })).success).toBe(true);
  });
});
