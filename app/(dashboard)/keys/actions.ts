'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { memberAllowed, requireMember } from '@/lib/orgs/session';
import { ApiError } from '@/lib/errors';
import { createKey, deleteKey, getKey, regenerateKey, setKeyEnabled, updateKey } from '@/lib/keys/service';
import { parseKeyForm, type KeyFormErrors } from './key-form-schema';

/**
 * The dashboard's key operations: validate with the same schema the form used (never trust the
 * browser's check), then call the lifecycle service that the management API calls too. The
 * plaintext of a new or regenerated key leaves the server only in these return values.
 */

export interface KeyFormState {
  errors?: KeyFormErrors;
  success?: string;
  /** The new key's plaintext, shown once. */
  secret?: string;
}

export interface KeyActionState {
  error?: string;
  secret?: string;
}

const keyIdSchema = z.string().trim().min(1).max(100);

function keyIdFrom(formData: FormData): string {
  const parsed = keyIdSchema.safeParse(formData.get('id'));
  // Not a key of this account either way; the service would say the same.
  if (!parsed.success) throw new ApiError(404, 'key_not_found', 'No such API key.');
  return parsed.data;
}

/** The service's expected failures (a key deleted meanwhile: 404) become a message; bugs still throw. */
async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { ok: false, error: error.message };
    throw error;
  }
}

function revalidateKey(id: string) {
  revalidatePath('/keys');
  revalidatePath(`/keys/${id}`);
}

export async function createKeyAction(_prev: KeyFormState, formData: FormData): Promise<KeyFormState> {
  const allowed = await memberAllowed('keys.manage');
  if (!allowed.ok) return { errors: { form: allowed.error } };
  const parsed = parseKeyForm(formData, 'create');
  if (!parsed.ok) return { errors: parsed.errors };
  const { key, secret } = await createKey(allowed.member.actor, parsed.data);
  revalidatePath('/keys');
  return { success: `Created ${key.name}.`, secret };
}

export async function updateKeyAction(_prev: KeyFormState, formData: FormData): Promise<KeyFormState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const id = keyIdFrom(formData);
    const parsed = parseKeyForm(formData, 'update');
    if (!parsed.ok) return { errors: parsed.errors };
    await updateKey(actor, id, parsed.data);
    revalidateKey(id);
    return { success: 'Saved.' };
  });
  return result.ok ? result.value : { errors: { form: result.error } };
}

export async function setKeyEnabledAction(formData: FormData): Promise<void> {
  const { actor } = await requireMember();
  const enabled = formData.get('enabled') === 'true';
  const result = await attempt(async () => {
    const id = keyIdFrom(formData);
    await setKeyEnabled(actor, id, enabled);
    revalidateKey(id);
  });
  // The key is gone (deleted in another tab): back to the list, which no longer shows it.
  if (!result.ok) redirect('/keys');
}

export async function regenerateKeyAction(_prev: KeyActionState, formData: FormData): Promise<KeyActionState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const id = keyIdFrom(formData);
    const { secret } = await regenerateKey(actor, id);
    revalidateKey(id);
    return secret;
  });
  return result.ok ? { secret: result.value } : { error: result.error };
}

export async function deleteKeyAction(_prev: KeyActionState, formData: FormData): Promise<KeyActionState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const key = await getKey(actor.accountId, keyIdFrom(formData));
    // Typing the name is the confirmation: nothing is deleted unless it matches exactly.
    const typed = String(formData.get('confirmName') ?? '').trim();
    if (typed !== key.name) return `Type ${key.name} to confirm.`;
    await deleteKey(actor, key.id);
    return null;
  });
  if (!result.ok) return { error: result.error };
  if (result.value) return { error: result.value };
  revalidatePath('/keys');
  redirect('/keys');
}
