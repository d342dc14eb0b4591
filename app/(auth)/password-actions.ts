'use server';

import { AuthError } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { signIn } from '@/lib/auth';
import { emailSchema, fieldErrors, newPasswordSchema, type FieldErrors } from '@/lib/auth/credentials-schema';
import { retryIn } from '@/lib/auth/email-limits';
import { requestPasswordReset, resetPassword } from '@/lib/auth/password-reset';
import { emailLinkOrigin } from '@/lib/email/request-origin';
import { clientIp } from '@/lib/request-ip';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';

export interface PasswordFormState {
  errors?: FieldErrors;
  success?: string;
  email?: string;
}

/** Redis or PostgreSQL down: a form error saying so (nothing was changed), never an error page. */
function unavailable(error: unknown): PasswordFormState {
  const down = unavailableDependency(error);
  if (!down) throw error;
  return { errors: { form: `Conduit cannot reach ${describeDependency(down)} right now. Nothing was changed; try again in a moment.` } };
}

const forgotSchema = z.object({ email: emailSchema });

export async function forgotPasswordAction(_prev: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const echo = { email: String(formData.get('email') ?? '').slice(0, 254) };
  const parsed = forgotSchema.safeParse({ email: formData.get('email') });
  if (!parsed.success) return { ...echo, errors: fieldErrors(parsed.error) };
  try {
    const result = await requestPasswordReset({ email: parsed.data.email, ip: clientIp(await headers()), origin: await emailLinkOrigin() });
    if (!result.ok) return { ...echo, errors: { form: `Too many reset requests. Try again ${retryIn(result.retryAfterSeconds)}.` } };
  } catch (error) {
    return { ...echo, ...unavailable(error) };
  }
  // The same words whether or not the address has an account.
  return { email: parsed.data.email, success: `If ${parsed.data.email} belongs to a Conduit account, a link to reset its password is on its way. It works once, for 30 minutes.` };
}

const resetSchema = z
  .object({ token: z.string().max(200), password: newPasswordSchema, confirmPassword: z.string() })
  .refine((value) => value.password === value.confirmPassword, { path: ['confirmPassword'], message: 'The two passwords do not match.' });

export async function resetPasswordAction(_prev: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const parsed = resetSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  let email: string;
  try {
    const result = await resetPassword(parsed.data.token, parsed.data.password);
    if (!result.ok) return { errors: { form: 'This reset link is invalid, expired or already used. Ask for a new one.' } };
    email = result.email;
  } catch (error) {
    return unavailable(error);
  }
  try {
    // Signed in with the new password; on success this throws Next's redirect.
    await signIn('credentials', { email, password: parsed.data.password, redirectTo: '/dashboard' });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
  }
  // Signing in was refused (this address's login limit): the password is set all the same.
  redirect('/login?reset=done');
}
