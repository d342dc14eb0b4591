'use client';

import { CopyButton } from '@/components/copy-button';
import { linkBaseUrl, linkSnippets, type Snippet, type SnippetContext } from '../snippets';

function SnippetBlock({ snippet }: { snippet: Snippet }) {
  return (
    <section aria-label={`${snippet.title} snippet`} className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <h3 className="text-sm font-medium text-zinc-700">{snippet.title}</h3>
        <CopyButton value={snippet.code} label={`Copy ${snippet.title} snippet`} />
      </div>
      {snippet.note ? <p className="text-xs text-zinc-600">{snippet.note}</p> : null}
      <pre data-testid={`snippet-${snippet.kind}`} className="max-h-72 overflow-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100">
        {snippet.code}
      </pre>
    </section>
  );
}

/** How to call the link: the preset's own ways first, the others folded away. */
export function LinkSnippets({ context }: { context: SnippetContext }) {
  const { primary, other } = linkSnippets(context);
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-600">
        Proxy URL: <code className="text-xs break-all">{linkBaseUrl(context)}</code>
      </p>
      {primary.map((snippet) => (
        <SnippetBlock key={snippet.kind} snippet={snippet} />
      ))}
      {other.length > 0 ? (
        <details className="rounded-md border border-zinc-200 p-3">
          <summary className="cursor-pointer text-sm font-medium text-zinc-700">Other ways to call it</summary>
          <div className="mt-3 space-y-4">
            {other.map((snippet) => (
              <SnippetBlock key={snippet.kind} snippet={snippet} />
            ))}
          </div>
        </details>
      ) : null}
    </div>
  );
}
