import 'server-only';
import { getRedis } from '@/lib/redis/client';
import { RESERVATIONS_KEY } from './admission';
import { SWEEP } from './lua';

/**
 * Releases reservations whose request never settled (its process died mid-request), so no
 * budget or credit stays reserved forever. Every instance runs it; the script's ZREM makes
 * each release happen exactly once.
 */
export async function sweepReservations(now = Date.now(), batch = 500): Promise<number> {
  return Number(await getRedis().eval(SWEEP, [RESERVATIONS_KEY], [now, batch]));
}

const SWEEP_INTERVAL_MS = 30_000;
let timer: NodeJS.Timeout | undefined;

export function startReservationSweeper(): void {
  if (timer) return;
  timer = setInterval(() => {
    sweepReservations().catch((error: unknown) => console.error('[limits] reservation sweep failed', error));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
}
