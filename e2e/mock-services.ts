import { startMockOpenAI } from '../lib/testing/mock-openai';
import { startMockSmtp } from '../lib/testing/mock-smtp';
import { startMockStripe } from '../lib/testing/mock-stripe';

/**
 * The upstreams the e2e server talks to, as one process Playwright starts before it (see
 * playwright.config.ts): a mock Stripe that sends its signed webhooks to the server under test,
 * a mock OpenAI for priced models, and an SMTP server the e2e server sends its mail to (SMTP_URL),
 * whose messages the specs read over HTTP (`GET /messages?to=…`, e2e/fixtures.ts). Ports and
 * secrets come from the config through env.
 */
const stripe = await startMockStripe({
  port: Number(process.env.MOCK_STRIPE_PORT),
  webhookUrl: process.env.MOCK_STRIPE_WEBHOOK_URL,
  webhookSecret: process.env.MOCK_STRIPE_WEBHOOK_SECRET,
});
const openai = await startMockOpenAI({ port: Number(process.env.MOCK_OPENAI_PORT), apiKey: process.env.MOCK_OPENAI_API_KEY, chunkDelayMs: 0 });
const smtp = await startMockSmtp({ port: Number(process.env.MOCK_SMTP_PORT), httpPort: Number(process.env.MOCK_SMTP_HTTP_PORT) });
console.log(`mock Stripe at ${stripe.url}, mock OpenAI at ${openai.url}, mock SMTP at ${smtp.url} (messages at ${smtp.httpUrl}/messages)`);

const stop = () => void Promise.all([stripe.close(), openai.close(), smtp.close()]).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
