import Link from 'next/link';

/** The header's bell: unread alerts at a glance, the list one click away. */
export function NotificationBell({ unread }: { unread: number }) {
  const label = unread === 0 ? 'Notifications' : `Notifications (${unread} unread)`;
  return (
    <Link href="/notifications" aria-label={label} title={label} className="relative text-zinc-600 hover:text-zinc-900">
      <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={1.8}>
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8" />
        <path d="M10.3 20a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 ? (
        <span className="absolute -top-1.5 -right-2 rounded-full bg-red-600 px-1 text-[10px] leading-4 font-semibold text-white" data-testid="unread-count">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </Link>
  );
}
