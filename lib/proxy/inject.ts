import 'server-only';
import { z } from 'zod';
import { CALLER_CREDENTIALS, HEADER_NAME, isReservedName } from './header-names';

/**
 * Putting the link's secret into the upstream request, and the link settings that say how.
 * The browser never sees the secret: it is added here, after the client's headers were
 * filtered (headers.ts), and nothing the client sends can replace or duplicate it.
 */

export const MAX_EXTRA_HEADERS = 20;
const MAX_NAME_LENGTH = 100;
const MAX_VALUE_LENGTH = 4096;

// Visible ASCII with inner spaces/tabs: no CR/LF (header splitting), no NUL, no other controls,
// nothing the HTTP client would refuse as a header value mid-request.
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

const headerNameSchema = z
  .string()
  .max(MAX_NAME_LENGTH)
  .regex(HEADER_NAME, 'Header names may only contain letters, digits and !#$%&\'*+-.^_`|~')
  .transform((name) => name.toLowerCase());

const injectionHeaderNameSchema = headerNameSchema.refine((name) => !isReservedName(name), {
  message: 'This header controls the connection or identifies the client; the secret cannot go in it',
});

/** Query parameter names as APIs use them (key, api_key, access_token): no syntax characters. */
const queryNameSchema = z.string().min(1).max(MAX_NAME_LENGTH).regex(/^[A-Za-z0-9._~-]+$/, 'Use letters, digits and . _ ~ -');

export const injectionSchema = z.discriminatedUnion('type', [
  // Authorization: Bearer <secret> — OpenAI, Stripe, SendGrid.
  z.strictObject({ type: z.literal('bearer') }),
  // <name>: <secret> — Anthropic's x-api-key; `authorization` for schemes like "Token abc".
  z.strictObject({ type: z.literal('header'), name: injectionHeaderNameSchema }),
  // ?<name>=<secret> — Google Maps' key.
  z.strictObject({ type: z.literal('query'), name: queryNameSchema }),
  // Authorization: Basic — Twilio (username = AccountSid, secret = auth token).
  z.strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[\x20-\x39\x3b-\x7e]+$/, 'The username must be printable ASCII without a colon')
      .optional(),
  }),
]);
export type Injection = z.output<typeof injectionSchema>;

/**
 * Fixed headers a link adds (e.g. anthropic-version). They may override the client's headers but
 * never name a credential, hop-by-hop, framing or client-identity header; and the secret is set
 * after them, so an extra header can never replace it either.
 */
export const extraHeadersSchema = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    const entries = Object.entries(headers);
    if (entries.length > MAX_EXTRA_HEADERS) ctx.addIssue({ code: 'custom', message: `At most ${MAX_EXTRA_HEADERS} extra headers` });
    const seen = new Set<string>();
    for (const [name, value] of entries) {
      const shown = JSON.stringify(name.slice(0, 40));
      const lower = name.toLowerCase();
      if (name.length > MAX_NAME_LENGTH || !HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', message: `Header name ${shown} is not a valid token`, path: [name] });
      } else if (isReservedName(lower) || CALLER_CREDENTIALS.has(lower)) {
        ctx.addIssue({ code: 'custom', message: `Header ${shown} cannot be set as an extra header`, path: [name] });
      } else if (seen.has(lower)) {
        ctx.addIssue({ code: 'custom', message: `Header ${shown} is listed twice`, path: [name] });
      }
      seen.add(lower);
      if (value.length > MAX_VALUE_LENGTH || !HEADER_VALUE.test(value)) {
        ctx.addIssue({ code: 'custom', message: `Header ${shown} needs a printable one-line value without surrounding spaces`, path: [name] });
      }
    }
  })
  .transform((headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])));
export type ExtraHeaders = z.output<typeof extraHeadersSchema>;

/** Corrupt link settings or a secret that cannot be sent: a server-side problem, not the client's. */
export class InjectionError extends Error {
  override name = 'InjectionError';
}

/**
 * How an upstream might read a parameter name: case-insensitively, PHP-style (`key[]`, `key[0]`
 * are `key`; `.` and spaces become `_`). Every client parameter that could be read as the
 * injected one is removed, so the upstream sees exactly one: ours, last.
 */
const paramIdentity = (name: string) => name.toLowerCase().replace(/\[.*$/s, '').trim().replace(/[ .]/g, '_');

/**
 * Adds the extra headers, then the secret, to `headers` and `url` IN PLACE (they are the
 * outgoing request's, built by forwardRequestHeaders and upstreamUrl). Throws InjectionError on
 * invalid settings or a secret that would break the request line, so a request never leaves
 * without its credential. Never log `url` after this for `query` links: it holds the secret.
 */
export function injectSecret(headers: Headers, url: URL, secret: string, injection: Injection, extraHeaders: ExtraHeaders = {}): void {
  const how = injectionSchema.safeParse(injection);
  const extras = extraHeadersSchema.safeParse(extraHeaders);
  if (!how.success) throw new InjectionError('invalid injection settings');
  if (!extras.success) throw new InjectionError('invalid extra headers');
  // A secret with CR/LF/NUL would split or truncate headers; it was pasted wrong.
  if (secret.length === 0 || /[\x00-\x1f\x7f]/.test(secret)) throw new InjectionError('secret is empty or contains control characters');
  const config = how.data;
  // Headers carry bytes, not text: a non-ASCII secret would be mangled or refused by the HTTP client.
  if ((config.type === 'bearer' || config.type === 'header') && !/^[\x20-\x7e]+$/.test(secret)) {
    throw new InjectionError('secret must be printable ASCII to travel in a header');
  }

  for (const [name, value] of Object.entries(extras.data)) headers.set(name, value);

  switch (config.type) {
    case 'bearer':
      headers.set('authorization', `Bearer ${secret}`);
      break;
    case 'header':
      headers.set(config.name, secret);
      break;
    case 'basic': {
      // RFC 7617: user-id ":" password, UTF-8, base64. Without a username the secret is
      // "user:password"; a secret without a colon is a user with an empty password (Stripe's
      // `-u sk_live_...:`), the colon added so the header always parses.
      const pair = config.username !== undefined ? `${config.username}:${secret}` : secret.includes(':') ? secret : `${secret}:`;
      headers.set('authorization', `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`);
      break;
    }
    case 'query': {
      // `?key=attacker&key=x`, `?KEY=`, `?key[]=`: some upstreams take the first, some the last,
      // some are case-insensitive. Remove every spelling, then add ours.
      const identity = paramIdentity(config.name);
      for (const name of new Set(url.searchParams.keys())) {
        if (paramIdentity(name) === identity) url.searchParams.delete(name);
      }
      url.searchParams.append(config.name, secret);
      break;
    }
  }
}
