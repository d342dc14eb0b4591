import Link from 'next/link';

export function Logo() {
  return (
    <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight text-zinc-900">
      <span aria-hidden className="inline-block h-6 w-6 rounded-md bg-brand-600" />
      Conduit
    </Link>
  );
}
