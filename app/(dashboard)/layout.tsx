import { Logo } from '@/components/logo';
import { getDb } from '@/db';
import { unreadCount } from '@/db/queries/alerts';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { signOutAction } from './actions';
import { LowBalanceBanner } from './_components/low-balance-banner';
import { dashboardNav } from './_components/nav';
import { NotificationBell } from './_components/notification-bell';
import { OrganizationSwitcher } from './_components/organization-switcher';
import { Sidebar } from './_components/sidebar';
import { VerifyEmailBanner } from './_components/verify-email-banner';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const { user, account, memberships } = await requireMember();
  const unread = await unreadCount(await getDb(), account.id);
  return (
    <div className="min-h-screen">
      <header className="border-b border-zinc-200 bg-white">
        {/* On a phone the controls wrap under the logo rather than push the page sideways. */}
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
          <Logo />
          <div className="flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2 text-sm">
            <OrganizationSwitcher memberships={memberships} active={account.id} />
            <NotificationBell unread={unread} />
            <span className="max-w-40 truncate text-zinc-600 sm:max-w-64" data-testid="account-email" title={user.email}>
              {user.email}
            </span>
            <form action={signOutAction}>
              <button type="submit" className="font-medium text-zinc-700 hover:text-zinc-900">
                Log out
              </button>
            </form>
          </div>
        </div>
      </header>
      {user.emailVerified ? null : <VerifyEmailBanner email={user.email} />}
      <LowBalanceBanner userId={account.id} />
      <div className="mx-auto flex max-w-6xl flex-col gap-6 px-4 py-6 sm:px-6 sm:py-8 md:flex-row">
        <aside className="md:w-48">
          <Sidebar items={dashboardNav.filter((item) => !item.permission || can(account.role, item.permission))} />
        </aside>
        <main className="min-w-0 flex-1">{children}</main>
      </div>
    </div>
  );
}
