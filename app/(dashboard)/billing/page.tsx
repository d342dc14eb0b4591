import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { FormMessage } from '@/components/ui/form-message';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { billingOverview } from '@/lib/billing/overview';
import { formatDollars, microsToDollarString } from '@/lib/money';
import { requestOrigin } from '../links/request-origin';
import { AutoTopUpForm } from './_components/auto-top-up-form';
import { HistoryTable } from './_components/history-table';
import { NotConfigured } from './_components/not-configured';
import { PortalButton } from './_components/portal-button';
import { TopUpForm } from './_components/top-up-form';

export const metadata: Metadata = { title: 'Billing' };

export default async function BillingPage() {
  const member = await requireMember('billing.view');
  const manages = can(member.account.role, 'billing.manage');
  const [{ configured, balance, account, lastAutoTopUp, history }, origin] = await Promise.all([billingOverview(member.account.id), requestOrigin()]);
  const threshold = account?.autoTopUpThresholdMicros;
  const amount = account?.autoTopUpAmountMicros;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Billing</h1>
      <Card title="Credit balance">
        <p className="text-3xl font-semibold" data-testid="billing-balance">
          {formatDollars(balance)}
        </p>
        <p className="mt-2 text-sm text-zinc-600">Conduit API spend is drawn from this prepaid balance; at zero, calls are refused (402).</p>
      </Card>
      {configured && !manages ? (
        <Card title="Adding credit">
          <p className="text-sm text-zinc-600" data-testid="billing-read-only">
            Owners and admins of {member.account.name} add credit and manage payment; your role ({member.account.role}) can see the balance and history.
          </p>
        </Card>
      ) : configured ? (
        <>
          <Card title="Add credit">
            <TopUpForm />
          </Card>
          <Card title="Automatic top-up">
            {lastAutoTopUp?.status === 'failed' ? (
              <div className="mb-4" data-testid="auto-top-up-failure">
                <FormMessage
                  error={`The last automatic top-up (${formatDollars(lastAutoTopUp.amountMicros)}) failed: ${lastAutoTopUp.error ?? 'unknown error'}${lastAutoTopUp.paymentIntentId ? ` (Stripe payment ${lastAutoTopUp.paymentIntentId}.)` : ''} Save the settings again, or pay once with another card, to retry.`}
                />
              </div>
            ) : null}
            <AutoTopUpForm
              hasCard={Boolean(account?.paymentMethodId)}
              initial={{
                enabled: account?.autoTopUpEnabled ?? false,
                threshold: threshold != null ? microsToDollarString(threshold) : '5',
                amount: amount != null ? microsToDollarString(amount) : '25',
              }}
            />
          </Card>
          <Card title="Payment methods and invoices">
            <p className="mb-3 text-sm text-zinc-600">Manage saved cards and download invoices on Stripe.</p>
            <PortalButton />
          </Card>
        </>
      ) : (
        <Card title="Payments are not configured">
          <NotConfigured webhookUrl={`${origin}/api/stripe/webhook`} />
        </Card>
      )}
      <section className="space-y-3">
        <h2 className="text-base font-semibold">History</h2>
        <HistoryTable rows={history} />
      </section>
    </div>
  );
}
