// POST /api/stripe/webhook — Stripe events: purchases, automatic top-ups, refunds, disputes
import { handleStripeWebhook } from '@/lib/billing/webhook';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return handleStripeWebhook(request);
}
