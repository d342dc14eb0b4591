import { randomUUID } from 'node:crypto';
import type { UsageRecord } from './record';

/** Test support: a valid usage record with a fresh request id; override what the test is about. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: `req_${randomUUID()}`,
    userId: null,
    keyId: null,
    linkId: null,
    model: 'gpt-4o-mini',
    provider: 'openai',
    operation: 'chat.completions',
    status: 200,
    errorCode: null,
    inputTokens: 12,
    cachedInputTokens: 0,
    outputTokens: 34,
    costMicros: 25,
    latencyMs: 420,
    requestBytes: 0,
    responseBytes: 0,
    ttftMs: null,
    endUser: null,
    stream: false,
    attempts: null,
    createdAt: Date.now(),
    ...overrides,
  };
}

/** A queue name no other test run shares, even on a Redis shared across CI runs. */
export const testQueueName = () => `conduit-test:${randomUUID()}:usage`;
