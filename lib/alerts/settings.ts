import 'server-only';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { alertSettings, type AlertSettingsRow } from '@/db/schema';
import { optionalDollarsSchema } from '@/lib/money';
import { DEFAULT_CREDIT_ALERT_MICROS } from './thresholds';
import { checkWebhookUrl, newWebhookSecret } from './webhook';

/** An account's alert settings: read with defaults, saved from the notifications page's form. */

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

export async function getAlertSettings(userId: string): Promise<AlertSettingsView> {
  const db = await getDb();
  const [row] = await db.select().from(alertSettings).where(eq(alertSettings.userId, userId));
  return view(row);
}

function view(row: AlertSettingsRow | undefined): AlertSettingsView {
  return {
    webhookUrl: row?.webhookUrl ?? null,
    webhookSecret: row?.webhookSecret ?? null,
    emailAlerts: row?.emailAlerts ?? false,
    creditThresholdMicros: row ? row.creditThresholdMicros : DEFAULT_CREDIT_ALERT_MICROS,
    budgets: { day: row?.budgetDayMicros ?? null, week: row?.budgetWeekMicros ?? null, month: row?.budgetMonthMicros ?? null },
  };
}

/** Upserts the settings; the webhook secret is made once and kept across saves. */
export async function saveAlertSettings(userId: string, input: AlertSettingsInput): Promise<AlertSettingsView> {
  const db = await getDb();
  const values = {
    webhookUrl: input.webhookUrl,
    emailAlerts: input.emailAlerts,
    creditThresholdMicros: input.creditThreshold,
    budgetDayMicros: input.budgetDay,
    budgetWeekMicros: input.budgetWeek,
    budgetMonthMicros: input.budgetMonth,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(alertSettings)
    .values({ userId, webhookSecret: newWebhookSecret(), ...values })
    .onConflictDoUpdate({ target: alertSettings.userId, set: values })
    .returning();
  return view(row);
}
