import 'server-only';
import { z } from 'zod';
import { safeParseDollars } from './money';

/**
 * The only reader of `process.env`. Everything the app can be configured with is declared here,
 * parsed once, and documented in the README's configuration table.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (protocols: RegExp, hint: string) =>
  optionalString.pipe(
    z
      .string()
      .refine((value) => URL.canParse(value) && protocols.test(new URL(value).protocol), hint)
      .optional(),
  );

/** A lower-case DNS name of at least two labels, with an optional port (PROXY_DOMAIN, PROXY_HOST). */
const HOST_NAME = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?(:\d+)?$/;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Set by Next.js itself; `next build` must never open the embedded database. */
    NEXT_PHASE: optionalString,

    DATABASE_URL: optionalUrl(/^postgres(ql)?:$/, 'must be a postgres:// or postgresql:// URL'),
    /**
     * A direct (unpooled) URL of the same database, used only to apply migrations at start-up
     * (their advisory lock needs one session). Set it when DATABASE_URL goes through a pooler in
     * transaction mode — Neon's `-pooler` host; Neon's Vercel integration sets it under this name.
     */
    DATABASE_URL_UNPOOLED: optionalUrl(/^postgres(ql)?:$/, 'must be a postgres:// or postgresql:// URL'),
    /**
     * PostgreSQL connections each server process may open. Unset: 10, divided among `npm start`'s
     * workers (db/index.ts). Sum over every process of every instance stays under max_connections.
     */
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).optional(),
    DATA_DIR: optionalString.default('.data'),

    REDIS_URL: optionalUrl(/^rediss?:$/, 'must be a redis:// or rediss:// URL'),
    /**
     * A Redis Cluster: some of its nodes (the rest is discovered), comma-separated redis:// URLs.
     * Used instead of REDIS_URL; every script's keys share a hash slot (lib/redis/key-slot.ts).
     */
    REDIS_CLUSTER_URLS: optionalString.pipe(
      z
        .string()
        .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
        .pipe(
          z
            .array(z.string().refine((url) => URL.canParse(url) && /^rediss?:$/.test(new URL(url).protocol) && new URL(url).port !== '', 'each node must be a redis:// or rediss:// URL with a port'))
            .min(1, 'must name at least one node'),
        )
        .optional(),
    ),
    UPSTASH_REDIS_REST_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL'),
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    REDIS_HTTP_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    REDIS_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(8079),

    AUTH_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    AUTH_GITHUB_ID: optionalString,
    AUTH_GITHUB_SECRET: optionalString,
    /**
     * The public URL of the installation (https://conduit.example.com). Auth.js builds its links,
     * redirects and OAuth callback URLs on it (next-auth reads the same variable itself). Unset:
     * from the request — Host, or X-Forwarded-Host/-Proto behind TRUSTED_PROXY_COUNT proxies.
     */
    AUTH_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').pipe(
      z
        .string()
        .refine((value) => {
          const url = new URL(value);
          return (url.pathname === '/' || url.pathname === '/api/auth') && !url.search && !url.hash && !url.username;
        }, 'must be the public origin only, e.g. https://conduit.example.com')
        .optional(),
    ),

    TRUSTED_PROXY_COUNT: z.coerce.number().int().min(0).max(10).default(0),

    /**
     * Transactional email (password reset, verification, alerts): an SMTP server,
     * smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. Unset: nothing is sent;
     * each message is written to DATA_DIR/mail/*.eml and announced in the log (lib/email/transport.ts).
     */
    SMTP_URL: optionalUrl(/^smtps?:$/, 'must be an smtp:// or smtps:// URL'),
    /** The From of every message: `Conduit <no-reply@example.com>` or a bare address. */
    EMAIL_FROM: optionalString.pipe(
      z
        .string()
        .max(320)
        .regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an address, or a name and an address: Conduit <no-reply@example.com>')
        .optional(),
    ),

    /** Credit every new account starts with, in dollars (e.g. "5" or "0"). */
    TRIAL_CREDIT_USD: z
      .string()
      .default('5')
      .transform((value, ctx) => {
        const parsed = safeParseDollars(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
        return parsed.ok ? parsed.value : 0;
      }),

    /** Stripe (billing). Unset: the billing page explains how to configure it; the rest works. */
    STRIPE_SECRET_KEY: optionalString,
    STRIPE_WEBHOOK_SECRET: optionalString,
    /** Another Stripe API host (a local mock, stripe-mock): parsed into the SDK's host/port/protocol. */
    STRIPE_API_BASE: optionalUrl(/^https?:$/, 'must be an http(s):// URL'),

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://api.openai.com/v1'),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://api.anthropic.com'),
    // Providers served through their OpenAI-compatible APIs (lib/gateway/providers/compatible.ts):
    // each is on when its key is set, and off (its models unlisted) otherwise.
    GEMINI_API_KEY: optionalString,
    GEMINI_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://generativelanguage.googleapis.com/v1beta/openai'),
    MISTRAL_API_KEY: optionalString,
    MISTRAL_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://api.mistral.ai/v1'),
    GROQ_API_KEY: optionalString,
    GROQ_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://api.groq.com/openai/v1'),
    DEEPSEEK_API_KEY: optionalString,
    DEEPSEEK_BASE_URL: optionalUrl(/^https?:$/, 'must be an http(s):// URL').default('https://api.deepseek.com/v1'),
    /** Largest request body the gateway accepts (413 beyond). */
    GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(4 * 1024 * 1024),
    /**
     * AES-256-GCM key for third-party secrets stored in proxy links: 32 bytes, base64. Unset:
     * derived from AUTH_SECRET (or the embedded default's generated secret) — set it explicitly
     * in production so rotating AUTH_SECRET does not make stored secrets unreadable.
     */
    LINK_ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64 (openssl rand -base64 32)')
        .optional(),
    ),
    /**
     * Links are also served at https://{linkId}.{PROXY_DOMAIN}/… (for SDKs that only take a host),
     * and at https://{PROXY_DOMAIN}/{linkId}/… as on PROXY_HOST.
     */
    PROXY_DOMAIN: optionalString.pipe(z.string().regex(HOST_NAME, 'must be a lower-case host name, e.g. proxy.example.com').optional()),
    /**
     * Links are also served at https://{PROXY_HOST}/{linkId}/… — the form Conduit Link's docs give
     * (https://proxy.conduit.link/YOUR_LINK_ID/v1/…). A host of its own is best; the app's own works
     * too, since only a first path segment shaped like a link id is taken for one (lib/proxy/link-host.ts).
     */
    PROXY_HOST: optionalString.pipe(z.string().regex(HOST_NAME, 'must be a lower-case host name, e.g. proxy.example.com').optional()),
    /** Lets links point at private / loopback addresses: self-hosting and tests only. */
    PROXY_ALLOW_PRIVATE_UPSTREAMS: z
      .enum(['true', 'false', '1', '0', ''])
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    /** Largest request body a link forwards (413 beyond); streamed, never buffered whole. */
    PROXY_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
    /**
     * Days raw usage records (the request log) are kept; older ones are deleted in the background
     * while the hourly rollups behind the usage charts stay. 0 keeps them forever. At least 31
     * otherwise: the links pages sum the last 30 days of raw records.
     */
    USAGE_RETENTION_DAYS: z.coerce
      .number()
      .int()
      .max(36_500)
      .refine((days) => days === 0 || days >= 31, 'must be 0 (keep forever) or at least 31 (the links pages show the last 30 days of raw records)')
      .default(90),
    /**
     * The Redis key of the usage queue (and the prefix of its consumers' keys). Every instance of
     * one deployment must share it; deployments (or test files) sharing one Redis each need their own,
     * or one's drain would store the other's records in the wrong database.
     */
    USAGE_QUEUE_KEY: z
      .string()
      .regex(/^[\w:.-]{1,200}$/, 'must be 1–200 letters, digits, _ : . or -')
      .default('conduit:usage'),
    /** How long the gateway waits for an upstream's response headers (504 beyond). */
    UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
    /**
     * Times the gateway asks the same model again after a transient failure (its provider's 429 or
     * 5xx, or no connection) before the first byte reached the client — then the request's fallback
     * models, if it named any (lib/gateway/attempts.ts). 0 turns retries off.
     */
    GATEWAY_RETRIES: z.coerce.number().int().min(0).max(3).default(1),
    /** The backoff before retry n (from 0) is random in [0, this × 2ⁿ) ms: "full jitter". */
    GATEWAY_RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(10_000).default(250),
    /**
     * How long a Redis command may wait for an answer before the request that needed it is answered
     * 503 (a dependency that is down must fail fast, never hang). A Redis whose connection is known
     * lost fails at once; this bounds one that stopped answering. Not tighter: an event loop busy
     * for a moment (a server starting up) must not read as an outage.
     */
    DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    /** Sockets the server keeps open at once (per process); more are closed as they arrive. */
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /**
     * How long an idle keep-alive connection stays open. Behind a load balancer, make it longer
     * than the balancer's own idle timeout (AWS ALB: 60 s), so the balancer is the one to close.
     */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(5_000),
    /**
     * On SIGTERM/SIGINT `npm start` stops taking connections and lets the requests in flight
     * finish for up to this long, then cuts what is left; stopping the background work takes at
     * most 5 s more. Keep the sum under the orchestrator's grace period (Kubernetes: 30 s).
     */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),

    /**
     * The bearer token a Prometheus scraper sends to GET /metrics. Unset: /metrics answers 404 —
     * the figures (traffic by status and error code, refusals) are not for the public.
     */
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters (openssl rand -hex 32)').optional()),
    /** What the JSON log on stdout keeps (lib/observability/log.ts reads it itself, at start). */
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /**
     * Server processes `npm start` runs (lib/server/workers.mjs reads it before anything loads):
     * unset, one per core with PostgreSQL and a shared Redis, one with the embedded default.
     */
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(1024).optional(),

    /**
     * Who runs the background work — the usage drain (and the alerts it evaluates), the sweep of
     * lapsed reservations, retention. `timers`: every server process, on timers (a long-lived
     * `npm start`). `cron`: nothing runs on its own; GET /api/cron/{job} (app/api/cron) does it,
     * called by a scheduler such as Vercel's cron (vercel.json). Unset: `cron` on Vercel (which
     * sets VERCEL=1), where a function is frozen between requests and timers would run only in
     * bits, on whatever request happens to keep the instance awake; `timers` everywhere else.
     */
    BACKGROUND_JOBS: z.enum(['timers', 'cron']).optional(),
    /** Set to 1 by Vercel on its build and functions; only read to pick BACKGROUND_JOBS' default. */
    VERCEL: optionalString,
    /**
     * The bearer token of /api/cron (Vercel sends `Authorization: Bearer $CRON_SECRET` with its
     * cron requests). Unset: the route answers 503 and runs nothing.
     */
    CRON_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters (openssl rand -hex 32)').optional()),
    /**
     * How long one /api/cron call may work: the drain's sweep, passes and wait for top-ups. At most
     * 55 s, 5 s under the route's maxDuration (60 s, app/api/cron/[job]/route.ts), which leaves room
     * for the pass in progress: Vercel kills a function that outlives it.
     */
    CRON_TIME_BUDGET_MS: z.coerce.number().int().min(1_000).max(55_000).default(50_000),
  })
  .superRefine((env, ctx) => {
    // With the timers off, the cron route is the only thing that moves usage into PostgreSQL:
    // without its secret the queue would silently grow until it drops records.
    if (backgroundJobs(env) === 'cron' && !env.CRON_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CRON_SECRET'],
        message: 'is required when BACKGROUND_JOBS is cron (the default on Vercel): /api/cron runs the usage drain then',
      });
    }
    if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.UPSTASH_REDIS_REST_URL ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL'],
        message: 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together',
      });
    }
    // Two answers to "which Redis": one of them would be silently ignored.
    if (env.REDIS_URL && env.REDIS_CLUSTER_URLS) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_URLS'], message: 'set REDIS_URL (one Redis) or REDIS_CLUSTER_URLS (a cluster), not both' });
    }
    // A real mail server refuses (or spam-folders) a made-up sender: say which one to use.
    if (env.SMTP_URL && !env.EMAIL_FROM) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_FROM'], message: 'is required when SMTP_URL is set, e.g. Conduit <no-reply@example.com>' });
    }
    if (Boolean(env.AUTH_GITHUB_ID) !== Boolean(env.AUTH_GITHUB_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.AUTH_GITHUB_ID ? 'AUTH_GITHUB_SECRET' : 'AUTH_GITHUB_ID'],
        message: 'AUTH_GITHUB_ID and AUTH_GITHUB_SECRET must be set together',
      });
    }
    // A key without the webhook secret would take payments and never credit them.
    if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY'],
        message: 'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together (payments are credited by the webhook)',
      });
    }
    // With a real database the app is a deployment: sessions must survive restarts and be
    // shared by every instance, so the signing secret cannot be made up locally.
    if (env.DATABASE_URL && !env.AUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SECRET'],
        message: 'is required when DATABASE_URL is set (generate one with `openssl rand -base64 32`)',
      });
    }
  })
  .transform((env) => ({ ...env, BACKGROUND_JOBS: backgroundJobs(env) }));

function backgroundJobs(env: { BACKGROUND_JOBS?: 'timers' | 'cron'; VERCEL?: string }): 'timers' | 'cron' {
  return env.BACKGROUND_JOBS ?? (env.VERCEL === '1' ? 'cron' : 'timers');
}

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses a set of variables; throws a ConfigError that names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return raiseConfigError(lines);
}

function raiseConfigError(lines: string[]): never {
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

let cached: Env | undefined;

/** The parsed environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
