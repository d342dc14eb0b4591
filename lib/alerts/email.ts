import 'server-only';
import { getDb } from '@/db';
import { alertRecipients } from '@/db/queries/organizations';
import type { NotificationRow } from '@/db/schema';
import { alertsMail } from '@/lib/email/messages';
import { configuredOrigin } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';

/**
 * Alerts by email, to each member of the organization who turned them on (memberships.email_alerts):
 * one message per member and drain pass with every alert that fired in it, like the webhook. The
 * drain runs outside any request, so the link to the dashboard is on AUTH_URL — and left out
 * without it rather than pointing at a guessed host.
 */
export async function mailAlerts(accountId: string, rows: readonly NotificationRow[]): Promise<void> {
  if (rows.length === 0) return;
  const recipients = await alertRecipients(await getDb(), accountId);
  const origin = configuredOrigin();
  const messages = rows.map((row) => row.message);
  for (const email of recipients) queueMail('alerts', alertsMail(email, messages, origin ? `${origin}/notifications` : undefined));
}
