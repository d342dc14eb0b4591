import 'next-auth';
import 'next-auth/jwt';

// What Conduit adds to Auth.js's session and token (lib/auth/index.ts callbacks).
declare module 'next-auth' {
  interface Session {
    /** Epoch ms of the sign-in this session comes from. */
    signedInAt: number;
    /** The session's random id, set at sign-in; logging out revokes it (lib/auth/revocation.ts). */
    sid?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    signedInAt?: number;
    sid?: string;
  }
}
