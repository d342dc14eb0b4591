import 'server-only';
import type { LinkRow, LinkTokenRow } from '@/db/schema';
import { env } from '@/lib/env';

/**
 * A link as the management API shows it (snake_case). Secrets are write-only: neither they nor
 * their sealed form ever leave the server; `secret_hint` and each token's `start` are there for
 * recognising them.
 */

export function presentLink(link: LinkRow, proxyDomain = env().PROXY_DOMAIN) {
  const jwt = link.jwt;
  return {
    id: link.id,
    object: 'link',
    name: link.name,
    description: link.description,
    preset: link.preset,
    status: link.enabled ? 'active' : 'disabled',
    proxy_url: `/proxy/${link.id}`,
    host: proxyDomain ? `${link.id}.${proxyDomain}` : null,
    upstream_base_url: link.upstreamBaseUrl,
    secret_hint: link.secretHint,
    injection: link.injection,
    extra_headers: link.extraHeaders,
    allowed_paths: link.allowedPaths,
    allowed_origins: link.allowedOrigins,
    jwt: jwt && {
      algorithm: jwt.algorithm,
      has_secret: Boolean(jwt.secret_sealed),
      jwks_url: jwt.jwks_url ?? null,
      issuer: jwt.issuer ?? null,
      audience: jwt.audience ?? null,
      user_claim: jwt.user_claim ?? 'sub',
    },
    rate_limits: { per_minute: link.rateLimitPerMinute, per_hour: link.rateLimitPerHour, per_day: link.rateLimitPerDay },
    end_user_rate_limits: {
      per_minute: link.endUserRateLimitPerMinute,
      per_hour: link.endUserRateLimitPerHour,
      per_day: link.endUserRateLimitPerDay,
    },
    monthly_request_cap: link.monthlyRequestCap,
    created_at: link.createdAt.toISOString(),
    updated_at: link.updatedAt.toISOString(),
  };
}

export function presentLinkToken(token: LinkTokenRow) {
  return {
    id: token.id,
    object: 'link_token',
    name: token.name,
    start: token.start,
    created_at: token.createdAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
  };
}
