import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The mock upstreams (e2e/mock-services.ts) sit next to the server's port, so parallel runs on
// other E2E_PORTs do not collide.
const mockStripePort = port + 11;
const mockOpenAIPort = port + 12;
const mockSmtpPort = port + 13;
// e2e/fixtures.ts reads received mail here.
const mockSmtpHttpPort = port + 14;
const MOCK_STRIPE_URL = `http://127.0.0.1:${mockStripePort}`;
const stripeWebhookSecret = 'whsec_e2e_only_secret';
const mockOpenAIKey = 'sk-mock-openai-e2e';

// Without DATABASE_URL the server runs the embedded default; give it a fresh data directory so
// runs do not see each other's accounts (and never lock a developer's own .data/).
const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(path.join(tmpdir(), 'conduit-e2e-'));

export default defineConfig({
  testDir: '.',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    // Playwright cannot download its browsers here: Debian's chromium is used instead.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'ui', testMatch: /.*\.spec\.ts/ }],
  webServer: [
    {
      command: 'npx tsx e2e/mock-services.ts',
      cwd: path.resolve(import.meta.dirname, '..'),
      url: `${MOCK_STRIPE_URL}/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      env: {
        MOCK_STRIPE_PORT: String(mockStripePort),
        MOCK_STRIPE_WEBHOOK_URL: `${baseURL}/api/stripe/webhook`,
        MOCK_STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
        MOCK_OPENAI_PORT: String(mockOpenAIPort),
        MOCK_OPENAI_API_KEY: mockOpenAIKey,
        MOCK_SMTP_PORT: String(mockSmtpPort),
        MOCK_SMTP_HTTP_PORT: String(mockSmtpHttpPort),
      },
    },
    {
      // The production build, served by Conduit's own entry (lib/server/start.mjs).
      command: `node lib/server/start.mjs --port ${port} --hostname 127.0.0.1`,
      cwd: path.resolve(import.meta.dirname, '..'),
      url: `${baseURL}/login`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      env: {
        ...(dataDir ? { DATA_DIR: dataDir } : {}),
        // Tests act as clients behind one trusted proxy, each with its own address
        // (X-Forwarded-For), so per-IP login limits of one test do not leak into another.
        TRUSTED_PROXY_COUNT: '1',
        // One server process: on CI's 2 cores, shared with two browsers, each worker warming up its
        // own pages made the first visits' timings depend on which worker answered. The workers
        // themselves are tested by the fault suite (e2e/faults/operations.test.ts, instances.test.ts).
        WEB_CONCURRENCY: '1',
        // Links in e2e/links.spec.ts forward to mock upstreams on 127.0.0.1, and are served by
        // host too ({linkId}.proxy.localhost), which the Stripe snippet needs.
        PROXY_ALLOW_PRIVATE_UPSTREAMS: 'true',
        PROXY_DOMAIN: 'proxy.localhost',
        // Billing against the mock Stripe, and priced OpenAI models against the mock OpenAI.
        STRIPE_SECRET_KEY: 'sk_test_e2e',
        STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
        STRIPE_API_BASE: MOCK_STRIPE_URL,
        OPENAI_BASE_URL: `http://127.0.0.1:${mockOpenAIPort}/v1`,
        OPENAI_API_KEY: mockOpenAIKey,
        // Mail (password reset, verification) to the mock SMTP server.
        SMTP_URL: `smtp://127.0.0.1:${mockSmtpPort}`,
        EMAIL_FROM: 'Conduit <no-reply@conduit.test>',
      },
    },
  ],
});
