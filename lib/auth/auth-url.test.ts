import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// AUTH_URL is read when the configuration is first parsed: this file sets it before anything loads.
process.env.AUTH_URL = 'https://conduit.example.com';
const services = await useTestServices();
const { GET } = await import('@/app/api/auth/[...nextauth]/route');
const { getDb } = await import('@/db');
// Auth.js's configuration opens the database (migrations on a fresh one take a while).
beforeAll(() => getDb());
afterAll(() => {
  delete process.env.AUTH_URL;
  return services.cleanup();
});

describe('Auth.js URLs with AUTH_URL', () => {
  it('are on AUTH_URL, whatever the request says', async () => {
    const response = await GET(new NextRequest('http://localhost:3000/api/auth/providers', { headers: { host: 'internal:3000', 'x-forwarded-host': 'evil.example' } }));
    const { credentials } = (await response.json()) as Record<string, { callbackUrl: string }>;
    expect(credentials!.callbackUrl).toBe('https://conduit.example.com/api/auth/callback/credentials');
  });
});
