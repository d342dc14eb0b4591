import { z } from 'zod';
import { rateLimitsSchema, requestLimit } from '@/lib/keys/schema';
import { extraHeadersSchema, injectionSchema } from '@/lib/proxy/headers';
import { allowedPathSchema, MAX_ALLOWED_PATHS } from '@/lib/proxy/path';
import { checkJwksUrl, checkUpstreamBase, type GuardOptions } from '@/lib/proxy/ssrf';
import { allowedOriginsSchema } from './origins';
import { LINK_PRESETS, presetDefaults, TWILIO_ACCOUNT_SID } from './presets';

/**
 * What a link can be configured with — one set of rules for the management API (JSON,
 * snake_case) and the dashboard forms. A function of `{ allowPrivate }` because whether an
 * upstream (or JWKS) may be http:// or a private address is the deployment's choice
 * (PROXY_ALLOW_PRIVATE_UPSTREAMS). URL, path and header rules are lib/proxy's, so what is
 * saved is exactly what the proxy will accept.
 */

const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;

const rateLimits = rateLimitsSchema;

/** The third-party secret: write-only. Control characters would break the request it travels in. */
const secretSchema = z
  .string({ error: 'Enter the secret (the API key the link should use)' })
  .trim()
  .min(1, 'Enter the secret (the API key the link should use)')
  .max(8192, 'Secrets are at most 8192 characters')
  .regex(/^[^\x00-\x1f\x7f]+$/, 'The secret contains control characters (a line break?)');

const claimText = z.string().trim().min(1).max(500);

const PATH_HINT = 'Use a path like /v1/chat/completions, or {"path": "/v1/models", "methods": ["GET"]}';

/**
 * One allowed_paths entry, by lib/proxy's rules. The entry may be a string or an object, and
 * zod reports a failed union as just "Invalid input": this passes on the message of the form
 * the entry was written in (e.g. "Allowed path "v1/x" must start with /").
 */
const allowedPathEntry = z.unknown().transform((entry, ctx) => {
  const parsed = allowedPathSchema.safeParse(entry);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const relevant =
    first?.code === 'invalid_union'
      ? first.errors.map((issues) => issues[0]).find((issue) => issue && !(issue.code === 'invalid_type' && issue.path.length === 0))
      : first;
  ctx.addIssue({ code: 'custom', message: relevant?.message ?? PATH_HINT, path: relevant?.path.map(String) ?? [] });
  return z.NEVER;
});

function checkedUrl(check: typeof checkUpstreamBase, options: GuardOptions) {
  return z
    .string()
    .trim()
    .transform((value, ctx) => {
      const checked = check(value, options);
      if (checked.ok) return `${checked.url.origin}${checked.url.pathname.replace(/\/+$/, '')}${checked.url.search}`;
      ctx.addIssue({ code: 'custom', message: `Refused: ${checked.reason}` });
      return z.NEVER;
    });
}

/** End-user JWT settings; `requireSecret` is false for updates, which may keep the stored one. */
function jwtSchema(options: GuardOptions, requireSecret: boolean) {
  return z
    .strictObject({
      algorithm: z.enum(JWT_ALGORITHMS, { error: 'Use HS256, RS256 or ES256' }),
      // Not trimmed: an HMAC key is exact bytes. 32 characters is the least for HS256 (RFC 7518 §3.2).
      secret: z.string().min(32, 'HS256 secrets must be at least 32 characters').max(4096).optional(),
      jwks_url: checkedUrl(checkJwksUrl, options).optional(),
      issuer: claimText.optional(),
      audience: z.union([claimText, z.array(claimText).min(1).max(10)]).optional(),
      user_claim: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_.:/-]+$/, 'Use a claim name like sub or user_id').default('sub'),
    })
    .superRefine((jwt, ctx) => {
      const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      if (jwt.algorithm === 'HS256') {
        if (jwt.jwks_url) issue('jwks_url', 'Only for RS256 and ES256; HS256 uses the shared secret');
        if (requireSecret && jwt.secret === undefined) issue('secret', 'HS256 needs the secret your backend signs tokens with (at least 32 characters)');
      } else {
        if (jwt.secret !== undefined) issue('secret', 'RS256 and ES256 verify with public keys from jwks_url, not a shared secret');
        if (!jwt.jwks_url) issue('jwks_url', 'RS256 and ES256 need the URL of your JSON Web Key Set');
      }
    });
}

function settingsSchema(options: GuardOptions, mode: 'create' | 'update') {
  return z.strictObject({
    name: z.string().trim().min(1, 'Give the link a name').max(100, 'Names are at most 100 characters'),
    description: z.string().trim().max(500, 'Descriptions are at most 500 characters').nullable(),
    upstream_base_url: checkedUrl(checkUpstreamBase, options),
    secret: secretSchema,
    injection: injectionSchema,
    extra_headers: extraHeadersSchema,
    // Fail closed: a link with no allowed paths would forward nothing, so it is refused.
    allowed_paths: z
      .array(allowedPathEntry)
      .min(1, 'List at least one allowed path: nothing else is forwarded')
      .max(MAX_ALLOWED_PATHS, `At most ${MAX_ALLOWED_PATHS} allowed paths`),
    allowed_origins: allowedOriginsSchema,
    jwt: jwtSchema(options, mode === 'create').nullable(),
    rate_limits: rateLimits,
    end_user_rate_limits: rateLimits,
    monthly_request_cap: requestLimit,
  });
}

/** Builds the create and update schemas for a deployment's upstream policy. */
export function linkSchemas(options: GuardOptions) {
  const settings = settingsSchema(options, 'create');
  const create = settings
    .partial()
    .extend({
      name: settings.shape.name,
      secret: secretSchema,
      preset: z.enum(LINK_PRESETS, { error: `Unknown preset; use ${LINK_PRESETS.join(', ')}` }).default('custom'),
      /** Twilio only: the Account SID the auth token belongs to. */
      account_sid: z.string().trim().regex(TWILIO_ACCOUNT_SID, 'A Twilio Account SID is AC followed by 32 hex digits').optional(),
    })
    .transform(({ account_sid, ...input }, ctx) => {
      const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      if (account_sid !== undefined && input.preset !== 'twilio') issue('account_sid', 'Only for the twilio preset');
      if (input.preset === 'twilio' && account_sid === undefined) {
        issue('account_sid', 'Enter the Twilio Account SID the auth token belongs to');
        return z.NEVER;
      }
      const defaults = presetDefaults(input.preset, { accountSid: account_sid });
      const upstream_base_url = input.upstream_base_url ?? defaults?.upstream_base_url;
      const injection = input.injection ?? defaults?.injection;
      const allowed_paths = input.allowed_paths ?? defaults?.allowed_paths;
      if (!upstream_base_url) issue('upstream_base_url', 'Enter the base URL of the API, e.g. https://api.example.com/v1');
      if (!injection) issue('injection', 'Say how the secret is sent, e.g. {"type": "bearer"}');
      if (!allowed_paths) issue('allowed_paths', 'List at least one allowed path: nothing else is forwarded');
      // Headers carry bytes, not text: fetch would refuse a non-ASCII secret on every request.
      if (injection && (injection.type === 'bearer' || injection.type === 'header') && !/^[\x20-\x7e]+$/.test(input.secret)) {
        issue('secret', 'A secret sent in a header must be printable ASCII');
      }
      if (!upstream_base_url || !injection || !allowed_paths) return z.NEVER;
      return { ...input, upstream_base_url, injection, allowed_paths, extra_headers: input.extra_headers ?? defaults?.extra_headers ?? {} };
    });
  const update = settingsSchema(options, 'update')
    .partial()
    .refine((patch) => Object.keys(patch).length > 0, 'Nothing to update');
  return { create, update };
}

type LinkSchemas = ReturnType<typeof linkSchemas>;
export type LinkCreateInput = z.output<LinkSchemas['create']>;
export type LinkUpdateInput = z.output<LinkSchemas['update']>;
export type LinkJwtInput = z.output<ReturnType<typeof jwtSchema>>;

export const linkTokenCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'Give the token a name').max(100, 'Names are at most 100 characters'),
});
