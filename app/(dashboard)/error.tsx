'use client';

// Errors of a dashboard page: shown inside the dashboard, its header and navigation still there.
import { ServiceError } from '@/components/service-error';

export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ServiceError reset={reset} />;
}
