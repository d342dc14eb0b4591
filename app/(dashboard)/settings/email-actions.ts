'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { emailSchema, fieldErrors } from '@/lib/auth/credentials-schema';
import { requestEmailChange } from '@/lib/auth/email-change';
import { retryIn } from '@/lib/auth/email-limits';
import { requireUser } from '@/lib/auth/session';
import { emailLinkOrigin } from '@/lib/email/request-origin';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';
import type { SettingsFormState } from './actions';

const changeEmailSchema = z
  .object({ newEmail: emailSchema, confirmWithPassword: z.string().max(128, 'Your password is not correct.').default('') })
  .transform(({ newEmail, confirmWithPassword }) => ({ newEmail, currentPassword: confirmWithPassword }));

export async function changeEmailAction(_prev: SettingsFormState, formData: FormData): Promise<SettingsFormState> {
  const user = await requireUser();
  const parsed = changeEmailSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  try {
    const result = await requestEmailChange(user, parsed.data, await emailLinkOrigin());
    if (result.ok) {
      revalidatePath('/settings');
      return { success: `Almost done: follow the link we sent to ${parsed.data.newEmail} to switch to it. Until then you keep using ${user.email}.` };
    }
    switch (result.reason) {
      case 'wrong_password':
        return { errors: { confirmWithPassword: 'Your password is not correct.' } };
      case 'same_email':
        return { errors: { newEmail: 'That is already your address.' } };
      case 'taken':
        return { errors: { newEmail: 'Another account uses this address.' } };
      case 'rate_limited':
        return { errors: { form: `Too many messages sent. Try again ${retryIn(result.retryAfterSeconds)}.` } };
    }
  } catch (error) {
    const down = unavailableDependency(error);
    if (!down) throw error;
    return { errors: { form: `Nothing was changed: Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` } };
  }
}
