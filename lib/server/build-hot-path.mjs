// Bundles lib/server/hot-path.ts for the production entry (see that file for why).
// `server-only` becomes an empty module, as it is inside Next's server bundles (the hot path is
// server code by definition; the marker only guards against client imports).
import { build } from 'esbuild';

const serverOnlyIsEmpty = {
  name: 'server-only',
  setup(builder) {
    builder.onResolve({ filter: /^server-only$/ }, () => ({ path: 'server-only', namespace: 'empty' }));
    builder.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '' }));
  },
};

// Next.js's request APIs (next/headers, next/navigation…) only work inside Next's own request
// handling; in this bundle they fail at import — every server would die at start (it happened:
// a module the drain imports reached for next/headers). Refused here, at build time, instead.
const noNext = {
  name: 'no-next',
  setup(builder) {
    builder.onResolve({ filter: /^next(\/|$)/ }, (args) => ({
      errors: [{ text: `the hot path must not import ${args.path} (imported by ${args.importer}): keep Next.js's request APIs out of modules the gateway, the proxy or the drain load` }],
    }));
  },
};

await build({
  entryPoints: ['lib/server/hot-path.ts'],
  outfile: '.next/conduit/hot-path.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [serverOnlyIsEmpty, noNext],
  sourcemap: true,
  logLevel: 'warning',
});
console.log('✓ Bundled the /v1 and /proxy hot paths into .next/conduit/hot-path.mjs');
