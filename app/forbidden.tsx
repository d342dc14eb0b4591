import Link from 'next/link';

/** Rendered with a 403 when a member's role lacks a page's permission (lib/orgs/session.ts). */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg px-6 py-16">
      <h1 className="text-2xl font-semibold">Not available to your role</h1>
      <p className="mt-2 text-sm text-zinc-600">
        Your role in this organization does not include this page. An owner or admin can change your role on the Members page.
      </p>
      <p className="mt-6 text-sm">
        <Link href="/dashboard" className="font-medium text-brand-700 hover:underline">
          Back to the overview
        </Link>
      </p>
    </main>
  );
}
