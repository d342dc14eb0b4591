'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Re-renders the page every 2 s for up to a minute, so a webhook that lands shows by itself. */
export function RefreshWhilePending() {
  const router = useRouter();
  useEffect(() => {
    let rounds = 0;
    const timer = setInterval(() => {
      if (++rounds > 30) clearInterval(timer);
      else router.refresh();
    }, 2_000);
    return () => clearInterval(timer);
  }, [router]);
  return null;
}
