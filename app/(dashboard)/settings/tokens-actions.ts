'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { memberAllowed, requireMember } from '@/lib/orgs/session';
import { createToken, revokeToken, tokenNameSchema } from '@/lib/management/tokens';

/** Management API tokens (settings page). The plaintext leaves the server only in createTokenAction's result. */

export interface TokenFormState {
  errors?: { name?: string; form?: string };
  success?: string;
  /** The new token's plaintext, shown once. */
  secret?: string;
}

export async function createTokenAction(_prev: TokenFormState, formData: FormData): Promise<TokenFormState> {
  const allowed = await memberAllowed('tokens.manage');
  if (!allowed.ok) return { errors: { form: allowed.error } };
  const parsed = tokenNameSchema.safeParse(formData.get('name') ?? '');
  if (!parsed.success) return { errors: { name: parsed.error.issues[0]?.message ?? 'Give the token a name' } };
  const { token, secret } = await createToken(allowed.member.actor, parsed.data);
  revalidatePath('/settings');
  return { success: `Created ${token.name}.`, secret };
}

const tokenIdSchema = z.string().trim().min(1).max(100);

export async function revokeTokenAction(_prev: TokenFormState, formData: FormData): Promise<TokenFormState> {
  const { actor } = await requireMember();
  const id = tokenIdSchema.safeParse(formData.get('id'));
  // Scoped to this organization (and, below admin, to the member's own tokens): any other id revokes nothing.
  const revoked = id.success && (await revokeToken(actor, id.data));
  revalidatePath('/settings');
  return revoked ? { success: 'Token revoked.' } : { errors: { form: 'That token no longer exists.' } };
}
