import 'server-only';
import { headers } from 'next/headers';
import { emailLinkOriginOf } from './origin';

/** For server actions and pages: the origin of emailed links for this request (see origin.ts). */
export async function emailLinkOrigin(): Promise<string> {
  return emailLinkOriginOf(await headers());
}
