// Bundles lib/server/hot-path.ts for the production entry (see that file for why), and beside it the
// usage drain's thread (lib/usage/drain-thread-entry.ts).
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

const options = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', plugins: [serverOnlyIsEmpty, noNext], sourcemap: true, logLevel: 'warning' };
await build({ ...options, entryPoints: ['lib/server/hot-path.ts'], outfile: '.next/conduit/hot-path.mjs' });
// The usage drain's thread (lib/usage/drain-thread.ts): the hot path starts it from beside itself.
await build({ ...options, entryPoints: ['lib/usage/drain-thread-entry.ts'], outfile: '.next/conduit/drain-thread.mjs' });
console.log('✓ Bundled the /v1 and /proxy hot paths into .next/conduit/hot-path.mjs, the usage drain thread into drain-thread.mjs');
