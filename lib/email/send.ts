import 'server-only';
import { logger } from '@/lib/observability/log';
import { deliver, type OutgoingMail } from './transport';

/**
 * Mail is sent in the background: the request that asked for it answers at once, in the same
 * time whether or not a message went out (a password reset must not tell by its speed whether an
 * address has an account), and a slow or failing mail server never fails a page. Failures are
 * logged — the purpose and the error, never the body — and the person can ask again.
 */

type Registry = typeof globalThis & { [PENDING]?: Set<Promise<void>> };
const PENDING = Symbol.for('conduit.email.pending');
const pending = ((globalThis as Registry)[PENDING] ??= new Set());

export function queueMail(purpose: string, mail: OutgoingMail): void {
  const sending: Promise<void> = deliver(mail)
    .then(() => undefined)
    .catch((error: unknown) => logger().child({ component: 'email' }).error({ purpose, err: error }, 'mail could not be sent'))
    .finally(() => pending.delete(sending));
  pending.add(sending);
}

/** Resolves when every message queued so far has been delivered or has failed (tests, shutdown). */
export async function mailSettled(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
