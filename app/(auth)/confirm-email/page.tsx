import type { Metadata } from 'next';
import { VerifyEmailForm } from '../_components/verify-email-form';

export const metadata: Metadata = { title: 'Confirm your new email address', referrer: 'no-referrer' };

// A button, as /verify-email: opening the link by itself (a mail scanner) changes nothing.
export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Confirm your new email address</h1>
      <p className="mb-6 text-sm text-zinc-600">Your Conduit account will use this address from now on: you sign in with it and mail goes there.</p>
      <VerifyEmailForm token={typeof token === 'string' ? token : ''} purpose="change" label="Use this address" />
    </>
  );
}
