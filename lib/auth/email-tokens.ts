import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { getDb } from '@/db';
import { deleteEmailTokens, emailTokenLive, insertEmailToken, takeEmailToken } from '@/db/queries/email-tokens';
import type { EmailTokenPurpose, EmailTokenRow } from '@/db/schema';

/**
 * The tokens in emailed links: 32 random bytes, base64url (43 characters). The database keeps
 * their sha256 only; a token is good once, for a set time, for one purpose and one address.
 */

export const TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  // Short: a reset link in a mailbox is a password for whoever reads it.
  reset_password: 30 * 60_000,
  verify_email: 7 * 24 * 60 * 60_000,
  change_email: 24 * 60 * 60_000,
};

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Stores a new token for `email` and returns it (to be put in a link, and nowhere else). */
export async function issueEmailToken(userId: string, purpose: EmailTokenPurpose, email: string, now = Date.now()): Promise<string> {
  const { token, hash } = newToken();
  await insertEmailToken(await getDb(), { hash, userId, purpose, email, expiresAt: new Date(now + TOKEN_TTL_MS[purpose]) });
  return token;
}

/** Uses a token: its row (now deleted) when it was good, undefined for anything else. */
export async function consumeEmailToken(token: unknown, purpose: EmailTokenPurpose): Promise<EmailTokenRow | undefined> {
  // Anything not shaped like a token cannot match one: no query for junk.
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return undefined;
  return takeEmailToken(await getDb(), hashToken(token), purpose);
}

export async function emailTokenUsable(token: unknown, purpose: EmailTokenPurpose): Promise<boolean> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
  return emailTokenLive(await getDb(), hashToken(token), purpose);
}

export async function forgetEmailTokens(userId: string, purpose: EmailTokenPurpose): Promise<void> {
  await deleteEmailTokens(await getDb(), userId, purpose);
}
