import type { Metadata } from 'next';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Conduit', template: '%s · Conduit' },
  description: 'Use paid APIs without leaking keys or getting surprise bills.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: the Content-Security-Policy (proxy.ts) allows only scripts
  // carrying that response's nonce, which Next.js can only put on a page it renders now — a page
  // prerendered at build time has none, and its scripts would be refused.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
