import 'server-only';
import { and, count, desc, eq, gte, inArray, isNotNull, isNull, sql, type AnyColumn } from 'drizzle-orm';
import type { Database } from '../open';
import { linkTokens, usageRecords } from '../schema';

/**
 * What the links pages show about traffic: totals per link and the busiest end users of one
 * link, over a window (the pages use the last 30 days). Plain aggregate SQL that PGlite and
 * PostgreSQL both run. Every figure is cast to float8 and mapped with Number: sums of bigint
 * are numeric and count(*) is bigint, which the two drivers would return as strings (or
 * BigInt) — numbers this size are exact in a double anyway.
 */

export interface UsageFigures {
  requests: number;
  /** Answers with status ≥ 400, refusals by the proxy included. */
  errors: number;
  /** Median latency; null without requests. */
  p50LatencyMs: number | null;
  requestBytes: number;
  responseBytes: number;
  inputTokens: number;
  outputTokens: number;
}

export const NO_USAGE: UsageFigures = {
  requests: 0,
  errors: 0,
  p50LatencyMs: null,
  requestBytes: 0,
  responseBytes: 0,
  inputTokens: 0,
  outputTokens: 0,
};

const total = (column: AnyColumn) =>
  sql<number>`coalesce(sum(${column}), 0)::float8`.mapWith(Number);

const figures = {
  requests: sql<number>`count(*)::float8`.mapWith(Number),
  errors: sql<number>`(count(*) filter (where ${usageRecords.status} >= 400))::float8`.mapWith(Number),
  p50LatencyMs: sql<number | null>`percentile_cont(0.5) within group (order by ${usageRecords.latencyMs})::float8`,
  requestBytes: total(usageRecords.requestBytes),
  responseBytes: total(usageRecords.responseBytes),
  inputTokens: total(usageRecords.inputTokens),
  outputTokens: total(usageRecords.outputTokens),
};

function toFigures(row: Record<keyof UsageFigures, unknown>): UsageFigures {
  const p50 = row.p50LatencyMs;
  return {
    requests: Number(row.requests),
    errors: Number(row.errors),
    p50LatencyMs: p50 === null || p50 === undefined ? null : Number(p50),
    requestBytes: Number(row.requestBytes),
    responseBytes: Number(row.responseBytes),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
  };
}

/**
 * Totals per link since `since`, for links of `userId` (the owner is matched as well as the
 * link id: usage of another account can never be summed in). Links without traffic are absent.
 */
export async function linkUsageTotals(db: Database, userId: string, linkIds: readonly string[], since: Date): Promise<Map<string, UsageFigures>> {
  if (linkIds.length === 0) return new Map();
  const rows = await db
    .select({ linkId: usageRecords.linkId, ...figures })
    .from(usageRecords)
    .where(and(inArray(usageRecords.linkId, [...linkIds]), eq(usageRecords.userId, userId), gte(usageRecords.createdAt, since)))
    .groupBy(usageRecords.linkId);
  return new Map(rows.map((row) => [row.linkId!, toFigures(row)]));
}

export interface EndUserUsage extends UsageFigures {
  endUser: string;
}

/** The link's busiest end users (named by their JWTs) since `since`, most requests first. */
export async function linkEndUserUsage(db: Database, userId: string, linkId: string, since: Date, limit = 20): Promise<EndUserUsage[]> {
  const rows = await db
    .select({ endUser: usageRecords.endUser, ...figures })
    .from(usageRecords)
    .where(
      and(eq(usageRecords.linkId, linkId), eq(usageRecords.userId, userId), gte(usageRecords.createdAt, since), isNotNull(usageRecords.endUser)),
    )
    .groupBy(usageRecords.endUser)
    .orderBy(desc(sql`count(*)`), usageRecords.endUser)
    .limit(limit);
  return rows.map((row) => ({ endUser: row.endUser!, ...toFigures(row) }));
}

/** Active (unrevoked) access tokens per link, for the links list. Links without any are absent. */
export async function activeTokenCounts(db: Database, linkIds: readonly string[]): Promise<Map<string, number>> {
  if (linkIds.length === 0) return new Map();
  const rows = await db
    .select({ linkId: linkTokens.linkId, n: count() })
    .from(linkTokens)
    .where(and(inArray(linkTokens.linkId, [...linkIds]), isNull(linkTokens.revokedAt)))
    .groupBy(linkTokens.linkId);
  return new Map(rows.map((row) => [row.linkId, Number(row.n)]));
}
