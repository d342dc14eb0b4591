'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * What a page shows when rendering it failed. A production build hides the server's error from
 * the browser (rightly: it can name tables and hosts), so this asks /api/ready which dependency is
 * down and says so — "the database cannot be reached" is something a person can act on (wait, or
 * tell the operator); "something went wrong" is not.
 */

interface Probe {
  ready: boolean;
  database: { ok: boolean };
  redis: { ok: boolean };
}

type Diagnosis = 'checking' | 'database' | 'redis' | 'both' | 'unknown';

function diagnose(probe: Probe | null): Diagnosis {
  if (!probe || probe.ready) return 'unknown';
  if (!probe.database.ok && !probe.redis.ok) return 'both';
  return probe.database.ok ? 'redis' : 'database';
}

const MESSAGES: Record<Exclude<Diagnosis, 'checking'>, string> = {
  database: 'Conduit’s database cannot be reached right now, so this page cannot be shown. Your data is safe; please try again in a moment.',
  redis: 'Conduit’s store of keys, limits and spending cannot be reached right now, so this page cannot be shown. Please try again in a moment.',
  both: 'Conduit’s database and its store of keys, limits and spending cannot be reached right now. Please try again in a moment.',
  unknown: 'This page could not be shown because of an error on our side. Please try again; if it keeps happening, contact support.',
};

export function ServiceError({ reset }: { reset: () => void }) {
  const [diagnosis, setDiagnosis] = useState<Diagnosis>('checking');
  const router = useRouter();
  // The page failed on the server: render it there again, not just this boundary.
  const tryAgain = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });

  useEffect(() => {
    let cancelled = false;
    fetch('/api/ready', { cache: 'no-store' })
      .then((response) => response.json() as Promise<Probe>)
      .catch(() => null)
      .then((probe) => {
        if (!cancelled) setDiagnosis(diagnose(probe));
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const unavailable = diagnosis === 'database' || diagnosis === 'redis' || diagnosis === 'both';
  return (
    <div role="alert" className="mx-auto max-w-xl space-y-4 px-6 py-16" data-testid="service-error" data-diagnosis={diagnosis}>
      <h1 className="text-xl font-semibold text-zinc-900">{unavailable ? 'Temporarily unavailable' : 'Something went wrong'}</h1>
      <p className="text-sm text-zinc-700">{diagnosis === 'checking' ? 'Checking what went wrong…' : MESSAGES[diagnosis]}</p>
      <Button type="button" onClick={tryAgain}>
        Try again
      </Button>
    </div>
  );
}
