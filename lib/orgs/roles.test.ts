import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockSmtp } from '@/lib/testing/mock-smtp';
import { useTestServices } from '@/lib/testing/services';
import type { Actor } from './actor';
import type { Role } from './permissions';

// An organization with one member of each role, through the real services on PostgreSQL + Redis
// (CI) or the embedded default: every role × action that matters, invitations by mail, tokens
// that follow their maker's role, cross-organization 404s, and deletion that orphans nothing.
const services = await useTestServices();
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'Conduit <team@conduit.test>';
const { getDb } = await import('@/db');
const { markEmailVerified } = await import('@/db/queries/users');
const { signUp, deleteAccount, getUser } = await import('@/lib/auth/users');
const { deleteOrganization } = await import('@/lib/auth/account-deletion');
const keys = await import('@/lib/keys/service');
const links = await import('@/lib/links/service');
const { linkSchemas } = await import('@/lib/links/schema');
const { createToken, revokeToken } = await import('@/lib/management/tokens');
const { saveAutoTopUpSettings } = await import('@/lib/billing/overview');
const { saveAlertSettings, getAlertSettings } = await import('@/lib/alerts/settings');
const { mailSettled } = await import('@/lib/email/send');
const { verifyKey } = await import('@/lib/keys/verify');
const members = await import('./members');
const { personalActor } = await import('./actor');
const { listAuditEntries } = await import('@/db/queries/organizations');
const keysRoute = await import('@/app/api/v1/keys/route');
const keyRoute = await import('@/app/api/v1/keys/[id]/route');

afterAll(async () => {
  await mailSettled();
  await smtp.close();
  await services.cleanup();
});

const ORIGIN = 'https://conduit.example.com';
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

async function person(label: string, verified = true) {
  const email = `${label}-${unique()}@example.com`;
  const signed = await signUp({ email, password: 'a fine password 1' });
  if (!signed.ok) throw new Error('sign-up failed');
  if (verified) await markEmailVerified(await getDb(), signed.user.id, email);
  return (await getUser(signed.user.id))!;
}

/** The token in the newest invitation mailed to `email`. */
async function invitationToken(email: string, count = 1): Promise<string> {
  await mailSettled();
  const mails = await smtp.waitFor(email, count);
  const link = mails.at(-1)!.text.match(/https:\/\/conduit\.example\.com\/invite\?token=([\w-]+)/);
  expect(link, 'the invitation links to the public origin').not.toBeNull();
  return link![1]!;
}

type Person = Awaited<ReturnType<typeof person>>;
let owner: Person;
let org: string;
const team = {} as Record<Role, Actor>;

async function join(role: Exclude<Role, 'owner'>): Promise<Actor> {
  const invitee = await person(role);
  await members.inviteMember(team.owner, owner, { email: invitee.email, role }, 'Acme', ORIGIN);
  const accepted = await members.acceptInvitation(invitee, await invitationToken(invitee.email));
  expect(accepted).toEqual({ ok: true, organizationId: org });
  return { accountId: org, userId: invitee.id, email: invitee.email, role };
}

let ownerKeyId: string;

beforeAll(async () => {
  owner = await person('owner');
  org = await members.createOrganization(owner, 'Acme');
  team.owner = { accountId: org, userId: owner.id, email: owner.email, role: 'owner' };
  team.admin = await join('admin');
  team.developer = await join('developer');
  team.viewer = await join('viewer');
  ownerKeyId = (await keys.createKey(team.owner, { name: 'shared' })).key.id;
});

const linkInput = () => linkSchemas({ allowPrivate: true }).create.parse({ name: 'l', preset: 'openai', secret: `sk-${unique()}` });

/** What each role may do: `true` must succeed, `false` must be refused with 403 permission_denied and change nothing. */
const MATRIX: { action: string; allowed: Role[]; run: (actor: Actor) => Promise<unknown> }[] = [
  { action: 'create a key', allowed: ['owner', 'admin', 'developer'], run: (a) => keys.createKey(a, { name: `k-${a.role}` }) },
  { action: 'change a key', allowed: ['owner', 'admin', 'developer'], run: (a) => keys.updateKey(a, ownerKeyId, { name: `shared by ${a.role}` }) },
  { action: 'create a link', allowed: ['owner', 'admin', 'developer'], run: (a) => links.createLink(a, linkInput()) },
  { action: 'create a management token', allowed: ['owner', 'admin', 'developer'], run: (a) => createToken(a, `t-${a.role}`) },
  { action: 'set up automatic top-up', allowed: ['owner', 'admin'], run: (a) => saveAutoTopUpSettings(a, { enabled: false }) },
  { action: 'invite a member', allowed: ['owner', 'admin'], run: (a) => members.inviteMember(a, owner, { email: `new-${unique()}@example.com`, role: 'viewer' }, 'Acme', ORIGIN) },
  { action: "change a member's role", allowed: ['owner', 'admin'], run: (a) => members.changeMemberRole(a, team.viewer.userId, 'viewer') },
  { action: 'rename the organization', allowed: ['owner'], run: (a) => members.renameOrganization(a, 'Acme') },
];

describe(`organizations and roles on ${services.label}`, () => {
  for (const { action, allowed, run } of MATRIX) {
    for (const role of ['owner', 'admin', 'developer', 'viewer'] as const) {
      const may = allowed.includes(role);
      it(`${role} ${may ? 'may' : 'may not'} ${action}`, async () => {
        const before = (await listAuditEntries(await getDb(), org, 1000)).length;
        if (may) {
          await expect(run(team[role])).resolves.not.toThrow();
        } else {
          await expect(run(team[role])).rejects.toMatchObject({ status: 403, code: 'permission_denied' });
          expect((await listAuditEntries(await getDb(), org, 1000)).length, 'a refused action leaves no trace').toBe(before);
        }
      });
    }
  }

  it("keeps the organization's alert settings to owners and admins, while anyone opts in to the mail", async () => {
    const settings = { webhookUrl: null, creditThreshold: 2_000_000, budgetDay: null, budgetWeek: null, budgetMonth: null };
    await saveAlertSettings(team.admin, { ...settings, emailAlerts: false });
    await saveAlertSettings(team.viewer, { ...settings, creditThreshold: 9_000_000, emailAlerts: true });
    expect(await getAlertSettings(org, team.viewer.userId)).toMatchObject({ creditThresholdMicros: 2_000_000, emailAlerts: true });
    expect((await getAlertSettings(org, team.admin.userId)).emailAlerts).toBe(false);
  });

  it('answers 404 for another organization’s key, from the dashboard and from the management API', async () => {
    const personal = personalActor(owner.id);
    const mine = await keys.createKey(personal, { name: 'personal' });
    await expect(keys.getKey(org, mine.key.id)).rejects.toMatchObject({ status: 404 });
    await expect(keys.updateKey(team.owner, mine.key.id, { name: 'stolen' })).rejects.toMatchObject({ status: 404 });
    const token = (await createToken(team.owner, 'cross')).secret;
    const response = await keyRoute.GET(new Request(`http://conduit.test/api/v1/keys/${mine.key.id}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: mine.key.id }) });
    expect(response.status).toBe(404);
    const listed = await (await keysRoute.GET(new Request('http://conduit.test/api/v1/keys', { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) })).json();
    expect(listed.data.map((key: { id: string }) => key.id)).not.toContain(mine.key.id);
    expect((await keys.getKey(personal.accountId, mine.key.id)).name).toBe('personal');
  });

  it("acts with its maker's current role: a demoted member's token loses writes, a removed member's stops", async () => {
    const member = await join('developer');
    const token = (await createToken(member, 'ci')).secret;
    const post = () =>
      keysRoute.POST(new Request('http://conduit.test/api/v1/keys', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'from ci' }) }), { params: Promise.resolve({}) });
    const list = () => keysRoute.GET(new Request('http://conduit.test/api/v1/keys', { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
    expect((await post()).status).toBe(201);
    await members.changeMemberRole(team.admin, member.userId, 'viewer');
    const refused = await post();
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('permission_denied');
    expect((await list()).status).toBe(200);
    await members.removeMember(team.admin, member.userId);
    expect((await list()).status).toBe(401);
  });

  it('lets a member revoke their own tokens and only owners and admins revoke others’', async () => {
    const mine = await createToken(team.developer, 'mine');
    const theirs = await createToken(team.admin, 'theirs');
    expect(await revokeToken(team.developer, theirs.token.id)).toBe(false);
    expect(await revokeToken(team.developer, mine.token.id)).toBe(true);
    expect(await revokeToken(team.owner, theirs.token.id)).toBe(true);
  });

  it('accepts an invitation once, only for the address it was sent to, and not after it is revoked', async () => {
    const invitee = await person('invitee', false);
    const stranger = await person('stranger');
    await members.inviteMember(team.admin, owner, { email: invitee.email, role: 'viewer' }, 'Acme', ORIGIN);
    const token = await invitationToken(invitee.email);
    expect(await members.acceptInvitation(stranger, token)).toEqual({ ok: false, reason: 'other_address' });
    const [first, second] = await Promise.all([members.acceptInvitation(invitee, token), members.acceptInvitation(invitee, token)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    // The mailed link proved the address.
    expect((await getUser(invitee.id))!.emailVerified).not.toBeNull();

    const later = await person('later');
    await members.inviteMember(team.owner, owner, { email: later.email, role: 'admin' }, 'Acme', ORIGIN);
    const pending = (await members.pendingInvitations(org)).find((invitation) => invitation.email === later.email)!;
    expect(pending.hash).not.toBe(await invitationToken(later.email));
    await members.revokeInvitation(team.admin, pending.id);
    expect(await members.acceptInvitation(later, await invitationToken(later.email))).toEqual({ ok: false, reason: 'dead' });
    await expect(members.inviteMember(team.owner, owner, { email: team.viewer.email!, role: 'viewer' }, 'Acme', ORIGIN)).rejects.toMatchObject({ status: 409, code: 'already_member' });
    await expect(members.inviteMember(team.owner, { ...owner, emailVerified: null }, { email: `x-${unique()}@example.com`, role: 'viewer' }, 'Acme', ORIGIN)).rejects.toMatchObject({ code: 'email_not_verified' });
  });

  it('never lets an admin make, unmake or remove an owner', async () => {
    await expect(members.changeMemberRole(team.admin, team.owner.userId, 'viewer')).rejects.toMatchObject({ status: 409 });
    await expect(members.changeMemberRole(team.admin, team.viewer.userId, 'owner')).rejects.toMatchObject({ status: 400, code: 'invalid_role' });
    await expect(members.removeMember(team.admin, team.owner.userId)).rejects.toMatchObject({ status: 409 });
    await expect(members.transferOwnership(team.admin, team.admin.userId)).rejects.toMatchObject({ status: 403 });
  });

  it('refuses to delete the account of the only owner of a shared organization; after a transfer the organization lives on', async () => {
    const boss = await person('boss');
    const shop = await members.createOrganization(boss, 'Shop');
    const bossActor: Actor = { accountId: shop, userId: boss.id, email: boss.email, role: 'owner' };
    const heir = await person('heir');
    await members.inviteMember(bossActor, boss, { email: heir.email, role: 'admin' }, 'Shop', ORIGIN);
    await members.acceptInvitation(heir, await invitationToken(heir.email));
    const { secret } = await keys.createKey(bossActor, { name: 'shop key' });

    await expect(deleteAccount(boss.id)).rejects.toMatchObject({ status: 409, code: 'transfer_ownership_first' });
    expect(await getUser(boss.id)).toBeDefined();

    await members.transferOwnership(bossActor, heir.id);
    await deleteAccount(boss.id);
    expect(await getUser(boss.id)).toBeUndefined();
    expect((await verifyKey(secret)).status, "the organization's keys keep working").toBe('VALID');
    const actions = (await listAuditEntries(await getDb(), shop, 100)).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['organization.created', 'member.invited', 'member.joined', 'key.created', 'organization.ownership_transferred']));

    // The new owner deletes the organization: its key stops at once.
    await deleteOrganization({ accountId: shop, userId: heir.id, email: heir.email, role: 'owner' });
    expect((await verifyKey(secret)).status).toBe('NOT_FOUND');
  });
});
