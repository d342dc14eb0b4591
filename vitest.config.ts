import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@/': fileURLToPath(new URL('./', import.meta.url)),
      // `server-only` throws outside React Server Components; tests run server code directly.
      'server-only': fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'db/**/*.test.ts', 'app/**/*.test.ts'],
    environment: 'node',
    // next-auth imports `next/server` without an extension, which Node's ESM loader cannot resolve
    // from node_modules; bundled through Vite instead (Auth.js's route handlers are tested).
    server: { deps: { inline: ['next-auth'] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances are memory-hungry (~1 GB peak at initdb); keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
