import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * Link changes reach another app instance (a second process sharing only PostgreSQL and Redis)
 * within 2 seconds: disabling the link, revoking a token, deleting the link. Needs real Redis:
 * the embedded store is per-process by design.
 */
const services = await useTestServices();
const { testAccount } = await import('./testing');
const links = await import('./service');
afterAll(() => services.cleanup());

const POLLER = `
  const { verifyAccessToken } = await import('./lib/links/access.ts');
  const { lookupLink } = await import('./lib/links/cache.ts');
  const [linkId, token] = JSON.parse(process.argv[1]);
  let last = '';
  for (;;) {
    const link = await lookupLink(linkId);
    const line = (link ? (link.enabled ? 'enabled' : 'disabled') : 'gone') + ',' + (await verifyAccessToken(linkId, token));
    if (line !== last) { console.log(Date.now() + ' ' + line); last = line; }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
`;

describe.skipIf(!process.env.TEST_REDIS_URL)(`link changes reach another instance (${services.label})`, () => {
  it('within 2 seconds: disable, enable, revoke, delete', async () => {
    const actor = personalActor((await testAccount('instances')).userId);
    const { link, token } = await links.createLink(actor, {
      name: 'shared',
      preset: 'custom',
      secret: 'sk-shared-secret-0000',
      upstream_base_url: 'https://api.example.com',
      injection: { type: 'bearer' },
      extra_headers: {},
      allowed_paths: [{ path: '/x' }],
    });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', '--input-type=module', '-e', POLLER, JSON.stringify([link.id, token.secret])],
      { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout });
    const seen: { at: number; state: string }[] = [];
    lines.on('line', (line) => {
      const [at, state] = line.split(' ');
      seen.push({ at: Number(at), state: state! });
    });
    const waitFor = async (state: string, since: number) => {
      for (let waited = 0; waited < 10_000; waited += 20) {
        const hit = seen.find((entry) => entry.state === state && entry.at >= since);
        if (hit) return hit.at - since;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`never saw ${state}`);
    };

    try {
      await waitFor('enabled,VALID', 0);
      let changed = Date.now();
      await links.setLinkEnabled(actor, link.id, false);
      expect(await waitFor('disabled,VALID', changed)).toBeLessThan(2_000);

      changed = Date.now();
      await links.setLinkEnabled(actor, link.id, true);
      expect(await waitFor('enabled,VALID', changed)).toBeLessThan(2_000);

      changed = Date.now();
      await links.revokeLinkToken(actor, link.id, token.token.id);
      expect(await waitFor('enabled,NOT_FOUND', changed)).toBeLessThan(2_000);

      changed = Date.now();
      await links.deleteLink(actor, link.id);
      expect(await waitFor('gone,NOT_FOUND', changed)).toBeLessThan(2_000);
    } finally {
      child.kill();
    }
  }, 60_000);
});
