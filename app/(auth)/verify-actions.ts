'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
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
