import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { FormMessage } from '@/components/ui/form-message';
import { githubEnabled } from '@/lib/auth';
import { currentUser } from '@/lib/auth/session';
import { GitHubButton } from '../_components/github-button';
import { LoginForm } from '../_components/login-form';

export const metadata: Metadata = { title: 'Log in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ reset?: string; next?: string | string[] }> }) {
  const { reset: resetParam, next } = await searchParams;
  const after = typeof next === 'string' && next.startsWith('/invite?') ? next : undefined;
  if (await currentUser()) redirect(after ?? '/dashboard');
  const reset = resetParam === 'done';
  return (
    <>
      <h1 className="mb-6 text-xl font-semibold">Log in to Conduit</h1>
      {reset ? (
        <div className="mb-4">
          <FormMessage success="Your password was changed. Log in with the new one." />
        </div>
      ) : null}
      {githubEnabled() ? <GitHubButton /> : null}
      <LoginForm next={after} />
    </>
  );
}
