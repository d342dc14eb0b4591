import type { ReactNode } from 'react';

/** A titled frame of fixed height: charts measure their parent, so it must have a size. */
export function ChartCard({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <section aria-label={title} data-testid={testId} className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm">
      <h3 className="mb-2 text-sm font-semibold text-zinc-900">{title}</h3>
      <div className="h-56 w-full">{children}</div>
    </section>
  );
}
