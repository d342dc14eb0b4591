import type { Metadata } from 'next';
import { ForgotPasswordForm } from '../_components/forgot-password-form';

export const metadata: Metadata = { title: 'Reset your password' };

export default function ForgotPasswordPage() {
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Reset your password</h1>
      <p className="mb-6 text-sm text-zinc-600">Enter the email address of your account; we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
    </>
  );
}
