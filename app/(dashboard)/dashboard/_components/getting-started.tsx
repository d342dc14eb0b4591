import Link from 'next/link';
import { CopyButton } from '@/components/copy-button';
import { Card } from '@/components/ui/card';
import type { GettingStarted } from '@/db/queries/overview';

interface Step {
  id: keyof GettingStarted;
  title: string;
  href: string;
  action: string;
}

const STEPS: Step[] = [
  { id: 'createdKey', title: 'Create an API key', href: '/keys', action: 'Create a key' },
  { id: 'madeRequest', title: 'Make your first request', href: '/playground', action: 'Try the playground' },
  { id: 'setLimit', title: 'Set a spending or rate limit on a key', href: '/keys', action: 'Edit a key' },
  { id: 'addedCredit', title: 'Add credit', href: '/billing', action: 'Buy credit' },
];

/**
 * The first steps, ticked from what the account has actually done (db/queries/overview.ts), so
 * nobody has to tick them by hand. Gone once all four are done.
 */
export function GettingStartedCard({ checklist, host }: { checklist: GettingStarted; host: string }) {
  const done = STEPS.filter((step) => checklist[step.id]).length;
  if (done === STEPS.length) return null;
  const curl = `curl http://${host}/v1/chat/completions \\
  -H "Authorization: Bearer condt_YOUR_KEY" -H "Content-Type: application/json" \\
  -d '{"model": "conduit/echo", "messages": [{"role": "user", "content": "Hello!"}]}'`;
  return (
    <Card title={`Getting started (${done} of ${STEPS.length} done)`}>
      <ol className="space-y-3" data-testid="getting-started">
        {STEPS.map((step) => {
          const complete = checklist[step.id];
          return (
            <li key={step.id} className="flex items-start gap-3" data-step={step.id} data-done={complete}>
              <span
                aria-hidden
                className={`mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full border text-xs ${complete ? 'border-green-600 bg-green-600 text-white' : 'border-zinc-300 text-transparent'}`}
              >
                ✓
              </span>
              <div className="min-w-0 flex-1 text-sm">
                <p className={complete ? 'text-zinc-500 line-through' : 'font-medium text-zinc-900'}>
                  {step.title}
                  <span className="sr-only">{complete ? ' (done)' : ' (to do)'}</span>
                </p>
                {complete ? null : (
                  <Link href={step.href} className="text-brand-700 hover:underline">
                    {step.action}
                  </Link>
                )}
                {step.id === 'madeRequest' && !complete ? (
                  <div className="mt-2">
                    <p className="text-zinc-600">
                      Or from a terminal, with the free offline model <code>conduit/echo</code>:
                    </p>
                    <pre className="mt-2 overflow-x-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100">{curl}</pre>
                    <div className="mt-2">
                      <CopyButton value={curl} label="Copy command" />
                    </div>
                  </div>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
