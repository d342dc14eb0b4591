import type { Metadata } from 'next';
import { VerifyEmailForm } from '../_components/verify-email-form';

export const metadata: Metadata = { title: 'Verify your email address', referrer: 'no-referrer' };

// A button rather than verifying on GET: mail scanners and link previews open links by themselves.
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Verify your email address</h1>
      <p className="mb-6 text-sm text-zinc-600">Confirm that this address is yours.</p>
      <VerifyEmailForm token={typeof token === 'string' ? token : ''} />
    </>
  );
}
