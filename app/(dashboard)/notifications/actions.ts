'use server';

import { revalidatePath } from 'next/cache';
import { getDb } from '@/db';
import { markAllRead } from '@/db/queries/alerts';
import { alertSettingsSchema, saveAlertSettings } from '@/lib/alerts/settings';
import { fieldErrors, type FieldErrors } from '@/lib/auth/credentials-schema';
import { requireMember } from '@/lib/orgs/session';
import type { AlertSettingsValues } from './_components/alert-settings-form';

export interface AlertSettingsFormState {
  errors?: FieldErrors;
  /** On a refusal, what was typed, so every field shows it again next to its error. */
  values?: AlertSettingsValues;
  success?: string;
}

const typed = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

function typedValues(formData: FormData): AlertSettingsValues {
  return {
    webhookUrl: typed(formData, 'webhookUrl'),
    creditThreshold: typed(formData, 'creditThreshold'),
    budgetDay: typed(formData, 'budgetDay'),
    budgetWeek: typed(formData, 'budgetWeek'),
    budgetMonth: typed(formData, 'budgetMonth'),
    emailAlerts: formData.get('emailAlerts') === 'on',
  };
}

export async function saveAlertSettingsAction(_prev: AlertSettingsFormState, formData: FormData): Promise<AlertSettingsFormState> {
  const { actor } = await requireMember();
  const parsed = alertSettingsSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error), values: typedValues(formData) };
  // Any member may opt in or out of the mail; only alerts.manage saves the rest (lib/alerts/settings.ts).
  await saveAlertSettings(actor, parsed.data);
  revalidatePath('/notifications');
  return { success: 'Alert settings saved.' };
}

export async function markAllReadAction(): Promise<void> {
  const { account } = await requireMember('usage.view');
  await markAllRead(await getDb(), account.id);
  revalidatePath('/', 'layout');
}
