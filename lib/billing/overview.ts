import 'server-only';
import { getDb } from '@/db';
import { ensureBillingAccount, findBillingAccount, latestAutoTopUp, ledgerHistory, updateAutoTopUpSettings } from '@/db/queries/billing';
import type { Micros } from '@/lib/money';
import { checkAutoTopUps } from './auto-top-up';
import { loadCreditBalance } from './credit';
import { stripeConfigured } from './stripe';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';

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
export async function saveAutoTopUpSettings(actor: Actor, settings: AutoTopUpSettings): Promise<void> {
  assertCan(actor, 'billing.manage');
  const accountId = actor.accountId;
  const db = await getDb();
  await ensureBillingAccount(db, accountId);
  await db.transaction(async (tx) => {
    await updateAutoTopUpSettings(tx, accountId, settings.enabled
      ? { enabled: true, thresholdMicros: settings.thresholdMicros, amountMicros: settings.amountMicros }
      : { enabled: false, thresholdMicros: null, amountMicros: null });
    await recordAudit(tx, actor, settings.enabled ? 'billing.auto_top_up_on' : 'billing.auto_top_up_off', undefined, settings.enabled ? { thresholdMicros: settings.thresholdMicros, amountMicros: settings.amountMicros } : undefined);
  });
  if (settings.enabled) await checkAutoTopUps([accountId]);
}
