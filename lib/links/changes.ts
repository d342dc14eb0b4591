import 'server-only';
import type { LinkJwtColumn, LinkRow } from '@/db/schema';
import { sealSecret } from '@/lib/crypto/secret-box';
import { ApiError } from '@/lib/errors';
import { rateOrderIssues, type LimitOrderIssue } from '@/lib/keys/limit-order';
import type { LinkCreateInput, LinkJwtInput, LinkUpdateInput } from './schema';

/** The columns a create or update sets, from validated API input (snake_case → columns). */

/**
 * The last 4 characters, for recognising which secret is stored. Not for short secrets: there
 * 4 characters would give away too large a share of it.
 */
export function secretHint(secret: string): string | null {
  return secret.length >= 16 ? secret.slice(-4) : null;
}

/** A JWT setting as stored: the HS256 secret sealed; kept from `before` when not re-entered. */
function jwtColumn(input: LinkJwtInput | null, before: LinkJwtColumn | null): LinkJwtColumn | null {
  if (!input) return null;
  const common = {
    algorithm: input.algorithm,
    ...(input.issuer ? { issuer: input.issuer } : {}),
    ...(input.audience ? { audience: input.audience } : {}),
    user_claim: input.user_claim,
  };
  if (input.algorithm !== 'HS256') return { ...common, jwks_url: input.jwks_url };
  // The secret is write-only, so an edit of, say, the issuer cannot resend it: keep the old one.
  const sealed = input.secret !== undefined ? sealSecret(input.secret) : before?.algorithm === 'HS256' ? before.secret_sealed : undefined;
  if (!sealed) {
    throw new ApiError(400, 'invalid_request_error', 'jwt.secret: HS256 needs the shared secret (at least 32 characters)', {
      param: 'jwt.secret',
    });
  }
  return { ...common, secret_sealed: sealed };
}

export function columnsFromInput(input: LinkCreateInput | LinkUpdateInput, before?: LinkRow): Partial<LinkRow> {
  const columns: Partial<LinkRow> = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.description !== undefined) columns.description = input.description || null;
  if (input.upstream_base_url !== undefined) columns.upstreamBaseUrl = input.upstream_base_url;
  if (input.secret !== undefined) {
    // Replacing the secret overwrites the only copy: the old sealed value is gone with the update.
    columns.secretSealed = sealSecret(input.secret);
    columns.secretHint = secretHint(input.secret);
  }
  if (input.injection !== undefined) columns.injection = input.injection;
  if (input.extra_headers !== undefined) columns.extraHeaders = input.extra_headers;
  if (input.allowed_paths !== undefined) columns.allowedPaths = input.allowed_paths;
  if (input.allowed_origins !== undefined) columns.allowedOrigins = input.allowed_origins;
  if (input.jwt !== undefined) columns.jwt = jwtColumn(input.jwt, before?.jwt ?? null);
  const rate = input.rate_limits ?? {};
  if (rate.per_minute !== undefined) columns.rateLimitPerMinute = rate.per_minute;
  if (rate.per_hour !== undefined) columns.rateLimitPerHour = rate.per_hour;
  if (rate.per_day !== undefined) columns.rateLimitPerDay = rate.per_day;
  const perUser = input.end_user_rate_limits ?? {};
  if (perUser.per_minute !== undefined) columns.endUserRateLimitPerMinute = perUser.per_minute;
  if (perUser.per_hour !== undefined) columns.endUserRateLimitPerHour = perUser.per_hour;
  if (perUser.per_day !== undefined) columns.endUserRateLimitPerDay = perUser.per_day;
  if (input.monthly_request_cap !== undefined) columns.monthlyRequestCap = input.monthly_request_cap;
  return columns;
}

/**
 * The window-order rule (lib/keys/limit-order.ts) on what an update leaves stored: an API PATCH
 * may send one limit and contradict another already saved. Only the limits the patch touches are
 * judged, so a link saved before the rule existed can still be renamed.
 */
export function limitOrderIssuesAfter(before: LinkRow, patch: Partial<LinkRow>): LimitOrderIssue[] {
  const after = { ...before, ...patch };
  const touches = (columns: (keyof LinkRow)[]) => columns.some((column) => column in patch);
  const rate = { per_minute: after.rateLimitPerMinute, per_hour: after.rateLimitPerHour, per_day: after.rateLimitPerDay };
  const perUser = { per_minute: after.endUserRateLimitPerMinute, per_hour: after.endUserRateLimitPerHour, per_day: after.endUserRateLimitPerDay };
  return [
    ...(touches(['rateLimitPerMinute', 'rateLimitPerHour', 'rateLimitPerDay']) ? rateOrderIssues(rate, ['rate_limits']) : []),
    ...(touches(['endUserRateLimitPerMinute', 'endUserRateLimitPerHour', 'endUserRateLimitPerDay']) ? rateOrderIssues(perUser, ['end_user_rate_limits']) : []),
  ];
}
