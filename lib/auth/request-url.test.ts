import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// Auth.js's own endpoints through the route handlers, as Next.js calls them: at
// http://localhost:<port>/… whatever the Host. (AUTH_URL: auth-url.test.ts, its own process.)
const services = await useTestServices();
const { GET } = await import('@/app/api/auth/[...nextauth]/route');
const { getDb } = await import('@/db');
// Auth.js's configuration opens the database (migrations on a fresh one take a while).
beforeAll(() => getDb());
afterAll(() => services.cleanup());

async function providers(headers: Record<string, string>) {
  const response = await GET(new NextRequest('http://localhost:3000/api/auth/providers', { headers }));
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, { signinUrl: string; callbackUrl: string }>;
}

describe('Auth.js URLs without AUTH_URL', () => {
  it("are on the request's host, not on the address Next.js listens on", async () => {
    const { credentials } = await providers({ host: 'conduit.example.test:8443' });
    expect(credentials!.callbackUrl).toBe('http://conduit.example.test:8443/api/auth/callback/credentials');
    expect(credentials!.signinUrl).toBe('http://conduit.example.test:8443/api/auth/signin/credentials');
  });

  it('ignore X-Forwarded-Host and -Proto when no trusted proxy is configured (a client wrote them)', async () => {
    const { credentials } = await providers({ host: 'conduit.example.test', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(credentials!.callbackUrl).toBe('http://conduit.example.test/api/auth/callback/credentials');
  });
});
