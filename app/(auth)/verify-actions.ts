'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { confirmEmailChange } from '@/lib/auth/email-change';
import { verifyEmail } from '@/lib/auth/email-verification';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';

export interface VerifyFormState {
  error?: string;
}

const verifySchema = z.object({ token: z.string().max(200) });

export async function verifyEmailAction(_prev: VerifyFormState, formData: FormData): Promise<VerifyFormState> {
  const parsed = verifySchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { error: 'This verification link is invalid. Send a new one from the banner in your dashboard.' };
  try {
    const { ok } = await verifyEmail(parsed.data.token);
    if (!ok) return { error: 'This verification link is invalid, expired or already used. Send a new one from the banner in your dashboard.' };
  } catch (error) {
    const down = unavailableDependency(error);
    if (!down) throw error;
    return { error: `Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` };
  }
  redirect('/dashboard?verified=1');
}

export async function confirmEmailChangeAction(_prev: VerifyFormState, formData: FormData): Promise<VerifyFormState> {
  const parsed = verifySchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { error: 'This confirmation link is invalid. Ask for the change again in Settings.' };
  try {
    const result = await confirmEmailChange(parsed.data.token);
    if (!result.ok) {
      return {
        error:
          result.reason === 'taken'
            ? 'Another account now uses this address, so your address was not changed.'
            : 'This confirmation link is invalid, expired or already used. Ask for the change again in Settings.',
      };
    }
  } catch (error) {
    const down = unavailableDependency(error);
    if (!down) throw error;
    return { error: `Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` };
  }
  redirect('/settings?email=changed');
}
