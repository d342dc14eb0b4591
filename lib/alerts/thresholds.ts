import type { SpendWindow } from '@/lib/limits/windows';
import { formatDollars, type Micros } from '@/lib/money';

/**
 * Which alerts are due (pure). A spend alert is due once spend reaches 50, 80 or 100 % of a
 * limit; crossing several at once makes all of them due (each fires once per window either way,
 * and a later batch must not fire the lower ones again). Credit is due below its threshold.
 */

export const SPEND_THRESHOLDS = [50, 80, 100] as const;
/** Without settings, accounts are warned when credit falls below $1. */
export const DEFAULT_CREDIT_ALERT_MICROS: Micros = 1_000_000;

const WINDOW_WORD: Record<SpendWindow, string> = { day: 'daily', week: 'weekly', month: 'monthly' };

export interface DueSpendAlert {
  window: SpendWindow;
  threshold: number;
  spent: Micros;
  limit: Micros;
  message: string;
}

export function dueSpendAlerts(subject: string, spend: Record<SpendWindow, Micros>, limits: Record<SpendWindow, Micros | null>): DueSpendAlert[] {
  const due: DueSpendAlert[] = [];
  for (const window of ['day', 'week', 'month'] as const) {
    const limit = limits[window];
    if (limit === null || limit <= 0) continue;
    for (const threshold of SPEND_THRESHOLDS) {
      // Integer arithmetic: 100 × spent ≥ threshold × limit, no rounding at the boundary.
      if (spend[window] * 100 >= threshold * limit) {
        due.push({
          window,
          threshold,
          spent: spend[window],
          limit,
          message: `${subject} has used ${threshold} % of its ${WINDOW_WORD[window]} limit (${formatDollars(spend[window], { maxDecimals: 2 })} of ${formatDollars(limit, { maxDecimals: 2 })}).`,
        });
      }
    }
  }
  return due;
}

export function creditMessage(balance: Micros, threshold: Micros): string {
  return `Your credit is ${formatDollars(Math.max(0, balance), { maxDecimals: 2 })}, below your alert level of ${formatDollars(threshold, { maxDecimals: 2 })}.`;
}
