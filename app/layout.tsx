import type { Metadata } from 'next';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Conduit', template: '%s · Conduit' },
  description: 'Use paid APIs without leaking keys or getting surprise bills.',
  // The logo's mark (public/): browsers ask for /favicon.ico whatever the page says.
  icons: { icon: [{ url: '/favicon.ico', sizes: '16x16 32x32 48x48' }, { url: '/icon.svg', type: 'image/svg+xml' }], apple: '/apple-touch-icon.png' },
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
