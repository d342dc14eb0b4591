'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { EmailNotVerifiedError, requireVerifiedEmail } from '@/lib/auth/email-verification';
import { memberAllowed } from '@/lib/orgs/session';
import { autoTopUpSettingsSchema, topUpAmountSchema } from '@/lib/billing/amounts';
import { createPortalSession, createTopUpCheckout } from '@/lib/billing/checkout';
import { saveAutoTopUpSettings } from '@/lib/billing/overview';
import { ApiError } from '@/lib/errors';
import { requestOrigin } from '../links/request-origin';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

export interface BillingFormState {
  errors?: Record<string, string>;
  success?: string;
  /** What was submitted, shown again: React resets a form to its default values after an action. */
  values?: Record<string, string>;
}

const submitted = (formData: FormData) =>
  Object.fromEntries([...formData].flatMap(([name, value]) => (typeof value === 'string' && !name.startsWith('$') ? [[name, value]] : [])));

const topUpSchema = z.object({ preset: z.string().optional(), custom: z.string().optional() });

/** Add credit: a preset button or the custom amount → Stripe Checkout. */
export async function startTopUpAction(_prev: BillingFormState, formData: FormData): Promise<BillingFormState> {
  const allowed = await memberAllowed('billing.manage');
  if (!allowed.ok) return { errors: { form: allowed.error } };
  const { user, account } = allowed.member;
  const parsedForm = topUpSchema.safeParse(Object.fromEntries(formData));
  if (!parsedForm.success) return { errors: { form: 'Choose an amount.' } };
  const { preset, custom } = parsedForm.data;
  const amount = topUpAmountSchema.safeParse(preset ?? custom ?? '');
  if (!amount.success) return { errors: { custom: amount.error.issues[0]?.message ?? 'Invalid amount' }, values: { custom: custom ?? '' } };
  let url: string;
  try {
    // Money comes in only from people who can be reached (receipts, disputes, alerts).
    requireVerifiedEmail(user, 'buying credit');
    url = await createTopUpCheckout({ user: { id: account.id, email: user.email }, amountMicros: amount.data, origin: await requestOrigin() });
  } catch (error) {
    return { errors: { form: failure(error) } };
  }
  redirect(url);
}

/** Stripe's billing portal: payment methods, invoices, receipts. */
export async function openPortalAction(): Promise<BillingFormState> {
  const allowed = await memberAllowed('billing.manage');
  if (!allowed.ok) return { errors: { form: allowed.error } };
  const { user, account } = allowed.member;
  let url: string;
  try {
    url = await createPortalSession({ user: { id: account.id, email: user.email }, origin: await requestOrigin() });
  } catch (error) {
    return { errors: { form: failure(error) } };
  }
  redirect(url);
}

export async function saveAutoTopUpAction(_prev: BillingFormState, formData: FormData): Promise<BillingFormState> {
  const allowed = await memberAllowed('billing.manage');
  if (!allowed.ok) return { errors: { form: allowed.error }, values: submitted(formData) };
  const { user, actor } = allowed.member;
  const parsed = autoTopUpSettingsSchema.safeParse({ ...Object.fromEntries(formData), enabled: formData.get('enabled') === 'on' ? 'on' : 'off' });
  if (!parsed.success) {
    return { errors: Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? 'form'), issue.message])), values: submitted(formData) };
  }
  const settings = parsed.data;
  if (settings.enabled === 'on' && !user.emailVerified) return { errors: { form: new EmailNotVerifiedError('turning on automatic top-up').message }, values: submitted(formData) };
  await saveAutoTopUpSettings(
    actor,
    settings.enabled === 'on' ? { enabled: true, thresholdMicros: settings.threshold, amountMicros: settings.amount } : { enabled: false },
  );
  return { success: settings.enabled === 'on' ? 'Automatic top-up is on.' : 'Automatic top-up is off.', values: submitted(formData) };
}

function failure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  log.error({ err: error }, 'Stripe call failed');
  return 'Stripe could not be reached. Please try again in a moment.';
}
