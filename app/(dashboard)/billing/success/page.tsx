import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { requireMember } from '@/lib/orgs/session';
import { checkoutStatus } from '@/lib/billing/checkout-status';
import { loadCreditBalance } from '@/lib/billing/credit';
import { formatDollars } from '@/lib/money';
import { RefreshWhilePending } from '../_components/refresh-while-pending';

export const metadata: Metadata = { title: 'Payment received' };

/**
 * Where Stripe Checkout returns after paying. The credit is added by the webhook, never by this
 * page (a forged visit here must not be worth anything); the page only reports whether it has
 * landed, and refreshes itself for a while until it has.
 */
export default async function TopUpSuccessPage({ searchParams }: { searchParams: Promise<{ session_id?: string }> }) {
  const { account } = await requireMember('billing.view');
  const sessionId = (await searchParams).session_id ?? '';
  const [status, balance] = await Promise.all([checkoutStatus(account.id, sessionId), loadCreditBalance(account.id)]);
  return (
    <Card title="Thank you — payment received">
      <p className="text-sm text-zinc-700" data-testid="checkout-status">
        {status.state === 'credited'
          ? `${formatDollars(status.amountMicros)} has been added to your credit.`
          : 'Your credit is added as soon as Stripe confirms the payment, usually within seconds.'}
      </p>
      {status.state === 'pending' ? <RefreshWhilePending /> : null}
      <p className="mt-2 text-sm text-zinc-700">
        Balance now: <strong data-testid="success-balance">{formatDollars(balance)}</strong>.
      </p>
      <Link href="/billing" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        Back to billing
      </Link>
    </Card>
  );
}
