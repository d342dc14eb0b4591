import type { UsageAttempt } from './record';

/**
 * A request's upstream attempts as one line for people and spreadsheets (the request page, the
 * CSV export): `gpt-4o-mini 503 → gpt-4o-mini 503 → claude-3-5-haiku-latest 200`. An attempt that
 * got no answer shows Conduit's code for it (`upstream_timeout`, `upstream_unavailable`).
 */
export function describeAttempts(attempts: readonly UsageAttempt[] | null): string | null {
  if (!attempts || attempts.length === 0) return null;
  return attempts.map((attempt) => `${attempt.model} ${attempt.status ?? attempt.errorCode ?? 'no answer'}`).join(' → ');
}
