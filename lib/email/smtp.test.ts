import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@/lib/observability/testing';
import { startMockSmtp } from '@/lib/testing/mock-smtp';

// SMTP_URL set: mail goes to a real SMTP server (smtp-server, in this process) and is read back.
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'Conduit <no-reply@conduit.test>';
const { deliver } = await import('./transport');
const { queueMail, mailSettled } = await import('./send');
afterAll(() => smtp.close());

describe('mail over SMTP', () => {
  it('reaches the server with the configured sender, the subject and the text intact (long links, non-ASCII)', async () => {
    const link = `https://conduit.example.com/reset-password?token=${'A1b2_-'.repeat(8)}`;
    const delivery = await deliver({ to: 'Ada@Example.com', subject: 'Réinitialiser — Conduit', text: `Bonjour ✓\n\n${link}\n` });
    expect(delivery.via).toBe('smtp');
    const [mail] = await smtp.waitFor('ada@example.com');
    expect(mail!.from).toBe('Conduit <no-reply@conduit.test>');
    expect(mail!.subject).toBe('Réinitialiser — Conduit');
    expect(mail!.text).toContain('Bonjour ✓');
    expect(mail!.text).toContain(link);
  });

  it('a server that refuses: deliver throws, queued mail is logged as failed without its body, and nothing else breaks', async () => {
    smtp.refuse(550);
    const logs = captureLogs();
    try {
      await expect(deliver({ to: 'grace@example.com', subject: 'x', text: 'y' })).rejects.toThrow();
      queueMail('password_reset', { to: 'grace@example.com', subject: 'Reset', text: 'secret-token-value' });
      await mailSettled();
      const failed = logs.records().filter((record) => record.msg === 'mail could not be sent');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 50, purpose: 'password_reset' });
      expect(JSON.stringify(logs.records())).not.toContain('secret-token-value');
    } finally {
      logs.restore();
      smtp.refuse(null);
    }
    expect(smtp.to('grace@example.com')).toHaveLength(0);
  });
});
