import Link from 'next/link';
import { LOW_BALANCE_MICROS } from '@/lib/billing/amounts';
import { loadCreditBalance } from '@/lib/billing/credit';
import { formatDollars } from '@/lib/money';

/** Warns on every dashboard page before API calls start failing with 402. */
export async function LowBalanceBanner({ userId }: { userId: string }) {
  const balance = await loadCreditBalance(userId);
  if (balance >= LOW_BALANCE_MICROS) return null;
  return (
    <div role="status" data-testid="low-balance-banner" className="border-b border-amber-200 bg-amber-50">
      <p className="mx-auto max-w-6xl px-6 py-2 text-sm text-amber-900">
        {balance <= 0 ? 'You have no credit' : `Your credit is low (${formatDollars(balance)})`}: Conduit API calls are refused
        once it runs out.{' '}
        <Link href="/billing" className="font-medium underline">
          Add credit
        </Link>
      </p>
    </div>
  );
}
