import { appendFileSync, mkdirSync } from 'node:fs';

/**
 * What a fault test measured, printed for the CI log and appended to test-results/faults.jsonl
 * (one JSON line per fault): the README's reliability table is made from these figures.
 */
export function report(fault: string, figures: Record<string, unknown>): void {
  console.log(`\n[faults] ${fault}\n${JSON.stringify(figures, null, 2)}`);
  mkdirSync('test-results', { recursive: true });
  appendFileSync('test-results/faults.jsonl', `${JSON.stringify({ fault, at: new Date().toISOString(), ...figures })}\n`);
}
