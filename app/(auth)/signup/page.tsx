import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { githubEnabled } from '@/lib/auth';
import { currentUser } from '@/lib/auth/session';
import { GitHubButton } from '../_components/github-button';
import { SignupForm } from '../_components/signup-form';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string | string[]; email?: string | string[] }> }) {
  const { next, email } = await searchParams;
  // Back to the invitation that sent them here (the only `next` these pages offer).
  const after = typeof next === 'string' && next.startsWith('/invite?') ? next : undefined;
  if (await currentUser()) redirect(after ?? '/dashboard');
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Create your Conduit account</h1>
      {githubEnabled() ? <GitHubButton /> : null}
      <SignupForm next={after} email={typeof email === 'string' ? email : undefined} />
    </>
  );
}
