import { randomUUID } from 'node:crypto';
import type { UsageRecord } from '../record';

/**
 * Plausible traffic for the demo script: busier by day (UTC) and on weekdays, a model mix with
 * each model's price, mostly 2xx with some 4xx / 5xx, long-tailed latencies, end users on links.
 */

export interface DemoTargets {
  userId: string;
  keyIds: string[];
  linkIds: string[];
}

const MODELS = [
  { model: 'gpt-4o-mini', provider: 'openai', inPerM: 150_000, outPerM: 600_000, weight: 5 },
  { model: 'gpt-4o', provider: 'openai', inPerM: 2_500_000, outPerM: 10_000_000, weight: 2 },
  { model: 'claude-3-5-haiku-latest', provider: 'anthropic', inPerM: 800_000, outPerM: 4_000_000, weight: 2 },
  { model: 'text-embedding-3-small', provider: 'openai', inPerM: 20_000, outPerM: 0, weight: 1 },
];
const END_USERS = Array.from({ length: 40 }, (_, i) => `user-${(i * 7919).toString(36)}`);

function weighted<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  let r = random() * items.reduce((sum, item) => sum + item.weight, 0);
  for (const item of items) if ((r -= item.weight) < 0) return item;
  return items[items.length - 1]!;
}

/** `count` records spread over the `days` before `now`. */
export function demoRecords(targets: DemoTargets, count: number, days: number, now: number, random: () => number = Math.random): UsageRecord[] {
  const records: UsageRecord[] = [];
  const span = days * 86_400_000;
  while (records.length < count) {
    const createdAt = now - Math.floor(random() * span);
    const at = new Date(createdAt);
    // Thin out nights and weekends by rejection: the kept times follow the daily shape.
    const hour = at.getUTCHours();
    const busy = (0.25 + 0.75 * Math.sin((Math.PI * Math.max(0, hour - 6)) / 16) ** 2) * (at.getUTCDay() % 6 === 0 ? 0.5 : 1);
    if (random() > busy) continue;
    const viaLink = targets.linkIds.length > 0 && (targets.keyIds.length === 0 || random() < 0.3);
    const m = weighted(MODELS, random);
    const roll = random();
    const status = roll < 0.955 ? 200 : roll < 0.975 ? 429 : roll < 0.985 ? 400 : roll < 0.995 ? 502 : 500;
    const ok = status === 200;
    const inputTokens = ok || status >= 500 ? Math.floor(50 + random() ** 2 * 4_000) : 0;
    const outputTokens = ok && m.outPerM > 0 ? Math.floor(20 + random() ** 2 * 1_200) : 0;
    const costMicros = ok ? Math.round((inputTokens * m.inPerM + outputTokens * m.outPerM) / 1_000_000) : 0;
    const stream = m.outPerM > 0 && random() < 0.6;
    const latencyMs = ok ? Math.floor(150 + outputTokens * (8 + random() * 12) + random() ** 4 * 8_000) : Math.floor(5 + random() * 60);
    records.push({
      requestId: `req_demo_${randomUUID()}`,
      userId: targets.userId,
      keyId: viaLink ? null : targets.keyIds[Math.floor(random() * targets.keyIds.length)]!,
      linkId: viaLink ? targets.linkIds[Math.floor(random() * targets.linkIds.length)]! : null,
      model: m.model,
      provider: m.provider,
      operation: m.outPerM > 0 ? 'chat.completions' : 'embeddings',
      status,
      errorCode: ok ? null : status === 429 ? 'rate_limit_exceeded' : status === 400 ? 'invalid_request_error' : 'upstream_error',
      inputTokens,
      cachedInputTokens: Math.floor(inputTokens * (random() < 0.3 ? 0.5 : 0)),
      outputTokens,
      costMicros,
      latencyMs,
      ttftMs: stream && ok ? Math.floor(80 + random() * 600) : null,
      endUser: viaLink || random() < 0.2 ? END_USERS[Math.floor(random() ** 2 * END_USERS.length)]! : null,
      stream,
      requestBytes: 200 + inputTokens * 4,
      responseBytes: ok ? 300 + outputTokens * 4 : 180,
      attempts: null,
      createdAt,
    });
  }
  return records;
}
