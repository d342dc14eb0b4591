import type { ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { parseStripeForm } from './form-body';
import { applyBehaviour, type MockBehaviour, type MockServer, type RecordedRequest, sendJson, startMockServer } from './mock-server';

/**
 * A stand-in for api.stripe.com on a local port, for the endpoints Conduit calls: customers,
 * checkout sessions (with a hosted "checkout page" whose Pay button completes the payment, sends
 * the signed webhooks and redirects to success_url), payment intents (off-session; a switch makes
 * them decline), charges, refunds and billing portal sessions. The official SDK reaches it
 * through its host/port/protocol options. Idempotency keys are honoured like Stripe's: a repeated
 * key answers the first response. Webhooks are signed with the SDK's test-header helper.
 */

type Obj = Record<string, unknown> & { id: string };
type Body = Record<string, unknown>;
export type MockEvent = Obj & { type: string; data: { object: Obj } };

export interface MockStripeOptions {
  /** Where events are POSTed (e.g. http://127.0.0.1:3000/api/stripe/webhook); none: not sent. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** A fixed port (default: any free one). */
  port?: number;
}

export interface MockStripe extends MockServer {
  webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  /** Off-session payment intents decline (card_declined, insufficient_funds) while on; always for customers whose email contains "+decline". */
  setDeclineOffSession(on: boolean): void;
  objects: Map<string, Obj>;
  /** Every event made, in order, and what the webhook endpoint answered. */
  deliveries: { event: MockEvent; status: number | null }[];
  /** A signed event as Stripe would POST it (for tests that deliver it themselves). */
  signedEvent(type: string, object: Obj): { payload: string; signature: string; event: MockEvent };
  /** Completes a checkout session as if its Pay button was pressed (webhooks sent and awaited). */
  pay(sessionId: string): Promise<Obj>;
  /** Refunds a payment intent (whole or `amount` cents); sends charge.refunded. */
  refund(paymentIntentId: string, amount?: number): Promise<Obj>;
  /** A refund fails after all (the money stays with the merchant); sends refund.failed. */
  failRefund(refundId: string): Promise<Obj>;
  /** Opens a dispute on a payment intent's charge; sends charge.dispute.created. */
  dispute(paymentIntentId: string): Promise<Obj>;
  /** Closes a dispute as won or lost; sends charge.dispute.closed. */
  closeDispute(disputeId: string, status: 'won' | 'lost'): Promise<Obj>;
  /** Resolves when every webhook sent so far has been answered. */
  settled(): Promise<void>;
}

const signer = new Stripe('sk_test_mock_signer');
const now = () => Math.floor(Date.now() / 1000);

/** What Stripe answers for its test card 4000 0000 0000 9995. */
const DECLINE = { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } as const;

export async function startMockStripe(options: MockStripeOptions = {}): Promise<MockStripe> {
  const webhookSecret = options.webhookSecret ?? 'whsec_mock_secret';
  let webhookUrl = options.webhookUrl;
  let declineOffSession = false;
  let counter = 0;
  const objects = new Map<string, Obj>();
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const deliveries: MockStripe['deliveries'] = [];
  const inFlight = new Set<Promise<unknown>>();
  let base = '';

  const id = (prefix: string) => `${prefix}_mock${(++counter).toString().padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;
  const put = (object: Obj) => (objects.set(object.id, object), object);
  const get = (objectId: string) => objects.get(objectId);

  function signedEvent(type: string, object: Obj) {
    const event: MockEvent = { id: id('evt'), object: 'event', api_version: Stripe.API_VERSION, created: now(), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object: structuredClone(object) } };
    const payload = JSON.stringify(event);
    return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }), event };
  }

  async function send(type: string, object: Obj): Promise<void> {
    const { payload, signature, event } = signedEvent(type, object);
    const delivery: MockStripe['deliveries'][number] = { event, status: null };
    deliveries.push(delivery);
    if (!webhookUrl) return;
    const sending = fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload })
      .then(async (response) => {
        delivery.status = response.status;
        await response.arrayBuffer();
      })
      .catch(() => (delivery.status = 0));
    inFlight.add(sending);
    await sending.finally(() => inFlight.delete(sending));
  }

  /** A succeeded payment: its charge (with a receipt) and the payment intent. */
  function succeededPayment(amount: number, customer: string | null, paymentMethod: string, metadata: unknown): Obj {
    const intentId = id('pi');
    const charge = put({ id: id('ch'), object: 'charge', amount, amount_refunded: 0, refunded: false, currency: 'usd', customer, payment_intent: intentId, paid: true, status: 'succeeded', receipt_url: `${base}/receipts/${intentId}`, metadata: {} });
    return put({ id: intentId, object: 'payment_intent', amount, amount_received: amount, currency: 'usd', customer, payment_method: paymentMethod, status: 'succeeded', latest_charge: charge.id, metadata: metadata ?? {}, last_payment_error: null, created: now() });
  }

  const expanded = (object: Obj, expand: unknown) => {
    const fields = Array.isArray(expand) ? (expand as string[]) : [];
    const copy: Obj = { ...object };
    for (const field of fields) if (typeof copy[field] === 'string' && get(copy[field] as string)) copy[field] = get(copy[field] as string);
    return copy;
  };

  async function pay(sessionId: string): Promise<Obj> {
    const session = get(sessionId);
    if (!session || session.object !== 'checkout.session') throw new Error(`No checkout session ${sessionId}`);
    if (session.status === 'complete') return session;
    const customer = session.customer as string;
    const method = put({ id: id('pm'), object: 'payment_method', type: 'card', customer, card: { brand: 'visa', last4: '4242' } });
    const data = (session.payment_intent_data ?? {}) as Body;
    const intent = succeededPayment(session.amount_total as number, customer, method.id, data.metadata);
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: intent.id });
    await send('payment_intent.succeeded', intent);
    await send('checkout.session.completed', session);
    return session;
  }

  async function refund(paymentIntentId: string, amount?: number): Promise<Obj> {
    const intent = get(paymentIntentId);
    const charge = intent && get(intent.latest_charge as string);
    if (!intent || !charge) throw new Error(`No charge for ${paymentIntentId}`);
    const value = amount ?? (charge.amount as number) - (charge.amount_refunded as number);
    const created = put({ id: id('re'), object: 'refund', amount: value, currency: 'usd', charge: charge.id, payment_intent: intent.id, status: 'succeeded', created: now() });
    charge.amount_refunded = (charge.amount_refunded as number) + value;
    charge.refunded = charge.amount_refunded === charge.amount;
    await send('charge.refunded', charge);
    return created;
  }

  async function failRefund(refundId: string): Promise<Obj> {
    const found = get(refundId);
    const charge = found && get(found.charge as string);
    if (!found || !charge) throw new Error(`No refund ${refundId}`);
    found.status = 'failed';
    charge.amount_refunded = (charge.amount_refunded as number) - (found.amount as number);
    charge.refunded = false;
    await send('refund.failed', found);
    return found;
  }

  async function dispute(paymentIntentId: string): Promise<Obj> {
    const intent = get(paymentIntentId);
    if (!intent) throw new Error(`No payment intent ${paymentIntentId}`);
    const created = put({ id: id('dp'), object: 'dispute', amount: intent.amount_received, currency: 'usd', charge: intent.latest_charge, payment_intent: intent.id, status: 'needs_response', reason: 'fraudulent' });
    await send('charge.dispute.created', created);
    return created;
  }

  async function closeDispute(disputeId: string, status: 'won' | 'lost'): Promise<Obj> {
    const found = get(disputeId);
    if (!found) throw new Error(`No dispute ${disputeId}`);
    found.status = status;
    await send('charge.dispute.closed', found);
    return found;
  }

  type Route = (body: Body, params: string[], res: ServerResponse) => unknown;
  const routes: [string, RegExp, Route][] = [
    ['POST', /^\/v1\/customers$/, (body) => put({ id: id('cus'), object: 'customer', email: body.email ?? null, metadata: body.metadata ?? {}, created: now() })],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (_b, [customer]) => get(customer!) ?? notFound(customer!)],
    ['POST', /^\/v1\/customers\/([^/]+)$/, (body, [customer]) => Object.assign(get(customer!) ?? notFound(customer!), body.email === undefined ? {} : { email: body.email })],
    ['POST', /^\/v1\/checkout\/sessions$/, (body) => createSession(body)],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (body, [session]) => expanded(get(session!) ?? notFound(session!), body.expand)],
    ['POST', /^\/v1\/payment_intents$/, (body) => createPaymentIntent(body)],
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (body, [intent]) => expanded(get(intent!) ?? notFound(intent!), body.expand)],
    ['GET', /^\/v1\/charges\/([^/]+)$/, (_b, [charge]) => get(charge!) ?? notFound(charge!)],
    ['GET', /^\/v1\/refunds$/, (body) => list([...objects.values()].filter((o) => o.object === 'refund' && (!body.charge || o.charge === body.charge)), '/v1/refunds')],
    ['POST', /^\/v1\/billing_portal\/sessions$/, (body) => put({ id: id('bps'), object: 'billing_portal.session', customer: body.customer, return_url: body.return_url, url: `${base}/portal/${String(body.customer)}?return=${encodeURIComponent(String(body.return_url))}` })],
  ];

  function createSession(body: Body): Obj {
    const items = (body.line_items ?? []) as { quantity?: string; price_data?: { unit_amount?: string; currency?: string } }[];
    const amount = items.reduce((sum, item) => sum + Number(item.price_data?.unit_amount ?? 0) * Number(item.quantity ?? 1), 0);
    const sessionId = id('cs_test');
    return put({ id: sessionId, object: 'checkout.session', mode: body.mode, status: 'open', payment_status: 'unpaid', amount_total: amount, currency: items[0]?.price_data?.currency ?? 'usd', customer: body.customer ?? null, client_reference_id: body.client_reference_id ?? null, metadata: body.metadata ?? {}, payment_intent: null, payment_intent_data: body.payment_intent_data ?? {}, invoice_creation: invoiceCreation(body.invoice_creation), success_url: body.success_url, cancel_url: body.cancel_url, url: `${base}/checkout/${sessionId}` });
  }

  function createPaymentIntent(body: Body): Obj {
    if (body.confirm !== 'true' || body.off_session !== 'true') throw new MockError(400, { type: 'invalid_request_error', message: 'The mock only supports confirmed off-session payment intents.' });
    const amount = Number(body.amount);
    // Like Stripe's test card that declines for insufficient funds (its error and the intent's
    // last_payment_error): customers whose email contains "+decline" (e2e accounts; the mock runs
    // in another process there), or everyone while the switch is on.
    const email = String(get(String(body.customer))?.email ?? '');
    if (declineOffSession || email.includes('+decline')) {
      const intent = put({ id: id('pi'), object: 'payment_intent', amount, amount_received: 0, currency: body.currency, customer: body.customer, payment_method: null, status: 'requires_payment_method', latest_charge: null, metadata: body.metadata ?? {}, last_payment_error: DECLINE, created: now() });
      later(() => send('payment_intent.payment_failed', intent));
      throw new MockError(402, { ...DECLINE, payment_intent: intent });
    }
    const intent = succeededPayment(amount, body.customer as string, body.payment_method as string, body.metadata);
    later(() => send('payment_intent.succeeded', intent));
    return expanded(intent, body.expand);
  }

  /** Like Stripe, events of an API call arrive after its response. */
  function later(task: () => Promise<void>) {
    const run = new Promise((resolve) => setTimeout(resolve, 20)).then(task);
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  }

  const server = await startMockServer<MockBehaviour>({ type: 'normal' }, async ({ request, res, behaviour }) => {
    const [path = '/', query = ''] = request.path.split('?');
    if (request.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
    if (servePage(request, path, res)) return;
    if (await applyBehaviour(res, behaviour)) return;
    if (!/^Bearer sk_(test|live)_\w+/.test(request.headers.authorization ?? '')) {
      return sendJson(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    const body = request.method === 'GET' ? parseStripeForm(query) : parseStripeForm(typeof request.body === 'string' ? request.body : '');
    const key = request.headers['idempotency-key'];
    const remembered = key ? idempotent.get(`${request.method} ${path} ${key}`) : undefined;
    if (remembered) return sendJson(res, remembered.status, remembered.body);
    const answer = answerApi(request.method, path, body);
    if (key && request.method === 'POST') idempotent.set(`${request.method} ${path} ${key}`, answer);
    sendJson(res, answer.status, answer.body);
  }, { port: options.port });
  base = server.url;

  function answerApi(method: string, path: string, body: Body): { status: number; body: unknown } {
    for (const [verb, pattern, route] of routes) {
      const match = verb === method ? pattern.exec(path) : null;
      if (!match) continue;
      try {
        return { status: 200, body: route(body, match.slice(1), undefined as never) };
      } catch (error) {
        if (error instanceof MockError) return { status: error.status, body: { error: error.body } };
        throw error;
      }
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  }

  /** The hosted pages a browser visits: checkout (Pay / Cancel), receipts, the billing portal. */
  function servePage(request: RecordedRequest, path: string, res: ServerResponse): boolean {
    const checkout = /^\/checkout\/([^/]+)(\/pay)?$/.exec(path);
    const session = checkout ? get(checkout[1]!) : undefined;
    if (checkout && session && request.method === 'GET') {
      const dollars = ((session.amount_total as number) / 100).toFixed(2);
      html(res, `<h1>Mock Stripe Checkout</h1><p>Pay <strong>$${dollars}</strong> to Conduit</p><form method="post" action="/checkout/${session.id}/pay"><button type="submit">Pay $${dollars}</button></form><a href="${escape(String(session.cancel_url))}">Cancel</a>`);
      return true;
    }
    if (checkout?.[2] && session && request.method === 'POST') {
      void pay(session.id).then(() => {
        res.writeHead(303, { location: String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id) });
        res.end();
      });
      return true;
    }
    if (/^\/(receipts|portal)\//.test(path) && request.method === 'GET') {
      html(res, path.startsWith('/receipts/') ? '<h1>Receipt from Conduit (mock)</h1>' : '<h1>Mock billing portal</h1>');
      return true;
    }
    return false;
  }

  function notFound(objectId: string): never {
    throw new MockError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${objectId}'` });
  }

  return {
    ...server,
    webhookSecret,
    setWebhookUrl: (url) => void (webhookUrl = url),
    setDeclineOffSession: (on) => void (declineOffSession = on),
    objects,
    deliveries,
    signedEvent,
    pay,
    refund,
    failRefund,
    dispute,
    closeDispute,
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

class MockError extends Error {
  constructor(
    readonly status: number,
    readonly body: Body,
  ) {
    super(String(body.message));
  }
}

const list = (data: Obj[], url: string) => ({ object: 'list', data, has_more: false, url });
const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
function html(res: ServerResponse, body: string) {
  sendJson(res, 200, `<!doctype html><html><head><title>Mock Stripe</title></head><body>${body}</body></html>`, 'text/html; charset=utf-8');
}

/** Form bodies carry booleans as text; Stripe answers with real ones. */
function invoiceCreation(value: unknown): Record<string, unknown> | null {
  if (!value || typeof value !== 'object') return null;
  const creation = value as Record<string, unknown>;
  return { ...creation, enabled: creation.enabled === 'true' || creation.enabled === true };
}
