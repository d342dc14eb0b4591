'use client';

// Errors of any page (the dashboard's layout included: it reads the session and the database).
import { ServiceError } from '@/components/service-error';

export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ServiceError reset={reset} />;
}
