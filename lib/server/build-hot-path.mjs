// Bundles lib/server/hot-path.ts and lib/server/background.ts for the production entry (see those files for why).
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

await build({
  // The hot paths, and the background thread's entry (usage drain, reservation sweeper).
  entryPoints: { 'hot-path': 'lib/server/hot-path.ts', background: 'lib/server/background.ts' },
  outdir: '.next/conduit',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [serverOnlyIsEmpty],
  sourcemap: true,
  logLevel: 'warning',
});
console.log('✓ Bundled the /v1 and /proxy hot paths into .next/conduit/hot-path.mjs, the background thread into .next/conduit/background.mjs');
