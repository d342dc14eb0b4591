import type { LinkRow } from '@/db/schema';
import { formatHeaderLines, formatPathLine } from '../link-form-input';
import type { LinkFormValues } from '../link-form-values';

const limit = (value: number | null) => (value === null ? '' : String(value));

/** A link's settings as the edit form shows them: lists one per line, secrets never (only the hint). */
export function linkFormValues(link: LinkRow): LinkFormValues {
  const injection = link.injection;
  const jwt = link.jwt;
  return {
    id: link.id,
    name: link.name,
    description: link.description ?? '',
    preset: link.preset,
    upstream: {
      baseUrl: link.upstreamBaseUrl,
      injectionType: injection.type,
      injectionName: injection.type === 'header' || injection.type === 'query' ? injection.name : '',
      injectionUsername: injection.type === 'basic' ? (injection.username ?? '') : '',
      extraHeaders: formatHeaderLines(link.extraHeaders),
      allowedPaths: link.allowedPaths.map(formatPathLine).join('\n'),
    },
    secretHint: link.secretHint,
    allowedOrigins: link.allowedOrigins.join('\n'),
    jwt: {
      mode: jwt?.algorithm ?? 'off',
      hasSecret: Boolean(jwt?.secret_sealed),
      jwksUrl: jwt?.jwks_url ?? '',
      issuer: jwt?.issuer ?? '',
      audience: Array.isArray(jwt?.audience) ? jwt.audience.join(', ') : (jwt?.audience ?? ''),
      userClaim: jwt?.user_claim ?? 'sub',
    },
    rate: { per_minute: limit(link.rateLimitPerMinute), per_hour: limit(link.rateLimitPerHour), per_day: limit(link.rateLimitPerDay) },
    userRate: {
      per_minute: limit(link.endUserRateLimitPerMinute),
      per_hour: limit(link.endUserRateLimitPerHour),
      per_day: limit(link.endUserRateLimitPerDay),
    },
    monthlyCap: limit(link.monthlyRequestCap),
  };
}
