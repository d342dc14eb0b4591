import { signUp } from '@/lib/auth/users';
import { createToken } from '@/lib/management/tokens';
import { personalActor } from '@/lib/orgs/actor';

/** Test support for the link tests: accounts with a management token, and route calls. */

export async function testAccount(label: string): Promise<{ userId: string; token: string }> {
  const result = await signUp({ email: `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`, password: 'a fine password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  return { userId: result.user.id, token: (await createToken(personalActor(result.user.id), 'tests')).secret };
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Route handlers differ only in their params type; tests pass whatever params the route has. */
export const route = (handler: unknown) => handler as Handler;

export interface Call {
  token: string;
  method?: string;
  body?: unknown;
  params?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export async function call(handler: unknown, options: Call): Promise<{ status: number; body: any; text: string }> {
  const headers = new Headers({ 'content-type': 'application/json', authorization: `Bearer ${options.token}` });
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const request = new Request('http://conduit.test/api/v1/links', { method: options.method ?? 'GET', headers, body });
  const response = await route(handler)(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}
