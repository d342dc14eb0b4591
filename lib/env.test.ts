import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';

describe('configuration', () => {
  it('needs nothing for the embedded default', () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATA_DIR).toBe('.data');
    expect(env.REDIS_HTTP_PORT).toBe(8079);
    expect(env.TRUSTED_PROXY_COUNT).toBe(0);
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', REDIS_URL: '  ' }).REDIS_URL).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: 'mysql://localhost/db', AUTH_SECRET: 'x'.repeat(32) }, 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    [{ DATABASE_URL: 'not a url', AUTH_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [{ UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io' }, 'UPSTASH_REDIS_REST_TOKEN'],
    [{ REDIS_CLUSTER_URLS: 'redis://10.0.0.1:7000,10.0.0.2:7000' }, 'REDIS_CLUSTER_URLS.1: each node must be a redis:// or rediss:// URL with a port'],
    [{ REDIS_CLUSTER_URLS: 'redis://10.0.0.1' }, 'REDIS_CLUSTER_URLS.0: each node must be a redis:// or rediss:// URL with a port'],
    [{ REDIS_CLUSTER_URLS: 'redis://10.0.0.1:7000', REDIS_URL: 'redis://10.0.0.1:6379' }, 'REDIS_CLUSTER_URLS: set REDIS_URL (one Redis) or REDIS_CLUSTER_URLS (a cluster), not both'],
    [{ AUTH_GITHUB_SECRET: 'abc' }, 'AUTH_GITHUB_ID'],
    [{ STRIPE_SECRET_KEY: 'sk_test_x' }, 'STRIPE_WEBHOOK_SECRET: STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together'],
    [{ STRIPE_WEBHOOK_SECRET: 'whsec_x' }, 'STRIPE_SECRET_KEY'],
    [{ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_API_BASE: 'localhost:12111' }, 'STRIPE_API_BASE: must be an http(s):// URL'],
    [{ DATABASE_URL: 'postgres://localhost/db' }, 'AUTH_SECRET: is required when DATABASE_URL is set'],
    [{ AUTH_SECRET: 'short' }, 'AUTH_SECRET: must be at least 32 characters'],
    [{ AUTH_URL: 'conduit.example.com' }, 'AUTH_URL: must be an http(s):// URL'],
    [{ AUTH_URL: 'https://conduit.example.com/conduit' }, 'AUTH_URL: must be the public origin only'],
    [{ REDIS_HTTP_PORT: '70000' }, 'REDIS_HTTP_PORT'],
    [{ TRUSTED_PROXY_COUNT: '-1' }, 'TRUSTED_PROXY_COUNT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ USAGE_RETENTION_DAYS: '7' }, 'USAGE_RETENTION_DAYS: must be 0 (keep forever) or at least 31'],
    [{ USAGE_RETENTION_DAYS: '-1' }, 'USAGE_RETENTION_DAYS'],
    [{ SMTP_URL: 'mail.example.com:587', EMAIL_FROM: 'a@example.com' }, 'SMTP_URL: must be an smtp:// or smtps:// URL'],
    [{ SMTP_URL: 'smtp://mail.example.com:587' }, 'EMAIL_FROM: is required when SMTP_URL is set'],
    [{ EMAIL_FROM: 'Conduit' }, 'EMAIL_FROM: must be an address'],
    [{ PROXY_HOST: 'https://proxy.example.com' }, 'PROXY_HOST: must be a lower-case host name'],
    [{ PROXY_HOST: 'proxy.example.com/links' }, 'PROXY_HOST: must be a lower-case host name'],
    [{ PROXY_HOST: 'Proxy.Example.com' }, 'PROXY_HOST: must be a lower-case host name'],
    [{ PROXY_HOST: 'proxy' }, 'PROXY_HOST: must be a lower-case host name'],
    [{ PROXY_DOMAIN: '*.proxy.example.com' }, 'PROXY_DOMAIN: must be a lower-case host name'],
    [{ EMAIL_FROM: 'Conduit <a@example.com>\r\nBcc: x@evil.test' }, 'EMAIL_FROM: must be an address'],
  ])('rejects %o naming the variable', (source, message) => {
    expect(() => parseEnv(source)).toThrow(ConfigError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it('runs the background work on timers, except on Vercel (VERCEL=1), where the cron route does and needs its secret', () => {
    expect(parseEnv({}).BACKGROUND_JOBS).toBe('timers');
    expect(() => parseEnv({ VERCEL: '1' })).toThrow('CRON_SECRET: is required when BACKGROUND_JOBS is cron');
    expect(() => parseEnv({ BACKGROUND_JOBS: 'cron' })).toThrow('CRON_SECRET');
    expect(() => parseEnv({ BACKGROUND_JOBS: 'cron', CRON_SECRET: 'short' })).toThrow('CRON_SECRET: must be at least 16 characters');
    expect(() => parseEnv({ BACKGROUND_JOBS: 'sometimes' })).toThrow('BACKGROUND_JOBS');
    expect(parseEnv({ VERCEL: '1', CRON_SECRET: 'c'.repeat(32) })).toMatchObject({ BACKGROUND_JOBS: 'cron', CRON_TIME_BUDGET_MS: 50_000 });
    expect(parseEnv({ VERCEL: '1', BACKGROUND_JOBS: 'timers' }).BACKGROUND_JOBS).toBe('timers');
    expect(() => parseEnv({ CRON_TIME_BUDGET_MS: '10' })).toThrow('CRON_TIME_BUDGET_MS');
    // Under the route's maxDuration (60 s) with a margin: Vercel kills a function that outlives it.
    expect(() => parseEnv({ CRON_TIME_BUDGET_MS: '60000' })).toThrow('CRON_TIME_BUDGET_MS');
    expect(parseEnv({ CRON_TIME_BUDGET_MS: '55000' })).toMatchObject({ CRON_TIME_BUDGET_MS: 55_000 });
  });

  it('reads a Redis Cluster as its list of nodes', () => {
    expect(parseEnv({ REDIS_CLUSTER_URLS: ' redis://10.0.0.1:7000, rediss://u:p@10.0.0.2:7001 ,' }).REDIS_CLUSTER_URLS).toEqual([
      'redis://10.0.0.1:7000',
      'rediss://u:p@10.0.0.2:7001',
    ]);
  });

  it('names every bad variable at once', () => {
    try {
      parseEnv({ REDIS_URL: 'ftp://x', REDIS_HTTP_PORT: 'abc' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/REDIS_URL[\s\S]*REDIS_HTTP_PORT|REDIS_HTTP_PORT[\s\S]*REDIS_URL/);
    }
  });

  it('accepts a full production configuration', () => {
    const env = parseEnv({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db:5432/conduit',
      AUTH_SECRET: 'a'.repeat(44),
      UPSTASH_REDIS_REST_URL: 'https://eu1-x.upstash.io',
      UPSTASH_REDIS_REST_TOKEN: 'tok',
      AUTH_GITHUB_ID: 'id',
      AUTH_GITHUB_SECRET: 'secret',
      TRUSTED_PROXY_COUNT: '1',
      AUTH_URL: 'https://conduit.example.com',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      PROXY_DOMAIN: 'proxy.example.com',
      PROXY_HOST: 'proxy.conduit.link',
    });
    expect(env.PROXY_HOST).toBe('proxy.conduit.link');
    expect(parseEnv({ PROXY_HOST: 'localhost.test:3100' }).PROXY_HOST).toBe('localhost.test:3100');
    expect(env.TRUSTED_PROXY_COUNT).toBe(1);
    expect(env.AUTH_URL).toBe('https://conduit.example.com');
    expect(env.DATABASE_URL).toBe('postgres://u:p@db:5432/conduit');
  });
});
