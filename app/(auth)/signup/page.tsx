import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { githubEnabled } from '@/lib/auth';
import { currentUser } from '@/lib/auth/session';
import { GitHubButton } from '../_components/github-button';
import { SignupForm } from '../_components/signup-form';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignupPage() {
  if (await currentUser()) redirect('/dashboard');
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Create your Conduit account</h1>
      {githubEnabled() ? <GitHubButton /> : null}
      <SignupForm />
    </>
  );
}
