import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * "A change takes effect in the gateway within 2 seconds on every app instance": a second
 * process (another instance, sharing only PostgreSQL and Redis) polls verifyKey while this
 * one disables, re-enables and regenerates the key. Needs real Redis: the embedded store is
 * per-process by design (one instance).
 */
const services = await useTestServices();
const { signUp } = await import('@/lib/auth/users');
const keys = await import('./service');
afterAll(() => services.cleanup());

const POLLER = `
  const { verifyKey } = await import('./lib/keys/verify.ts');
  const secrets = JSON.parse(process.argv[1]);
  let last = '';
  for (;;) {
    const statuses = [];
    for (const secret of secrets) statuses.push((await verifyKey(secret)).status);
    const line = statuses.join(',');
    if (line !== last) { console.log(Date.now() + ' ' + line); last = line; }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
`;

describe.skipIf(!process.env.TEST_REDIS_URL)(`key changes reach another instance (${services.label})`, () => {
  it('within 2 seconds: disable, enable, regenerate', async () => {
    const signed = await signUp({ email: `instances-${Date.now()}@example.com`, password: 'two instances 2' });
    if (!signed.ok) throw new Error('sign-up failed');
    const actor = personalActor(signed.user.id);
    const { key, secret } = await keys.createKey(actor, { name: 'shared' });

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', '--input-type=module', '-e', POLLER, JSON.stringify([secret])],
      { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout });
    const seen: { at: number; status: string }[] = [];
    const waitFor = (status: string, since: number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`never saw ${status}`)), 10_000);
        const check = () => {
          const hit = seen.find((entry) => entry.status === status && entry.at >= since);
          if (hit) {
            clearTimeout(timer);
            lines.off('line', onLine);
            resolve(hit.at - since);
          }
        };
        const onLine = (line: string) => {
          const [at, status] = line.split(' ');
          seen.push({ at: Number(at), status: status! });
          check();
        };
        lines.on('line', onLine);
        check();
      });

    try {
      await waitFor('VALID', 0);
      let changed = Date.now();
      await keys.setKeyEnabled(actor, key.id, false);
      expect(await waitFor('DISABLED', changed)).toBeLessThan(2_000);

      changed = Date.now();
      await keys.setKeyEnabled(actor, key.id, true);
      expect(await waitFor('VALID', changed)).toBeLessThan(2_000);

      changed = Date.now();
      await keys.regenerateKey(actor, key.id);
      expect(await waitFor('NOT_FOUND', changed)).toBeLessThan(2_000);
    } finally {
      child.kill();
    }
  }, 60_000);
});
