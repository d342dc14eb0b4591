import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLES, type Permission } from './permissions';

// The README's role table is what people read before they invite someone: it must be the code's.
describe('the permission matrix', () => {
  const readme = readFileSync(path.join(process.cwd(), 'README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `([a-z.]+)` \| [^|]+ \| (.+) \|$/gm)].map(([, permission, cells]) => [permission!, cells!.split('|').map((cell) => cell.trim())]),
  );

  it('is printed in the README, one row per permission, as the code grants it', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(PERMISSIONS).sort());
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(rows.get(permission), permission).toEqual(ROLES.map((role) => (can(role, permission) ? '✓' : '—')));
    }
  });

  it('gives each role everything the role below it has', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      for (let i = 1; i < ROLES.length; i++) {
        if (can(ROLES[i]!, permission)) expect(can(ROLES[i - 1]!, permission), `${ROLES[i - 1]} ⊇ ${ROLES[i]}: ${permission}`).toBe(true);
      }
    }
  });

  it('keeps money, members and the organization itself from developers and viewers', () => {
    for (const permission of ['billing.manage', 'members.manage', 'organization.manage', 'audit.view'] as const) {
      expect(can('developer', permission)).toBe(false);
      expect(can('viewer', permission)).toBe(false);
    }
    expect(ROLES.filter((role) => can(role, 'organization.manage'))).toEqual(['owner']);
  });
});
