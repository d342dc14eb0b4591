import 'server-only';
import { getDb } from '@/db';
import { accountActivity, gettingStarted, topSpenders, type Activity, type GettingStarted, type TopItem } from '@/db/queries/overview';
import { loadCreditBalance } from '@/lib/billing/credit';
import { currentSpendWindows } from '@/lib/limits/windows';

/**
 * Everything the overview shows about an account, read side by side: spend in the spending
 * limits' own windows (so "today" here is the "today" a daily limit counts), the last 24 hours'
 * traffic, the month's top keys and links, the credit balance and the getting-started checklist.
 */
export interface Overview {
  activity: Activity;
  topKeys: TopItem[];
  topLinks: TopItem[];
  creditMicros: number;
  checklist: GettingStarted;
}

const DAY_MS = 86_400_000;

export async function loadOverview(accountId: string, now = new Date()): Promise<Overview> {
  const db = await getDb();
  const windows = currentSpendWindows(now);
  const monthStart = windows.month.start;
  const [activity, topKeys, topLinks, creditMicros, checklist] = await Promise.all([
    accountActivity(db, accountId, windows, new Date(now.getTime() - DAY_MS)),
    topSpenders(db, accountId, 'key', monthStart),
    topSpenders(db, accountId, 'link', monthStart),
    loadCreditBalance(accountId),
    gettingStarted(db, accountId),
  ]);
  return { activity, topKeys, topLinks, creditMicros, checklist };
}
