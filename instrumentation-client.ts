/**
 * Runs in the browser before any page's own code (Next.js loads it ahead of hydration).
 *
 * The forms validate with zod, which checks once whether it may compile its validators with
 * `new Function`. Under the pages' Content-Security-Policy (no 'unsafe-eval', proxy.ts) that
 * check is refused — zod catches it and carries on, but the browser still reports a violation on
 * every page that builds a schema. `jitless` makes zod skip the check and validate without
 * compiling; the server keeps the compiled validators (this file never runs there).
 */
import { z } from 'zod';

z.config({ jitless: true });
