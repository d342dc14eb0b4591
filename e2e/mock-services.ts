import { startMockOpenAI } from '../lib/testing/mock-openai';
import { startMockStripe } from '../lib/testing/mock-stripe';

/**
 * The upstreams the e2e server talks to, as one process Playwright starts before it (see
 * playwright.config.ts): a mock Stripe that sends its signed webhooks to the server under test,
 * and a mock OpenAI for priced models. Ports and secrets come from the config through env.
 */
const stripe = await startMockStripe({
  port: Number(process.env.MOCK_STRIPE_PORT),
  webhookUrl: process.env.MOCK_STRIPE_WEBHOOK_URL,
  webhookSecret: process.env.MOCK_STRIPE_WEBHOOK_SECRET,
});
const openai = await startMockOpenAI({ port: Number(process.env.MOCK_OPENAI_PORT), apiKey: process.env.MOCK_OPENAI_API_KEY, chunkDelayMs: 0 });
console.log(`mock Stripe at ${stripe.url}, mock OpenAI at ${openai.url}`);

const stop = () => void Promise.all([stripe.close(), openai.close()]).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
