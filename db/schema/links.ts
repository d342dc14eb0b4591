import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { LinkPreset } from '../../lib/links/presets';
import type { ExtraHeaders, Injection } from '../../lib/proxy/headers';
import type { AllowedPath } from '../../lib/proxy/path';
import { organizations } from './organizations';

/** How a link checks end-user JWTs. Secrets are sealed (lib/crypto/secret-box.ts), never plain. */
export interface LinkJwtColumn {
  algorithm: 'HS256' | 'RS256' | 'ES256';
  /** HS256 only. */
  secret_sealed?: string;
  /** RS256 / ES256 only. */
  jwks_url?: string;
  issuer?: string;
  audience?: string | string[];
  user_claim?: string;
}

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Conduit Links: a third-party secret kept here and injected by the proxy (/proxy/{id}/…) into
 * requests from browsers, which only hold a link access token. The secret is encrypted, not
 * hashed, because it has to be sent on. Request limits are counts; null = no limit.
 */
export const links = pgTable(
  'links',
  {
    /** `l` + 23 of [a-z0-9]: it is also a DNS label in https://{id}.{PROXY_DOMAIN}/. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    preset: text('preset').$type<LinkPreset>().notNull().default('custom'),
    upstreamBaseUrl: text('upstream_base_url').notNull(),
    secretSealed: text('secret_sealed').notNull(),
    /** The last characters of the secret, for people to recognise it; null when it is too short to show any. */
    secretHint: text('secret_hint'),
    injection: jsonb('injection').$type<Injection>().notNull(),
    extraHeaders: jsonb('extra_headers').$type<ExtraHeaders>().notNull().default({}),
    allowedPaths: jsonb('allowed_paths').$type<AllowedPath[]>().notNull(),
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
    jwt: jsonb('jwt').$type<LinkJwtColumn>(),
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    rateLimitPerHour: integer('rate_limit_per_hour'),
    rateLimitPerDay: integer('rate_limit_per_day'),
    endUserRateLimitPerMinute: integer('end_user_rate_limit_per_minute'),
    endUserRateLimitPerHour: integer('end_user_rate_limit_per_hour'),
    endUserRateLimitPerDay: integer('end_user_rate_limit_per_day'),
    monthlyRequestCap: integer('monthly_request_cap'),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    /** Deleted links stay as rows so usage history keeps its link; they never serve again. */
    deletedAt: at('deleted_at'),
  },
  (link) => [index('links_user_idx').on(link.userId, link.createdAt)],
);

/**
 * Access tokens of a link (`clt_…`), stored hashed. A link can have several so a token can be
 * rotated without downtime: create the new one, deploy it, then revoke the old one.
 */
export const linkTokens = pgTable(
  'link_tokens',
  {
    id: text('id').primaryKey(),
    linkId: text('link_id')
      .notNull()
      .references(() => links.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    hash: text('hash').notNull().unique(),
    start: text('start').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (token) => [index('link_tokens_link_idx').on(token.linkId, token.createdAt)],
);

export type LinkRow = typeof links.$inferSelect;
export type LinkTokenRow = typeof linkTokens.$inferSelect;
