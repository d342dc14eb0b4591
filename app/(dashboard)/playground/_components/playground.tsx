'use client';

import { useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { requestCost, tokenCounts } from '@/lib/gateway/cost';
import type { ListedModel } from '@/lib/gateway/model-list';
import { formatDollars } from '@/lib/money';
import type { PlaygroundKey } from '@/lib/playground/models';
import { readChatStream, type StreamUsage } from '@/lib/playground/stream';

interface Message {
  role: 'user' | 'assistant';
  content: string;
}

interface Outcome {
  usage: StreamUsage | null;
  model: ListedModel;
  ms: number;
}

const count = new Intl.NumberFormat('en-US');
const inputClass = 'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:ring-brand-500';

/**
 * The chat: pick a key and a model it may use, send, watch the answer stream in, then see its
 * tokens and cost (the gateway's own prices, lib/gateway/cost.ts). The conversation is kept in
 * the page only; each turn is a request through POST /api/playground.
 */
export function Playground({ keys, models }: { keys: PlaygroundKey[]; models: ListedModel[] }) {
  const [keyId, setKeyId] = useState(keys.find((key) => !key.unusable && key.models.length > 0)?.id ?? keys[0]!.id);
  const key = keys.find((k) => k.id === keyId) ?? keys[0]!;
  const usable = useMemo(() => models.filter((model) => key.models.includes(model.id)), [models, key]);
  const [modelId, setModelId] = useState(usable[0]?.id ?? '');
  const model = usable.find((m) => m.id === modelId) ?? usable[0];
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [messages, setMessages] = useState<Message[]>([]);
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function send(event: React.FormEvent) {
    event.preventDefault();
    if (!model || prompt.trim() === '' || busy) return;
    const max = maxTokens.trim() === '' ? undefined : Number(maxTokens);
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      setError('Max tokens must be a whole number above 0, or empty for the model’s maximum.');
      return;
    }
    const history: Message[] = [...messages, { role: 'user', content: prompt }];
    setMessages(history);
    setPrompt('');
    setAnswer('');
    setError(null);
    setOutcome(null);
    setBusy(true);
    const controller = new AbortController();
    abort.current = controller;
    const started = performance.now();
    let text = '';
    let usage: StreamUsage | null = null;
    try {
      const response = await fetch('/api/playground', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          keyId: key.id,
          model: model.id,
          messages: [...(system.trim() ? [{ role: 'system', content: system }] : []), ...history],
          ...(max === undefined ? {} : { max_tokens: max }),
        }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The request failed (HTTP ${response.status}).`);
      }
      for await (const part of readChatStream(response.body)) {
        if (part.kind === 'text') {
          text += part.text;
          setAnswer(text);
        } else if (part.kind === 'usage') usage = part.usage;
        else throw new Error(part.message);
      }
      setOutcome({ usage, model, ms: performance.now() - started });
    } catch (caught) {
      setError(controller.signal.aborted ? 'Stopped.' : caught instanceof Error ? caught.message : 'The request failed.');
    } finally {
      if (text) setMessages([...history, { role: 'assistant', content: text }]);
      setAnswer('');
      setBusy(false);
      abort.current = null;
    }
  }

  const keyOptions = keys.map((k) => ({ value: k.id, label: k.unusable ? `${k.name} (${k.unusable})` : k.name }));

  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
      <div role="group" aria-label="Settings" className="min-w-0 space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm sm:p-6 lg:col-span-1">
        <div className="space-y-1">
          <label htmlFor="playground-key" className="block text-sm font-medium text-zinc-700">
            API key
          </label>
          <select
            id="playground-key"
            value={key.id}
            onChange={(e) => {
              setKeyId(e.target.value);
              setModelId('');
            }}
            className={inputClass}
          >
            {keyOptions.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <p className="text-xs text-zinc-500">Its limits, allowed models and IP allowlist apply; the cost is drawn from the organization’s credit.</p>
        </div>
        <div className="space-y-1">
          <label htmlFor="playground-model" className="block text-sm font-medium text-zinc-700">
            Model
          </label>
          {usable.length === 0 ? (
            <p className="text-sm text-amber-800" data-testid="playground-no-models">
              This key may not use any chat model available on this installation.
            </p>
          ) : (
            <select id="playground-model" value={model?.id ?? ''} onChange={(e) => setModelId(e.target.value)} className={inputClass}>
              {usable.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id}
                  {m.price.input === 0 && m.price.output === 0 ? ' (free)' : ''}
                </option>
              ))}
            </select>
          )}
          {model ? (
            <p className="text-xs text-zinc-500">
              {formatDollars(model.price.input)} in · {formatDollars(model.price.output)} out per 1M tokens
            </p>
          ) : null}
        </div>
        <div className="space-y-1">
          <label htmlFor="playground-system" className="block text-sm font-medium text-zinc-700">
            System prompt <span className="font-normal text-zinc-500">(optional)</span>
          </label>
          <textarea id="playground-system" rows={2} value={system} onChange={(e) => setSystem(e.target.value)} className={inputClass} />
        </div>
        <div className="space-y-1">
          <label htmlFor="playground-max-tokens" className="block text-sm font-medium text-zinc-700">
            Max tokens <span className="font-normal text-zinc-500">(optional)</span>
          </label>
          <input id="playground-max-tokens" inputMode="numeric" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} className={inputClass} />
        </div>
      </div>

      <section className="min-w-0 space-y-4 lg:col-span-2" aria-label="Conversation">
        <div className="min-h-48 space-y-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm" role="log" aria-live="polite" data-testid="playground-conversation">
          {messages.length === 0 && !busy ? <p className="text-sm text-zinc-500">The conversation appears here.</p> : null}
          {messages.map((message, i) => (
            <div key={i} data-role={message.role} className={message.role === 'user' ? 'text-sm text-zinc-900' : 'text-sm whitespace-pre-wrap text-zinc-700'}>
              <span className="block text-xs font-medium text-zinc-500 uppercase">{message.role === 'user' ? 'You' : 'Model'}</span>
              <p className="break-words whitespace-pre-wrap">{message.content}</p>
            </div>
          ))}
          {busy ? (
            <div data-role="assistant" data-testid="playground-streaming" className="text-sm text-zinc-700">
              <span className="block text-xs font-medium text-zinc-500 uppercase">Model</span>
              <p className="break-words whitespace-pre-wrap">{answer || '…'}</p>
            </div>
          ) : null}
        </div>
        {error ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="playground-error">
            {error}
          </p>
        ) : null}
        {outcome ? <UsageLine outcome={outcome} /> : null}
        <form onSubmit={send} className="space-y-2">
          <label htmlFor="playground-prompt" className="block text-sm font-medium text-zinc-700">
            Prompt
          </label>
          <textarea
            id="playground-prompt"
            rows={4}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
            }}
            className={inputClass}
          />
          <div className="flex flex-wrap items-center gap-2">
            <Button type="submit" disabled={busy || !model || prompt.trim() === ''}>
              Send
            </Button>
            {busy ? (
              <Button type="button" variant="secondary" onClick={() => abort.current?.abort()}>
                Stop
              </Button>
            ) : null}
            {messages.length > 0 && !busy ? (
              <Button
                type="button"
                variant="secondary"
                onClick={() => {
                  setMessages([]);
                  setOutcome(null);
                  setError(null);
                }}
              >
                Clear conversation
              </Button>
            ) : null}
            <span className="text-xs text-zinc-500">Ctrl+Enter sends.</span>
          </div>
        </form>
      </section>
    </div>
  );
}

function UsageLine({ outcome }: { outcome: Outcome }) {
  if (!outcome.usage) return <p className="text-xs text-zinc-500">The provider did not report token usage for this answer.</p>;
  const tokens = tokenCounts(outcome.usage);
  return (
    <p className="text-sm text-zinc-600" data-testid="playground-usage">
      <span data-testid="playground-input-tokens">{count.format(tokens.inputTokens)}</span> input tokens ·{' '}
      <span data-testid="playground-output-tokens">{count.format(tokens.outputTokens)}</span> output tokens ·{' '}
      <span data-testid="playground-cost">{formatDollars(requestCost(outcome.model, tokens))}</span> · {(outcome.ms / 1000).toFixed(1)} s
    </p>
  );
}
