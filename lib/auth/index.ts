import 'server-only';
import { DrizzleAdapter } from '@auth/drizzle-adapter';
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import GitHub from 'next-auth/providers/github';
import { getDb } from '@/db';
import { insertPersonalOrganizations } from '@/db/queries/users';
import { accounts, users } from '@/db/schema';
import { grantTrialCredit } from '@/lib/billing/credit';
import { env } from '@/lib/env';
import { clientIp } from '@/lib/request-ip';
import { configuredOrigin } from '@/lib/email/origin';
import { sendVerificationEmail } from './email-verification';
import { unavailableDependency } from '@/lib/unavailable';
import { loginSchema } from './credentials-schema';
import { checkLoginLimit } from './login-limit';
import { authenticate } from './users';
import { sessionLive } from './revocation';
import { authSecret } from './secret';
import { SESSION_MAX_AGE_SECONDS } from './session-policy';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'auth' });

/** Thrown from authorize(); its `code` reaches the login form, which words the message. */
export class TooManyAttempts extends CredentialsSignin {
  override code = 'rate_limited';
}

export function githubEnabled(): boolean {
  return Boolean(env().AUTH_GITHUB_ID);
}

// Lazy config: the database (and for the embedded default the PGlite directory) is opened on
// the first request, never while `next build` imports this module.
export const { handlers, auth, signIn, signOut } = NextAuth(async (): Promise<NextAuthConfig> => {
  const { AUTH_GITHUB_ID, AUTH_GITHUB_SECRET } = env();
  const db = await getDb();
  return {
    secret: authSecret(),
    // URLs from the request: the public origin lib/public-origin.ts trusts (proxy.ts rewrites the
    // forwarded headers, lib/auth/request-url.ts the route handlers' URL), or AUTH_URL when set.
    trustHost: true,
    adapter: DrizzleAdapter(db, { usersTable: users, accountsTable: accounts }),
    // Credentials sign-in requires JWT sessions; pages re-check the user row (lib/auth/session.ts).
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    // A wrong password is an expected outcome the form already explains, not a server error.
    logger: {
      error(error) {
        if (error instanceof CredentialsSignin) return;
        log.error({ err: error }, 'Auth.js error');
      },
    },
    providers: [
      Credentials({
        credentials: { email: {}, password: {} },
        async authorize(credentials, request) {
          const parsed = loginSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          const limit = await checkLoginLimit(email, clientIp(request.headers));
          if (!limit.allowed) throw new TooManyAttempts();
          const user = await authenticate(email, password);
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
      ...(AUTH_GITHUB_ID && AUTH_GITHUB_SECRET
        ? [GitHub({ clientId: AUTH_GITHUB_ID, clientSecret: AUTH_GITHUB_SECRET })]
        : []),
    ],
    events: {
      // People created by the adapter (GitHub sign-ups) get their own organization and the trial credit too.
      async createUser({ user }) {
        if (!user.id) return;
        await insertPersonalOrganizations(await getDb(), [{ id: user.id, email: user.email ?? '', name: user.name ?? null }]);
        await grantTrialCredit(user.id);
        // The verification mail, as a password sign-up gets. This runs outside any page, so its
        // link needs AUTH_URL; without it the dashboard's banner sends the link on request.
        const origin = configuredOrigin();
        if (user.email && origin) await sendVerificationEmail({ id: user.id, email: user.email }, origin);
      },
      // No signOut event: Auth.js swallows its errors, so the cookie would be cleared while the
      // session (a copy of the cookie) stayed valid. Signing out revokes before answering instead:
      // endSession (lib/auth/session.ts) and revokeSignedOutSession (lib/auth/revocation.ts).
    },
    callbacks: {
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          // Set once, at sign-in (`iat` is renewed whenever the cookie is refreshed): lets a
          // password change end every session that signed in before it.
          token.signedInAt = Date.now();
          // This session's own id: what logging out revokes, leaving the user's other sessions.
          token.sid = crypto.randomUUID();
          return token;
        }
        // Every later use of the cookie (auth(), GET /api/auth/session): a session logged out, of
        // a deleted account or older than the last password change is no session — null makes
        // Auth.js answer none and clear the cookie instead of renewing it.
        try {
          return (await sessionLive(token)) ? token : null;
        } catch (error) {
          // The database is down: that says nothing about the session, and ending it would sign
          // everyone out with every outage. It stays as it is; currentUser() (lib/auth/session.ts)
          // checks it again on every page and action, and fails there — the page then says the
          // database cannot be reached, and nothing is served on an unchecked session.
          if (unavailableDependency(error)) return token;
          throw error;
        }
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        session.signedInAt = typeof token.signedInAt === 'number' ? token.signedInAt : 0;
        if (typeof token.sid === 'string') session.sid = token.sid;
        return session;
      },
    },
  };
});
