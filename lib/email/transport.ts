import 'server-only';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { env } from '@/lib/env';
import { logger } from '@/lib/observability/log';

/**
 * Where mail goes. With SMTP_URL, to that server (nodemailer's SMTP transport: STARTTLS when the
 * server offers it, smtps:// for TLS from the start). Without it — the embedded default, a laptop,
 * the tests — nothing leaves the machine: each message is written whole to DATA_DIR/mail/*.eml
 * (any mail client opens one) and a log line says where, so `npm run dev` needs no mail server.
 * The log line never holds the body: it carries single-use tokens.
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export type Delivery = { via: 'smtp'; messageId: string } | { via: 'mailbox'; file: string };

const log = () => logger().child({ component: 'email' });

// Bounds on a mail server that stops answering: a send is never on a request's path, but a stuck
// one would pile up sockets.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;
const DEFAULT_FROM = 'Conduit <conduit@localhost>';

type Registry = typeof globalThis & { [TRANSPORT]?: { url: string; transporter: Transporter } };
const TRANSPORT = Symbol.for('conduit.email.transport');

function smtp(url: string): Transporter {
  const registry = globalThis as Registry;
  // One pool of connections per process and URL (tests point SMTP_URL at servers of their own).
  if (registry[TRANSPORT]?.url !== url) registry[TRANSPORT] = { url, transporter: nodemailer.createTransport({ url, ...SMTP_TIMEOUTS }) };
  return registry[TRANSPORT].transporter;
}

const mailbox = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
let warnedNoSmtp = false;

export function mailboxDir(): string {
  return path.resolve(env().DATA_DIR, 'mail');
}

/** Sends one message now; throws when the server refuses it or cannot be reached. */
export async function deliver(mail: OutgoingMail): Promise<Delivery> {
  const { SMTP_URL, EMAIL_FROM, DATABASE_URL } = env();
  const message = { from: EMAIL_FROM ?? DEFAULT_FROM, to: mail.to, subject: mail.subject, text: mail.text };
  if (SMTP_URL) {
    const info = (await smtp(SMTP_URL).sendMail(message)) as { messageId: string };
    return { via: 'smtp', messageId: info.messageId };
  }
  const info = (await mailbox.sendMail(message)) as { message: Buffer; messageId: string };
  const dir = mailboxDir();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
  await writeFile(file, info.message);
  // A deployment (DATABASE_URL) without SMTP_URL is a mistake worth a warning: nobody will read
  // its server's disk, and password resets never arrive.
  const level = DATABASE_URL && !warnedNoSmtp ? 'warn' : 'info';
  if (DATABASE_URL) warnedNoSmtp = true;
  log()[level]({ to: mail.to, subject: mail.subject, file }, 'SMTP_URL is not set: mail written to the local mailbox instead of sent');
  // `npm run dev` on the embedded default: the developer reads the mail where they look — the dev
  // server's terminal — links included. Only there: a production log never holds a token.
  if (env().NODE_ENV === 'development' && !DATABASE_URL) process.stdout.write(`\n── Mail to ${mail.to}: ${mail.subject} ──\n${mail.text}\n── (${file}) ──\n\n`);
  return { via: 'mailbox', file };
}
