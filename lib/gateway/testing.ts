import OpenAI from 'openai';
import { startMockAnthropic } from '@/lib/testing/mock-anthropic';
import { startMockOpenAI } from '@/lib/testing/mock-openai';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Test support for the Conduit API end to end: the official `openai` SDK → the gateway (served by
 * the same node adapter as production) → local mock upstreams, with real PostgreSQL + Redis in CI.
 * Call once per test file, before anything else imports env(); close() in afterAll.
 */
export async function startGateway() {
  // eslint-disable-next-line react-hooks/rules-of-hooks -- not a React hook: the test services' setup
  const services = await useTestServices();
  const openaiMock = await startMockOpenAI({ chunkDelayMs: 2 });
  const anthropicMock = await startMockAnthropic({ chunkDelayMs: 2 });
  Object.assign(process.env, {
    OPENAI_BASE_URL: `${openaiMock.url}/v1`,
    OPENAI_API_KEY: openaiMock.apiKey,
    ANTHROPIC_BASE_URL: anthropicMock.url,
    ANTHROPIC_API_KEY: anthropicMock.apiKey,
    UPSTREAM_TIMEOUT_MS: '1500',
    GATEWAY_MAX_BODY_BYTES: '65536',
    TRIAL_CREDIT_USD: '10',
    TRUSTED_PROXY_COUNT: '1',
  });
  const { serve } = await import('@/lib/server/node-adapter');
  const { handleGateway } = await import('./handler');
  const { signUp } = await import('@/lib/auth/users');
  const keys = await import('@/lib/keys/service');
  const { drainUsageOnce } = await import('@/lib/usage/drain');
  const { getDb } = await import('@/db');
  const { usageRecords } = await import('@/db/schema');
  const { inArray } = await import('drizzle-orm');

  const server = await serve(handleGateway);
  const signed = await signUp({ email: `gateway-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, password: 'gateway tests 1' });
  if (!signed.ok) throw new Error('sign-up failed');
  const actor = personalActor(signed.user.id);

  return {
    services,
    openaiMock,
    anthropicMock,
    server,
    serve,
    handleGateway,
    keys,
    actor,
    /** A new key of the test account; its secret. */
    newKey: async (input: Parameters<typeof keys.createKey>[1] = { name: 'test' }) => (await keys.createKey(actor, input)).secret,
    /**
     * One drain pass, then the stored usage rows of these requests. Records are settled after the
     * answer and drained in batches: poll this (expect.poll) rather than expect them at once.
     */
    storedUsage: async (requestIds: string[]) => {
      await drainUsageOnce();
      return (await getDb()).select().from(usageRecords).where(inArray(usageRecords.requestId, requestIds));
    },
    /** The official SDK pointed at the gateway. */
    client: (apiKey: string, headers: Record<string, string> = {}) =>
      new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0, defaultHeaders: headers }),
    async close() {
      await server.close();
      await openaiMock.close();
      await anthropicMock.close();
      await services.cleanup();
    },
  };
}
