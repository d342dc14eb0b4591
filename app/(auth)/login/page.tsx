import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { githubEnabled } from '@/lib/auth';
import { currentUser } from '@/lib/auth/session';
import { GitHubButton } from '../_components/github-button';
import { LoginForm } from '../_components/login-form';

export const metadata: Metadata = { title: 'Log in' };

export default async function LoginPage() {
  if (await currentUser()) redirect('/dashboard');
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Log in to Conduit</h1>
      {githubEnabled() ? <GitHubButton /> : null}
      <LoginForm />
    </>
  );
}
