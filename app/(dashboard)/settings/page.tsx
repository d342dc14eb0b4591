import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Card } from '@/components/ui/card';
import { FormMessage } from '@/components/ui/form-message';
import { requireMember } from '@/lib/orgs/session';
import { listTokens } from '@/lib/management/tokens';
import { ChangeEmailForm } from './_components/change-email-form';
import { ChangePasswordForm } from './_components/change-password-form';
import { DeleteAccountForm } from './_components/delete-account-form';
import { ManagementTokens } from './_components/management-tokens';

export const metadata: Metadata = { title: 'Settings' };

/** Where this installation's management API is, as the browser reached it (for the curl example). */
async function managementApiUrl(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost:3000';
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${proto}://${host}/api/v1/keys`;
}

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ password?: string; email?: string }> }) {
  const { user, account } = await requireMember();
  const { password, email } = await searchParams;
  const passwordChanged = password === 'changed';
  const [tokens, apiUrl] = await Promise.all([listTokens(account.id), managementApiUrl()]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Card title="Email address">
        {email === 'changed' ? (
          <div className="mb-4">
            <FormMessage success="Your email address was changed." />
          </div>
        ) : null}
        <ChangeEmailForm email={user.email} verified={Boolean(user.emailVerified)} hasPassword={Boolean(user.passwordHash)} />
      </Card>
      <Card title="Password">
        {passwordChanged ? (
          <div className="mb-4">
            <FormMessage success="Password changed. Other devices have been signed out." />
          </div>
        ) : null}
        <ChangePasswordForm hasPassword={Boolean(user.passwordHash)} />
      </Card>
      <Card title={`Management API tokens — ${account.name}`}>
        <ManagementTokens tokens={tokens} apiUrl={apiUrl} />
      </Card>
      <Card title="Delete account" className="border-red-200">
        <DeleteAccountForm email={user.email} />
      </Card>
    </div>
  );
}
