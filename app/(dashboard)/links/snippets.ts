/**
 * Ready-to-paste code for calling a link: its real proxy URL and id, and the new access token.
 * Pure (the show-once dialog builds them in the browser from the server action's result). The
 * shapes follow the Conduit Link docs: with PROXY_HOST configured, links are called as those docs
 * write them, https://{PROXY_HOST}/{id}/…; otherwise at /proxy/{id}/… on this dashboard's host.
 * Stripe's SDK takes a host, not a base URL, so it calls the link by host ({id}.{PROXY_DOMAIN}) —
 * which needs PROXY_DOMAIN configured.
 */

export type SnippetKind = 'fetch' | 'openai' | 'anthropic' | 'stripe';

export interface SnippetContext {
  /** Where the browser reached this dashboard, e.g. http://127.0.0.1:3100. */
  base: string;
  linkId: string;
  token: string;
  preset: string;
  /** PROXY_DOMAIN, when the installation serves links by host. */
  proxyDomain: string | null;
  /** PROXY_HOST, when the installation serves links at https://{PROXY_HOST}/{id}/…. */
  proxyHost?: string | null;
  /** The link verifies end-user JWTs. */
  jwt: boolean;
  samplePath: string;
}

export interface Snippet {
  kind: SnippetKind;
  title: string;
  code: string;
  /** Said above the code (e.g. why Stripe falls back to fetch). */
  note?: string;
}

interface Sample {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const json = (value: string) => ({ body: `JSON.stringify(${value})`, contentType: 'application/json' });
const form = (value: string) => ({ body: `new URLSearchParams(${value})`, contentType: 'application/x-www-form-urlencoded' });

const SAMPLES: Record<string, Omit<Sample, 'path'> & { path?: string }> = {
  openai: { method: 'POST', path: '/v1/chat/completions', ...json(`{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] }`) },
  anthropic: {
    method: 'POST',
    path: '/v1/messages',
    ...json(`{ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello!' }] }`),
  },
  stripe: { method: 'POST', path: '/v1/customers', ...form(`{ email: 'jenny@example.com' }`) },
  google_maps: { method: 'GET', path: '/geocode/json?address=1600+Amphitheatre+Parkway' },
  sendgrid: {
    method: 'POST',
    path: '/mail/send',
    ...json(`{ personalizations: [{ to: [{ email: 'to@example.com' }] }], from: { email: 'from@example.com' }, subject: 'Hello', content: [{ type: 'text/plain', value: 'Hello!' }] }`),
  },
  twilio: { method: 'POST', ...form(`{ To: '+15005550006', From: '+15005550001', Body: 'Hello!' }`) },
  custom: { method: 'GET' },
};

/** A path the link allows, to show in the fetch example: the preset's own, or the link's first one. */
export function samplePath(preset: string, allowedPaths: readonly { path: string; methods?: readonly string[] }[]): string {
  const fixed = SAMPLES[preset]?.path;
  if (fixed) return fixed;
  const entry = allowedPaths.find((candidate) => !candidate.path.includes('*')) ?? allowedPaths[0];
  return entry ? entry.path.replaceAll('**', 'example').replaceAll('*', 'example') : '/';
}

/**
 * An origin on one of the installation's link hosts, with the dashboard's scheme. A local
 * installation (http) serves every host on its one port, so that port is kept; a public one is on
 * https's own port unless the host names another.
 */
function originOn(base: string, host: string): string {
  const url = new URL(base);
  const port = !host.includes(':') && url.protocol === 'http:' && url.port ? `:${url.port}` : '';
  return `${url.protocol}//${host}${port}`;
}

/** Where the link is called: https://{PROXY_HOST}/{id} when configured, else {dashboard}/proxy/{id}. */
export function linkBaseUrl(c: Pick<SnippetContext, 'base' | 'linkId' | 'proxyHost'>): string {
  return c.proxyHost ? `${originOn(c.base, c.proxyHost)}/${c.linkId}` : `${c.base}/proxy/${c.linkId}`;
}

const JWT_LINE = "'Authorization': `Bearer ${userJwt}`, // the end user's JWT, made by your backend";
const OPTIONAL_JWT = "// 'Authorization': `Bearer ${userJwt}`, // only when the link verifies end-user JWTs";

function fetchSnippet(c: SnippetContext): Snippet {
  const sample: Sample = { ...SAMPLES.custom!, ...SAMPLES[c.preset], path: c.samplePath };
  const headers = [`'X-Access-Token': '${c.token}',`, sample.contentType ? `'Content-Type': '${sample.contentType}',` : null, c.jwt ? JWT_LINE : OPTIONAL_JWT];
  const code = [
    `const response = await fetch('${linkBaseUrl(c)}${sample.path}', {`,
    `  method: '${sample.method}',`,
    '  headers: {',
    ...headers.filter(Boolean).map((line) => `    ${line}`),
    '  },',
    ...(sample.body ? [`  body: ${sample.body},`] : []),
    '});',
    'const data = await response.json();',
  ].join('\n');
  return { kind: 'fetch', title: 'fetch', code };
}

function openaiSnippet(c: SnippetContext): Snippet {
  const code = `import OpenAI from 'openai';

const openai = new OpenAI({
  apiKey: ${c.jwt ? "userJwt, // sent as Authorization: Bearer — the end user's JWT" : "'unused', // the real key stays in Conduit"}
  baseURL: '${linkBaseUrl(c)}/v1',
  defaultHeaders: { 'X-Access-Token': '${c.token}' },
  dangerouslyAllowBrowser: true, // the page holds only this link's access token
});

const completion = await openai.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello!' }],
});`;
  return { kind: 'openai', title: 'OpenAI SDK', code };
}

function anthropicSnippet(c: SnippetContext): Snippet {
  const headers = c.jwt ? `{ 'X-Access-Token': '${c.token}', Authorization: \`Bearer \${userJwt}\` }` : `{ 'X-Access-Token': '${c.token}' }`;
  const code = `import Anthropic from '@anthropic-ai/sdk';

const anthropic = new Anthropic({
  apiKey: 'unused', // the real key stays in Conduit
  baseURL: '${linkBaseUrl(c)}',
  defaultHeaders: ${headers},
  dangerouslyAllowBrowser: true,
});

const message = await anthropic.messages.create({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello!' }],
});`;
  return { kind: 'anthropic', title: 'Anthropic SDK', code };
}

/** Stripe's options for calling the link by host; port and protocol only where the defaults (443, https) are wrong. */
function stripeOptions(c: SnippetContext, domain: string): string {
  const [host, port] = domain.split(':');
  const base = new URL(c.base);
  const options = [`host: '${c.linkId}.${host}'`];
  const plain = base.protocol === 'http:';
  const actualPort = port ?? (plain ? base.port || '80' : undefined);
  if (actualPort) options.push(`port: ${actualPort}`);
  if (plain) options.push(`protocol: 'http'`);
  return `{ ${options.join(', ')} }`;
}

function stripeSnippet(c: SnippetContext): Snippet {
  if (!c.proxyDomain) {
    return {
      ...fetchSnippet(c),
      kind: 'stripe',
      title: 'Stripe SDK',
      note: "Stripe's SDK only takes a host, so it needs PROXY_DOMAIN configured on this Conduit installation (links are then served at https://{link id}.{PROXY_DOMAIN}). Until then, call the link with fetch:",
    };
  }
  const code = `import Stripe from 'stripe';

// The access token takes the secret key's place; Conduit sends the real key to Stripe.
const stripe = new Stripe('${c.token}', ${stripeOptions(c, c.proxyDomain)});

const customer = await stripe.customers.create({ email: 'jenny@example.com' });`;
  const note = c.jwt
    ? "Stripe's SDK sends its key as Authorization, where this link expects the end user's JWT: use fetch with both headers instead."
    : 'For your server or scripts (Node.js).';
  return { kind: 'stripe', title: 'Stripe SDK', code, note };
}

const PRIMARY: Record<string, SnippetKind[]> = {
  openai: ['fetch', 'openai'],
  anthropic: ['fetch', 'anthropic'],
  stripe: ['stripe', 'fetch'],
};
const ALL: SnippetKind[] = ['fetch', 'openai', 'anthropic', 'stripe'];
const build: Record<SnippetKind, (c: SnippetContext) => Snippet> = {
  fetch: fetchSnippet,
  openai: openaiSnippet,
  anthropic: anthropicSnippet,
  stripe: stripeSnippet,
};

/** The snippets for the link's preset first; the rest for the "other ways" section. */
export function linkSnippets(c: SnippetContext): { primary: Snippet[]; other: Snippet[] } {
  const primary = PRIMARY[c.preset] ?? ['fetch'];
  return { primary: primary.map((kind) => build[kind](c)), other: ALL.filter((kind) => !primary.includes(kind)).map((kind) => build[kind](c)) };
}
