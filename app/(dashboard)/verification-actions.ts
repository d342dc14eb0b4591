'use server';

import { retryIn } from '@/lib/auth/email-limits';
import { resendVerificationEmail } from '@/lib/auth/email-verification';
import { requireUser } from '@/lib/auth/session';
import { emailLinkOrigin } from '@/lib/email/request-origin';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';

export interface ResendState {
  error?: string;
  success?: string;
}

export async function resendVerificationAction(): Promise<ResendState> {
  const user = await requireUser();
  try {
    const result = await resendVerificationEmail(user, await emailLinkOrigin());
    if (result.ok) return { success: `Sent. Check ${user.email} for the link.` };
    if (result.reason === 'already_verified') return { success: 'Your address is already verified.' };
    return { error: `Too many messages sent. Try again ${retryIn(result.retryAfterSeconds)}.` };
  } catch (error) {
    const down = unavailableDependency(error);
    if (!down) throw error;
    return { error: `Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` };
  }
}
