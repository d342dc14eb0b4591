import 'server-only';
import { getDb } from '@/db';
import { accountWindowSpend, creditState, insertNotifications, keyLimits, keyWindowSpend, setWebhookStatus, settingsOf } from '@/db/queries/alerts';
import type { NotificationRow } from '@/db/schema';
import { randomId } from '@/lib/keys/secret';
import { windowStart, type SpendWindow } from '@/lib/limits/windows';
import { mailAlerts } from './email';
import { creditMessage, DEFAULT_CREDIT_ALERT_MICROS, dueSpendAlerts } from './thresholds';
import { deliverWebhook } from './webhook';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'alerts' });

/**
 * Spending alerts, evaluated by the drain after each batch for the keys and accounts whose usage
 * it just stored — never on the request path. Spend comes from the hourly rollups (what has been
 * drained), credit from the ledger. Every due alert is INSERTed with ON CONFLICT DO NOTHING on
 * (subject, window, window start, threshold): of any number of concurrent evaluations, exactly
 * one inserts each row, and only the inserted rows notify (in-app, by webhook when set, by email
 * when turned on).
 */

type Pending = Omit<NotificationRow, 'read' | 'webhookStatus' | 'createdAt'>;

export interface Touched {
  keyIds: readonly string[];
  userIds: readonly string[];
}

type Registry = typeof globalThis & { [DELIVERIES]?: Set<Promise<void>> };
const DELIVERIES = Symbol.for('conduit.alerts.deliveries');
const deliveries = ((globalThis as Registry)[DELIVERIES] ??= new Set());

/** Resolves when the webhook deliveries started so far have ended (tests, shutdown). */
export async function webhooksSettled(): Promise<void> {
  while (deliveries.size > 0) await Promise.all([...deliveries]);
}

export async function evaluateAlerts(touched: Touched, now = new Date()): Promise<NotificationRow[]> {
  if (touched.keyIds.length === 0 && touched.userIds.length === 0) return [];
  const db = await getDb();
  const starts = { day: windowStart('day', now), week: windowStart('week', now), month: windowStart('month', now) };
  const [limits, keySpend, accountSpend, settings, credit] = await Promise.all([
    keyLimits(db, touched.keyIds),
    keyWindowSpend(db, touched.keyIds, starts),
    accountWindowSpend(db, touched.userIds, starts),
    settingsOf(db, touched.userIds),
    creditState(db, touched.userIds),
  ]);

  const pending: Pending[] = [];
  const spendRow = (userId: string, subject: string, due: ReturnType<typeof dueSpendAlerts>[number]): Pending => ({
    id: randomId('ntf'),
    userId,
    kind: 'spend',
    subject,
    window: due.window,
    windowStart: starts[due.window as SpendWindow],
    threshold: due.threshold,
    amountMicros: due.spent,
    limitMicros: due.limit,
    message: due.message,
  });
  for (const key of limits) {
    const spend = keySpend.get(key.id) ?? { day: 0, week: 0, month: 0 };
    for (const due of dueSpendAlerts(`Key “${key.name}”`, spend, key)) pending.push(spendRow(key.userId, `key:${key.id}`, due));
  }
  for (const userId of touched.userIds) {
    const s = settings.get(userId);
    const spend = accountSpend.get(userId) ?? { day: 0, week: 0, month: 0 };
    const budgets = { day: s?.budgetDayMicros ?? null, week: s?.budgetWeekMicros ?? null, month: s?.budgetMonthMicros ?? null };
    for (const due of dueSpendAlerts('Your account', spend, budgets)) pending.push(spendRow(userId, `account:${userId}`, due));

    const threshold = s ? s.creditThresholdMicros : DEFAULT_CREDIT_ALERT_MICROS;
    const state = credit.get(userId);
    if (threshold !== null && state && state.balance < threshold) {
      pending.push({
        id: randomId('ntf'),
        userId,
        kind: 'credit',
        subject: `account:${userId}`,
        window: 'credit',
        // Once per top-up: crediting the account again re-arms the alert.
        windowStart: state.lastTopUp,
        threshold: 0,
        amountMicros: state.balance,
        limitMicros: threshold,
        message: creditMessage(state.balance, threshold),
      });
    }
  }

  const fired = await insertNotifications(db, pending);
  for (const [userId, rows] of groupBy(fired, (row) => row.userId)) {
    const s = settings.get(userId);
    // Best effort, like the webhook: the notifications are stored whatever the mail does.
    await mailAlerts(userId, rows).catch((error: unknown) => log.error({ err: error }, 'could not mail the alerts'));
    if (!s?.webhookUrl) continue;
    const delivery = deliver(s.webhookUrl, s.webhookSecret, rows).finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
  }
  return fired;
}

/** One POST per account and batch, carrying every notification that fired in it. */
async function deliver(url: string, secret: string, rows: NotificationRow[]): Promise<void> {
  const payload = {
    type: 'conduit.alerts',
    created: new Date().toISOString(),
    alerts: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      subject: row.subject,
      window: row.window,
      window_start: row.windowStart.toISOString(),
      threshold_percent: row.kind === 'spend' ? row.threshold : null,
      amount_micros: row.amountMicros,
      limit_micros: row.limitMicros,
      message: row.message,
    })),
  };
  const status = await deliverWebhook(url, secret, payload);
  if (status !== 'sent') log.warn({ status }, 'alert webhook not delivered');
  await setWebhookStatus(await getDb(), rows.map((row) => row.id), status).catch((error: unknown) => log.error({ err: error }, 'could not record the webhook status'));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
