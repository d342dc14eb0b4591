import { randomBytes } from 'node:crypto';
import { personalActor } from '@/lib/orgs/actor';

/**
 * The account and key the gateway is measured with, created through the app's own modules (the
 * same code the dashboard and the management API call) against the bench database and Redis.
 *
 * The key has every check switched on, with limits far out of reach, so each request pays for
 * the whole path — key lookup, IP allowlist, operation and model checks, three rate windows,
 * three spend windows with a reservation, settlement and a usage record — and none is refused.
 */

/** The environment of the app under test: the production server and this process share it. */
export function appEnvironment(databaseUrl: string, redisUrl: string, upstreamUrl: string, upstreamKey: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_SECRET: randomBytes(32).toString('base64'),
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: upstreamKey,
    // Loopback clients connect directly: the TCP peer is the client address.
    TRUSTED_PROXY_COUNT: '0',
    // Credit must never run out mid-run (each request reserves its worst-case cost).
    TRIAL_CREDIT_USD: '100000',
    // The link's upstream is the mock on loopback.
    PROXY_ALLOW_PRIVATE_UPSTREAMS: 'true',
  };
}

const NEVER_REACHED_REQUESTS = 10_000_000;
const NEVER_REACHED_SPEND_MICROS = 10_000 * 1_000_000;

export interface BenchKey {
  keyId: string;
  secret: string;
}

/** Points this process at the bench services, then signs up and creates the key. */
export async function createBenchKey(environment: Record<string, string>): Promise<BenchKey & { link: BenchLink }> {
  // lib/env.ts parses process.env once, on first use, so this must precede every app import.
  Object.assign(process.env, environment);
  // Upstash settings would take precedence over REDIS_URL: the bench measures plain Redis.
  delete process.env.UPSTASH_REDIS_REST_URL;
  delete process.env.UPSTASH_REDIS_REST_TOKEN;
  const { signUp } = await import('@/lib/auth/users');
  const { createKey } = await import('@/lib/keys/service');
  const { keyCreateSchema } = await import('@/lib/keys/schema');

  const signed = await signUp({ email: `bench-${Date.now()}@example.com`, password: randomBytes(12).toString('hex') });
  if (!signed.ok) throw new Error(`sign-up failed: ${signed.reason}`);
  // Through the schema, as the management API does: it normalises the allowlist entries.
  const input = keyCreateSchema.parse({
    name: 'benchmark',
    allowed_models: ['gpt-4o-mini'],
    allowed_operations: ['chat'],
    // Whichever form the server reports for a loopback peer.
    ip_allowlist: ['127.0.0.1/32', '::1', '::ffff:127.0.0.1'],
    rate_limits: { per_minute: NEVER_REACHED_REQUESTS, per_hour: NEVER_REACHED_REQUESTS, per_day: NEVER_REACHED_REQUESTS },
    spending_limits: { day: NEVER_REACHED_SPEND_MICROS, week: NEVER_REACHED_SPEND_MICROS, month: NEVER_REACHED_SPEND_MICROS },
  });
  const { key, secret } = await createKey(personalActor(signed.user.id), input);
  return { keyId: key.id, secret, link: await createBenchLink(signed.user.id, environment.OPENAI_BASE_URL!.replace(/\/v1$/, ''), environment.OPENAI_API_KEY!) };
}

export interface BenchLink {
  linkId: string;
  accessToken: string;
}

/**
 * A Conduit Link to the same upstream with its checks on: access token, allowed path, origin
 * rules, per-link limits (far out of reach), secret injection and a usage record. The token
 * travels as `Authorization: Bearer`, the SDK-credential form, so the load generator needs
 * nothing link-specific.
 */
async function createBenchLink(userId: string, upstreamUrl: string, upstreamKey: string): Promise<BenchLink> {
  const { createLink } = await import('@/lib/links/service');
  const { linkSchemas } = await import('@/lib/links/schema');
  const input = linkSchemas({ allowPrivate: true }).create.parse({
    name: 'benchmark',
    preset: 'openai',
    upstream_base_url: upstreamUrl,
    secret: upstreamKey,
    allowed_origins: ['https://app.example.com'],
    rate_limits: { per_minute: NEVER_REACHED_REQUESTS, per_hour: NEVER_REACHED_REQUESTS, per_day: NEVER_REACHED_REQUESTS },
    monthly_request_cap: NEVER_REACHED_REQUESTS,
  });
  const { link, token } = await createLink(personalActor(userId), input);
  return { linkId: link.id, accessToken: token.secret };
}
