import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockSmtp } from '@/lib/testing/mock-smtp';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from '@/lib/usage/fixtures';

// Alerts by email through the real drain, to a real SMTP server (smtp-server) in this process.
const services = await useTestServices();
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'Conduit <alerts@conduit.test>';
process.env.AUTH_URL = 'https://conduit.example.com';
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { creditLedger } = await import('@/db/schema');
const { drainAll, dropTestQueues, enqueueAll, freshQueue } = await import('@/lib/usage/drain-testing');
const { alertSettingsSchema, saveAlertSettings, getAlertSettings } = await import('./settings');
const { mailSettled } = await import('@/lib/email/send');
const { personalActor } = await import('@/lib/orgs/actor');

async function newAccount(credit: number): Promise<{ id: string; email: string }> {
  const id = `user_${randomUUID()}`;
  const email = `alerts-${id}@example.com`;
  const db = await getDb();
  await insertPeople(db, { id, email });
  await db.insert(creditLedger).values({ id: `cr_${randomUUID()}`, userId: id, kind: 'trial_grant', amountMicros: credit, reference: id });
  return { id, email };
}

async function spend(userId: string, costs: number[]) {
  const queue = freshQueue();
  await enqueueAll(queue, costs.map((costMicros) => usageRecord({ userId, keyId: null, costMicros })));
  await drainAll(queue, 'alerts-email');
  await mailSettled();
}

beforeAll(async () => {
  await getDb();
});

afterAll(async () => {
  await mailSettled();
  await smtp.close();
  await dropTestQueues();
  await services.cleanup();
});

describe(`alerts by email on ${services.label}`, () => {
  it('reads the opt-in checkbox: ticked is on, absent is off, anything else is refused', () => {
    const base = { webhookUrl: '', creditThreshold: '1', budgetDay: '', budgetWeek: '', budgetMonth: '' };
    expect(alertSettingsSchema.parse({ ...base, emailAlerts: 'on' }).emailAlerts).toBe(true);
    expect(alertSettingsSchema.parse(base).emailAlerts).toBe(false);
    expect(alertSettingsSchema.safeParse({ ...base, emailAlerts: 'yes please' }).success).toBe(false);
  });

  it('go to the account that opted in — one message with the alerts and a link on AUTH_URL — and to nobody else', async () => {
    const optedIn = await newAccount(2_000_000);
    const optedOut = await newAccount(2_000_000);
    const base = { webhookUrl: null, creditThreshold: 1_500_000, budgetDay: 500_000, budgetWeek: null, budgetMonth: null };
    await saveAlertSettings(personalActor(optedIn.id), { ...base, emailAlerts: true });
    await saveAlertSettings(personalActor(optedOut.id), { ...base, emailAlerts: false });
    expect((await getAlertSettings(optedIn.id, optedIn.id)).emailAlerts).toBe(true);

    await spend(optedIn.id, [600_000]); // credit 1.40 < 1.50, and 120 % of the daily budget
    await spend(optedOut.id, [600_000]);
    const [mail] = await smtp.waitFor(optedIn.email);
    expect(mail!.subject).toBe('Conduit: 4 alerts');
    expect(mail!.text).toContain('Your credit');
    expect(mail!.text).toContain('daily');
    expect(mail!.text).toContain('https://conduit.example.com/notifications');
    expect(smtp.to(optedOut.email)).toHaveLength(0);

    // Fired once per window: spending more in the same day sends nothing new.
    await spend(optedIn.id, [1_000]);
    expect(smtp.to(optedIn.email)).toHaveLength(1);
  });

  it('a mail server that refuses loses no notification', async () => {
    const account = await newAccount(2_000_000);
    await saveAlertSettings(personalActor(account.id), { webhookUrl: null, creditThreshold: 1_500_000, budgetDay: null, budgetWeek: null, budgetMonth: null, emailAlerts: true });
    smtp.refuse(451);
    try {
      await spend(account.id, [600_000]);
    } finally {
      smtp.refuse(null);
    }
    const { listNotifications } = await import('@/db/queries/alerts');
    expect((await listNotifications(await getDb(), account.id)).map((row) => row.kind)).toEqual(['credit']);
  });
});
