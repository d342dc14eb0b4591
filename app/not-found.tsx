import type { Metadata } from 'next';
import Link from 'next/link';
import { Logo } from '@/components/logo';

export const metadata: Metadata = { title: 'Page not found' };

/**
 * Every 404 of the site: an unknown address, and notFound() from a page (another account's key
 * or link, a deleted one, a made-up id — never told apart, so ids of others are not confirmed).
 * Outside the dashboard's layout, so it needs no session; the links lead back either way.
 */
export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg px-6 py-10">
      <Logo />
      <div className="py-16">
        <p className="text-sm font-medium text-brand-700">404</p>
        <h1 className="mt-2 text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-600">
          There is nothing at this address, or it is not yours to see. Check the link, or start again from your dashboard.
        </p>
        <div className="mt-6 flex flex-wrap gap-3 text-sm">
          <Link href="/dashboard" className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Go to the dashboard
          </Link>
          <Link href="/" className="rounded-md border border-zinc-300 bg-white px-4 py-2 font-medium hover:bg-zinc-50">
            Home
          </Link>
        </div>
      </div>
    </main>
  );
}
