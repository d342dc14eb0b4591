import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Payment cancelled' };

export default function TopUpCancelPage() {
  return (
    <Card title="Payment cancelled">
      <p className="text-sm text-zinc-700">Nothing was charged and your balance is unchanged.</p>
      <Link href="/billing" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        Back to billing
      </Link>
    </Card>
  );
}
