import { z } from 'zod';

/**
 * The fields of Stripe objects Conduit acts on, checked with zod at the boundary: a payload
 * without them is refused loudly rather than half-handled. Expandable fields arrive as an id or
 * as the object; `idOf` reads either.
 */
const expandable = z.union([z.string(), z.object({ id: z.string() }).passthrough()]).nullish();
export const idOf = (value: z.infer<typeof expandable>): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);
const metadata = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});

export const chargeSchema = z.object({
  id: z.string(),
  customer: expandable,
  payment_intent: expandable,
  receipt_url: z.string().nullish(),
});

export const paymentIntentSchema = z.object({
  id: z.string(),
  status: z.string(),
  amount: z.number().int(),
  amount_received: z.number().int().nullish(),
  currency: z.string(),
  customer: expandable,
  payment_method: expandable,
  metadata,
  latest_charge: z.union([z.string(), chargeSchema]).nullish(),
  last_payment_error: z.object({ type: z.string().nullish(), message: z.string().nullish(), decline_code: z.string().nullish() }).nullish(),
});
export type PaymentIntentObject = z.infer<typeof paymentIntentSchema>;

export const checkoutSessionSchema = z.object({
  id: z.string(),
  mode: z.string(),
  payment_status: z.string(),
  client_reference_id: z.string().nullish(),
  customer: expandable,
  payment_intent: expandable,
  metadata,
});

export const refundSchema = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string().nullish(),
  charge: expandable,
  payment_intent: expandable,
});

export const disputeSchema = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
  charge: expandable,
  payment_intent: expandable,
});
