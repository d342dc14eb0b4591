import type { NextConfig } from 'next';
import { COMMON_SECURITY_HEADERS, HOT_PATH_SECURITY_HEADERS } from './lib/security/headers';

const asList = (record: Readonly<Record<string, string>>) => Object.entries(record).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
  // Native and WASM packages are loaded from node_modules at run time rather than bundled:
  // PGlite ships a WASM Postgres, argon2 a native binding, ioredis-mock a Lua VM.
  // prom-client and pino keep one registry and one logger per process only if Next's bundle and
  // the hot path's (lib/server/build-hot-path.mjs) load the same copy from node_modules.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'ioredis', 'ioredis-mock', 'proper-lockfile', 'prom-client', 'pino'],
  poweredByHeader: false,
  // forbidden() and app/forbidden.tsx: a member whose role lacks a page's permission gets a 403
  // page saying so (lib/orgs/session.ts), not a redirect that hides why.
  experimental: { authInterrupts: true },
  // `npm run dev` is opened at http://localhost:3000 or http://127.0.0.1:3000 alike: Next serves its
  // dev resources (/_next/*, HMR) only to the host it started on, and a page loaded from the other
  // one renders but never hydrates — its buttons do nothing. ALLOWED_DEV_ORIGINS adds more hosts
  // (a LAN address, a tunnel), comma-separated.
  allowedDevOrigins: ['localhost', '127.0.0.1', '[::1]', ...(process.env.ALLOWED_DEV_ORIGINS?.split(',').map((host) => host.trim()).filter(Boolean) ?? [])],
  // The constant security headers (lib/security/headers.ts); the per-request ones — the CSP with
  // its nonce, HSTS — come from proxy.ts. /v1 and /proxy get what the production hot path sends.
  async headers() {
    return [
      { source: '/((?!v1/|proxy/).*)', headers: asList(COMMON_SECURITY_HEADERS) },
      { source: '/(v1|proxy)/:path*', headers: asList(HOT_PATH_SECURITY_HEADERS) },
    ];
  },
};

export default nextConfig;
