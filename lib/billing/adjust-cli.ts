import 'server-only';
import { ConfigError, env } from '@/lib/env';
import { formatDollars } from '@/lib/money';
import { adjustCredit } from './adjust';
import { ledgerBalance } from './credit';

/**
 * `npm run credit:adjust -- <email> <dollars> <reference>`: adds (or, with a minus sign, removes)
 * credit by hand, e.g. `npm run credit:adjust -- ann@example.com 10 TICKET-123`. Uses the same
 * configuration as the server (DATABASE_URL, REDIS_URL…).
 */
async function main() {
  const [email, dollars, reference] = process.argv.slice(2);
  if (!email || !dollars || !reference) {
    console.error('usage: npm run credit:adjust -- <email> <dollars, e.g. 10 or -2.50> <reference, e.g. a ticket id>');
    process.exit(2);
  }
  try {
    env();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  const result = await adjustCredit({ email, dollars, reference });
  if (!result.ok) {
    console.error(`credit:adjust: ${result.message}`);
    process.exit(1);
  }
  const balance = formatDollars(await ledgerBalance(result.userId));
  console.log(result.created ? `Adjusted ${email} by ${formatDollars(result.amountMicros)}; balance ${balance}.` : `Already applied (reference ${reference}); balance ${balance}.`);
  process.exit(0);
}

void main();
