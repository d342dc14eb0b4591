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

await build({
  entryPoints: ['lib/server/hot-path.ts'],
  outfile: '.next/conduit/hot-path.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [serverOnlyIsEmpty],
  sourcemap: true,
  logLevel: 'warning',
});
console.log('✓ Bundled the /v1 and /proxy hot paths into .next/conduit/hot-path.mjs');
