import 'server-only';
import { and, count, eq, gte, isNull, lt, notInArray, or } from 'drizzle-orm';
import type { Database } from '../open';
import { usageRecords } from '../schema';

/**
 * How many requests of a link counted against its monthly cap between `start` and `end`: its usage
 * records, but for refusals that came before the cap was counted (`notCounted`, their codes).
 * From the raw records — the rollups keep no error code — which retention keeps for at least 31
 * days, a whole month; one index range (usage_records_link_idx). Used to rebuild the cap's counter
 * when Redis lost it (lib/proxy/limits.ts).
 */
export async function linkRequestsCounted(db: Database, linkId: string, start: Date, end: Date, notCounted: readonly string[]): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(usageRecords)
    .where(
      and(
        eq(usageRecords.linkId, linkId),
        gte(usageRecords.createdAt, start),
        lt(usageRecords.createdAt, end),
        or(isNull(usageRecords.errorCode), notInArray(usageRecords.errorCode, [...notCounted])),
      ),
    );
  return Number(row?.n ?? 0);
}
