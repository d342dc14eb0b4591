import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite (README, Reliability). Each file breaks the real services
 * under a production build (`npm run build` first) — Redis killed and restarted empty, PostgreSQL
 * backends terminated, the server killed — one file at a time, since they load the same 2 cores.
 */
export default defineConfig({
  resolve: {
    alias: {
      '@/': fileURLToPath(new URL('../../', import.meta.url)),
      'server-only': fileURLToPath(new URL('../../node_modules/server-only/empty.js', import.meta.url)),
    },
  },
  test: {
    root: fileURLToPath(new URL('../../', import.meta.url)),
    include: ['e2e/faults/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
