import { appendFileSync, mkdirSync } from 'node:fs';

/** Where the suite leaves its figures and the servers' logs (not test-results/: Playwright empties that). */
export const REPORT_DIR = '.faults';

/**
 * What a fault test measured, printed for the CI log and appended to .faults/report.jsonl (one
 * JSON line per fault): the README's reliability table is made from these figures.
 */
export function report(fault: string, figures: Record<string, unknown>): void {
  console.log(`\n[faults] ${fault}\n${JSON.stringify(figures, null, 2)}`);
  mkdirSync(REPORT_DIR, { recursive: true });
  appendFileSync(`${REPORT_DIR}/report.jsonl`, `${JSON.stringify({ fault, at: new Date().toISOString(), ...figures })}\n`);
}
