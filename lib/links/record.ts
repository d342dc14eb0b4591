import type { LinkRow } from '@/db/schema';
import type { ExtraHeaders, Injection } from '@/lib/proxy/headers';
import type { AllowedPath } from '@/lib/proxy/path';

type Windows = { minute: number | null; hour: number | null; day: number | null };

/**
 * What the proxy needs to know about a link, small enough to cache in Redis and in memory.
 * Secrets stay sealed here: Redis never holds a plaintext, the proxy opens them in-process.
 */
export interface LinkRecord {
  id: string;
  userId: string;
  enabled: boolean;
  upstreamBaseUrl: string;
  secretSealed: string;
  injection: Injection;
  extraHeaders: ExtraHeaders;
  allowedPaths: AllowedPath[];
  allowedOrigins: string[];
  jwt: {
    algorithm: 'HS256' | 'RS256' | 'ES256';
    secretSealed: string | null;
    jwksUrl: string | null;
    issuer: string | null;
    audience: string | string[] | null;
    userClaim: string;
  } | null;
  /** Requests through the link as a whole. */
  rateLimits: Windows;
  /** Requests per end user (the JWT's user id), when the link verifies JWTs. */
  endUserRateLimits: Windows;
  monthlyRequestCap: number | null;
}

export function toLinkRecord(row: LinkRow): LinkRecord {
  const jwt = row.jwt;
  return {
    id: row.id,
    userId: row.userId,
    enabled: row.enabled,
    upstreamBaseUrl: row.upstreamBaseUrl,
    secretSealed: row.secretSealed,
    injection: row.injection,
    extraHeaders: row.extraHeaders,
    allowedPaths: row.allowedPaths,
    allowedOrigins: row.allowedOrigins,
    jwt: jwt && {
      algorithm: jwt.algorithm,
      secretSealed: jwt.secret_sealed ?? null,
      jwksUrl: jwt.jwks_url ?? null,
      issuer: jwt.issuer ?? null,
      audience: jwt.audience ?? null,
      userClaim: jwt.user_claim ?? 'sub',
    },
    rateLimits: { minute: row.rateLimitPerMinute, hour: row.rateLimitPerHour, day: row.rateLimitPerDay },
    endUserRateLimits: {
      minute: row.endUserRateLimitPerMinute,
      hour: row.endUserRateLimitPerHour,
      day: row.endUserRateLimitPerDay,
    },
    monthlyRequestCap: row.monthlyRequestCap,
  };
}
