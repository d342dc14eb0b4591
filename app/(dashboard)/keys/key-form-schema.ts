import type { z } from 'zod';
import { keySchemas, spendLimitMicros } from '@/lib/keys/schema';
import { optionalDollarsSchema } from '@/lib/money';

/**
 * The key form's rules are the management API's rules (lib/keys/schema.ts), with spending limits
 * typed in dollars: the shared money schema turns "12.50" into micros, then the API's own
 * micro-dollar rule checks the result. No server imports — the form validates with this in the
 * browser, and the server actions validate again with the very same schema.
 */
const formMoney = optionalDollarsSchema.pipe(spendLimitMicros);
export const { create: keyFormCreateSchema, update: keyFormUpdateSchema } = keySchemas(formMoney);
export type KeyFormInput = z.infer<typeof keyFormCreateSchema>;

/** The form's input names; rate and spend limits are flat so each has its own labelled input. */
export type KeyFormField =
  | 'form'
  | 'name'
  | 'description'
  | 'allowed_models'
  | 'allowed_operations'
  | 'allowed_providers'
  | 'ip_allowlist'
  | 'expires_at'
  | 'rate_per_minute'
  | 'rate_per_hour'
  | 'rate_per_day'
  | 'spend_day'
  | 'spend_week'
  | 'spend_month';
export type KeyFormErrors = Partial<Record<KeyFormField, string>>;

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

/** "a, b\nc" → ["a", "b", "c"]; blank lines are ignored. */
const list = (value: string) =>
  value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);

/** An empty box means "no limit"; anything else goes to the API's number rules as typed. */
const count = (value: string) => (value.trim() === '' ? null : Number(value));

/**
 * FormData → the API's JSON shape (money still in dollars). `expires_at` is already an ISO time
 * with the browser's offset (the form converts it); when the form leaves it out, it is unchanged.
 */
export function keyFormToInput(formData: FormData) {
  return {
    name: text(formData, 'name'),
    description: text(formData, 'description'),
    allowed_models: list(text(formData, 'allowed_models')),
    allowed_operations: formData.getAll('allowed_operations').map(String),
    allowed_providers: formData.getAll('allowed_providers').map(String),
    ip_allowlist: list(text(formData, 'ip_allowlist')),
    ...(formData.has('expires_at') ? { expires_at: text(formData, 'expires_at') || null } : {}),
    rate_limits: {
      per_minute: count(text(formData, 'rate_per_minute')),
      per_hour: count(text(formData, 'rate_per_hour')),
      per_day: count(text(formData, 'rate_per_day')),
    },
    spending_limits: {
      day: text(formData, 'spend_day'),
      week: text(formData, 'spend_week'),
      month: text(formData, 'spend_month'),
    },
  };
}

type RawInput = ReturnType<typeof keyFormToInput>;

// The API's messages speak JSON ("null for no limit"); in the form, no limit is an empty box.
const forForm = (message: string) =>
  message.replace('use null for no limit', 'leave empty for no limit').replace('or null for no limit', 'or leave empty for no limit');

function fieldOf(path: readonly PropertyKey[]): KeyFormField {
  const [head, sub] = path.map(String);
  if (head === 'rate_limits' && sub) return `rate_${sub}` as KeyFormField;
  if (head === 'spending_limits' && sub) return `spend_${sub}` as KeyFormField;
  const direct: readonly string[] = ['name', 'description', 'allowed_models', 'allowed_operations', 'allowed_providers', 'ip_allowlist', 'expires_at'];
  return head && direct.includes(head) ? (head as KeyFormField) : 'form';
}

/** One message per field, naming the offending entry of a list (`ip_allowlist.1` → its text). */
export function keyFormErrors(error: z.ZodError, raw: RawInput): KeyFormErrors {
  const errors: KeyFormErrors = {};
  for (const issue of error.issues) {
    const field = fieldOf(issue.path);
    let message = forForm(issue.message);
    const index = issue.path[1];
    if ((field === 'ip_allowlist' || field === 'allowed_models' || field === 'allowed_operations' || field === 'allowed_providers') && typeof index === 'number') {
      const entry = raw[field][index] ?? '';
      if (!message.includes(entry)) message = `“${entry}”: ${message}`;
    }
    errors[field] ??= message;
  }
  return errors;
}

export type KeyFormResult<T> = { ok: true; data: T } | { ok: false; errors: KeyFormErrors };

export function parseKeyForm(formData: FormData, mode: 'create'): KeyFormResult<z.infer<typeof keyFormCreateSchema>>;
export function parseKeyForm(formData: FormData, mode: 'update'): KeyFormResult<z.infer<typeof keyFormUpdateSchema>>;
export function parseKeyForm(formData: FormData, mode: 'create' | 'update'): KeyFormResult<unknown>;
export function parseKeyForm(formData: FormData, mode: 'create' | 'update'): KeyFormResult<unknown> {
  const raw = keyFormToInput(formData);
  const parsed = (mode === 'create' ? keyFormCreateSchema : keyFormUpdateSchema).safeParse(raw);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: keyFormErrors(parsed.error, raw) };
}
