import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header carries the cron secret — `Bearer <CRON_SECRET>`, exactly what
 * Vercel sends with each cron request. Compared as SHA-256 digests with timingSafeEqual: equal
 * lengths whatever was sent, so the time taken says nothing about the secret or its length.
 */
export function isCronAuthorized(header: string | null, secret: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(secret));
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
