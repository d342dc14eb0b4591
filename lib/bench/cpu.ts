import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time a process has used so far (user + system), in milliseconds, from /proc (Linux).
 * The benchmark divides a run's CPU by its requests: on a shared 2-core machine that figure
 * moves far less with other load than req/s does, so it shows what a change really costs.
 */
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may contain spaces, hence the last ')'): utime is 14th, stime 15th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/**
 * The same for a process and every process under it: `npm start` on several cores is a primary
 * and its workers, and the work is theirs. (Descendants are found through /proc's parent pids.)
 */
export function processTreeCpuMs(pid: number | undefined): number | undefined {
  const own = processCpuMs(pid);
  if (pid === undefined || own === undefined) return own;
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = own;
  const queue = [...(parents.get(pid) ?? [])];
  while (queue.length > 0) {
    const child = queue.pop()!;
    total += processCpuMs(child) ?? 0;
    queue.push(...(parents.get(child) ?? []));
  }
  return total;
}

/** pids of every process with this exact name (e.g. `redis-server`, `postgres`), via /proc. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU used so far by Redis and PostgreSQL together (every `redis-server` and `postgres` process on
 * the machine): what each gateway request costs the services, counted only on a quiet machine.
 */
export function servicesCpuMs(): number | undefined {
  let total = 0;
  for (const pid of [...pidsNamed('redis-server'), ...pidsNamed('postgres')]) total += processCpuMs(pid) ?? 0;
  return total > 0 ? total : undefined;
}

/**
 * The machine's CPU time so far, all of it and the part stolen by the hypervisor (the `cpu` line
 * of /proc/stat, in ticks). On a virtual machine a run can lose a good share of its CPU to
 * neighbours; the benchmark prints the stolen share of each run so such runs can be told apart.
 */
export function machineTicks(): { total: number; steal: number; idle: number } | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const ticks = fields.map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    return { total: ticks.slice(0, 8).reduce((sum, value) => sum + value, 0), steal: ticks[7] ?? 0, idle: (ticks[3] ?? 0) + (ticks[4] ?? 0) };
  } catch {
    return undefined;
  }
}

/** The stolen share (0–1) between two readings of machineTicks(). */
export function stolenShare(before: ReturnType<typeof machineTicks>, after: ReturnType<typeof machineTicks>): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

/**
 * The idle share (0–1) between two readings. Even a saturating closed-loop load leaves the cores
 * partly idle here (the upstream alone: ~20 %): each request is handed from process to process,
 * and each waits on the others' wake-ups. A run far idler than its neighbours waited on something
 * (a round trip, a timer) rather than on the CPU.
 */
export function idleShare(before: ReturnType<typeof machineTicks>, after: ReturnType<typeof machineTicks>): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return (after.idle - before.idle) / (after.total - before.total);
}
