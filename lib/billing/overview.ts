import 'server-only';
import { getDb } from '@/db';
import { ensureBillingAccount, findBillingAccount, latestAutoTopUp, ledgerHistory, updateAutoTopUpSettings } from '@/db/queries/billing';
import type { Micros } from '@/lib/money';
import { checkAutoTopUps } from './auto-top-up';
import { loadCreditBalance } from './credit';
import { stripeConfigured } from './stripe';

/** Everything the billing page shows, read in one place. */
export async function billingOverview(userId: string) {
  const db = await getDb();
  const [balance, account, lastAutoTopUp, history] = await Promise.all([
    loadCreditBalance(userId),
    findBillingAccount(db, userId),
    latestAutoTopUp(db, userId),
    ledgerHistory(db, userId),
  ]);
  return { configured: stripeConfigured(), balance, account: account ?? null, lastAutoTopUp: lastAutoTopUp ?? null, history };
}

export type AutoTopUpSettings = { enabled: false } | { enabled: true; thresholdMicros: Micros; amountMicros: Micros };

/**
 * Saves the automatic top-up settings; saving also lifts the pause after a failed attempt. When
 * the balance is already under the new threshold, the first top-up is tried right away.
 */
export async function saveAutoTopUpSettings(userId: string, settings: AutoTopUpSettings): Promise<void> {
  const db = await getDb();
  await ensureBillingAccount(db, userId);
  await updateAutoTopUpSettings(db, userId, settings.enabled
    ? { enabled: true, thresholdMicros: settings.thresholdMicros, amountMicros: settings.amountMicros }
    : { enabled: false, thresholdMicros: null, amountMicros: null });
  if (settings.enabled) await checkAutoTopUps([userId]);
}
