import type { Metadata } from 'next';
import Link from 'next/link';
import { emailTokenUsable } from '@/lib/auth/email-tokens';
import { ResetPasswordForm } from '../_components/reset-password-form';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

// Opening the link uses nothing (mail scanners open links too): the token is used when the form is sent.
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  if (typeof token !== 'string' || !(await emailTokenUsable(token, 'reset_password'))) {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">This link no longer works</h1>
        <p className="mb-6 text-sm text-zinc-600" data-testid="reset-link-dead">
          Reset links work once, for 30 minutes. Ask for a new one.
        </p>
        <Link href="/forgot-password" className="font-medium text-brand-600 hover:underline">
          Send a new reset link
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Choose a new password</h1>
      <ResetPasswordForm token={token} />
    </>
  );
}
