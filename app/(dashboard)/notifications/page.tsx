import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { getDb } from '@/db';
import { listNotifications } from '@/db/queries/alerts';
import { getAlertSettings } from '@/lib/alerts/settings';
import { SIGNATURE_HEADER } from '@/lib/alerts/webhook';
import { requireMember } from '@/lib/orgs/session';
import { microsToDollarString } from '@/lib/money';
import { formatTime } from '../keys/format';
import { markAllReadAction } from './actions';
import { AlertSettingsForm } from './_components/alert-settings-form';

export const metadata: Metadata = { title: 'Notifications' };

const dollars = (micros: number | null) => (micros === null ? '' : microsToDollarString(micros));

/** Spending and credit alerts, newest first, and where else they are sent. */
export default async function NotificationsPage() {
  const { user, account } = await requireMember('usage.view');
  const [items, settings] = await Promise.all([listNotifications(await getDb(), account.id), getAlertSettings(account.id, user.id)]);
  const unread = items.some((item) => !item.read);

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Notifications</h1>
      <Card title="Alerts">
        {items.length === 0 ? (
          <p className="text-sm text-zinc-600" data-testid="notifications-empty">
            No alerts yet. You are notified at 50, 80 and 100 % of each spending limit, and when credit runs low.
          </p>
        ) : (
          <>
            {unread ? (
              <form action={markAllReadAction} className="mb-4">
                <button type="submit" className="text-sm font-medium text-brand-700 hover:underline">
                  Mark all as read
                </button>
              </form>
            ) : null}
            <ul className="divide-y divide-zinc-100" aria-label="Notifications">
              {items.map((item) => (
                <li key={item.id} className="flex items-start gap-3 py-3 text-sm" data-testid="notification">
                  <span aria-hidden className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${item.read ? 'bg-zinc-200' : 'bg-brand-600'}`} />
                  <div className="min-w-0 flex-1">
                    <p className={item.read ? 'text-zinc-700' : 'font-medium text-zinc-900'}>{item.message}</p>
                    <p className="text-xs text-zinc-500">
                      {formatTime(item.createdAt)}
                      {item.webhookStatus ? ` · webhook ${item.webhookStatus}` : ''}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>
      <Card title="Alert settings">
        <AlertSettingsForm
          initial={{
            webhookUrl: settings.webhookUrl ?? '',
            creditThreshold: dollars(settings.creditThresholdMicros),
            budgetDay: dollars(settings.budgets.day),
            budgetWeek: dollars(settings.budgets.week),
            budgetMonth: dollars(settings.budgets.month),
            emailAlerts: settings.emailAlerts,
          }}
          email={user.email}
        />
        {settings.webhookSecret ? (
          <div className="mt-6 text-sm">
            <p className="text-zinc-600">
              Each webhook carries <code>{SIGNATURE_HEADER}: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</code>, the HMAC-SHA256 of{' '}
              <code>&lt;t&gt;.&lt;raw body&gt;</code> with this secret. Check it, and that <code>t</code> is recent.
            </p>
            <code className="mt-2 block rounded bg-zinc-100 px-2 py-1 break-all" data-testid="webhook-secret">
              {settings.webhookSecret}
            </code>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
