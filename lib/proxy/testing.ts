import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { startMockAnthropic } from '@/lib/testing/mock-anthropic';
import { startMockOpenAI } from '@/lib/testing/mock-openai';
import { useTestServices } from '@/lib/testing/services';
import { startRecordingUpstream } from './recording-upstream';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Test support for Conduit Link end to end (proxy.test.ts, proxy-attacks.test.ts): the official
 * SDKs and plain fetch → the proxy (served by the same node adapter as production) → local mock
 * upstreams that show exactly what arrived. Call once per test file, before anything else imports
 * env(); close() in afterAll.
 */
export async function startLinks() {
  // eslint-disable-next-line react-hooks/rules-of-hooks -- not a React hook: the test services' setup
  const services = await useTestServices();
  Object.assign(process.env, { PROXY_ALLOW_PRIVATE_UPSTREAMS: 'true', PROXY_DOMAIN: 'proxy.test', PROXY_MAX_BODY_BYTES: '4096', UPSTREAM_TIMEOUT_MS: '1500' });
  const openaiMock = await startMockOpenAI({ chunkDelayMs: 1 });
  const anthropicMock = await startMockAnthropic({ chunkDelayMs: 1 });
  const generic = await startRecordingUpstream((arrival) =>
    arrival.path.endsWith('/customers') ? { id: 'cus_123', object: 'customer', email: new URLSearchParams(arrival.body).get('email') } : { ok: true, path: arrival.path },
  );
  const { serve } = await import('@/lib/server/node-adapter');
  const { handleProxy } = await import('./handler');
  const { signUp } = await import('@/lib/auth/users');
  const { createLink } = await import('@/lib/links/service');
  const { linkSchemas } = await import('@/lib/links/schema');
  const server = await serve(handleProxy);
  const port = new URL(server.url).port;

  const signed = await signUp({ email: `links-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, password: 'proxy tests 1' });
  if (!signed.ok) throw new Error('sign-up failed');
  const actor = personalActor(signed.user.id);

  return {
    label: services.label,
    openaiMock,
    anthropicMock,
    generic,
    server,
    port,

    async link(input: Record<string, unknown>) {
      const created = await createLink(actor, linkSchemas({ allowPrivate: true }).create.parse({ name: 'test', ...input }));
      return { id: created.link.id, token: created.token.secret };
    },

    /** A request with exactly this path on the wire (node:http does not normalise it). */
    rawStatus(path: string, headers: Record<string, string>): Promise<number> {
      return new Promise((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    },

    async close() {
      await Promise.all([server.close(), openaiMock.close(), anthropicMock.close(), generic.close()]);
      await services.cleanup();
    },
  };
}

export const JWT_SECRET = 'a-shared-secret-of-at-least-32-characters!';

export const userJwt = (claims: Record<string, unknown>, secret = JWT_SECRET, expiresIn: string | number = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
