import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from './testing';

/**
 * A request the provider answered has its usage record in Redis before the client has the whole
 * answer: a server killed right after answering (kill -9) cannot take the record with it, leaving
 * a request served but never billed. Checked without waiting: the queue is read the moment the
 * answer's last byte has arrived.
 */
const gateway = await startGateway();
const { services, newKey, server } = gateway;
const { getRedis } = await import('@/lib/redis/client');
const { appUsageQueue } = await import('@/lib/usage/queue');
afterAll(() => gateway.close());

async function queuedIds(): Promise<string[]> {
  const entries = await getRedis().lrange<string | { requestId: string }>(appUsageQueue().key, 0, -1);
  return entries.map((entry) => (typeof entry === 'string' ? (JSON.parse(entry) as { requestId: string }) : entry).requestId);
}

describe(`usage records before the answer ends, on ${services.label}`, () => {
  it.each([false, true])('stream: %s', async (stream) => {
    const secret = await newKey();
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${i}` }], max_tokens: 5, stream }),
      });
      expect(response.status).toBe(200);
      await response.text(); // the whole answer
      expect(await queuedIds()).toContain(response.headers.get('x-request-id'));
    }
  });
});
