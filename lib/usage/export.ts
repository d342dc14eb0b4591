import 'server-only';
import { getDb } from '@/db';
import { dimensionNames } from '@/db/queries/usage-analytics';
import { listRequests, type LogCursor } from '@/db/queries/request-log';
import type { UsageRow } from '@/db/schema';
import { microsToDollarString } from '@/lib/money';
import { describeAttempts } from './attempts';
import { csvLine } from './csv';
import type { ResolvedFilters } from './filters';

/**
 * The CSV export of the request log: a ReadableStream that reads one keyset page per pull, so
 * only one page (EXPORT_PAGE rows) is in memory however many rows the filters select, and a slow
 * client slows the reads down instead of piling rows up (the stream's high-water mark is 0 pages).
 */

export const EXPORT_PAGE = 2_000;

export const CSV_COLUMNS = [
  'time_utc',
  'request_id',
  'key_id',
  'key_name',
  'link_id',
  'link_name',
  'end_user',
  'model',
  'provider',
  'operation',
  'status',
  'error_code',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'cost_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'request_bytes',
  'response_bytes',
  'attempts',
] as const;

function toLine(row: UsageRow, names: { keys: Map<string, string>; links: Map<string, string> }): string {
  return csvLine([
    row.createdAt.toISOString(),
    row.requestId,
    row.keyId,
    row.keyId ? (names.keys.get(row.keyId) ?? null) : null,
    row.linkId,
    row.linkId ? (names.links.get(row.linkId) ?? null) : null,
    row.endUser,
    row.model,
    row.provider,
    row.operation,
    row.status,
    row.errorCode,
    row.inputTokens,
    row.cachedInputTokens,
    row.outputTokens,
    microsToDollarString(row.costMicros),
    row.latencyMs,
    row.ttftMs,
    row.stream,
    row.requestBytes,
    row.responseBytes,
    describeAttempts(row.attempts),
  ]);
}

export function exportRequestsCsv(userId: string, filters: ResolvedFilters, pageSize = EXPORT_PAGE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: LogCursor | undefined;
  let names: Awaited<ReturnType<typeof dimensionNames>> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        names = await dimensionNames(await getDb(), userId);
        controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
      },
      async pull(controller) {
        const rows = await listRequests(await getDb(), userId, filters, cursor, pageSize);
        if (rows.length > 0) {
          controller.enqueue(encoder.encode(rows.map((row) => toLine(row, names!)).join('')));
          const last = rows[rows.length - 1]!;
          cursor = { createdAt: last.createdAt, requestId: last.requestId };
        }
        if (rows.length < pageSize) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
