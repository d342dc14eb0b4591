import { z } from 'zod';

/**
 * allowed_origins entries: the exact origins whose pages may call a link from a browser. The
 * proxy compares them byte for byte with the Origin header (lib/proxy/cors.ts), so each is
 * stored the way browsers send it: `new URL(x).origin` (lower-case host, no default port).
 * No `*`: a link's whole point is that only the customer's own app can use it. Pure: forms
 * validate with it too.
 */
export const ORIGIN_HINT = 'Enter an origin like https://app.example.com or http://localhost:5173';

export const originSchema = z
  .string()
  .trim()
  .min(1, ORIGIN_HINT)
  .max(300, 'Origins are at most 300 characters')
  .transform((value, ctx) => {
    if (value.includes('*')) {
      ctx.addIssue({ code: 'custom', message: 'Wildcards are not allowed: list each origin that may call this link' });
      return z.NEVER;
    }
    const url = URL.canParse(value) ? new URL(value) : null;
    const problem = !url
      ? ORIGIN_HINT
      : url.protocol !== 'https:' && url.protocol !== 'http:'
        ? 'Origins start with https:// (or http:// for local development)'
        : url.username || url.password
          ? 'Origins cannot contain a user name or password'
          : // A trailing "/" is tolerated (browsers' address bars add it); any other path is not.
            url.pathname !== '/' || url.search || url.hash || /^[a-z]+:\/\/[^/]+\/./i.test(value) || value.endsWith('?') || value.endsWith('#')
            ? `An origin has no path: use ${url.origin}`
            : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return url!.origin;
  });

export const allowedOriginsSchema = z
  .array(originSchema)
  .max(50, 'At most 50 origins')
  .transform((origins) => [...new Set(origins)]);
