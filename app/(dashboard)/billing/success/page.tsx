import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/session';
import { loadCreditBalance } from '@/lib/billing/credit';
import { formatDollars } from '@/lib/money';

export const metadata: Metadata = { title: 'Payment received' };

/**
 * Where Stripe Checkout returns after paying. The credit is added by the webhook, not by this
 * page (a forged visit here must not be worth anything), so it may arrive a moment later.
 */
export default async function TopUpSuccessPage() {
  const user = await requireUser();
  const balance = await loadCreditBalance(user.id);
  return (
    <Card title="Thank you — payment received">
      <p className="text-sm text-zinc-700">
        Your credit is added as soon as Stripe confirms the payment, usually within seconds. Balance now:{' '}
        <strong data-testid="success-balance">{formatDollars(balance)}</strong>.
      </p>
      <Link href="/billing" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        Back to billing
      </Link>
    </Card>
  );
}
