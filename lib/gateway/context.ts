import 'server-only';
import type { KeyRecord } from '@/lib/keys/record';
import type { UsageRecord } from '@/lib/usage/record';
import { enqueueUsageNow } from '@/lib/usage/queue';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'gateway' });

/** What the gateway knows about one request as it goes; becomes its usage record. */
export interface RequestContext {
  requestId: string;
  startedAt: number;
  key?: KeyRecord;
  record: Omit<UsageRecord, 'requestId' | 'userId' | 'keyId' | 'latencyMs' | 'createdAt' | 'status'>;
}

export function newContext(): RequestContext {
  return {
    requestId: `req_${crypto.randomUUID().replaceAll('-', '')}`,
    startedAt: Date.now(),
    record: {
      linkId: null,
      model: null,
      provider: null,
      operation: null,
      errorCode: null,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      costMicros: 0,
      ttftMs: null,
      endUser: null,
      stream: false,
      requestBytes: 0,
      responseBytes: 0,
      attempts: null,
    },
  };
}

/** Field by field rather than a spread: built once per request, in one shape (a spread showed in the profile). */
export function usageRecord(context: RequestContext, status: number, now = Date.now()): UsageRecord {
  const r = context.record;
  return {
    requestId: context.requestId,
    userId: context.key?.userId ?? null,
    keyId: context.key?.id ?? null,
    linkId: r.linkId,
    model: r.model,
    provider: r.provider,
    operation: r.operation,
    status,
    errorCode: r.errorCode,
    inputTokens: r.inputTokens,
    cachedInputTokens: r.cachedInputTokens,
    outputTokens: r.outputTokens,
    costMicros: r.costMicros,
    latencyMs: Math.max(0, now - context.startedAt),
    ttftMs: r.ttftMs,
    endUser: r.endUser,
    stream: r.stream,
    requestBytes: r.requestBytes,
    responseBytes: r.responseBytes,
    attempts: r.attempts,
    createdAt: context.startedAt,
  };
}

/** For requests that settle nothing (refusals, free endpoints): off the response path. */
export function recordUsage(context: RequestContext, status: number): void {
  enqueueUsageNow(usageRecord(context, status)).catch((error: unknown) => log.error({ err: error, requestId: context.requestId }, 'could not record usage'));
}
