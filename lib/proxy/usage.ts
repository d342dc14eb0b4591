import 'server-only';
import type { LinkRecord } from '@/lib/links/record';
import { enqueueUsageNow } from '@/lib/usage/queue';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'proxy' });

/** What the proxy knows about one request as it goes; becomes its usage record. */
export interface ProxyContext {
  requestId: string;
  startedAt: number;
  link?: LinkRecord;
  endUser: string | null;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  requestBytes: number;
  responseBytes: number;
  ttftMs: number | null;
  stream: boolean;
}

export function newProxyContext(): ProxyContext {
  return {
    requestId: `req_${crypto.randomUUID().replaceAll('-', '')}`,
    startedAt: Date.now(),
    endUser: null,
    errorCode: null,
    inputTokens: 0,
    outputTokens: 0,
    requestBytes: 0,
    responseBytes: 0,
    ttftMs: null,
    stream: false,
  };
}

/** One usage record per request through a known link, allowed or refused; off the response path. */
export function recordProxyUsage(context: ProxyContext, status: number): void {
  if (!context.link) return;
  enqueueUsageNow({
    requestId: context.requestId,
    userId: context.link.userId,
    keyId: null,
    linkId: context.link.id,
    model: null,
    provider: null,
    operation: 'proxy',
    status,
    errorCode: context.errorCode,
    inputTokens: context.inputTokens,
    cachedInputTokens: 0,
    outputTokens: context.outputTokens,
    costMicros: 0,
    latencyMs: Math.max(0, Date.now() - context.startedAt),
    ttftMs: context.ttftMs,
    endUser: context.endUser,
    stream: context.stream,
    requestBytes: context.requestBytes,
    responseBytes: context.responseBytes,
    attempts: null,
    createdAt: context.startedAt,
  }).catch((error: unknown) => log.error({ err: error, requestId: context.requestId }, 'could not record usage'));
}
