import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/session';
import { ChangePasswordForm } from './_components/change-password-form';
import { DeleteAccountForm } from './_components/delete-account-form';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await requireUser();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Card title="Password">
        <ChangePasswordForm hasPassword={Boolean(user.passwordHash)} />
      </Card>
      <Card title="Delete account" className="border-red-200">
        <DeleteAccountForm email={user.email} />
      </Card>
    </div>
  );
}
