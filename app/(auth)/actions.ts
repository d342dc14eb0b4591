'use server';

import { AuthError } from 'next-auth';
import { signIn } from '@/lib/auth';
import { fieldErrors, loginSchema, signupSchema, type FieldErrors } from '@/lib/auth/credentials-schema';
import { sendVerificationEmail } from '@/lib/auth/email-verification';
import { signUp } from '@/lib/auth/users';
import { emailLinkOrigin } from '@/lib/email/request-origin';
import { logger } from '@/lib/observability/log';

export interface AuthFormState {
  errors?: FieldErrors;
  /** Echoed back so a failed submit keeps what was typed (never the password). */
  email?: string;
  name?: string;
}

const AFTER_LOGIN = '/dashboard';

/** Where to go after signing in: a path on this site (an invitation, say), never another origin. */
function afterLogin(formData: FormData): string {
  const next = formData.get('next');
  if (typeof next !== 'string' || next.length > 1000) return AFTER_LOGIN;
  return /^\/(?![/\\])[^\\\s]*$/.test(next) ? next : AFTER_LOGIN;
}

export async function signupAction(_prev: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const raw = { name: formData.get('name') ?? undefined, email: formData.get('email'), password: formData.get('password') };
  const echo = { email: String(raw.email ?? ''), name: String(raw.name ?? '') };
  const parsed = signupSchema.safeParse(raw);
  if (!parsed.success) return { ...echo, errors: fieldErrors(parsed.error) };

  const result = await signUp(parsed.data);
  if (!result.ok) {
    return { ...echo, errors: { email: 'An account with this email already exists. Log in instead.' } };
  }
  try {
    await sendVerificationEmail(result.user, await emailLinkOrigin());
  } catch (error) {
    // The account works without it; the dashboard's banner offers to send the link again.
    logger().child({ component: 'auth' }).error({ err: error }, 'could not send the verification email at sign-up');
  }
  return credentialsSignIn(parsed.data.email, parsed.data.password, echo, afterLogin(formData));
}

export async function loginAction(_prev: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const raw = { email: formData.get('email'), password: formData.get('password') };
  const echo = { email: String(raw.email ?? '') };
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) return { ...echo, errors: fieldErrors(parsed.error) };
  return credentialsSignIn(parsed.data.email, parsed.data.password, echo, afterLogin(formData));
}

async function credentialsSignIn(email: string, password: string, echo: AuthFormState, redirectTo: string): Promise<AuthFormState> {
  try {
    // On success this throws Next's redirect, which must propagate.
    await signIn('credentials', { email, password, redirectTo });
    return echo;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const code = 'code' in error ? error.code : undefined;
    const form =
      code === 'rate_limited'
        ? 'Too many login attempts. Wait 15 minutes and try again.'
        : // One message for unknown email and wrong password: never reveal which accounts exist.
          'Wrong email or password.';
    return { ...echo, errors: { form } };
  }
}

export async function githubSignInAction(): Promise<void> {
  await signIn('github', { redirectTo: AFTER_LOGIN });
}
