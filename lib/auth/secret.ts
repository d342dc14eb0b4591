import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env } from '@/lib/env';

let cached: string | undefined;

/**
 * The key that signs session cookies. Deployments set AUTH_SECRET (lib/env.ts requires it
 * next to DATABASE_URL). The embedded default makes one on first start and keeps it beside the
 * data, so `npm run dev` needs no configuration and sessions survive restarts.
 */
export function authSecret(): string {
  if (cached) return cached;
  const { AUTH_SECRET, DATA_DIR } = env();
  if (AUTH_SECRET) return (cached = AUTH_SECRET);
  const file = path.resolve(DATA_DIR, 'auth-secret');
  try {
    cached = readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(DATA_DIR, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // 'wx' fails if another process won the race; then read what it wrote.
    try {
      writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      cached = secret;
    } catch {
      cached = readFileSync(file, 'utf8').trim();
    }
  }
  return cached;
}
