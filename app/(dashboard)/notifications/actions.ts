'use server';

import { revalidatePath } from 'next/cache';
import { getDb } from '@/db';
import { markAllRead } from '@/db/queries/alerts';
import { alertSettingsSchema, saveAlertSettings } from '@/lib/alerts/settings';
import { fieldErrors, type FieldErrors } from '@/lib/auth/credentials-schema';
import { requireMember } from '@/lib/orgs/session';

export interface AlertSettingsFormState {
  errors?: FieldErrors;
  success?: string;
}

export async function saveAlertSettingsAction(_prev: AlertSettingsFormState, formData: FormData): Promise<AlertSettingsFormState> {
  const { actor } = await requireMember();
  const parsed = alertSettingsSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
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
