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
