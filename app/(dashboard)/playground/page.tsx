import type { Metadata } from 'next';
import Link from 'next/link';
import { listKeys } from '@/lib/keys/service';
import { requireMember } from '@/lib/orgs/session';
import { playgroundCatalog, playgroundKeys } from '@/lib/playground/models';
import { Playground } from './_components/playground';

export const metadata: Metadata = { title: 'Playground' };

// /playground — try a model from the browser, through the gateway and billed to a key.
export default async function PlaygroundPage() {
  const { account } = await requireMember('playground.use');
  const keys = playgroundKeys(await listKeys(account.id));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Playground</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Send a prompt through the Conduit API with one of your keys. It is billed and limited like any request made with that key, and shows in
          Usage.
        </p>
      </div>
      {keys.length === 0 ? (
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-10 text-center" data-testid="playground-no-keys">
          <p className="font-medium">No API key yet</p>
          <p className="mt-1 text-sm text-zinc-600">
            The playground spends through a key, with its limits.{' '}
            <Link href="/keys" className="font-medium text-brand-700 hover:underline">
              Create a key
            </Link>{' '}
            first.
          </p>
        </div>
      ) : (
        <Playground keys={keys} models={playgroundCatalog()} />
      )}
    </div>
  );
}
