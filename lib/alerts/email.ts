import 'server-only';
import { getDb } from '@/db';
import { findUserById } from '@/db/queries/users';
import type { NotificationRow } from '@/db/schema';
import { alertsMail } from '@/lib/email/messages';
import { configuredOrigin } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';

/**
 * Alerts by email, for accounts that turned them on (alert_settings.email_alerts): one message per
 * account and drain pass with every alert that fired in it, like the webhook. The drain runs
 * outside any request, so the link to the dashboard is on AUTH_URL — and left out without it
 * rather than pointing at a guessed host.
 */
export async function mailAlerts(userId: string, rows: readonly NotificationRow[]): Promise<void> {
  if (rows.length === 0) return;
  const user = await findUserById(await getDb(), userId);
  if (!user) return;
  const origin = configuredOrigin();
  queueMail('alerts', alertsMail(user.email, rows.map((row) => row.message), origin ? `${origin}/notifications` : undefined));
}
