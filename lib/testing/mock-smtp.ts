import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMail, type ReceivedMail } from './mail-message';

/**
 * A real SMTP server (the smtp-server package) that keeps every message it receives, for tests to
 * read back: vitest uses `messages` in-process, Playwright's mock process (e2e/mock-services.ts)
 * serves them over HTTP — `GET /messages?to=<address>` answers JSON, newest last. No auth and no
 * TLS (the STARTTLS command is disabled, so nodemailer sends in the clear to it).
 */

export interface MockSmtp {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** Messages to one address (envelope recipient), oldest first. */
  to(address: string): ReceivedMail[];
  /** Waits until `count` messages to `address` have arrived (default: 1). */
  waitFor(address: string, count?: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Refuse the next messages with this SMTP reply code (a server that is full or down). */
  refuse(code: number | null): void;
  /** http://127.0.0.1:<port> of the reading endpoint, when one was asked for. */
  httpUrl?: string;
  close(): Promise<void>;
}

export async function startMockSmtp(options: { port?: number; httpPort?: number } = {}): Promise<MockSmtp> {
  const messages: ReceivedMail[] = [];
  let refusal: number | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusal !== null) {
          callback(Object.assign(new Error('Mailbox unavailable (mock)'), { responseCode: refusal }));
          return;
        }
        const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), envelopeTo));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((mail) => mail.to.includes(address.toLowerCase()));

  let http: ReturnType<typeof createServer> | undefined;
  let httpUrl: string | undefined;
  if (options.httpPort !== undefined) {
    http = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://mock');
      if (url.pathname === '/health') return void res.end('ok');
      if (url.pathname !== '/messages') return void res.writeHead(404).end();
      const address = url.searchParams.get('to');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(address ? to(address) : messages));
    });
    await new Promise<void>((resolve) => http!.listen(options.httpPort, '127.0.0.1', () => resolve()));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to,
    httpUrl,
    refuse(code) {
      refusal = code;
    },
    async waitFor(address, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (to(address).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s) to ${address}, got ${to(address).length}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return to(address);
    },
    async close() {
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), http ? new Promise<void>((resolve) => http!.close(() => resolve())) : undefined]);
    },
  };
}
