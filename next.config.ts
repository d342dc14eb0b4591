import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native and WASM packages are loaded from node_modules at run time rather than bundled:
  // PGlite ships a WASM Postgres, argon2 a native binding, ioredis-mock a Lua VM.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'ioredis', 'ioredis-mock', 'proper-lockfile'],
  poweredByHeader: false,
};

export default nextConfig;
