/** Shown while the usage page's queries run (a new range or filter). */
export default function UsageLoading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading usage">
      <div className="h-8 w-40 animate-pulse rounded bg-zinc-200" />
      <div className="h-10 animate-pulse rounded bg-zinc-100" />
      <div className="h-20 animate-pulse rounded-lg bg-zinc-100" />
      <div className="grid gap-4 lg:grid-cols-2">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-64 animate-pulse rounded-lg bg-zinc-100" />
        ))}
      </div>
    </div>
  );
}
