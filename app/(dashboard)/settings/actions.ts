'use server';

import { z } from 'zod';
import { signIn, signOut } from '@/lib/auth';
import { changePasswordSchema, fieldErrors, type FieldErrors } from '@/lib/auth/credentials-schema';
import { requireUser } from '@/lib/auth/session';
import { ApiError } from '@/lib/errors';
import { changePassword, deleteAccount } from '@/lib/auth/users';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';

export interface SettingsFormState {
  errors?: FieldErrors;
  success?: string;
}

export async function changePasswordAction(_prev: SettingsFormState, formData: FormData): Promise<SettingsFormState> {
  const user = await requireUser();
  const parsed = changePasswordSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  const result = await changePassword(user.id, parsed.data.currentPassword, parsed.data.newPassword);
  if (!result.ok) return { errors: { currentPassword: 'Your current password is not correct.' } };
  // The change ended every earlier session, this one included: sign this browser in again
  // (this throws Next's redirect back to the settings page, which says what happened).
  await signIn('credentials', { email: user.email, password: parsed.data.newPassword, redirectTo: '/settings?password=changed' });
  return { success: 'Password changed.' };
}

const deleteSchema = z.object({ confirmEmail: z.string().trim().toLowerCase() });

export async function deleteAccountAction(_prev: SettingsFormState, formData: FormData): Promise<SettingsFormState> {
  const user = await requireUser();
  const parsed = deleteSchema.safeParse(Object.fromEntries(formData));
  // Typing the address is the confirmation: nothing is deleted unless it matches exactly.
  if (!parsed.success || parsed.data.confirmEmail !== user.email) {
    return { errors: { confirmEmail: `Type ${user.email} to confirm.` } };
  }
  try {
    await deleteAccount(user.id);
  } catch (error) {
    // The only owner of an organization others still use: nothing was deleted, and it says why.
    if (error instanceof ApiError && error.status < 500) return { errors: { confirmEmail: error.message } };
    // Redis down refuses the deletion (its keys could not be revoked first): nothing was deleted.
    const down = unavailableDependency(error);
    if (!down) throw error;
    return { errors: { confirmEmail: `Nothing was deleted: Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` } };
  }
  await signOut({ redirectTo: '/?account=deleted' });
  return {};
}
