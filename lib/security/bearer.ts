import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header is `Bearer <secret>` — the one check behind every token from
 * configuration (METRICS_TOKEN, CRON_SECRET, REDIS_HTTP_TOKEN). Compared as SHA-256 digests with
 * timingSafeEqual: equal lengths whatever was sent, so the time taken says nothing about the
 * secret or its length.
 */
export function bearerMatches(header: string | null | undefined, secret: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(secret));
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
