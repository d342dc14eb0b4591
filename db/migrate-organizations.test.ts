import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from './migrate';
import type { Database } from './open';
import { findActiveTokenByHash } from './queries/management-tokens';
import { listUserMemberships } from './queries/organizations';
import { findLiveKey } from './queries/keys';
import { createScratchDatabase, migrationsUpTo, requirePostgresInCi, testDatabaseUrl } from './test-database';

// Migration 0011 turns every account into a one-person organization with the same id. An
// installation upgraded from 0010 must keep every id working: the person owns their organization,
// their keys, credit and tokens are the organization's, and their email-alert choice is kept.

/** An account as 0010 stored it: a person with a key, credit, a management token and alert settings. */
async function seedLegacyAccount(db: Database): Promise<void> {
  await db.execute(sql`insert into users (id, name, email) values ('legacy-user', null, 'legacy@example.com'), ('other-user', 'Ada', 'ada@example.com')`);
  await db.execute(sql`insert into api_keys (id, user_id, name, hash, start) values ('key_legacy', 'legacy-user', 'old key', 'hash-of-key', 'condt_abc')`);
  await db.execute(sql`insert into credit_ledger (id, user_id, kind, amount_micros, reference) values ('cr_legacy', 'legacy-user', 'trial_grant', 5000000, 'legacy-user')`);
  await db.execute(sql`insert into management_tokens (id, user_id, name, hash, start) values ('mt_legacy', 'legacy-user', 'ci', 'hash-of-token', 'cmt_abc')`);
  await db.execute(sql`insert into alert_settings (user_id, webhook_secret, email_alerts) values ('legacy-user', 'whsec_x', true)`);
}

/** PGlite answers { rows }, postgres.js an array: the first row either way. */
async function firstRow(db: Database, query: ReturnType<typeof sql>): Promise<unknown> {
  const result = (await db.execute(query)) as unknown as { rows?: unknown[] } & unknown[];
  return (result.rows ?? result)[0];
}

async function expectUpgraded(db: Database): Promise<void> {
  expect(await listUserMemberships(db, 'legacy-user')).toEqual([{ organizationId: 'legacy-user', name: 'legacy', role: 'owner' }]);
  expect(await listUserMemberships(db, 'other-user')).toEqual([{ organizationId: 'other-user', name: 'Ada', role: 'owner' }]);
  expect((await findLiveKey(db, 'legacy-user', 'key_legacy'))?.name).toBe('old key');
  const token = await findActiveTokenByHash(db, 'hash-of-token');
  expect(token).toMatchObject({ userId: 'legacy-user', createdBy: 'legacy-user', role: 'owner', creatorEmail: 'legacy@example.com' });
  expect(await firstRow(db, sql`select email_alerts from memberships where user_id = 'legacy-user'`)).toMatchObject({ email_alerts: true });
  expect(await firstRow(db, sql`select sum(amount_micros)::text as total from credit_ledger where user_id = 'legacy-user'`)).toMatchObject({ total: '5000000' });
  // The foreign keys now point at organizations: deleting the organization takes the key with it.
  await db.execute(sql`delete from organizations where id = 'legacy-user'`);
  expect(await findLiveKey(db, 'legacy-user', 'key_legacy')).toBeUndefined();
}

describe('migration 0011 (organizations) on embedded PGlite', () => {
  it('keeps every account, id and setting of an installation upgraded from 0010', async () => {
    const client = new PGlite();
    const db = drizzlePglite(client) as unknown as Database;
    try {
      await migratePglite(db as never, { migrationsFolder: migrationsUpTo('0010_email') });
      await seedLegacyAccount(db);
      await migratePglite(db as never, { migrationsFolder });
      await expectUpgraded(db);
    } finally {
      await client.close();
    }
  });
});

requirePostgresInCi();

describe.skipIf(!testDatabaseUrl)('migration 0011 (organizations) on PostgreSQL', () => {
  it('keeps every account, id and setting of an installation upgraded from 0010', async () => {
    const scratch = await createScratchDatabase();
    const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const db = drizzlePostgres(client) as unknown as Database;
    try {
      await migratePostgres(db as never, { migrationsFolder: migrationsUpTo('0010_email') });
      await seedLegacyAccount(db);
      await migratePostgres(db as never, { migrationsFolder });
      await expectUpgraded(db);
    } finally {
      await client.end({ timeout: 5 });
      await scratch.drop();
    }
  });
});
