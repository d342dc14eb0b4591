/**
 * The security headers of every surface, in one place (README "Security"). Pure values
 * and builders: next.config.ts sets the constant ones on everything Next serves, proxy.ts the
 * per-request ones (a CSP with a fresh nonce, HSTS over https), and the hot path's entry
 * (lib/server/node-adapter.ts) its own constant record.
 *
 * Surfaces:
 * - Pages (dashboard, landing, sign-in) — HTML: a strict CSP with a per-request nonce, framing
 *   refused (clickjacking: another origin must never render /billing with its balance), no
 *   referrer beyond the origin, sniffing off, powerful browser features off, HSTS over https.
 * - /api/* (management API, Stripe webhook, Auth.js) — JSON, and a few Auth.js HTML pages: a CSP
 *   that lets nothing load (Auth.js's pages: their inline stylesheet only), framing refused.
 * - /v1 and /proxy (the hot path, served by start.mjs outside Next): `nosniff` only. /v1 answers
 *   are Conduit's own JSON and SSE; /proxy relays a third party's answer as it came, and is read
 *   by browsers through fetch/XHR with CORS. A CSP or framing header applies to documents, not to
 *   what fetch reads, so there it would only be bytes on every answer (and a page policy written
 *   for the dashboard says nothing true about an upstream's content); `nosniff` does apply —
 *   it stops a relayed body being run as a script or stylesheet under another content type.
 */

/** Constant headers of every page and /api answer (set by next.config.ts). */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  // Same-origin navigations keep the full URL (Auth.js falls back to the Referer for where to go
  // after signing out); other origins (Stripe, GitHub) learn the origin only, never a dashboard path.
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // No page of Conduit's uses any of these: a script injected into one could not either.
  'Permissions-Policy': 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
  // For browsers without CSP frame-ancestors; the CSPs below say the same.
  'X-Frame-Options': 'DENY',
};

/** The hot path's constant record (/v1, /proxy): see the surfaces above. */
export const HOT_PATH_SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/**
 * Two years, the usual preload-list value. Not `includeSubDomains`: Conduit is often installed
 * under a domain whose other hosts it does not own, and must not force them onto https.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000';

/** Where a form on a Conduit page may end up (form-action also checks the redirects after a post). */
export const FORM_ACTION_ORIGINS = [
  'https://checkout.stripe.com', // "Add credit": Stripe Checkout
  'https://billing.stripe.com', // "Payment methods and invoices": Stripe's billing portal
  'https://github.com', // "Continue with GitHub": the OAuth authorisation page
] as const;

export interface PagePolicyOptions {
  nonce: string;
  /** Served over https: also ask the browser to upgrade any http:// subresource. */
  https: boolean;
  /** `next dev`: React rebuilds server error stacks with eval, and styles arrive inline. */
  dev: boolean;
  /** More form targets: the Stripe stand-in's hosted pages when STRIPE_API_BASE points at one. */
  extraFormActions?: readonly string[];
}

/**
 * The pages' policy. Scripts: only those carrying this response's nonce — Next.js puts it on its
 * own script tags (it reads the nonce from this header on the request) — and what they load
 * ('strict-dynamic'); no 'unsafe-inline', no 'unsafe-eval' in production. 'self' is ignored by
 * browsers that know 'strict-dynamic' and lets older ones load the app's own bundles. Styles: the
 * stylesheet and Next's nonce'd style tags; style *attributes* are allowed (style-src-attr):
 * React renders them on the server (recharts' chart containers and bars, the usage bars), and an
 * attribute cannot run script or load anything outside img-src/font-src. Fetches, images and
 * fonts: this origin only. Nothing may frame a page, <base> is refused, forms post here or to
 * the Stripe and GitHub pages the app sends people to.
 */
export function pageContentSecurityPolicy(options: PagePolicyOptions): string {
  const { nonce, https, dev } = options;
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self' ${[...FORM_ACTION_ORIGINS, ...(options.extraFormActions ?? [])].join(' ')}`,
    "frame-ancestors 'none'",
  ];
  if (https) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/**
 * /api/*: JSON needs nothing loaded. Auth.js renders a few HTML pages there itself (its error
 * page, the sign-out confirmation) with an inline stylesheet and a form posting back to itself.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** A nonce: 128 random bits, base64 (what CSP's nonce-source expects). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
