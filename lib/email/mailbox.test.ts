import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@/lib/observability/testing';
import { parseMail } from '@/lib/testing/mail-message';

// The embedded default: no SMTP_URL, so mail lands in DATA_DIR/mail and the log says where.
const dataDir = mkdtempSync(path.join(tmpdir(), 'conduit-mailbox-'));
process.env.DATA_DIR = dataDir;
delete process.env.SMTP_URL;
const { deliver } = await import('./transport');
const { queueMail, mailSettled } = await import('./send');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('mail without SMTP_URL', () => {
  it('is written to DATA_DIR/mail as an .eml a mail client opens, and the log names the file but not the body', async () => {
    const logs = captureLogs();
    const link = `http://localhost:3000/reset-password?token=${'t0k3n_'.repeat(12)}`;
    try {
      const delivery = await deliver({ to: 'ada@example.com', subject: 'Reset your Conduit password', text: `Here:\n\n${link}\n` });
      expect(delivery.via).toBe('mailbox');
      const files = readdirSync(path.join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const mail = parseMail(readFileSync(path.join(dataDir, 'mail', files[0]!), 'utf8'), ['ada@example.com']);
      expect(mail.subject).toBe('Reset your Conduit password');
      expect(mail.headers.to).toBe('ada@example.com');
      expect(mail.from).toBe('Conduit <conduit@localhost>');
      expect(mail.text).toContain(link);
      const lines = logs.records().filter((record) => record.component === 'email');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ to: 'ada@example.com', file: path.join(dataDir, 'mail', files[0]!) });
      expect(JSON.stringify(logs.records())).not.toContain('t0k3n_');
    } finally {
      logs.restore();
    }
  });

  it('queued mail is delivered in the background, and mailSettled waits for it', async () => {
    queueMail('test', { to: 'grace@example.com', subject: 'Queued', text: 'hello' });
    await mailSettled();
    const subjects = readdirSync(path.join(dataDir, 'mail')).map((file) => readFileSync(path.join(dataDir, 'mail', file), 'utf8'));
    expect(subjects.some((raw) => raw.includes('Subject: Queued'))).toBe(true);
  });
});
