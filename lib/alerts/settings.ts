import 'server-only';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { setMemberEmailAlerts } from '@/db/queries/organizations';
import { alertSettings, memberships, type AlertSettingsRow } from '@/db/schema';
import type { Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';
import { can } from '@/lib/orgs/permissions';
import { optionalDollarsSchema } from '@/lib/money';
import { DEFAULT_CREDIT_ALERT_MICROS } from './thresholds';
import { checkWebhookUrl, newWebhookSecret } from './webhook';

/**
 * An organization's alert settings, read with defaults and saved from the notifications page's
 * form — and, per member, whether its alerts also go to that member's address (anyone may opt in
 * or out; only roles with alerts.manage change the rest).
 */

export const alertSettingsSchema = z.object({
  webhookUrl: z
    .string()
    .trim()
    .max(2048)
    .transform((value, ctx) => {
      if (value === '') return null;
      const checked = checkWebhookUrl(value);
      if (!checked.ok) ctx.addIssue({ code: 'custom', message: `Not allowed: ${checked.reason}` });
      return value;
    }),
  creditThreshold: optionalDollarsSchema,
  budgetDay: optionalDollarsSchema,
  budgetWeek: optionalDollarsSchema,
  budgetMonth: optionalDollarsSchema,
  /** A checkbox: sent as "on" when ticked, absent otherwise. */
  emailAlerts: z
    .enum(['on', 'off'], { error: 'Tick the box or leave it empty.' })
    .default('off')
    .transform((value) => value === 'on'),
});
export type AlertSettingsInput = z.infer<typeof alertSettingsSchema>;

export interface AlertSettingsView {
  webhookUrl: string | null;
  webhookSecret: string | null;
  emailAlerts: boolean;
  creditThresholdMicros: number | null;
  budgets: { day: number | null; week: number | null; month: number | null };
}

export async function getAlertSettings(accountId: string, memberId: string): Promise<AlertSettingsView> {
  const db = await getDb();
  const [[row], [member]] = await Promise.all([
    db.select().from(alertSettings).where(eq(alertSettings.userId, accountId)),
    db
      .select({ emailAlerts: memberships.emailAlerts })
      .from(memberships)
      .where(and(eq(memberships.organizationId, accountId), eq(memberships.userId, memberId))),
  ]);
  return view(row, member?.emailAlerts ?? false);
}

function view(row: AlertSettingsRow | undefined, emailAlerts: boolean): AlertSettingsView {
  return {
    webhookUrl: row?.webhookUrl ?? null,
    webhookSecret: row?.webhookSecret ?? null,
    emailAlerts,
    creditThresholdMicros: row ? row.creditThresholdMicros : DEFAULT_CREDIT_ALERT_MICROS,
    budgets: { day: row?.budgetDayMicros ?? null, week: row?.budgetWeekMicros ?? null, month: row?.budgetMonthMicros ?? null },
  };
}

/**
 * Saves the member's email opt-in, and (for roles with alerts.manage) upserts the organization's
 * settings; the webhook secret is made once and kept across saves.
 */
export async function saveAlertSettings(actor: Actor, input: AlertSettingsInput): Promise<AlertSettingsView> {
  const db = await getDb();
  await setMemberEmailAlerts(db, actor.accountId, actor.userId, input.emailAlerts);
  if (!can(actor.role, 'alerts.manage')) return getAlertSettings(actor.accountId, actor.userId);
  const values = {
    webhookUrl: input.webhookUrl,
    creditThresholdMicros: input.creditThreshold,
    budgetDayMicros: input.budgetDay,
    budgetWeekMicros: input.budgetWeek,
    budgetMonthMicros: input.budgetMonth,
    updatedAt: new Date(),
  };
  const row = await db.transaction(async (tx) => {
    const [saved] = await tx
      .insert(alertSettings)
      .values({ userId: actor.accountId, webhookSecret: newWebhookSecret(), ...values })
      .onConflictDoUpdate({ target: alertSettings.userId, set: values })
      .returning();
    await recordAudit(tx, actor, 'alerts.updated', undefined, { webhook: Boolean(input.webhookUrl) });
    return saved;
  });
  return view(row, input.emailAlerts);
}
