'use server';

import { revalidatePath } from 'next/cache';
import { getDb } from '@/db';
import { markAllRead } from '@/db/queries/alerts';
import { alertSettingsSchema, saveAlertSettings } from '@/lib/alerts/settings';
import { fieldErrors, type FieldErrors } from '@/lib/auth/credentials-schema';
import { requireUser } from '@/lib/auth/session';

export interface AlertSettingsFormState {
  errors?: FieldErrors;
  success?: string;
}

export async function saveAlertSettingsAction(_prev: AlertSettingsFormState, formData: FormData): Promise<AlertSettingsFormState> {
  const user = await requireUser();
  const parsed = alertSettingsSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  await saveAlertSettings(user.id, parsed.data);
  revalidatePath('/notifications');
  return { success: 'Alert settings saved.' };
}

export async function markAllReadAction(): Promise<void> {
  const user = await requireUser();
  await markAllRead(await getDb(), user.id);
  revalidatePath('/', 'layout');
}
